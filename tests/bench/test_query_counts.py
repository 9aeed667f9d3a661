"""The coordinator's pages run a fixed number of SQL queries, whatever the number of executors
and measures (issue 9): counted with a cursor event while the page renders through the client."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, update

from roadmap.extensions import db
from roadmap.models import OrgKind, Role, Task
from roadmap.models.task import bump_feed_versions

PAGES = ("/roadmaps/{id}", "/roadmaps/{id}/matrix", "/roadmaps/{id}?year=all", "/roadmaps/{id}/matrix?year=all")
DEADLINES = ("ежеквартально", "сентябрь", "до 1 июня", "1 раз в полугодие", "ежемесячно", "май-август")


def _roadmap(make_org, make_roadmap, schools: int, measures: int):
    orgs = [make_org(kind=OrgKind.SCHOOL, short_name=f"СОШ {schools}-{n}") for n in range(schools)]
    orgs.append(make_org(kind=OrgKind.PRESCHOOL, short_name=f"ДОУ {schools}"))
    rows = [
        (f"{1 + n % 3}.{n + 1}", f"Мероприятие {n + 1}", DEADLINES[n % len(DEADLINES)], orgs[n % 2 :])
        for n in range(measures)
    ]
    roadmap = make_roadmap(rows, period=(date(2023, 1, 1), date(2024, 12, 31)), title=f"Карта {schools}×{measures}")
    # Every status on the page: accepted, submitted, returned, overdue (the past is 2023).
    for status, remainder in (("accepted", 0), ("submitted", 1), ("returned", 2)):
        db.session.execute(
            update(Task).where(Task.roadmap_id == roadmap.id, Task.id % 4 == remainder).values(status=status)
        )
    # Core writes: the roadmap's counter and tallies moved as the application's bulk writers do.
    bump_feed_versions(db.session.connection(), [roadmap.id])
    db.session.flush()
    return roadmap


def _count(client, path: str) -> int:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_executors_or_measures(client, auth, make_org, make_user, make_roadmap, page):
    make_user(role=Role.COORDINATOR, login="coordinator")
    small = _roadmap(make_org, make_roadmap, schools=2, measures=2)
    large = _roadmap(make_org, make_roadmap, schools=12, measures=9)
    auth.login("coordinator")
    counts = []
    for roadmap in (small, large):
        path = page.format(id=roadmap.id)
        client.get(path)  # the first request of a session loads what every later one reuses
        counts.append(_count(client, path))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 2 executors × 2 measures, {counts[1]} for 13 × 9"
    assert counts[0] <= 15, counts
