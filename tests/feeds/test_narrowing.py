"""The size bound builds only the events it needs, and chooses exactly as building them all did.

The reference below is the choice as it was made before events were built on demand: every
event built and rendered, then the whole window, each narrower window of NARROW_STEPS, and the
nearest deadlines tried in turn with the exact size of each calendar. The feed must be the same
bytes, whatever the bound.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.feeds import render
from roadmap.feeds.options import FeedOptions, default_window
from roadmap.feeds.query import aggregate_rows, resolve_scope, task_rows
from roadmap.feeds.render import NARROW_STEPS, FeedRequest, build, prepare
from roadmap.ical import calendar_head, order_events, render_event
from roadmap.ical.builder import chunk_cache
from roadmap.ical.text import format_date

from .conftest import TODAY

_END = b"END:VCALENDAR\r\n"


def _reference(request: FeedRequest) -> tuple[bytes, int, str | None]:
    window = request.window
    texts = render._Texts()
    if request.scope.aggregated:
        rows = aggregate_rows(request.scope, request.options, window)
        events = [render._aggregate_event(row, request, texts) for row in rows]
    else:
        found = task_rows(request.scope, request.options, window)
        events = [render._task_event(row, request, texts, found.titles) for row in found.rows]
    events = order_events(events)
    options = request.options
    chunks = [
        render_event(
            event,
            view=options.view,
            component=options.component,
            alarms=options.alarms,
            alarm_time=request.alarm_time,
        )
        for event in events
    ]
    limit = request.max_bytes

    def body(shown, note, indices) -> bytes | None:
        head = calendar_head(render._calendar(request, shown, note))
        data = b"".join([head, *(chunks[i] for i in indices), _END])
        return data if len(data) <= limit else None

    everything = list(range(len(events)))
    data = body(window, None, everything)
    if data is not None:
        return data, len(events), None
    for back, ahead in NARROW_STEPS:
        narrow = default_window(request.today, back, ahead)
        shown = (max(narrow[0], window[0]), min(narrow[1], window[1]))
        if shown[0] > shown[1]:
            continue
        subset = [i for i in everything if render._in_window(events[i], shown, options.view)]
        if len(subset) == len(everything):
            continue
        note = (
            f"Календарь сокращён: показаны сроки с {format_date(shown[0])} по {format_date(shown[1])}, "
            f"потому что полный календарь больше {limit // 1024} КБ (большие календари Google не загружает). "
            "Чтобы видеть остальное, подпишитесь отдельно на раздел или год плана."
        )
        data = body(shown, note, subset)
        if data is not None:
            return data, len(subset), note
    total = len(events)
    by_distance = sorted(everything, key=lambda i: (abs((events[i].due_effective - request.today).days), events[i].uid))
    sample = [len(chunks[i]) for i in by_distance[:20]]
    per_event = sum(sample) / max(len(sample), 1)
    keep = min(total, max(1, int(limit / max(per_event, 1) * 0.9)))
    while keep > 0:
        note = (
            f"Календарь сокращён: показаны {keep} ближайших сроков из {total}, потому что полный "
            f"календарь больше {limit // 1024} КБ. Подпишитесь отдельно на раздел или год плана."
        )
        data = body(window, note, sorted(by_distance[:keep]))
        if data is not None:
            return data, keep, note
        keep = int(keep * 0.8)
    note = "Календарь слишком велик: подпишитесь отдельно на раздел или год плана."
    return calendar_head(render._calendar(request, window, note)) + _END, 0, note


def _branch(note: str | None) -> str:
    if note is None:
        return "whole"
    if "показаны сроки" in note:
        return "window"
    if "ближайших" in note:
        return "nearest"
    return "nothing"


BOUNDS = (10_000_000, 400_000, 200_000, 120_000, 80_000, 50_000, 30_000, 15_000, 6_000, 3_000, 500)


@pytest.mark.parametrize(
    ("who", "options"),
    [
        ("executor_a", FeedOptions()),
        ("coordinator", FeedOptions()),
        ("coordinator", FeedOptions(view="spans", alarms=True)),
        ("executor_a", FeedOptions(component="VTODO")),
    ],
)
def test_the_bound_chooses_as_building_every_event_did(big, subscribe, who, options):
    subscription, _path = subscribe(getattr(big, who))
    scope = resolve_scope(subscription)
    branches = set()
    for max_bytes in BOUNDS:
        request = FeedRequest(scope, options, TODAY, "http://roadmap.test", "roadmap.test", max_bytes=max_bytes)
        render.event_cache.clear()
        chunk_cache.clear()
        built = build(prepare(request))
        render.event_cache.clear()
        chunk_cache.clear()
        body, count, note = _reference(request)
        assert (built.body, built.event_count, built.narrowed) == (body, count, note), max_bytes
        assert len(built.body) <= max_bytes or count == 0
        branches.add(_branch(note))
    # The sweep went through every way of choosing, so each was compared.
    assert {"whole", "window", "nearest"} <= branches, branches


DEFAULT_FACTOR = render.LIKELY_SIZE_FACTOR


# 0: every feed is first rendered whole (and, when over the bound, chosen from those chunks);
# a million: never (the bookkeeping from the first event on).
@pytest.mark.parametrize("factor", [0, DEFAULT_FACTOR, 1_000_000])
@pytest.mark.parametrize(("who", "options"), [("executor_a", FeedOptions()), ("coordinator", FeedOptions())])
def test_rendering_a_feed_whole_gives_the_bytes_the_bookkeeping_gives(
    big, subscribe, monkeypatch, factor, who, options
):
    subscription, _path = subscribe(getattr(big, who))
    scope = resolve_scope(subscription)
    monkeypatch.setattr(render, "LIKELY_SIZE_FACTOR", factor)
    # Every occurrence read: a feed of only those near today is never tried whole (see
    # test_a_big_feed_of_the_occurrences_near_today_is_the_feed_of_them_all).
    monkeypatch.setattr(render, "nearby_occurrences", lambda *args: None)
    outcomes = []
    whole = render._Chunks.whole

    def recorded(self, head, limit):
        body = whole(self, head, limit)
        outcomes.append(body is not None)
        return body

    monkeypatch.setattr(render._Chunks, "whole", recorded)
    for max_bytes in BOUNDS:
        request = FeedRequest(scope, options, TODAY, "http://roadmap.test", "roadmap.test", max_bytes=max_bytes)
        render.event_cache.clear()
        chunk_cache.clear()
        built = build(prepare(request))
        render.event_cache.clear()
        chunk_cache.clear()
        assert (built.body, built.event_count, built.narrowed) == _reference(request), max_bytes
    if factor == 0:
        # Tried for every bound: fitting under the largest, over it (then narrowed) under the rest.
        assert len(outcomes) == len(BOUNDS) and outcomes[0] and not all(outcomes)
    elif factor == DEFAULT_FACTOR:
        assert outcomes[:1] == [True]  # ten megabytes: a feed of hundreds of events is rendered whole
    else:
        assert outcomes == []


@settings(max_examples=300)
@given(
    offsets=st.lists(st.integers(min_value=-40, max_value=40), max_size=60),
    uids=st.lists(st.text(alphabet="ab-9@", min_size=1, max_size=6), min_size=60, max_size=60, unique=True),
    count=st.integers(min_value=0, max_value=70),
)
def test_the_nearest_deadlines_are_those_a_full_sort_puts_first(offsets, uids, count):
    from datetime import timedelta

    days = [TODAY + timedelta(days=offset) for offset in offsets]
    items = sorted(
        (render._Item(uid, due, due, due, None) for uid, due in zip(uids, days, strict=False)),
        key=render._FEED_ORDER,
    )
    full = sorted(range(len(items)), key=lambda i: (abs((items[i].due_effective - TODAY).days), items[i].uid))
    assert render._nearest_first(items, TODAY, count) == full[:count]
