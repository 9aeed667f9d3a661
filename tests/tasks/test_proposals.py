"""Executors propose dates for measures with no dates of their own; coordinators confirm or reject."""

from datetime import date

import pytest
from sqlalchemy import func, select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import DateProposal, Notice, OrgGroup, OrgKind, ProposalStatus, Role, Task
from roadmap.plans.service import apply_deadline, set_manual_dates
from roadmap.tasks.proposals import (
    ProposalError,
    confirm_proposal,
    manual_measures_for,
    pending_proposals,
    propose_dates,
    reject_proposal,
)
from roadmap.tasks.service import generate_tasks
from roadmap.tasks.workflow import ReportInput, submit_report


@pytest.fixture
def setting(make_org, make_user, make_roadmap):
    """Three schools of a municipality, a manual measure for all of them and a dated one."""
    schools = [make_org(kind=OrgKind.SCHOOL, municipality="г. Предложений") for _ in range(3)]
    group = OrgGroup(name="ОО г. Предложений", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Предложений"))
    db.session.add(group)
    db.session.flush()
    roadmap = make_roadmap(
        [
            ("1.1", "Дни открытых дверей", "по плану ОО", [group]),
            ("1.2", "Совещание", "сентябрь", [group]),
        ]
    )
    executors = [make_user(organization=school) for school in schools]
    coordinator = make_user(role=Role.COORDINATOR)
    return roadmap, schools, executors, coordinator


def _tasks(measure, organization=None):
    stmt = select(Task).where(Task.measure_id == measure.id).order_by(Task.organization_id, Task.due_on)
    if organization is not None:
        stmt = stmt.where(Task.organization_id == organization.id)
    return db.session.scalars(stmt).all()


def test_manual_measure_has_no_tasks_until_dates_are_confirmed(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    assert _tasks(manual) == []
    items = manual_measures_for(schools[0])
    assert [item.measure.id for item in items] == [manual.id]
    assert items[0].needs_dates

    proposal = propose_dates(manual, executors[0], [(date(2023, 10, 10), date(2023, 10, 10))], "после каникул")
    assert proposal.status == ProposalStatus.PROPOSED
    assert _tasks(manual) == []  # nothing until the coordinator confirms
    assert pending_proposals(roadmap.id) == [proposal]
    assert db.session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == coordinator.id, Notice.kind == "dates_proposed")
    )

    result = confirm_proposal(proposal, coordinator)
    assert result.added == 1
    tasks = _tasks(manual)
    assert [(t.organization_id, t.start_on, t.due_on) for t in tasks] == [
        (schools[0].id, date(2023, 10, 10), date(2023, 10, 10))
    ]
    assert tasks[0].label == "10 октября 2023"
    assert db.session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == executors[0].id, Notice.kind == "dates_confirmed")
    )
    # The other schools still owe dates; generating again changes nothing.
    assert manual_measures_for(schools[1])[0].needs_dates
    assert not manual_measures_for(schools[0])[0].needs_dates
    assert generate_tasks(roadmap).written == 0


