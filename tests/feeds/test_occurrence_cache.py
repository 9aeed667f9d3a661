"""Aggregated feeds keep their rows per roadmap and measure, and after a change group again only
what the change log (FeedChange) names: the body always equals a render from nothing cached."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from roadmap.extensions import db
from roadmap.feeds import feed_cache
from roadmap.feeds.query import occurrence_cache
from roadmap.feeds.render import event_cache
from roadmap.ical.builder import chunk_cache
from roadmap.models import FeedChange, Measure, Roadmap
from roadmap.models import task as task_model
from roadmap.tasks.workflow import ReportInput, submit_report


def _from_nothing(app, client, path: str) -> bytes:
    """The same feed rendered with every cache emptied first."""
    for cache in (feed_cache(app), occurrence_cache(app), event_cache, chunk_cache):
        cache.clear()
    response = client.get(path)
    assert response.status_code == 200
    return response.data


def _entry(app, roadmap_id: int):
    [entry] = [value for key, value in occurrence_cache(app)._items.items() if key[0] == roadmap_id]
    return entry


def _measure_id(number: str) -> int:
    return db.session.scalar(select(Measure.id).where(Measure.number == number))


def _report(world, number: str, students: int = 25) -> None:
    task = world.tasks(world.school_a, number)[0]
    submit_report(task, world.executor_a, ReportInput(coverage_total=students, coverage_students=students))
    db.session.flush()


def _log(roadmap_id: int) -> list[tuple[int, int | None]]:
    rows = db.session.execute(
        select(FeedChange.feed_version, FeedChange.measure_id)
        .where(FeedChange.roadmap_id == roadmap_id)
        .order_by(FeedChange.feed_version, FeedChange.id)
    )
    return [tuple(row) for row in rows]


def test_a_report_groups_its_measure_again_and_reuses_the_others(app, client, world, subscribe):
    _sub, path = subscribe(world.coordinator, status="all")
    assert client.get(path).status_code == 200
    before = _entry(app, world.roadmap.id)
    changed, kept = _measure_id("1.1"), _measure_id("1.2")
    assert {changed, kept} <= set(before.by_measure)

    _report(world, "1.1")
    body = client.get(path).data
    after = _entry(app, world.roadmap.id)
    assert after.feed_version > before.feed_version
    # The untouched measure's rows are the very same objects; the reported one's were made anew.
    assert after.by_measure[kept] is before.by_measure[kept]
    assert after.by_measure[changed] is not before.by_measure[changed]
    assert "1 из 2 выполнили" not in body.decode()  # handed in, not accepted yet
    assert body == _from_nothing(app, client, path)


def test_a_gap_in_the_log_groups_the_roadmap_whole(app, client, world, subscribe):
    _sub, path = subscribe(world.coordinator, status="all")
    client.get(path)
    before = _entry(app, world.roadmap.id)
    _report(world, "1.1")
    db.session.execute(delete(FeedChange).where(FeedChange.roadmap_id == world.roadmap.id))
    body = client.get(path).data
    after = _entry(app, world.roadmap.id)
    kept = _measure_id("1.2")
    assert after.by_measure[kept] is not before.by_measure[kept]
    assert body == _from_nothing(app, client, path)


def test_an_edit_of_a_measure_groups_the_roadmap_whole(app, client, world, subscribe):
    _sub, path = subscribe(world.coordinator, status="all")
    client.get(path)
    before = _entry(app, world.roadmap.id)
    measure = db.session.get(Measure, _measure_id("2.1"))
    measure.title = "Отчёт о профориентационной работе за полугодие"
    db.session.flush()
    body = client.get(path).data
    after = _entry(app, world.roadmap.id)
    assert after.by_measure[_measure_id("1.2")] is not before.by_measure[_measure_id("1.2")]
    assert "за полугодие" in body.decode().replace("\r\n ", "")
    assert body == _from_nothing(app, client, path)


def test_a_change_of_one_roadmap_leaves_the_others_rows_alone(app, client, world, subscribe, make_roadmap):
    other = make_roadmap(
        [("1.1", "Ярмарка профессий", "октябрь", [world.school_a, world.school_b])], title="Вторая дорожная карта"
    )
    _sub, path = subscribe(world.coordinator, status="all")
    client.get(path)
    untouched = _entry(app, other.id)
    _report(world, "1.2")
    body = client.get(path).data
    assert _entry(app, other.id) is untouched
    assert body == _from_nothing(app, client, path)


def test_the_log_names_the_measures_of_a_task_only_flush_and_nothing_for_an_edit(world):
    roadmap_id = world.roadmap.id
    _report(world, "2.1")
    version = db.session.scalar(select(Roadmap.feed_version).where(Roadmap.id == roadmap_id))
    assert [m for v, m in _log(roadmap_id) if v == version] == [_measure_id("2.1")]

    section = db.session.get(Measure, _measure_id("2.2")).section
    section.title = "Раздел второй"
    db.session.flush()
    version = db.session.scalar(select(Roadmap.feed_version).where(Roadmap.id == roadmap_id))
    assert [m for v, m in _log(roadmap_id) if v == version] == [None]


def test_generation_through_core_logs_the_whole_roadmap(world):
    from roadmap.tasks.service import generate_tasks

    measure = db.session.get(Measure, _measure_id("1.1"))
    measure.deadline_text = "ноябрь, ежегодно"
    from roadmap.plans.service import apply_deadline

    apply_deadline(measure, measure.deadline_text)
    db.session.flush()
    generate_tasks(world.roadmap)
    version = db.session.scalar(select(Roadmap.feed_version).where(Roadmap.id == world.roadmap.id))
    assert [m for v, m in _log(world.roadmap.id) if v == version] == [None]


def test_the_log_keeps_only_the_latest_changes(world, monkeypatch):
    monkeypatch.setattr(task_model, "FEED_CHANGES_KEPT", 4)
    roadmap_id = world.roadmap.id
    for _ in range(9):
        task_model.bump_feed_versions(db.session.connection(), [roadmap_id])
    version = db.session.scalar(select(Roadmap.feed_version).where(Roadmap.id == roadmap_id))
    kept = {v for v, _m in _log(roadmap_id)}
    assert max(kept) == version
    # Pruned on every fourth value: nothing older than four values before the last prune.
    assert min(kept) > version - version % 4 - 4


@pytest.mark.parametrize("status", ["all", "planned"])
def test_reports_one_after_another_stay_equal_to_a_fresh_render(app, client, world, subscribe, status):
    _sub, path = subscribe(world.coordinator, status=status)
    client.get(path)
    for number in ("1.1", "1.2", "2.1"):
        _report(world, number)
        body = client.get(path).data
        assert body == _from_nothing(app, client, path)


def test_the_warm_up_groups_the_aggregated_feeds_before_their_first_render(app, client, world, subscribe):
    from roadmap.feeds.warm import warm_up

    _sub, path = subscribe(world.coordinator, status="all")
    subscribe(world.executor_a)  # a school's own feed: per task, nothing to group
    occurrence_cache(app).clear()
    assert warm_up() == 1
    warmed = _entry(app, world.roadmap.id)

    _report(world, "1.1")
    body = client.get(path).data
    # The first render after the warm-up groups the reported measure alone.
    assert _entry(app, world.roadmap.id).by_measure[_measure_id("1.2")] is warmed.by_measure[_measure_id("1.2")]
    assert body == _from_nothing(app, client, path)


def test_the_warm_up_keeps_to_its_budget(app, world, subscribe):
    from roadmap.feeds.warm import warm_up

    subscribe(world.coordinator, status="all")
    subscribe(world.observer, status="all")
    occurrence_cache(app).clear()
    assert warm_up(feeds=1) == 1
    assert warm_up(seconds=-1) == 0
