"""Two people saving the same task at once: the second is refused, nothing is overwritten.

Uses two real sessions on two connections with committed data, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap.extensions import db
from roadmap.models import Organization, OrgKind, Report, Role, Task, TaskStatus
from roadmap.tasks.workflow import ConflictError, ReportInput, submit_report


def test_second_save_gets_a_conflict(committed_app):
    from datetime import date

    from roadmap.accounts.service import create_user
    from roadmap.models import Measure, MeasureParty, Roadmap, RoadmapStatus
    from roadmap.plans.service import apply_deadline
    from roadmap.tasks.service import generate_tasks

    school = Organization(full_name="Школа", short_name="Школа", kind=OrgKind.SCHOOL, is_active=True)
    db.session.add(school)
    db.session.flush()
    first_user = create_user(
        login="first", full_name="Первый", password="secret123", role=Role.EXECUTOR, organization=school
    )
    second_user = create_user(
        login="second", full_name="Второй", password="secret123", role=Role.EXECUTOR, organization=school
    )
    roadmap = Roadmap(
        title="К", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), status=RoadmapStatus.PUBLISHED
    )
    db.session.add(roadmap)
    measure = Measure(number="1.1", title="М")
    roadmap.measures.append(measure)
    apply_deadline(measure, "сентябрь")
    measure.parties.append(MeasureParty(text="Школа", organization_id=school.id))
    db.session.flush()
    generate_tasks(roadmap)
    db.session.commit()
    task_id = db.session.scalar(select(Task.id))
    first_id, second_id, user_cls = first_user.id, second_user.id, type(first_user)

    engine = db.engine
    with Session(engine) as one, Session(engine) as two:
        task_one = one.get(Task, task_id)
        task_two = two.get(Task, task_id)
        version = task_one.version
        assert task_two.version == version
        # Both opened the form at the same version; the first save wins.
        db.session.remove()
        _submit(one, task_one, one.get(user_cls, first_id), "первый отчёт", version)
        with pytest.raises(ConflictError):
            _submit(two, task_two, two.get(user_cls, second_id), "второй отчёт", version)

    with Session(engine) as check:
        task = check.get(Task, task_id)
        assert task.status == TaskStatus.SUBMITTED
        comments = check.scalars(select(Report.comment).where(Report.task_id == task_id)).all()
        assert comments == ["первый отчёт"]


def _submit(session, task, user, comment, version):
    """Run the service against a given session by binding it as the app's session."""
    original = db.session
    db.session = _Proxy(session)
    try:
        submit_report(task, user, ReportInput(comment=comment), expected_version=version)
        session.commit()
    finally:
        db.session = original


class _Proxy:
    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)