def test_each_school_gets_its_own_dates(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    first = propose_dates(
        manual, executors[0], [(date(2023, 3, 1), date(2023, 3, 1)), (date(2023, 9, 1), date(2023, 9, 1))]
    )
    second = propose_dates(manual, executors[1], [(date(2023, 4, 20), date(2023, 4, 22))])
    confirm_proposal(first, coordinator)
    confirm_proposal(second, coordinator)
    assert [(t.organization_id, t.due_on) for t in _tasks(manual)] == [
        (schools[0].id, date(2023, 3, 1)),
        (schools[0].id, date(2023, 9, 1)),
        (schools[1].id, date(2023, 4, 22)),
    ]
    assert generate_tasks(roadmap).written == 0


def test_new_dates_move_the_task_and_keep_its_identity(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    confirm_proposal(propose_dates(manual, executors[0], [(date(2023, 5, 15), date(2023, 5, 15))]), coordinator)
    (task,) = _tasks(manual)
    later = propose_dates(manual, executors[0], [(date(2023, 5, 25), date(2023, 5, 25))], "перенос")
    # Until the new dates are confirmed the old ones hold.
    assert manual_measures_for(schools[0])[0].confirmed is not None
    assert _tasks(manual)[0].due_on == date(2023, 5, 15)
    result = confirm_proposal(later, coordinator)
    assert result.changed == 1 and result.added == 0
    (moved,) = _tasks(manual)
    assert moved.id == task.id and moved.due_on == date(2023, 5, 25) and moved.sequence == 1
    statuses = db.session.scalars(
        select(DateProposal.status).where(DateProposal.measure_id == manual.id).order_by(DateProposal.id)
    ).all()
    assert statuses == [ProposalStatus.SUPERSEDED, ProposalStatus.CONFIRMED]


def test_coordinator_may_correct_dates_when_confirming(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    proposal = propose_dates(manual, executors[2], [(date(2023, 6, 1), date(2023, 6, 1))])
    confirm_proposal(proposal, coordinator, ranges=[(date(2023, 6, 5), date(2023, 6, 5))])
    assert proposal.decision_comment == "даты исправлены координатором"
    assert [t.due_on for t in _tasks(manual, schools[2])] == [date(2023, 6, 5)]


def test_own_dates_win_over_the_coordinators_dates_for_everyone(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    set_manual_dates(manual, [(date(2023, 11, 1), date(2023, 11, 30))])
    generate_tasks(roadmap)
    assert len(_tasks(manual)) == 3
    confirm_proposal(propose_dates(manual, executors[0], [(date(2023, 2, 2), date(2023, 2, 2))]), coordinator)
    by_school = {t.organization_id: t.due_on for t in _tasks(manual)}
    assert by_school == {
        schools[0].id: date(2023, 2, 2),
        schools[1].id: date(2023, 11, 30),
        schools[2].id: date(2023, 11, 30),
    }
    assert generate_tasks(roadmap).written == 0


def test_reported_task_survives_when_the_deadline_gets_dates(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    confirm_proposal(propose_dates(manual, executors[0], [(date(2023, 5, 15), date(2023, 5, 15))]), coordinator)
    (task,) = _tasks(manual)
    submit_report(task, executors[0], ReportInput(held_on=date(2023, 5, 15), coverage_total=30, comment="Проведено"))
    # The coordinator gives the measure a real deadline: the school's own dates no longer apply,
    # and its reported task is cancelled with a reason, not lost.
    apply_deadline(manual, "декабрь")
    result = generate_tasks(roadmap)
    assert result.cancelled == 1 and result.added == 3
    kept = db.session.get(Task, task.id)
    assert kept.is_cancelled and kept.reports


def test_rejecting_needs_a_reason_and_tells_the_school(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    proposal = propose_dates(manual, executors[1], [(date(2023, 7, 1), date(2023, 7, 1))])
    with pytest.raises(ProposalError, match="почему"):
        reject_proposal(proposal, coordinator, "  ")
    reject_proposal(proposal, coordinator, "в июле каникулы")
    item = manual_measures_for(schools[1])[0]
    assert item.rejected is proposal and item.needs_dates
    assert _tasks(manual) == []
    notice = db.session.scalars(select(Notice).where(Notice.user_id == executors[1].id)).one()
    assert "в июле каникулы" in notice.text
    with pytest.raises(ProposalError, match="уже есть решение"):
        confirm_proposal(proposal, coordinator)


def test_a_new_proposal_replaces_an_unanswered_one(setting):
    roadmap, schools, executors, coordinator = setting
    manual = roadmap.measures[0]
    first = propose_dates(manual, executors[0], [(date(2023, 7, 1), date(2023, 7, 1))])
    second = propose_dates(manual, executors[0], [(date(2023, 8, 1), date(2023, 8, 1))])
    assert first.status == ProposalStatus.SUPERSEDED
    assert pending_proposals(roadmap.id) == [second]


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ([], "хотя бы одну"),
        ([(date(2024, 1, 10), date(2024, 1, 10))], "вне срока"),
        ([(date(2022, 12, 31), date(2023, 1, 2))], "вне срока"),
        ([(date(2023, 2, day), date(2023, 2, day)) for day in range(1, 26)], "Не больше"),
    ],
)
def test_bad_dates_are_refused(setting, ranges, message):
    roadmap, schools, executors, coordinator = setting
    with pytest.raises(ProposalError, match=message):
        propose_dates(roadmap.measures[0], executors[0], ranges)
    assert db.session.scalar(select(func.count(DateProposal.id))) == 0


def test_only_the_right_people_propose_and_decide(setting, make_org, make_user):
    roadmap, schools, executors, coordinator = setting
    manual, dated = roadmap.measures
    one_day = [(date(2023, 5, 5), date(2023, 5, 5))]
    stranger = make_user(organization=make_org(kind=OrgKind.COLLEGE))
    with pytest.raises(ProposalError, match="не указана ответственной"):
        propose_dates(manual, stranger, one_day)
    with pytest.raises(ProposalError, match="только сотрудники"):
        propose_dates(manual, coordinator, one_day)
    with pytest.raises(ProposalError, match="задаёт дорожная карта"):
        propose_dates(dated, executors[0], one_day)
    proposal = propose_dates(manual, executors[0], one_day)
    with pytest.raises(ProposalError, match="только координатор"):
        confirm_proposal(proposal, executors[0])
    observer = make_user(role=Role.OBSERVER)
    with pytest.raises(ProposalError, match="только координатор"):
        reject_proposal(proposal, observer, "нет")
    assert manual_measures_for(stranger.organization) == []


def test_archived_roadmap_leaves_the_queue_and_takes_no_decisions(setting):
    from roadmap.models import RoadmapStatus

    roadmap, schools, executors, coordinator = setting
    proposal = propose_dates(roadmap.measures[0], executors[0], [(date(2023, 5, 5), date(2023, 5, 5))])
    roadmap.status = RoadmapStatus.ARCHIVED
    db.session.flush()
    assert pending_proposals() == []
    with pytest.raises(ProposalError, match="не действует"):
        confirm_proposal(proposal, coordinator)
    assert _tasks(roadmap.measures[0]) == []
