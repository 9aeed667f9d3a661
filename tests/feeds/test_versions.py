"""A feed's version (its ETag) changes whenever its content would, and only reads cheap rows.

Aggregated feeds (coordinators, observers) take their version from the roadmap's change
counter, which every flush of a task, measure or section advances, and bulk generation too;
per-task feeds aggregate their own tasks. Changes here go through the ORM the plain way
(no manual SEQUENCE or updated_at), so the counter, not the test, is what moves the ETag.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from roadmap.extensions import db
from roadmap.models import Measure, Roadmap, TaskStatus
from roadmap.tasks.service import generate_tasks


def etag(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.headers["ETag"]


def counter(roadmap_id: int) -> int:
    return db.session.execute(select(Roadmap.feed_version).where(Roadmap.id == roadmap_id)).scalar_one()


def _status(world):
    world.tasks(world.school_a, "1.1")[0].status = TaskStatus.ACCEPTED


def _dates(world):
    task = world.tasks(world.school_a, "1.1")[0]
    task.due_effective_on += timedelta(days=2)


def _label(world):
    world.tasks(world.school_a, "1.1")[0].label = "перенесено"


def _cancel(world):
    world.tasks(world.school_a, "1.1")[0].is_cancelled = True


def _measure_title(world):
    db.session.scalar(select(Measure).where(Measure.number == "1.1")).title = "Экскурсии на заводы"


def _responsible(world):
    db.session.scalar(select(Measure).where(Measure.number == "1.1")).responsible_text = "Управление образования"


def _section_title(world):
    db.session.scalar(select(Measure).where(Measure.number == "1.1")).section.title = "Профориентация"


def _roadmap_title(world):
    world.roadmap.title = "Дорожная карта, новая редакция"


CHANGES = {
    "status": _status,
    "dates": _dates,
    "label": _label,
    "cancellation": _cancel,
    "measure title": _measure_title,
    "responsible": _responsible,
    "section title": _section_title,
    "roadmap title": _roadmap_title,
}


@pytest.mark.parametrize("who", ["coordinator", "executor_a"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_visible_change_changes_the_etag(client, world, subscribe, who, change):
    _sub, path = subscribe(getattr(world, who), status="all")
    before = etag(client, path)
    assert etag(client, path) == before  # stable while nothing changes
    CHANGES[change](world)
    db.session.flush()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200, f"{change}: answered 304 for a changed {who} feed"
    assert after.headers["ETag"] != before


def test_every_flush_of_a_task_measure_or_section_advances_the_counter(world):
    start = counter(world.roadmap.id)
    _status(world)
    db.session.flush()
    assert counter(world.roadmap.id) == start + 1
    measure = db.session.scalar(select(Measure).where(Measure.number == "1.2"))
    section, task = measure.section, world.tasks(world.school_b, "1.2")[0]
    measure.title, section.title, task.label = "Собрание", "Раздел первый", "весна"
    db.session.flush()
    assert counter(world.roadmap.id) == start + 2  # one UPDATE per flush, however many rows
    db.session.flush()
    assert counter(world.roadmap.id) == start + 2  # nothing changed, nothing bumped


def test_organization_name_changes_the_executor_feed(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    before = etag(client, path)
    world.school_a.short_name = "МАОУ СОШ № 1"
    db.session.flush()
    assert etag(client, path) != before


def test_subscription_options_change_the_etag(client, world, subscribe):
    subscription, path = subscribe(world.coordinator)
    before = etag(client, path)
    subscription.options = {**subscription.options, "status": "accepted"}
    db.session.flush()
    changed = etag(client, path)
    assert changed != before
    # Parameters in the URL shape the feed too.
    assert etag(client, path + "?alarms=0") not in (before, changed)


def test_generation_through_core_advances_the_counter_and_noop_does_not(client, world, subscribe):
    _sub, coordinator_path = subscribe(world.coordinator, status="all")
    _sub2, executor_path = subscribe(world.executor_a, status="all")
    measure = db.session.scalar(select(Measure).where(Measure.number == "2.1"))
    measure.manual_dates = [{"start": "2023-10-02", "due": "2023-10-20"}]
    db.session.flush()
    before = (etag(client, coordinator_path), etag(client, executor_path))
    start = counter(world.roadmap.id)

    result = generate_tasks(world.roadmap)  # moves the task with bulk UPDATEs, no ORM flush
    assert result.changed == 1
    assert counter(world.roadmap.id) == start + 1
    after = (etag(client, coordinator_path), etag(client, executor_path))
    assert after[0] != before[0] and after[1] != before[1]

    assert generate_tasks(world.roadmap).written == 0
    assert counter(world.roadmap.id) == start + 1
    assert (etag(client, coordinator_path), etag(client, executor_path)) == after


def test_roadmap_back_to_draft_changes_the_coordinator_feed(client, world, subscribe):
    from roadmap.models import RoadmapStatus

    _sub, path = subscribe(world.coordinator)
    before = etag(client, path)
    world.roadmap.status = RoadmapStatus.DRAFT
    db.session.flush()
    assert etag(client, path) != before


def test_aggregated_version_reads_no_task_rows(app, client, world, subscribe):
    """The version of an aggregated feed is a row per roadmap, not a scan of its tasks."""
    _sub, path = subscribe(world.coordinator)
    first = client.get(path)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert again.status_code == 304
    reads = [s for s in statements if s.lstrip().startswith("select")]
    assert len(reads) == 2  # the token with its scope, the roadmaps' counters
    assert not any(" task" in s for s in reads)


def _selects(client, path: str, **headers) -> tuple[int, list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return status, [s for s in statements if s.lstrip().startswith("select")]


def test_a_poll_of_a_task_feed_is_one_query_and_still_sees_changes(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    tag = etag(client, path)
    status, reads = _selects(client, path, **{"If-None-Match": tag})
    assert (status, len(reads)) == (304, 1)  # the token, its scope and the version together
    world.tasks(world.school_a, "1.1")[0].status = TaskStatus.SUBMITTED
    db.session.flush()
    status, reads = _selects(client, path, **{"If-None-Match": tag})
    assert status == 200 and len(reads) >= 2  # changed: answered in full, rows read


def test_a_guess_for_other_inputs_is_not_used(client, world, subscribe):
    from roadmap.web import feeds as web_feeds

    _sub, path = subscribe(world.executor_a)
    etag(client, path)  # remembers the inputs of the plain URL
    narrowed = etag(client, path + "?section=2")  # other inputs: the version is read on its own
    web_feeds._VERSION_GUESSES.clear()
    assert etag(client, path + "?section=2") == narrowed
    task = world.tasks(world.school_a, "2.1")[0]
    task.label = "перенесено"
    db.session.flush()
    assert etag(client, path) != etag(client, path + "?section=2") != narrowed
