"""Occurrence tallies (models.task.OccurrenceTally): what each measure's tasks of one occurrence
add up to, kept in step by every write, one occurrence at a time where the write names it. The
suite checks after every test that the tallies equal a recount (tests/conftest.py)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from roadmap.extensions import db
from roadmap.models import AuditEvent, Measure, OccurrenceTally, Task, TaskStatus
from roadmap.models import task as task_model
from roadmap.models.task import refresh_tallies, tally_drift
from roadmap.tasks.workflow import ReportInput, submit_report
from tests.feeds.conftest import bump


def _tallies() -> dict[tuple[str, str], OccurrenceTally]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Measure.number, OccurrenceTally).join(Measure, Measure.id == OccurrenceTally.measure_id)
    ).all()
    return {(number, tally.occurrence_key): tally for number, tally in rows}


def test_publishing_counts_every_occurrence(world):
    tallies = _tallies()
    tasks = world.tasks()
    assert sum(t.planned for t in tallies.values()) == len(tasks)
    assert len(tallies) == len({(t.measure_id, t.occurrence_key) for t in tasks})
    # Two schools each for 1.1 and 1.2, one for 2.1 and 2.2.
    assert {number: t.planned for (number, _key), t in tallies.items()} == {"1.1": 2, "1.2": 2, "2.1": 1, "2.2": 1}


def _mark(number: str) -> tuple[str, str]:
    """Put a wrong count into one tally of measure ``number``: a recount would correct it."""
    key = next(key for key in _tallies() if key[0] == number)
    db.session.execute(
        update(OccurrenceTally)
        .where(OccurrenceTally.id == _tallies()[key].id)
        .values(planned=OccurrenceTally.planned + 100)
    )
    return key


def test_a_report_counts_its_own_occurrence_again_and_no_other(world):
    marked = _mark("2.2")
    before = {key: (t.planned, t.submitted) for key, t in _tallies().items()}
    task = world.tasks(world.school_a, "1.1")[0]
    submit_report(task, world.executor_a, ReportInput(coverage_total=25, coverage_students=25))
    db.session.flush()
    after = {key: (t.planned, t.submitted) for key, t in _tallies().items()}
    changed = ("1.1", task.occurrence_key)
    assert after[changed] == (before[changed][0] - 1, before[changed][1] + 1)
    assert {k: v for k, v in after.items() if k != changed} == {k: v for k, v in before.items() if k != changed}
    assert after[marked][0] > 100  # not counted again
    refresh_tallies(db.session.connection(), {world.roadmap.id: None})


def test_claims_of_not_applicable_and_cancelled_tasks_are_counted_apart(world):
    claimed = world.tasks(world.school_a, "1.1")[0]
    bump(claimed, status=TaskStatus.SUBMITTED, is_not_applicable=True)
    cancelled = world.tasks(world.school_b, "1.1")[0]
    bump(cancelled, is_cancelled=True)
    tallies = _tallies()
    first = tallies[("1.1", claimed.occurrence_key)]
    assert (first.planned, first.submitted, first.submitted_na) == (0, 0, 1)
    assert first.cancelled_updated_at == cancelled.updated_at
    assert first.updated_at == claimed.updated_at


def test_a_write_of_many_occurrences_counts_the_roadmap_whole(world, monkeypatch):
    monkeypatch.setattr(task_model, "MAX_TALLIED_OCCURRENCES", 1)
    marked = _mark("2.2")
    for task in world.tasks(world.school_a, "1.2"):  # its two half-years
        task.status = TaskStatus.SUBMITTED
    db.session.flush()
    assert _tallies()[marked].planned < 100  # counted again with the rest
    assert tally_drift(db.session.connection()) == ([], [])


def test_a_cancelled_task_moves_its_occurrence_last_change_even_with_dates_of_its_own(client, world, subscribe):
    """An occurrence that lost a task changed then, also when the cancelled task had its own
    planned dates (a tally row of cancelled tasks alone)."""
    from tests.feeds.conftest import PAST, age_everything
    from tests.feeds.test_content import by_uid

    age_everything(world.roadmap.id)
    _sub, path = subscribe(world.coordinator, status="all")
    kept, cancelled = world.tasks(number="1.1")[:2]
    assert kept.occurrence_key == cancelled.occurrence_key
    uid = f"measure-{kept.measure_id}-{kept.occurrence_key}@roadmap.test"
    assert by_uid(client.get(path).data)[uid]["LAST-MODIFIED"].dt == PAST
    bump(cancelled, is_cancelled=True, due_on=cancelled.due_on.replace(day=cancelled.due_on.day - 1))
    rows = db.session.scalars(
        select(OccurrenceTally).where(
            OccurrenceTally.measure_id == kept.measure_id, OccurrenceTally.occurrence_key == kept.occurrence_key
        )
    ).all()
    # One tally per planned dates: the kept task's, and the cancelled one's counting nothing.
    assert sorted(t.planned for t in rows) == [0, 1] and sum(t.cancelled_updated_at is not None for t in rows) == 1
    event = by_uid(client.get(path).data)[uid]
    assert event["LAST-MODIFIED"].dt == cancelled.updated_at.replace(microsecond=0)


def test_tallies_left_behind_by_an_older_version_are_counted_before_a_feed_reads_them(client, world, subscribe):
    """During an upgrade the version before the tallies still serves: it writes tasks and moves
    the counter without counting them. The next aggregated feed counts the roadmap again first."""
    from roadmap.models import Roadmap
    from tests.feeds.test_content import events

    _sub, path = subscribe(world.coordinator, status="all")
    client.get(path)
    task = world.tasks(world.school_a, "2.1")[0]
    # The older version's writes: the task, and the counter (it knows nothing of tallied_version).
    db.session.execute(update(Task).where(Task.id == task.id).values(status=TaskStatus.ACCEPTED))
    db.session.execute(
        update(Roadmap).where(Roadmap.id == world.roadmap.id).values(feed_version=Roadmap.feed_version + 1)
    )
    assert tally_drift(db.session.connection()) != ([], [])
    summaries = [str(e["SUMMARY"]) for e in events(client.get(path).data)]
    assert "✓ 2.1 Отчёт о профориентационной работе: 1 из 1 выполнили" in summaries
    assert tally_drift(db.session.connection()) == ([], [])
    tallied, counter = _versions(world.roadmap.id)
    assert tallied == counter
    recounted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tallies_recounted")).one()
    assert recounted.summary == f"Итоги по срокам пересчитаны: дорожные карты № {world.roadmap.id}"
    client.get(path)  # in step again: nothing more to count
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "tallies_recounted")) == 1


def test_a_write_keeps_tallies_left_behind_out_of_step_until_they_are_counted_whole(world):
    from roadmap.models import Roadmap

    db.session.execute(update(Roadmap).where(Roadmap.id == world.roadmap.id).values(tallied_version=-1))
    task = world.tasks(world.school_a, "1.1")[0]
    submit_report(task, world.executor_a, ReportInput(coverage_total=25, coverage_students=25))
    db.session.flush()
    assert _versions(world.roadmap.id)[0] == -1  # one occurrence counted: the rest may still be behind
    refresh_tallies(db.session.connection(), {world.roadmap.id: None})
    tallied, counter = _versions(world.roadmap.id)
    assert tallied == counter


def _versions(roadmap_id: int) -> tuple[int, int]:
    """(tallied_version, feed_version) of the roadmap as stored."""
    from roadmap.models import Roadmap

    return tuple(
        db.session.execute(select(Roadmap.tallied_version, Roadmap.feed_version).where(Roadmap.id == roadmap_id)).one()
    )
