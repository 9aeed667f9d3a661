"""A personal feed of ~200 tasks is built on every poll: it has to stay cheap and small."""

import time
from datetime import date, timedelta

from roadmap.ical import FeedCalendar, build_calendar

from .helpers import make_feed_event


def typical_feed(n: int) -> list:
    events = []
    for i in range(n):
        due = date(2023, 9, 1) + timedelta(days=i % 500)
        events.append(
            make_feed_event(
                uid=f"task-{i}@roadmap.example",
                summary=f"○ 3.{i} Экскурсии на предприятия для обучающихся 6–11 классов",
                description=(
                    "Мероприятие: экскурсии на предприятия\nОтветственный: Иванова И. И.\n"
                    "Статус: запланировано\nОтчёт: фотографии, список участников"
                ),
                start=due - timedelta(days=29),
                due=due,
                due_effective=due + timedelta(days=i % 3),
            )
        )
    return events


def best_of(runs: int, func) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_two_hundred_events_stay_small():
    # Timing belongs to `make bench` (feed_school); here only the size, which Google limits (~1 MB).
    calendar, events = FeedCalendar(name="Школа"), typical_feed(200)
    assert len(build_calendar(calendar, events)) < 300 * 1024
