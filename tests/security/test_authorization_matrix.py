"""Every route × every role: the expected answer, filled with ids of real objects of organization A.

A route added without an entry in MATRIX fails `test_every_route_has_an_entry`: whoever adds a
page decides who may open it. Answers:

- ok: the view was reached (2xx, 3xx other than the login redirect, or a 400/409 validation answer);
- login: 302 to the login page;
- 403: forbidden for the role;
- 404: the object answers exactly like a missing one (another organization's data);
- 401: the API without a key (API routes are called with the role's own API key, not a session).

The coordinator and observer are municipality A's, where the organizations and roadmaps are;
coordinator_b and observer_b are another municipality's: A's objects answer them 404, like
another organization's answer an executor.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Attachment, Report, Subscription, Task
from tests.security.conftest import ROLES, login_as

OK, LOGIN, F, N, U = "ok", "login", "403", "404", "401"

pytestmark = [
    # wtforms 3.3 deprecates (value, label) tuples in SelectField choices; every form here uses them.
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
    # plans.service.rollover autoflushes a new Measure reachable only through Section.measures;
    # harmless (it is added right after) but warned: reported to the plans owner.
    pytest.mark.filterwarnings("ignore:Object of type <Measure> not in session:sqlalchemy.exc.SAWarning"),
]


def row(anonymous, admin, coordinator, observer, own, other, coordinator_b=None, observer_b=None):
    """The answers per role; another municipality's staff answer as A's unless told (routes
    without an object of A: lists, forms of one's own)."""
    return {
        "anonymous": anonymous,
        "admin": admin,
        "coordinator": coordinator,
        "observer": observer,
        "executor_own": own,
        "executor_other": other,
        "coordinator_b": coordinator if coordinator_b is None else coordinator_b,
        "observer_b": observer if observer_b is None else observer_b,
    }


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
ADMIN_ONLY = row(LOGIN, OK, F, F, F, F)
COORDINATOR_ONLY = row(LOGIN, F, OK, F, F, F)  # admin passes the door but may not edit a roadmap
COORDINATOR_OR_ADMIN = row(LOGIN, OK, OK, F, F, F)
STAFF = row(LOGIN, OK, OK, OK, F, F)
# A roadmap of municipality A: another municipality's staff do not know it.
STAFF_ROADMAP = row(LOGIN, OK, OK, OK, F, F, N, N)
# Comparing municipalities: the region's staff (here: the admin); A's municipal staff may not.
REGIONAL_STAFF_ROADMAP = row(LOGIN, OK, F, F, F, F, N, N)
ROADMAP_WORK = row(LOGIN, F, OK, F, F, F, N, F)
OWN_TASK_VIEW = row(LOGIN, OK, OK, OK, OK, N, N, N)
OWN_TASK_ACTION = row(LOGIN, F, F, F, OK, N)
EXECUTORS = row(LOGIN, F, F, F, OK, OK)
JOB_OF_COORDINATOR = row(LOGIN, OK, OK, N, N, N, N, N)
SUBSCRIPTION_OF_OWN = row(LOGIN, N, N, N, OK, N)
# The API: the same rights as the pages, the key instead of the login.
API_EVERYONE = row(U, OK, OK, OK, OK, OK)
API_STAFF_ROADMAP = row(U, OK, OK, OK, N, N, N, N)
API_STAFF = row(U, OK, OK, OK, F, F)
API_OWN_TASK_VIEW = row(U, OK, OK, OK, OK, N, N, N)
API_TASK_ACTION = row(U, OK, OK, OK, OK, N, N, N)
API_OWN_TASK_ACTION = row(U, N, N, N, OK, N)
API_REVIEW = row(U, N, OK, N, N, N)
API_SUBSCRIPTION_OF_OWN = row(U, N, N, N, OK, N)

# "METHOD rule" → expected answer per role.
MATRIX: dict[str, dict[str, str]] = {
    "GET /account/reminders": SIGNED_IN,
    "POST /account/reminders": SIGNED_IN,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": SIGNED_IN,
    "POST /logout/everywhere": SIGNED_IN,
    "GET /": SIGNED_IN,
    "GET /healthz": EVERYONE,
    "GET /readyz": EVERYONE,
    # administration
    "GET /admin/audit": ADMIN_ONLY,
    "GET /admin/organizations": ADMIN_ONLY,
    "GET /admin/organizations/new": ADMIN_ONLY,
    "POST /admin/organizations/new": ADMIN_ONLY,
    "GET /admin/organizations/<int:org_id>/edit": ADMIN_ONLY,
    "POST /admin/organizations/<int:org_id>/edit": ADMIN_ONLY,
    "POST /admin/organizations/<int:org_id>/deactivate": ADMIN_ONLY,
    "GET /admin/organizations/import": ADMIN_ONLY,
    "POST /admin/organizations/import": ADMIN_ONLY,
    "GET /admin/users": ADMIN_ONLY,
    "GET /admin/users/new": ADMIN_ONLY,
    "POST /admin/users/new": ADMIN_ONLY,
    "GET /admin/users/<int:user_id>/edit": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/edit": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/deactivate": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/sessions/end": ADMIN_ONLY,
    "POST /admin/users/locks/clear": ADMIN_ONLY,
    "POST /jobs/reminders/send": ADMIN_ONLY,
    # calendar subscriptions: the feed is public, its token is the credential
    "GET /feeds/": SIGNED_IN,
    "POST /feeds/new": SIGNED_IN,
    "POST /feeds/<int:subscription_id>/revoke": SUBSCRIPTION_OF_OWN,
    "GET /feeds/<token>.ics": EVERYONE,
    # background jobs: only their owner (and the admin) see them
    "GET /jobs/<job_id>": JOB_OF_COORDINATOR,
    "GET /jobs/<job_id>/progress": JOB_OF_COORDINATOR,
    "GET /jobs/<job_id>/download": JOB_OF_COORDINATOR,
    "POST /jobs/roadmaps/<int:roadmap_id>/generate": ROADMAP_WORK,
    # roadmaps
    "GET /roadmaps/": STAFF,
    "GET /roadmaps/example.<fmt>": SIGNED_IN,
    # One rule for roadmap work (tasks.access.can_manage_roadmap): an admin may not import what
    # it could not then set up, publish or delete.
    "GET /roadmaps/import": COORDINATOR_ONLY,
    "POST /roadmaps/import": COORDINATOR_ONLY,
    "GET /roadmaps/<int:roadmap_id>": STAFF_ROADMAP,
    "GET /roadmaps/<int:roadmap_id>/matrix": STAFF_ROADMAP,
    "GET /roadmaps/<int:roadmap_id>/review": STAFF_ROADMAP,
    "POST /roadmaps/<int:roadmap_id>/archive": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/delete": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/generate": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/publish": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/rollover": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/settings": ROADMAP_WORK,
    "GET /roadmaps/<int:roadmap_id>/reimport": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/reimport": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/reimport/<token>": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/dates": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/deadline": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/responsible": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/no-executor": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/no-tasks": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/measures/<int:measure_id>/target": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/parties/<int:party_id>/map": ROADMAP_WORK,
    # reports and exports (the executor's export asks for organization A explicitly)
    "GET /roadmaps/<int:roadmap_id>/report": STAFF_ROADMAP,
    "GET /roadmaps/<int:roadmap_id>/export.<fmt>": STAFF_ROADMAP,
    "GET /reports/my": EXECUTORS,
    # the region's summary: regional staff only (A's own staff are municipal: 403); a
    # municipality's dashboard within one's territory
    "GET /roadmaps/<int:roadmap_id>/municipalities": REGIONAL_STAFF_ROADMAP,
    "GET /roadmaps/<int:roadmap_id>/municipalities/download.<fmt>": REGIONAL_STAFF_ROADMAP,
    "GET /roadmaps/<int:roadmap_id>/municipalities/<int:municipality_id>": STAFF_ROADMAP,
    # the year-end analysis: the coordinator's own words and the order draft
    "GET /roadmaps/<int:roadmap_id>/report/conclusions": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/report/conclusions": ROADMAP_WORK,
    "GET /roadmaps/<int:roadmap_id>/report/order": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/report/order": ROADMAP_WORK,
    "POST /roadmaps/<int:roadmap_id>/predecessor": ROADMAP_WORK,
    "GET /reports/my.<fmt>": row(LOGIN, OK, OK, OK, OK, F, N, N),
    # tasks
    "GET /tasks": EXECUTORS,
    "GET /tasks/<int:task_id>": OWN_TASK_VIEW,
    "POST /tasks/<int:task_id>/submit": OWN_TASK_ACTION,
    "POST /tasks/<int:task_id>/not-applicable": OWN_TASK_ACTION,
    # the admin reaches the review view but the workflow refuses (tested below)
    "POST /tasks/<int:task_id>/review": row(LOGIN, OK, OK, F, F, F, N, F),
    "GET /review": COORDINATOR_OR_ADMIN,
    "POST /review": COORDINATOR_OR_ADMIN,
    "GET /attachments/<int:attachment_id>": OWN_TASK_VIEW,
    "GET /notices": SIGNED_IN,
    "POST /notices": SIGNED_IN,
    # dates for measures on the organization's own schedule; the coordinator decides last
    "GET /proposals/": SIGNED_IN,
    "POST /proposals/": row(LOGIN, F, OK, F, F, F),
    "GET /proposals/measure/<int:measure_id>": row(LOGIN, F, F, F, OK, N),
    "POST /proposals/measure/<int:measure_id>": row(LOGIN, F, F, F, OK, N),
    "GET /proposals/<int:proposal_id>": OWN_TASK_VIEW,
    "POST /proposals/<int:proposal_id>": row(LOGIN, F, OK, F, OK, N, N, N),
    # the cascade: a municipality's coordinator passes a regional measure on to its organizations
    "GET /cascade/": STAFF,
    "POST /cascade/measures/<int:measure_id>/fan-out": row(LOGIN, F, OK, F, F, F, N, F),
    "POST /cascade/measures/<int:measure_id>/link": row(LOGIN, F, OK, F, F, F, N, F),
    # undoing a municipal measure's link (here one of A's roadmap, not linked: A's coordinator is told so)
    "POST /cascade/linked/<int:measure_id>/unlink": row(LOGIN, F, OK, F, F, F, N, F),
    # the contingent: the school keeps its own; the coordinator (of its territory) and the administrator any
    "GET /contingent/": row(LOGIN, N, N, N, OK, OK),  # to one's own organization's page
    "GET /contingent/<int:org_id>": row(LOGIN, OK, OK, F, OK, N, N, F),
    "POST /contingent/<int:org_id>": row(LOGIN, OK, OK, F, OK, N, N, F),
    # API keys of one's own
    "GET /account/api-tokens": SIGNED_IN,
    "POST /account/api-tokens": SIGNED_IN,
    "POST /account/api-tokens/<int:token_id>/revoke": SUBSCRIPTION_OF_OWN,
    # the REST API (its document and reference are public: they hold no data)
    "GET /api/v1/openapi.json": EVERYONE,
    "GET /api/v1/docs": EVERYONE,
    "GET /api/v1/me": API_EVERYONE,
    "GET /api/v1/organizations": API_EVERYONE,  # an executor gets its own organization only
    "GET /api/v1/groups": API_STAFF,
    "GET /api/v1/roadmaps": API_EVERYONE,  # an executor gets an empty list
    "GET /api/v1/roadmaps/<int:roadmap_id>": API_STAFF_ROADMAP,
    "GET /api/v1/roadmaps/<int:roadmap_id>/sections": API_STAFF_ROADMAP,
    "GET /api/v1/roadmaps/<int:roadmap_id>/measures": API_STAFF_ROADMAP,
    "GET /api/v1/roadmaps/<int:roadmap_id>/figures": API_STAFF_ROADMAP,
    "GET /api/v1/roadmaps/<int:roadmap_id>/exports": API_STAFF_ROADMAP,
    "GET /api/v1/tasks": API_EVERYONE,  # each sees its own (tested in tests/api)
    "GET /api/v1/tasks/<int:task_id>": API_OWN_TASK_VIEW,
    "GET /api/v1/tasks/<int:task_id>/history": API_OWN_TASK_VIEW,
    # staff see the task but the workflow refuses them (422); the other school does not see it
    "POST /api/v1/tasks/<int:task_id>/report": API_TASK_ACTION,
    "POST /api/v1/tasks/<int:task_id>/not-applicable": API_TASK_ACTION,
    "POST /api/v1/tasks/<int:task_id>/review": API_TASK_ACTION,
    "POST /api/v1/review": row(U, F, OK, F, F, F),
    # calendar subscriptions: each user lists and creates its own; somebody else's is missing
    "GET /api/v1/subscriptions": API_EVERYONE,
    "POST /api/v1/subscriptions": API_EVERYONE,
    "GET /api/v1/subscriptions/<int:subscription_id>": API_SUBSCRIPTION_OF_OWN,
    "DELETE /api/v1/subscriptions/<int:subscription_id>": API_SUBSCRIPTION_OF_OWN,
    # targets: read by whoever sees the roadmap (here a draft: not the observer), set by its coordinator
    "GET /api/v1/roadmaps/<int:roadmap_id>/targets": API_STAFF_ROADMAP,
    "GET /api/v1/roadmaps/<int:roadmap_id>/measures/<int:measure_id>/targets": row(U, OK, OK, N, N, N, N, N),
    "PUT /api/v1/roadmaps/<int:roadmap_id>/measures/<int:measure_id>/targets": row(U, F, OK, N, N, N, N, N),
    # the contingent: the page's rule (own school, the coordinator of its territory, the administrator)
    "GET /api/v1/organizations/<int:org_id>/contingent": row(U, OK, OK, F, OK, N, N, F),
    "PUT /api/v1/organizations/<int:org_id>/contingent": row(U, OK, OK, F, OK, N, N, F),
}

# Routes whose <roadmap_id> is not the published roadmap: edits go to the draft (no task
# regeneration between checks), the archive button to a roadmap of its own.
DRAFT_ROUTES = ("/measures/", "/parties/")


def route_keys(app) -> list[tuple[str, object]]:
    keys = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys.append((f"{method} {rule.rule}", rule))
    return sorted(keys, key=lambda item: item[0])


def url_for_rule(rule, world) -> str:
    values = {
        "task_id": world.task_a.id,
        "attachment_id": world.attachment_a.id,
        "roadmap_id": world.published.id,
        "measure_id": world.measure_draft.id,
        "party_id": world.party_draft.id,
        "org_id": world.org_c.id,
        "user_id": world.spare_user.id,
        "subscription_id": world.subscription_revocable.id,
        "job_id": world.job_id,
        "proposal_id": world.proposal_a.id,
        "municipality_id": world.here.id,
        "token_id": world.api_token_revocable.id,
        "fmt": "csv" if "export" in rule.endpoint else "xlsx",  # the cheapest formats
        "token": "0" * 32,
    }
    if any(part in rule.rule for part in DRAFT_ROUTES):
        values["roadmap_id"] = world.draft.id
    if rule.rule.endswith("/archive"):
        values["roadmap_id"] = world.archivable.id
    if rule.endpoint.startswith(("contingent.", "api_contingent.")):
        values["org_id"] = world.org_a.id  # the own school's page
    if rule.endpoint.startswith("cascade."):
        values["measure_id"] = world.regional_measure.id
    if rule.endpoint == "cascade.unlink":
        values["measure_id"] = world.measure_manual.id
    if rule.endpoint == "proposals.measure":
        values["measure_id"] = world.measure_manual.id
    if rule.endpoint == "feeds.feed":
        values["token"] = world.feed_token
    if rule.endpoint == "api_subscriptions.subscription_detail":
        values["subscription_id"] = world.ids["subscription_live"]
    if rule.endpoint == "api_subscriptions.subscription_revoke":
        values["subscription_id"] = world.ids["subscription_api_revocable"]
    path = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name]
        placeholder = f"<{name}>"
        for candidate in (placeholder, f"<{type(converter).__name__.replace('Converter', '').lower()}:{name}>"):
            path = path.replace(candidate, str(values[name]))
        path = path.replace(f"<int:{name}>", str(values[name])).replace(f"<path:{name}>", str(values[name]))
    assert "<" not in path, f"no value for a parameter of {rule.rule}"
    if rule.endpoint == "reports.my_export":
        path += f"?roadmap={world.published.id}&org={world.org_a.id}"
    return path


