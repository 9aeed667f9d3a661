"""Every page scenario of the bench (bench.scenarios.PAGES: the regional coordinator's dashboard
and matrix, a municipal coordinator's dashboard, and whatever is added there) runs the same number
of SQL queries in the bench's own region at two scales (issue 20: pages keep a constant number of
queries), in the earlier shape and in the region's (cascaded: the regional dashboards roll the
municipal roadmaps up). The regions are built by bench.region into SQLite files, as `python -m
bench` does."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from bench.region import PASSWORD, Region, bench_database_url, build_region, make_app
from bench.scenarios import PAGES

SHAPES = {"earlier": ("0.02", "0.06"), "region": ("region:0.02", "region:0.06")}


def _region(tmp_path, monkeypatch, scale: str, today: date):
    from roadmap.extensions import db
    from roadmap.models import Roadmap
    from roadmap.plans.service import publish_roadmap

    root = tmp_path / scale
    root.mkdir()
    # make_app points these at the bench's instance folder: restored after the test.
    monkeypatch.setenv("ROADMAP_INSTANCE", str(root))
    monkeypatch.setenv("SECRET_KEY", "bench-secret")
    url = bench_database_url("sqlite", root)
    app = make_app(url, root)
    ids = build_region(app, scale, today)
    with app.app_context():
        publish_roadmap(db.session.get(Roadmap, ids["roadmap_id"]), None)
        db.session.commit()
    fields = {k: ids[k] for k in ("roadmap_id", "school_id", "executors", "measures", "municipal", "municipalities")}
    return app, Region(url=url, backend="sqlite", instance=root, coordinator_login="coordinator", **fields)


def _count(app, client, path: str) -> int:
    from roadmap.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_bench_pages_run_as_many_queries_at_two_scales(tmp_path, monkeypatch, shape):
    today = date.today()
    counts: dict[str, list[int]] = {}
    sizes = []
    scales = SHAPES[shape]
    for scale in scales:
        app, region = _region(tmp_path, monkeypatch, scale, today)
        sizes.append((region.executors, region.municipal[0]))
        clients = {}
        for make in PAGES:
            page = make(region, today)
            if page is None:
                pytest.fail(f"{make.__name__}: no page in the bench region at scale {scale}")
            for login in {page.login, page.refused_login or page.login}:
                if login not in clients:
                    clients[login] = app.test_client()
                    done = clients[login].post("/login", data={"login": login, "password": PASSWORD})
                    assert done.status_code in (302, 303), login
            client = clients[page.login]
            client.get(page.path)  # the first request of a session loads what every later one reuses
            counts.setdefault(page.name, []).append(_count(app, client, page.path))
            for refused in page.refused:
                status = clients[page.refused_login or page.login].get(refused).status_code
                assert status in (403, 404), (page.name, refused)
        with app.app_context():
            from roadmap.extensions import db

            db.engine.dispose()
    # The larger region has more organizations and more schools in the municipality shown.
    assert sizes[0][0] < sizes[1][0]
    assert {"dashboard_municipal", "region_dashboard"} <= set(counts)
    for name, (small, large) in counts.items():
        assert small == large, f"{name}: {small} queries at scale {scales[0]}, {large} at {scales[1]}"
        assert small <= 20, (name, small)
