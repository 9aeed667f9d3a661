"""A small world for access tests: two executor organizations (A and B), one of each staff role,
a published roadmap with a task, report and attachment of A, a draft, calendar subscriptions,
an export job — everything committed inside the test's rolled-back transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from roadmap.accounts.sessions import make_token
from roadmap.extensions import db
from roadmap.models import Attachment, OrgKind, Role, Task
from roadmap.tasks.proposals import propose_dates

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, object]
    here: object  # the municipality of A, B, C and the roadmaps
    elsewhere: object  # another municipality
    org_a: object
    org_b: object
    org_c: object
    published: object
    draft: object
    archivable: object
    task_a: object
    task_b: object
    attachment_a: object
    measure_draft: object
    measure_manual: object
    proposal_a: object
    party_draft: object
    spare_user: object
    feed_token: str
    subscription_revocable: object
    job_id: str
    api_token_revocable: object = None
    regional_measure: object = None  # of a regional roadmap, asking something of organization A
    api_tokens: dict[str, str] = field(default_factory=dict)  # role → its user's API key
    ids: dict[str, int] = field(default_factory=dict)


# coordinator and observer are municipality A's (where organizations A, B, C and the roadmaps
# are); coordinator_b and observer_b are another municipality's and must see none of it.
ROLES = (
    "anonymous",
    "executor_other",
    "observer",
    "admin",
    "executor_own",
    "coordinator",
    "coordinator_b",
    "observer_b",
)


def login_as(app, user):
    """A test client whose session belongs to `user` (no login POST: the login limit stays untouched)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = make_token(user)  # what a real login stores
            session["_fresh"] = True
    return client


@pytest.fixture
def world(app, make_org, make_user, make_roadmap):
    from roadmap.directory.territory import municipality_named
    from roadmap.feeds.service import create_subscription
    from roadmap.jobs import enqueue
    from roadmap.tasks.workflow import ReportInput, UploadedFile, submit_report

    here, elsewhere = municipality_named("г. Первый"), municipality_named("г. Второй")
    org_a = make_org(full_name="МБОУ СОШ № 901", short_name="СОШ № 901", municipality=here)
    org_b = make_org(full_name="МБОУ СОШ № 902", short_name="СОШ № 902", municipality=here)
    org_c = make_org(
        full_name="ГБПОУ Колледж № 903", short_name="Колледж № 903", kind=OrgKind.COLLEGE, municipality=here
    )
    users = {
        "admin": make_user(role=Role.ADMIN, login="sec-admin"),
        "coordinator": make_user(role=Role.COORDINATOR, login="sec-coord", municipality=here),
        "observer": make_user(role=Role.OBSERVER, login="sec-observer", municipality=here),
        "coordinator_b": make_user(role=Role.COORDINATOR, login="sec-coord-b", municipality=elsewhere),
        "observer_b": make_user(role=Role.OBSERVER, login="sec-observer-b", municipality=elsewhere),
        "executor_own": make_user(role=Role.EXECUTOR, organization=org_a, login="sec-exec-a"),
        "executor_other": make_user(role=Role.EXECUTOR, organization=org_b, login="sec-exec-b"),
    }
    spare = make_user(role=Role.EXECUTOR, organization=org_c, login="sec-spare")
    today = date.today()
    period = (date(today.year, 1, 1), date(today.year, 12, 31))
    published = make_roadmap(
        [
            ("1.1", "Классные часы", "в течение года", [org_a]),
            ("1.2", "Родительские собрания", "в течение года", [org_b]),
            ("1.3", "День открытых дверей", "по плану ОО", [org_a]),
        ],
        period=period,
        title="Опубликованная карта",
        municipality=here,
    )
    draft = make_roadmap(
        [
            ("1.1", "Черновое мероприятие", "в течение года", [org_a]),
            ("1.2", "Второе черновое мероприятие", "в течение года", [org_a]),
        ],
        period=period,
        publish=False,
        title="Черновик",
        municipality=here,
    )
    archivable = make_roadmap(
        [("1.1", "Мероприятие колледжа", "в течение года", [org_c])],
        period=period,
        title="Карта для архива",
        municipality=here,
    )
    # A regional roadmap's measure cascaded to municipality A (a task of its school A): A's
    # coordinator may pass it on, another municipality's may not see it.
    regional = make_roadmap(
        [("1.1", "Региональное поручение", "в течение года", [org_a])], period=period, title="Региональная карта"
    )
    task_a = db.session.scalar(select(Task).where(Task.roadmap_id == published.id, Task.organization_id == org_a.id))
    task_b = db.session.scalar(select(Task).where(Task.roadmap_id == published.id, Task.organization_id == org_b.id))
    report = submit_report(
        task_a,
        users["executor_own"],
        ReportInput(held_on=today, comment="Проведено", files=[UploadedFile("справка.pdf", PDF)]),
    )
    db.session.flush()
    attachment = db.session.scalar(select(Attachment).where(Attachment.report_id == report.id))
    phone, token = create_subscription(users["executor_own"], name="Телефон")
    revocable, _token = create_subscription(users["executor_own"], name="Ноутбук")
    # Revoked through the API by the matrix (the page's revocation takes "Ноутбук").
    api_revocable, _token = create_subscription(users["executor_own"], name="Сетевой город")
    from roadmap.accounts.api_tokens import create_api_token

    api_tokens = {
        role: create_api_token(user, f"ключ {role}").secret for role, user in users.items() if user is not None
    }
    api_token_revocable = create_api_token(users["executor_own"], "отзываемый").token
    measure = draft.measures[0]
    # Committed (a savepoint released): views that roll back on errors must not undo the world.
    db.session.commit()
    job_id = enqueue(
        "roadmap.jobs.tasks.run_export",
        "roadmap.plans.examples.example_docx",
        filename="primer.docx",
        user_id=users["coordinator"].id,
        description="Выгрузка для теста",
    )
    db.session.commit()
    return World(
        users=users,
        here=here,
        elsewhere=elsewhere,
        org_a=org_a,
        org_b=org_b,
        org_c=org_c,
        published=published,
        draft=draft,
        archivable=archivable,
        task_a=task_a,
        task_b=task_b,
        attachment_a=attachment,
        measure_draft=measure,
        measure_manual=published.measures[2],
        proposal_a=propose_dates(published.measures[2], users["executor_own"], [(today, today)]),
        party_draft=draft.measures[1].parties[0],  # another measure: edits of the first replace its parties
        spare_user=spare,
        feed_token=token,
        subscription_revocable=revocable,
        job_id=job_id,
        api_token_revocable=api_token_revocable,
        regional_measure=regional.measures[0],
        api_tokens=api_tokens,
        ids={"subscription_live": phone.id, "subscription_api_revocable": api_revocable.id},
    )