def classify(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and urlsplit(location).path == "/login" and "next=" in location:
        return LOGIN
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    if response.status_code < 400 or response.status_code in (400, 409, 422):
        return OK
    return f"unexpected {response.status_code}"


def test_every_route_has_an_entry(app):
    keys = {key for key, _rule in route_keys(app)}
    missing = sorted(keys - MATRIX.keys())
    assert not missing, f"routes without an expected answer per role in MATRIX: {missing}"
    stale = sorted(MATRIX.keys() - keys)
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"


def test_authorization_matrix(app, world):
    failures = []
    for key, rule in route_keys(app):
        method = key.split(" ", 1)[0]
        path = url_for_rule(rule, world)
        for role in ROLES:
            if path.startswith("/api/v1/") and MATRIX[key]["anonymous"] == U:
                client = login_as(app, None)
                token = world.api_tokens.get(role)
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = client.open(path, method=method, json={}, headers=headers)
            else:
                client = login_as(app, world.users.get(role))
                response = client.open(path, method=method, data={})
            got = classify(response)
            response.close()  # file responses (attachments, exports) hold an open file until closed
            expected = MATRIX[key][role]
            if got != expected:
                failures.append(f"{key} as {role}: expected {expected}, got {got} ({response.status_code})")
    assert not failures, "\n".join(failures)


def test_executor_of_another_org_reaches_nothing_by_guessing_ids(app, world):
    """Every task, attachment and subscription id that is not B's answers 404, like a missing one."""
    client = login_as(app, world.users["executor_other"])
    org_b = world.org_b.id
    foreign_tasks = db.session.scalars(select(Task.id).where(Task.organization_id != org_b)).all()
    foreign_files = db.session.scalars(
        select(Attachment.id).join(Report).join(Task).where(Task.organization_id != org_b)
    ).all()
    top = max(foreign_tasks + foreign_files + [0])
    assert foreign_tasks and foreign_files
    for task_id in [*foreign_tasks, top + 1, top + 1000, 0]:
        assert client.get(f"/tasks/{task_id}").status_code == 404, task_id
        for action in ("submit", "not-applicable"):
            answer = client.post(f"/tasks/{task_id}/{action}", data={"comment": "x", "reason": "x"})
            assert answer.status_code == 404, (task_id, action)
    for attachment_id in [*foreign_files, top + 1]:
        assert client.get(f"/attachments/{attachment_id}").status_code == 404, attachment_id
    api = {"Authorization": f"Bearer {world.api_tokens['executor_other']}"}
    for subscription_id in db.session.scalars(select(Subscription.id)).all():
        assert client.post(f"/feeds/{subscription_id}/revoke").status_code == 404
        assert client.get(f"/api/v1/subscriptions/{subscription_id}", headers=api).status_code == 404
        assert client.delete(f"/api/v1/subscriptions/{subscription_id}", headers=api).status_code == 404
    assert db.session.scalar(select(db.func.count(Subscription.id)).where(Subscription.revoked_at.is_not(None))) == 0
    assert client.get(f"/jobs/{world.job_id}/download").status_code == 404
    # Nothing changed on A's task while B knocked.
    db.session.refresh(world.task_a)
    assert world.task_a.status.value == "submitted"
    assert db.session.scalar(select(Report.id).where(Report.author_id == world.users["executor_other"].id)) is None


def test_executor_sees_only_own_tasks_in_lists(app, world):
    body = login_as(app, world.users["executor_other"]).get("/tasks").get_data(as_text=True)
    assert f"/tasks/{world.task_b.id}" in body
    assert f"/tasks/{world.task_a.id}" not in body
    assert "Классные часы" not in body  # A's measure


def test_executor_cannot_subscribe_to_another_organization(app, world):
    client = login_as(app, world.users["executor_other"])
    before = db.session.scalar(select(Subscription.id).order_by(Subscription.id.desc()))
    response = client.post(
        "/feeds/new",
        data={"name": "Чужая", "kind": "organization", "organization_id": world.org_a.id, "statuses": ["planned"]},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Subscription.id).order_by(Subscription.id.desc())) == before


