"""What the feeds carry, read back by icalendar and by ical.js (Thunderbird's parser)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from roadmap.extensions import db
from roadmap.models import TaskStatus
from tests.ical.helpers import blocks, content_lines

from .conftest import PAST, ROWS, age_everything, bump


def events(body: bytes, name: str = "VEVENT"):
    return [c for c in Calendar.from_ical(body).walk() if c.name == name]


def by_uid(body: bytes, name: str = "VEVENT"):
    return {str(e["UID"]): e for e in events(body, name)}


def test_calendar_properties(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    lines = content_lines(body)
    for expected in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-TIMEZONE:Europe/Moscow",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-CALNAME:Дорожная карта: МБОУ СОШ № 1",
    ):
        assert expected in lines
    assert any(line.startswith("PRODID:") for line in lines)
    calendar = Calendar.from_ical(body)
    description = str(calendar["X-WR-CALDESC"])
    assert "3 месяца назад — 18 месяцев вперёд" in description
    assert "1 июня 2023 г." in description


def test_every_task_of_the_organization_and_nothing_else(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    own = {f"task-{t.id}@roadmap.test" for t in world.tasks(world.school_a)}
    assert set(by_uid(body)) == own
    for task in world.tasks(world.school_b):
        assert f"task-{task.id}@".encode() not in body
    assert "Встреча с КубГУ".encode() not in body  # school B's own measure


@pytest.mark.parametrize("kind", ["personal", "organization", "roadmap"])
def test_another_organizations_tasks_never_present(client, world, subscribe, kind):
    target = world.roadmap.id if kind == "roadmap" else None
    _sub, path = subscribe(world.executor_b, kind=kind, target_id=target)
    body = client.get(path + "?status=all").data
    uids = set(by_uid(body))
    assert uids == {f"task-{t.id}@roadmap.test" for t in world.tasks(world.school_b)}


def test_executor_cannot_subscribe_to_another_organization(world):
    from roadmap.feeds.service import SubscriptionError, create_subscription

    # Another organization is refused like a missing one (the API can name one; the page cannot)
    with pytest.raises(SubscriptionError, match="Организация не найдена"):
        create_subscription(world.executor_a, name="чужая", kind="organization", target_id=world.school_b.id)
    # and without a target, the target is the executor's own organization.
    subscription, _token = create_subscription(world.executor_a, name="своя", kind="organization")
    assert subscription.target_id == world.school_a.id


def test_event_content(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    task = world.tasks(world.school_a, "1.1")[0]
    event = by_uid(body)[f"task-{task.id}@roadmap.test"]
    assert str(event["SUMMARY"]) == "○ 1.1 Экскурсии на предприятия"
    description = str(event["DESCRIPTION"])
    assert "Мероприятие 1.1. Экскурсии на предприятия" in description
    assert "Исполнитель: МБОУ СОШ № 1" in description
    assert "Статус: запланировано" in description
    assert "Срок: 1–30 сентября 2023 г. (перенесён на 2 октября 2023 г. — выходной)" in description
    assert str(event["URL"]) == f"http://roadmap.test/tasks/{task.id}"
    # Short categories (issue 18); the full section title is in DESCRIPTION.
    assert event["CATEGORIES"].cats == ["Раздел 1"]
    assert "Раздел: 1. Раздел 1" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    # All-day on the effective due date; DTEND is exclusive and after DTSTART.
    assert event["DTSTART"].dt == date(2023, 10, 2)
    assert event["DTEND"].dt == date(2023, 10, 3)
    assert event["DTSTAMP"].dt == task.updated_at.replace(microsecond=0)
    assert event["LAST-MODIFIED"].dt == task.updated_at.replace(microsecond=0)
    triggers = sorted(str(a["TRIGGER"].to_ical(), "ascii") for a in event.walk("VALARM"))
    # 3 days and 1 day before the effective due date, at 09:00 (issue 18), not at midnight.
    assert triggers == ["-P2DT15H", "-PT15H"]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in event.walk("VALARM"))


def test_report_summary_in_description(client, world, subscribe):
    from roadmap.models import Report

    task = world.tasks(world.school_a, "2.1")[0]
    report = Report(task_id=task.id, held_on=date(2023, 9, 10), coverage_total=120, comment="Экскурсия; 5 классов")
    db.session.add(report)
    db.session.flush()
    bump(task, status=TaskStatus.SUBMITTED, current_report_id=report.id)
    _sub, path = subscribe(world.executor_a)
    event = by_uid(client.get(path).data)[f"task-{task.id}@roadmap.test"]
    assert str(event["SUMMARY"]).startswith("◔ 2.1 ")
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Отчёт: проведено 10 сентября 2023 г.; охват 120 чел.; Экскурсия; 5 классов" in str(event["DESCRIPTION"])


def test_alarms_off_and_custom(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    assert b"BEGIN:VALARM" not in client.get(path + "?alarms=0").data
    body = client.get(path + "?remind=7,0").data
    triggers = {line for line in content_lines(body) if line.startswith("TRIGGER")}
    # At 09:00 of the day a week before and of the due day itself (DTSTART is the due day).
    assert triggers == {"TRIGGER:-P6DT15H", "TRIGGER:PT9H"}


def triggers_of(body: bytes) -> set[str]:
    return {line for line in content_lines(body) if line.startswith("TRIGGER")}


def test_reminder_hour_per_subscription_and_global(app, client, world, subscribe):
    _sub, path = subscribe(world.executor_a, remind="1")
    assert triggers_of(client.get(path).data) == {"TRIGGER:-PT15H"}
    # The subscription's own hour...
    _sub, own = subscribe(world.executor_a, remind="1", remind_at="14:30")
    assert triggers_of(client.get(own).data) == {"TRIGGER:-PT9H30M"}
    # ...and the global one (FEED_ALARM_TIME), for subscriptions that set none.
    app.config["FEED_ALARM_TIME"] = time(8, 0)
    try:
        assert triggers_of(client.get(path).data) == {"TRIGGER:-PT16H"}
        assert triggers_of(client.get(own).data) == {"TRIGGER:-PT9H30M"}
    finally:
        app.config["FEED_ALARM_TIME"] = time(9, 0)
    response = client.get(path + "?remind_at=25:00")
    assert response.status_code == 400
    assert "remind_at: ожидалось время ЧЧ:ММ" in response.get_data(as_text=True)


def test_spans_view(client, world, subscribe):
    _sub, path = subscribe(world.executor_a, view="spans")
    task = world.tasks(world.school_a, "1.1")[0]
    event = by_uid(client.get(path).data)[f"task-{task.id}@roadmap.test"]
    assert event["DTSTART"].dt == date(2023, 9, 1)
    assert event["DTEND"].dt == date(2023, 10, 3)


def test_sections_and_plan_year(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path + "?section=2").data
    assert [str(e["SUMMARY"]) for e in events(body)] == ["○ 2.1 Отчёт о профориентационной работе"]
    assert events(client.get(path + "?year=2024").data) == []
    assert len(events(client.get(path + "?year=2023").data)) == 4


def test_explicit_window(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path + "?from=2023-11-01&to=2023-12-31").data
    # By the planned deadline (issue 18): 1.2, due 31 December and moved off the New Year
    # holidays into January, stays in a window ending on 31 December.
    assert [str(e["SUMMARY"])[:5] for e in events(body)] == ["○ 2.1", "○ 1.2"]
    [moved] = [t for t in world.tasks(world.school_a, "1.2") if t.due_on == date(2023, 12, 31)]
    assert moved.due_effective_on.year == 2024
    assert by_uid(body)[f"task-{moved.id}@roadmap.test"]["DTSTART"].dt == moved.due_effective_on
    # A window starting after the planned deadline leaves it out, though the moved one is in it.
    later = client.get(path + f"?from=2024-01-01&to={moved.due_effective_on.isoformat()}").data
    assert f"task-{moved.id}@".encode() not in later


# --- the known pitfalls ------------------------------------------------------------------


def test_pitfall_every_tzid_has_its_vtimezone(client, world, subscribe, ical_js):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    parsed = ical_js(body)
    assert set(parsed["usedTzids"]) <= set(parsed["timezones"])
    assert "Europe/Moscow" in parsed["timezones"]  # X-WR-TIMEZONE names it: Outlook wants it defined
    calendar = Calendar.from_ical(body)
    tzids = {str(c["TZID"]) for c in calendar.walk("VTIMEZONE")}
    for component in calendar.walk():
        for value in component.values():
            params = getattr(value, "params", {})
            if "TZID" in params:
                assert params["TZID"] in tzids


@pytest.mark.parametrize("view", ["due", "spans"])
def test_pitfall_all_day_dtend_after_dtstart(client, world, subscribe, view, ical_js):
    _sub, path = subscribe(world.executor_a, view=view)
    body = client.get(path).data
    for event in events(body):
        assert type(event["DTSTART"].dt) is date and type(event["DTEND"].dt) is date
        assert event["DTEND"].dt > event["DTSTART"].dt
    for item in ical_js(body)["items"]:
        assert item["isDate"] is True
        assert item["dtend"] > item["dtstart"]


def test_pitfall_not_vtodo_only(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    assert events(body) and not events(body, "VTODO")
    todo_body = client.get(path + "?format=vtodo").data
    todos = events(todo_body, "VTODO")
    assert todos and not events(todo_body)
    assert {str(t["UID"]) for t in todos} == {str(e["UID"]) for e in events(body)}


def test_pitfall_each_subscription_has_its_own_token(world, subscribe):
    _a, path_a = subscribe(world.executor_a, name="Телефон")
    _b, path_b = subscribe(world.executor_a, name="Ноутбук")
    _c, path_c = subscribe(world.executor_b, name="Телефон")
    assert len({path_a, path_b, path_c}) == 3


def test_pitfall_completed_tasks_do_not_linger(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    task = world.tasks(world.school_a, "2.1")[0]
    bump(task, status=TaskStatus.ACCEPTED)
    uid = f"task-{task.id}@roadmap.test"
    assert uid not in by_uid(client.get(path).data)
    shown = by_uid(client.get(path + "?status=open,done").data)[uid]
    assert str(shown["SUMMARY"]).startswith("✓ 2.1")
    assert not shown.walk("VALARM")  # done work does not ring
    assert uid in by_uid(client.get(path + "?status=all").data)


def test_cancelled_tasks_are_not_in_feeds(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    task = world.tasks(world.school_a, "2.1")[0]
    bump(task, is_cancelled=True, cancel_reason="мероприятие исключено")
    body = client.get(path + "?status=all").data
    assert f"task-{task.id}@".encode() not in body


def test_pitfall_uids_stable_between_fetches_and_regeneration(app, client, world, subscribe):
    from roadmap.feeds import feed_cache
    from roadmap.tasks.service import generate_tasks

    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    result = generate_tasks(world.roadmap)
    db.session.flush()
    assert result.written == 0
    feed_cache(app).clear()
    second = client.get(path)
    assert second.data == first.data
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_pitfall_uids_stable_across_reimport(client, world, subscribe):
    from roadmap.importers.model import ParsedMeasure, ParsedRoadmap, ParsedSection
    from roadmap.plans.service import apply_reimport

    _sub, path = subscribe(world.executor_a)
    before = by_uid(client.get(path).data)
    parsed = ParsedRoadmap(
        sections=[ParsedSection(number=s.number, title=s.title, position=s.position) for s in world.roadmap.sections],
        measures=[
            ParsedMeasure(
                number=m.number,
                section_number=m.section.number,
                # The corrected document rewords the deadline; the dates stay.
                title=m.title + " (уточнено)",
                deadline="в сентябре" if m.number == "1.1" else m.deadline_text,
                responsible=m.responsible_text,
                position=m.position,
            )
            for m in world.roadmap.measures
        ],
    )
    apply_reimport(world.roadmap, parsed, None)
    db.session.flush()
    after = by_uid(client.get(path).data)
    assert set(after) == set(before)
    assert all("(уточнено)" in str(e["SUMMARY"]) for e in after.values())


def test_pitfall_moved_deadline_keeps_uid_and_raises_sequence(client, world, subscribe):
    """The production-calendar rule changes: dates move, events stay the same events."""
    from roadmap.tasks.service import generate_tasks

    _sub, path = subscribe(world.executor_a)
    before = by_uid(client.get(path).data)
    world.roadmap.shift_rule = "none"
    db.session.flush()
    result = generate_tasks(world.roadmap)
    db.session.flush()
    assert result.changed
    after = by_uid(client.get(path).data)
    assert set(after) == set(before)
    task = world.tasks(world.school_a, "1.1")[0]
    uid = f"task-{task.id}@roadmap.test"
    assert after[uid]["DTSTART"].dt == date(2023, 9, 30)
    assert after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"] + 1


def test_pitfall_new_deadline_month_does_not_duplicate(client, world, subscribe):
    """A deadline moved to another month: one event for the measure, never two."""
    from roadmap.plans.service import apply_deadline
    from roadmap.tasks.service import generate_tasks

    _sub, path = subscribe(world.executor_a)
    measure = next(m for m in world.roadmap.measures if m.number == "1.1")
    apply_deadline(measure, "октябрь, ежегодно")
    db.session.flush()
    generate_tasks(world.roadmap)
    db.session.flush()
    summaries = [str(e["SUMMARY"]) for e in events(client.get(path).data)]
    assert summaries.count("○ 1.1 Экскурсии на предприятия") == 1


def test_pitfall_dtstamp_is_the_last_change_not_now(client, world, subscribe):
    age_everything(world.roadmap.id)
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    for event in events(body):
        assert event["DTSTAMP"].dt <= datetime.now(UTC) - timedelta(days=1)
    assert {line for line in content_lines(body) if line.startswith("DTSTAMP")} == {"DTSTAMP:20230801T093000Z"}


def test_an_overdue_task_says_so_and_a_returned_one_is_both(app, client, world, subscribe):
    from datetime import date

    _sub, path = subscribe(world.executor_a)
    planned = world.tasks(world.school_a, "1.1")[0]  # due 2 October 2023 (moved off a Saturday)
    returned = world.tasks(world.school_a, "2.1")[0]  # due 1 December 2023
    bump(returned, status=TaskStatus.RETURNED)
    app.config["FEED_TODAY"] = date(2023, 12, 5)
    found = by_uid(client.get(path).data)
    event = found[f"task-{planned.id}@roadmap.test"]
    assert str(event["SUMMARY"]) == "○! 1.1 Экскурсии на предприятия"
    assert "Статус: запланировано, просрочено" in str(event["DESCRIPTION"])
    back = found[f"task-{returned.id}@roadmap.test"]
    assert str(back["SUMMARY"]) == "⟳! 2.1 Отчёт о профориентационной работе"
    assert "Статус: возвращено на доработку, просрочено" in str(back["DESCRIPTION"])


def test_sequence_grows_when_a_task_changes_and_stays_otherwise(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    first = by_uid(client.get(path).data)
    task = world.tasks(world.school_a, "2.1")[0]
    bump(task, status=TaskStatus.RETURNED)
    second = by_uid(client.get(path).data)
    uid = f"task-{task.id}@roadmap.test"
    assert second[uid]["SEQUENCE"] == first[uid]["SEQUENCE"] + 1
    assert str(second[uid]["SUMMARY"]).startswith("⟳")
    for other in set(first) - {uid}:
        assert second[other]["SEQUENCE"] == first[other]["SEQUENCE"]
        assert second[other].to_ical() == first[other].to_ical()


def test_pitfall_feed_size_is_bounded(app, client, auth, world, subscribe, make_roadmap):
    """Over the bound the window narrows around today, and the feed says so."""
    rows = [(f"3.{n}", f"Мероприятие номер {n} " + "текст " * 20, "ежемесячно", [world.school_a]) for n in range(1, 13)]
    make_roadmap(rows, period=(date(2023, 1, 1), date(2024, 12, 31)), title="Большая карта")
    app.config["FEED_MAX_BYTES"] = 60_000
    subscription, path = subscribe(world.executor_a)
    full = client.get(path + "?alarms=1&status=all")  # explicit parameters: not remembered
    assert len(full.data) <= 60_000
    body = client.get(path).data
    assert len(body) <= 60_000
    description = str(Calendar.from_ical(body)["X-WR-CALDESC"])
    assert "Календарь сокращён" in description
    uids = by_uid(body)
    assert uids
    # The window narrows around today (15 September 2023): the nearest deadlines are kept.
    dates = sorted(e["DTSTART"].dt for e in uids.values())
    assert date(2023, 6, 1) <= dates[0] <= date(2023, 10, 31)
    assert dates[-1] < date(2024, 12, 1)
    db.session.refresh(subscription)
    assert "сокращён" in subscription.options["_narrowed"]
    auth.login("school1")
    assert "Календарь сокращён" in client.get("/feeds/").get_data(as_text=True)


def test_size_bound_last_resort_keeps_nearest(app, client, world, subscribe, make_roadmap):
    rows = [
        (f"4.{n}", f"Мероприятие {n} " + "длинный текст " * 30, "еженедельно", [world.school_a]) for n in range(1, 6)
    ]
    make_roadmap(rows, period=(date(2023, 1, 1), date(2023, 12, 31)), title="Еженедельная карта")
    app.config["FEED_MAX_BYTES"] = 20_000
    _sub, path = subscribe(world.executor_a)
    body = client.get(path).data
    assert len(body) <= 20_000
    assert "ближайших сроков" in str(Calendar.from_ical(body)["X-WR-CALDESC"])


# --- coordinators: one event per measure × occurrence ------------------------------------


def test_coordinator_feed_aggregates(client, world, subscribe):
    _sub, path = subscribe(world.coordinator)
    body = client.get(path).data
    found = by_uid(body)
    task = world.tasks(world.school_a, "1.1")[0]
    uid = f"measure-{task.measure_id}-{task.occurrence_key}@roadmap.test"
    assert str(found[uid]["SUMMARY"]) == "○ 1.1 Экскурсии на предприятия: 0 из 2 выполнили"
    assert str(found[uid]["URL"]) == f"http://roadmap.test/roadmaps/{world.roadmap.id}"
    # 1.1 once, 1.2 twice (half-years), 2.1 and 2.2 once: not one event per school.
    assert len(found) == 5
    for other in world.tasks():
        assert f"task-{other.id}@".encode() not in body

    first = found[uid]
    bump(task, status=TaskStatus.ACCEPTED)
    again = by_uid(client.get(path).data)[uid]
    assert str(again["SUMMARY"]) == "○ 1.1 Экскурсии на предприятия: 1 из 2 выполнили"
    # A report changes the event (LAST-MODIFIED, DTSTAMP) but not its dates: SEQUENCE stays.
    assert again["SEQUENCE"] == first["SEQUENCE"]
    assert again["LAST-MODIFIED"].dt >= first["LAST-MODIFIED"].dt  # strictly later: see below
    assert again["DTSTAMP"].dt == again["LAST-MODIFIED"].dt
    assert "Выполнено (отчёт принят): 1 из 2" in str(again["DESCRIPTION"])


def _stamps(body: bytes) -> dict[str, tuple]:
    return {
        uid: (int(e["SEQUENCE"]), e["DTSTAMP"].dt, e["LAST-MODIFIED"].dt, e.get("STATUS"))
        for uid, e in by_uid(body).items()
    }


def test_only_changed_occurrences_change(client, world, subscribe):
    """A school's report changes its occurrence's event and no other (issue 18)."""
    from roadmap.models import Measure, utcnow

    age_everything(world.roadmap.id)
    _sub, path = subscribe(world.coordinator)
    before = _stamps(client.get(path).data)
    assert all(stamp[2] == PAST for stamp in before.values())

    task = world.tasks(world.school_b, "2.2")[0]
    bump(task, status=TaskStatus.SUBMITTED)
    after = _stamps(client.get(path + "?format=vevent").data)
    changed = f"measure-{task.measure_id}-{task.occurrence_key}@roadmap.test"
    assert set(after) == set(before)
    assert [uid for uid in after if after[uid] != before[uid]] == [changed]
    assert after[changed][0] == before[changed][0]  # its dates did not move: same SEQUENCE
    assert after[changed][2] > PAST

    # On review: the aggregated VTODO is IN-PROCESS; the others still need action.
    todos = {uid: str(e["STATUS"]) for uid, e in by_uid(client.get(path + "?format=vtodo").data, "VTODO").items()}
    assert todos.pop(changed) == "IN-PROCESS"
    assert set(todos.values()) == {"NEEDS-ACTION"}

    # The dates of one measure move (regeneration): its occurrences' SEQUENCE rises, only theirs.
    from roadmap.plans.service import apply_deadline
    from roadmap.tasks.service import generate_tasks

    measure = db.session.get(Measure, world.tasks(number="2.1")[0].measure_id)
    apply_deadline(measure, "до 10 декабря")
    measure.updated_at = utcnow()
    assert generate_tasks(world.roadmap).changed == 1
    moved = _stamps(client.get(path + "?from=").data)
    rising = [uid for uid in moved if moved[uid][0] != after.get(uid, (None,))[0]]
    assert len(rising) == 1 and rising[0].startswith(f"measure-{measure.id}-")
    assert moved[rising[0]][0] == 1


def test_coordinator_feed_hides_fully_done_occurrences(client, world, subscribe):
    _sub, path = subscribe(world.coordinator)
    for task in world.tasks(number="2.1"):
        bump(task, status=TaskStatus.ACCEPTED)
    summaries = [str(e["SUMMARY"]) for e in events(client.get(path).data)]
    assert not any(s.startswith("✓ 2.1") or " 2.1 " in s for s in summaries)
    done = [str(e["SUMMARY"]) for e in events(client.get(path + "?status=all").data)]
    assert "✓ 2.1 Отчёт о профориентационной работе: 1 из 1 выполнили" in done


def test_observer_roadmap_feed_reads_the_tallies_once_and_groups_no_task(client, world, subscribe):
    from sqlalchemy import event

    _sub, path = subscribe(world.observer, kind="roadmap", target_id=world.roadmap.id)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        body = client.get(path).data
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(events(body)) == 5
    # The occurrences' tallies: counted once (a feed this small is not one to read only the
    # occurrences near today of: query.nearby_occurrences), then read in one query; the tasks
    # are never grouped on a render.
    tallied = [s for s in statements if "FROM occurrence_tally" in s]
    assert len(tallied) == 2 and "sum(CASE" in tallied[0] and "occurrence_tally.label" in tallied[1]
    assert not any("GROUP BY" in s for s in statements if s not in tallied)
    # The visible roadmaps, read once: for the version, and by the render from it.
    assert sum(s.startswith("SELECT roadmap.id, roadmap.feed_version") for s in statements) == 1
    assert len(statements) <= 12


def test_feeds_parse_in_ical_js(client, world, subscribe, ical_js):
    _sub, executor_path = subscribe(world.executor_a)
    _sub, coordinator_path = subscribe(world.coordinator)
    for path, count in ((executor_path, 4), (coordinator_path, 5)):
        parsed = ical_js(client.get(path).data)
        assert parsed["properties"]["x-wr-timezone"]["value"] == "Europe/Moscow"
        assert parsed["properties"]["refresh-interval"]["type"] == "duration"
        assert len(parsed["items"]) == count
        for item in parsed["items"]:
            assert item["component"] == "VEVENT"
            assert item["uid"] and item["summary"] and item["url"]
            assert item["dtstamp"] == item["lastModified"]
            assert [a["trigger"] for a in item["alarms"]] == ["-P2DT15H", "-PT15H"]  # at 09:00
    todo = ical_js(client.get(executor_path + "?format=vtodo").data)
    assert {i["component"] for i in todo["items"]} == {"VTODO"}


def test_escaping_and_folding_of_cyrillic(client, world, subscribe):
    _sub, path = subscribe(world.executor_b)
    body = client.get(path).data
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no Cyrillic character split across a fold
    summaries = {str(e["SUMMARY"]) for e in events(body)}
    assert "○ 2.2 " + ROWS[3][1] in summaries
    raw = [b for b in blocks(body, "VEVENT") if any("2.2" in line for line in b)][0]
    assert any("КубГУ\\;" in line for line in raw)


def test_feeds_pass_strict_parsers(client, world, subscribe, ical_js, ruby_icalendar):
    """ical.js (Thunderbird), icalendar and ruby-icalendar in strict mode read every feed shape."""
    _sub, executor_path = subscribe(world.executor_a)
    _sub, coordinator_path = subscribe(world.coordinator)
    for path, count in ((executor_path, 4), (coordinator_path, 5)):
        for query in ("", "?view=spans", "?format=vtodo", "?format=vtodo&status=all&remind=0,7&remind_at=14:30"):
            body = client.get(path + query).data
            component = "VTODO" if "vtodo" in query else "VEVENT"
            strict = ruby_icalendar(body)
            assert strict["timezones"] == ["Europe/Moscow"]
            assert {i["component"] for i in strict["items"]} == {component}
            assert len(strict["items"]) >= count
            assert {c for i in strict["items"] for c in i["categories"]} <= {"Раздел 1", "Раздел 2"}
            assert len(ical_js(body)["items"]) == len(strict["items"])
            assert len(by_uid(body, component)) == len(strict["items"])
