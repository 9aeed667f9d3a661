"""A big aggregated feed reads only the occurrences near today, and is the very feed of them all.

query.nearby_occurrences chooses in the database the occurrences of the narrowest window and
those within a few weeks of today; render._fit shows the nearest of them when even the narrowest
window is over the size bound, and falls back to every occurrence whenever those are not enough.
Each feed here is built both ways and must be the same bytes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.feeds import render
from roadmap.feeds.options import FeedOptions
from roadmap.feeds.query import NEARBY_DAYS, aggregate_rows, nearby_occurrences, resolve_scope
from roadmap.feeds.render import FeedRequest, build, prepare
from roadmap.ical.builder import chunk_cache
from roadmap.models import Measure, OccurrenceTally, Task

from .conftest import TODAY, bump
from .test_narrowing import BOUNDS

OPTIONS = [
    FeedOptions(),
    FeedOptions(view="spans"),
    FeedOptions(component="VTODO", alarms=False),
    FeedOptions(statuses=frozenset({"planned"})),
    FeedOptions(sections=("4",)),
]


def _spread(world) -> Task:
    """An occurrence near today whose two schools' tasks differ in dates (as an accepted
    proposal of dates makes them): two tally rows, merged by the feed."""
    task = next(
        t
        for t in world.tasks(org=world.school_b, number="4.1")
        if TODAY <= t.due_effective_on <= TODAY + timedelta(days=10)
    )
    bump(task, due_on=task.due_on + timedelta(days=3), due_effective_on=task.due_effective_on + timedelta(days=3))
    db.session.commit()
    rows = db.session.scalars(
        select(OccurrenceTally.occurrence_rows).where(
            OccurrenceTally.measure_id == task.measure_id, OccurrenceTally.occurrence_key == task.occurrence_key
        )
    ).all()
    assert rows == [2, 2]
    return task


def _built(request: FeedRequest):
    render.event_cache.clear()
    chunk_cache.clear()
    built = build(prepare(request))
    return built.body, built.event_count, built.narrowed


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: o.key()[:40] or "default")
def test_a_big_feed_of_the_occurrences_near_today_is_the_feed_of_them_all(big, subscribe, monkeypatch, options):
    _spread(big)
    subscription, _path = subscribe(big.coordinator)
    scope = resolve_scope(subscription)
    taken = []

    def spied(*args):
        found = nearby_occurrences(*args)
        taken.append(found is not None)
        return found

    completed = []
    every = render._Chunks.every

    def recorded(self):
        completed.append(self.partial)
        return every(self)

    monkeypatch.setattr(render._Chunks, "every", recorded)
    alone = []
    for max_bytes in BOUNDS:
        request = FeedRequest(scope, options, TODAY, "http://roadmap.test", "roadmap.test", max_bytes=max_bytes)
        monkeypatch.setattr(render, "nearby_occurrences", spied)
        completed.clear()
        near = _built(request)
        # Made of the occurrences near today alone: none read after them.
        alone.append(bool(taken[-1]) and not any(completed))
        monkeypatch.setattr(render, "nearby_occurrences", lambda *args: None)
        assert near == _built(request), max_bytes
    # The small bounds read only the occurrences near today; the large ones every occurrence.
    assert taken[0] is False and any(taken), taken
    assert any(alone), (taken, alone)


def test_the_nearby_occurrences_hold_the_narrowest_window_and_the_nearest(big, subscribe):
    spread = _spread(big)
    subscription, _path = subscribe(big.coordinator)
    scope = resolve_scope(subscription)
    options = FeedOptions()
    window = options.window(TODAY)
    narrowest = (date(2023, 9, 1), date(2023, 10, 31))
    found = nearby_occurrences(scope, options, window, narrowest, TODAY, 5)
    assert found is not None and found.reach == NEARBY_DAYS
    every = aggregate_rows(scope, options, window)
    assert found.total == len(every)

    def key(row):
        return (row.measure_id, row.occurrence_key)

    by_key = {key(row): row for row in every}
    chosen = {key(row) for row in found.rows}
    # Every occurrence of the window, and every one within the reach of today...
    for row in every:
        if narrowest[0] <= row.due_on <= narrowest[1] or abs((row.due_effective_on - TODAY).days) <= found.reach:
            assert key(row) in chosen
    # ...each the very row the whole feed has, the spread one merged from both of its rows.
    for row in found.rows:
        assert row == by_key[key(row)]
    merged = by_key[(spread.measure_id, spread.occurrence_key)]
    assert merged.total == 2 and merged.due_effective_on == spread.due_effective_on
    # Not a big feed: every occurrence is read instead.
    assert nearby_occurrences(scope, options, window, narrowest, TODAY, len(every)) is None


def test_a_removed_measure_counts_in_no_nearby_feed(big, subscribe):
    subscription, _path = subscribe(big.coordinator)
    scope = resolve_scope(subscription)
    options = FeedOptions()
    window = options.window(TODAY)
    narrowest = (date(2023, 9, 1), date(2023, 10, 31))
    before = nearby_occurrences(scope, options, window, narrowest, TODAY, 5)
    measure = db.session.scalar(select(Measure).where(Measure.number == "4.2"))
    # Removed with its tasks left as they are (a state no service leaves, but nothing forbids).
    measure.is_removed = True
    db.session.commit()
    after = nearby_occurrences(scope, options, window, narrowest, TODAY, 5)
    assert before is not None and after is not None
    assert not any(row.measure_id == measure.id for row in after.rows)
    assert after.total == len(aggregate_rows(scope, options, window)) < before.total


def test_after_a_report_only_its_roadmap_is_read_again(big, subscribe, monkeypatch):
    from roadmap.feeds import query
    from roadmap.models import TaskStatus

    subscription, _path = subscribe(big.coordinator)
    scope = resolve_scope(subscription)
    request = FeedRequest(scope, FeedOptions(), TODAY, "http://roadmap.test", "roadmap.test", max_bytes=30_000)
    read = query._read_nearby
    reads: list[list[int]] = []

    def recorded(connection, statement, params, roadmaps, counted):
        reads.append(sorted(roadmap.id for roadmap in roadmaps))
        return read(connection, statement, params, roadmaps, counted)

    monkeypatch.setattr(query, "_read_nearby", recorded)
    first = build(prepare(request))
    assert len(reads) == 1 and len(reads[0]) == 2  # the world's roadmap and the big one
    task = next(t for t in big.tasks(number="4.1") if abs((t.due_effective_on - TODAY).days) <= 3)
    bump(task, status=TaskStatus.SUBMITTED)
    db.session.commit()
    after = build(prepare(request))
    assert reads[1] == [task.roadmap_id]
    assert after.body != first.body
    # The same bytes as a feed that reads every roadmap's occurrences anew.
    render.event_cache.clear()
    chunk_cache.clear()
    query.occurrence_cache().clear()
    monkeypatch.setattr(render, "nearby_occurrences", lambda *args: None)
    assert after.body == build(prepare(request)).body


def test_the_warm_up_reads_a_big_feed_as_its_render_will(app, client, big, subscribe, monkeypatch):
    from roadmap.feeds import query
    from roadmap.feeds.warm import warm_up

    app.config["FEED_MAX_BYTES"] = 30_000
    _sub, path = subscribe(big.coordinator)
    query.occurrence_cache(app).clear()
    assert warm_up() == 1
    read = query._read_nearby
    reads = []

    def recorded(*args):
        reads.append(args)
        return read(*args)

    monkeypatch.setattr(query, "_read_nearby", recorded)
    response = client.get(path)
    assert response.status_code == 200 and "ближайших сроков" in response.get_data(as_text=True).replace("\r\n ", "")
    assert reads == []  # read by the warm-up already


def test_rows_an_older_version_wrote_are_merged_as_occurrences_of_several(big, subscribe, monkeypatch):
    from roadmap.feeds.service import recount_tallies

    _spread(big)
    subscription, _path = subscribe(big.coordinator)
    scope = resolve_scope(subscription)
    request = FeedRequest(scope, FeedOptions(), TODAY, "http://roadmap.test", "roadmap.test", max_bytes=30_000)
    expected = _built(request)
    # Written during an upgrade by the version before migration 0022: how many rows, not known.
    db.session.execute(OccurrenceTally.__table__.update().values(occurrence_rows=0))
    db.session.commit()
    from roadmap.feeds import query

    query.occurrence_cache().clear()
    assert _built(request) == expected
    monkeypatch.setattr(render, "nearby_occurrences", lambda *args: None)
    assert _built(request) == expected
    recount_tallies()
    db.session.commit()


def test_nearby_chunks_too_few_for_the_nearest_deadlines_give_way_to_every_event():
    """_nearest_choice of chunks holding only the events within a reach of today: when fewer are
    within it than the nearest it keeps, it chooses from every event instead, as it would have."""
    items = [
        render._Item(
            f"uid-{i:03d}",
            TODAY + timedelta(days=i - 30),
            TODAY + timedelta(days=i - 30),
            TODAY + timedelta(days=i - 30),
            i,
        )
        for i in range(60)
    ]

    def chunk(item):
        return b"X" * 100

    request = FeedRequest(_region_scope(), FeedOptions(), TODAY, "http://roadmap.test", "roadmap.test", max_bytes=3_000)
    every = render._Chunks(items, chunk)
    near = [item for item in items if abs((item.due_effective - TODAY).days) <= 5]
    asked = []

    def all_of_them():
        asked.append(True)
        return every

    partial = render._Chunks(near, chunk, nearby=(len(items), TODAY, 5, all_of_them))
    chosen_from, by_distance, keep = render._nearest_choice(request, partial)
    assert asked and chosen_from is every and keep > len(near)
    assert (by_distance, keep) == render._nearest_choice(request, every)[1:]
    # Enough within the reach: chosen from those alone, the same events.
    asked.clear()
    wide = render._Chunks(items[10:50], chunk, nearby=(len(items), TODAY, 20, all_of_them))
    small = FeedRequest(_region_scope(), FeedOptions(), TODAY, "http://roadmap.test", "roadmap.test", max_bytes=1_500)
    chosen_from, by_distance, keep = render._nearest_choice(small, wide)
    assert not asked and chosen_from is wide
    assert [wide.events[i].uid for i in by_distance] == [
        every.events[i].uid for i in render._nearest_choice(small, every)[1]
    ]


def _region_scope():
    """An aggregated scope for a render that reads nothing (the chunks are given)."""
    from roadmap.feeds.query import FeedScope

    return FeedScope(kind="roadmap", aggregated=True, organization_id=None, roadmap_id=None, name="Сводный")


def test_the_positions_read_by_name_are_those_of_the_statement():
    from roadmap.feeds import query

    columns = [getattr(column, "key", None) for column in query._tally_rows_statement(()).selected_columns]
    assert columns[query._SEQUENCE] == "date_sequence" and columns[query._OCCURRENCE_ROWS] == "occurrence_rows"
    assert len(columns) == query._MEASURE == query._COUNTS + len(query._SUMMED)