def test_guessed_feed_tokens_are_unknown(app, world):
    client = app.test_client()
    for guess in (f"{world.feed_token}x", world.feed_token[:-1], "0" * 43, "", "a" * 500, "%00", "..%2F..%2Fetc"):
        assert client.get(f"/feeds/{guess}.ics").status_code == 404, guess


def test_revoked_feed_token_stops_working(app, world):
    client = app.test_client()
    assert client.get(f"/feeds/{world.feed_token}.ics").status_code == 200
    owner = login_as(app, world.users["executor_own"])
    subscription = db.session.scalar(select(Subscription).where(Subscription.name == "Телефон"))
    assert owner.post(f"/feeds/{subscription.id}/revoke").status_code == 302
    assert client.get(f"/feeds/{world.feed_token}.ics").status_code == 404


def test_observer_does_not_see_drafts(app, world):
    client = login_as(app, world.users["observer"])
    for suffix in ("", "/review", "/matrix"):
        assert client.get(f"/roadmaps/{world.draft.id}{suffix}").status_code == 404, suffix
    assert "Черновик" not in client.get("/roadmaps/").get_data(as_text=True)


def test_admin_and_observer_cannot_accept_reports(app, world):
    for role in ("admin", "observer"):
        client = login_as(app, world.users[role])
        client.post(f"/tasks/{world.task_a.id}/review", data={"accept": "Принять"})
        client.post("/review", data={"accept": "Принять", "task": [str(world.task_a.id)]})
        db.session.refresh(world.task_a)
        assert world.task_a.status.value == "submitted", role


def test_post_routes_refuse_requests_without_csrf_token(migrated, instance_dir, app):
    from roadmap import create_app
    from tests.conftest import make_config

    csrf_app = create_app(make_config(instance_dir, migrated, WTF_CSRF_ENABLED=True))
    client = csrf_app.test_client()
    posts = [rule for key, rule in route_keys(csrf_app) if key.startswith("POST ")]
    assert len(posts) > 20
    for rule in posts:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "0" * 32)
        response = client.post(path, data={"comment": "x"})
        if path.startswith("/api/v1/"):
            # The API takes no cookie: its key is the credential, so there is no CSRF token to ask for.
            assert response.status_code == 401, (rule.rule, response.status_code)
            continue
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "Форма устарела" in response.get_data(as_text=True), rule.rule


def test_csrf_token_from_the_form_is_accepted(migrated, instance_dir, app):
    import re

    from roadmap import create_app
    from tests.conftest import make_config

    csrf_app = create_app(make_config(instance_dir, migrated, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False))
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login": "nobody-here", "password": "wrong-pass1", "csrf_token": token})
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.get_data(as_text=True)


# Calendar feeds per role: who may subscribe (through the page and the API) to organization A's
# calendar and to A's roadmap, and a check that every feed a role gets holds only tasks the role
# may open (per-task feeds) or roadmaps it may open (aggregated ones). True: created; False: refused.
FEED_MATRIX = {
    # role: (personal, organization A, roadmap of A)
    "admin": (True, True, True),
    "coordinator": (True, True, True),
    "observer": (True, True, True),
    "executor_own": (True, True, True),
    "executor_other": (True, False, True),
    "coordinator_b": (True, False, False),
    "observer_b": (True, False, False),
}


def test_feed_subscriptions_per_role_and_what_their_feeds_hold(app, world, make_roadmap):
    import icalendar

    from roadmap.tasks.access import can_view_roadmap, can_view_task

    # Something of the region too: a regional roadmap with A's tasks (A's municipal staff may
    # not open it) — the organization feed is where it could leak.
    regional = make_roadmap(
        [("1.1", "Краевое мероприятие", "в течение года", [world.org_a, world.org_b])],
        period=(world.published.period_start, world.published.period_end),
        title="Краевая карта",
    )
    db.session.commit()
    assert set(FEED_MATRIX) == set(ROLES) - {"anonymous"}
    targets = (
        ("personal", {}),
        ("organization", {"organization_id": world.org_a.id}),
        ("roadmap", {"roadmap_id": world.published.id}),
    )
    failures = []
    for role, allowed in FEED_MATRIX.items():
        user = world.users[role]
        page, api = login_as(app, user), app.test_client()
        headers = {"Authorization": f"Bearer {world.api_tokens[role]}"}
        for (kind, target), expected in zip(targets, allowed, strict=True):
            form = {
                "name": f"{role} {kind}",
                "kind": kind,
                "statuses": ["planned", "submitted", "returned", "accepted"],
            }
            answer = page.post("/feeds/new", data={**form, "view": "due", **target})
            # The page offers an executor no organization calendar (the API takes their own).
            offered = expected and not (role.startswith("executor") and kind == "organization")
            if (answer.status_code == 200) != offered:
                failures.append(f"page {role} {kind}: expected {offered}, got {answer.status_code}")
            created = api.post(
                "/api/v1/subscriptions",
                json={
                    "name": f"{role} {kind} API",
                    "kind": kind,
                    "statuses": ["planned", "submitted", "accepted"],
                    **target,
                },
                headers=headers,
            )
            if (created.status_code == 201) != expected:
                failures.append(f"API {role} {kind}: expected {expected}, got {created.status_code}")
            if created.status_code != 201:
                continue
            feed = api.get(urlsplit(created.get_json()["feed"]["https"]).path + "?status=all")
            events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
            for event in events:
                uid = str(event["UID"]).split("@")[0]
                if uid.startswith("task-"):
                    task = db.session.get(Task, int(uid.removeprefix("task-")))
                    if not can_view_task(user, task):
                        failures.append(f"{role} {kind}: task {task.id} of «{task.roadmap.title}» leaked")
                else:
                    roadmap_id = int(urlsplit(str(event["URL"])).path.rsplit("/", 1)[1])
                    if not can_view_roadmap(user, db.session.get(type(regional), roadmap_id)):
                        failures.append(f"{role} {kind}: roadmap {roadmap_id} leaked")
    assert not failures, "\n".join(failures)
