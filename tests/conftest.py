"""Test fixtures: an app on SQLite (or TEST_DATABASE_URL), migrated once per session, with each
test isolated by a rolled-back outer transaction (Warehouse's db_session pattern)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask import g
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from roadmap import create_app
from roadmap.config import Config, normalize_database_url
from roadmap.extensions import db

# Property tests explore new random inputs on every developer run; CI (.ci/run sets
# HYPOTHESIS_PROFILE=ci) replays a fixed sequence, so that a submission's verdict does not
# depend on luck. What developers find is fixed and pinned with @example. Neither profile has a
# deadline: a loaded machine made an example "too slow" where nothing was wrong, and speed is the
# bench's business, not a test's.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", **UNTIMED)
settings.register_profile("ci", derandomize=True, print_blob=True, **UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# Tests that take a minute or more (the --durations of a full run), longest first. They are collected
# first and pytest-xdist's scheduler deals them out one per worker in turn (LongTestsFirst below):
# left in place, tests/web's 3000-measure review (collected last) kept one worker busy long after
# the others had finished, and dealt out in xdist's usual consecutive chunks they would all land
# on the first worker. Whole modules where their tests share module or session fixtures.
LONG_TESTS_FIRST = (
    "tests/bench/test_harness.py::",
    "tests/web/test_plans_web.py::test_the_review_page_of_3000_measures",
    "tests/reports/test_one_truth.py::test_every_surface_tells_the_same_story",
    "tests/api/test_schemathesis.py::",
    "tests/browser/test_accessibility.py::test_every_page_has_no_serious_axe_violation",
    "tests/security/test_authorization_matrix.py::test_authorization_matrix",
)


def _long_rank(nodeid: str) -> int:
    return next((i for i, prefix in enumerate(LONG_TESTS_FIRST) if nodeid.startswith(prefix)), len(LONG_TESTS_FIRST))


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: _long_rank(item.nodeid))  # stable: every other test keeps its place


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScheduling

    class LongTestsFirst(LoadScheduling):
        """xdist's load scheduling, except that the long tests at the head of the collection are dealt
        one per worker in turn before the usual chunks of consecutive tests."""

        def schedule(self) -> None:
            self._deal_first = self.collection is None
            super().schedule()

        def _send_tests(self, node, num: int) -> None:
            if self._deal_first:
                self._deal_first = False
                nodes = list(self.nodes)
                dealt = 0
                while self.pending and _long_rank(self.collection[self.pending[0]]) < len(LONG_TESTS_FIRST):
                    super()._send_tests(nodes[dealt % len(nodes)], 1)
                    dealt += 1
            super()._send_tests(node, num)

    return LongTestsFirst(config, log)


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalize_database_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = _worker_database(url, worker)
        # Tests that need a fresh database of their own read TEST_DATABASE_URL: point it at ours.
        os.environ["TEST_DATABASE_URL"] = url
        return url
    return f"sqlite:///{tmp_root / 'test.sqlite3'}"


def _worker_database(url: str, worker: str) -> str:
    """Parallel workers each get their own PostgreSQL database, created next to the given one."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_database(url: str) -> None:
    """Drop everything so that migrations start from an empty database."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_config(instance: Path, url: str, **overrides) -> dict:
    values = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "locked-memory://",
        "SERVER_NAME": "roadmap.test",
        "UPLOAD_FOLDER": instance / "uploads",
        "INSTANCE_PATH": instance,
    }
    values.update(overrides)
    return values


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(instance_dir) -> str:
    url = _database_url(instance_dir)
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def migrated(database_url, instance_dir):
    os.environ.setdefault("SECRET_KEY", "test-secret")
    app = create_app(make_config(instance_dir, database_url))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _forget_user() -> None:
    # The test keeps one app context for all its requests, so flask.g (where Flask-Login caches
    # the current user) would outlive a request: each request must load its own user.
    g.pop("_login_user", None)


def _test_app(instance_dir: Path, url: str):
    app = create_app(make_config(instance_dir, url))
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_user)
    return app


@pytest.fixture(scope="session")
def shared_app(migrated, instance_dir):
    """One app per worker for the tests: building one costs a few hundred milliseconds (URL rules,
    the OpenAPI document), which over two thousand tests was most of the suite's time. The `app`
    fixture restores its config and drops what a test cached on it, so tests stay independent."""
    return _test_app(instance_dir, migrated)


@pytest.fixture
def app(request, migrated, instance_dir, shared_app):
    """An app whose session runs inside a transaction rolled back after the test.

    Tests marked `fresh_app` (they add routes, which Flask refuses once an app has served a request)
    get an app of their own."""
    from roadmap.extensions import limiter

    app = _test_app(instance_dir, migrated) if request.node.get_closest_marker("fresh_app") else shared_app
    saved_config = dict(app.config)
    saved_extensions = set(app.extensions)
    limiter.init_app(app)  # a fresh in-memory store: one test's logins do not count against the next
    try:
        yield from _isolated(app)
    finally:
        app.config.clear()
        app.config.update(saved_config)
        for name in set(app.extensions) - saved_extensions:
            del app.extensions[name]  # per-app caches built during the test (built feeds, Redis client)


def _check_tallies(connection) -> None:
    """Every write a test made kept the occurrence tallies in step with the tasks."""
    from roadmap.models.task import tally_drift

    if connection.closed or not connection.in_transaction():
        return
    stale, missing = tally_drift(connection)
    assert not stale and not missing, f"occurrence tallies out of step: kept {stale[:3]}, recounted {missing[:3]}"


def _isolated(app):
    with app.app_context():
        connection = db.engine.connect()
        if connection.dialect.name == "sqlite":
            # pysqlite starts transactions lazily, so the outermost SAVEPOINT would really commit:
            # open a real transaction by hand for the rolled-back test isolation.
            connection.connection.driver_connection.isolation_level = None
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        original_session = db.session
        # A plain Session: Flask-SQLAlchemy's own get_bind() would ignore the connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield app
            _check_tallies(connection)
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app):
    from roadmap.models import Organization, OrgKind

    def create(**overrides):
        values = {
            "full_name": f"Организация {uuid.uuid4().hex[:8]}",
            "kind": OrgKind.SCHOOL,
            "municipality": "г. Тестовый",
            "is_active": True,
        }
        values.update(overrides)
        values.setdefault("short_name", values["full_name"][:200])
        if isinstance(values["municipality"], str):  # a name: the municipality of that name
            from roadmap.directory.territory import municipality_named

            values["municipality"] = municipality_named(values["municipality"])
        org = Organization(**values)
        db.session.add(org)
        db.session.flush()
        return org

    return create


@pytest.fixture
def make_user(make_org):
    from roadmap.accounts.service import create_user
    from roadmap.models import Role

    def create(role=Role.EXECUTOR, organization=None, password="secret123", **overrides):
        if organization is None and role == Role.EXECUTOR:
            organization = make_org()
        login = overrides.pop("login", f"user{uuid.uuid4().hex[:8]}")
        user = create_user(
            login=login,
            full_name=overrides.pop("full_name", login),
            password=password,
            role=role,
            organization=organization,
            **overrides,
        )
        db.session.flush()
        return user

    return create


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = "secret123"):
        return self.client.post("/login", data={"login": login, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def demo(app):
    from roadmap.demo import load_demo

    accounts = load_demo()
    db.session.flush()
    return accounts


@pytest.fixture(scope="session")
def config_cls():
    return Config


@pytest.fixture
def make_roadmap(make_org, make_user):
    """Create a roadmap from compact measure rows and (by default) publish it, generating tasks.

    rows: (number, title, deadline text, responsible organizations/groups); responsible items are
    Organization or OrgGroup objects. Returns the Roadmap.
    """
    from datetime import date

    from roadmap.models import Measure, MeasureParty, OrgGroup, Roadmap, RoadmapStatus, Section
    from roadmap.plans.service import apply_deadline
    from roadmap.tasks.service import generate_tasks

    def create(
        rows,
        *,
        period=(date(2023, 1, 1), date(2023, 12, 31)),
        year_type="calendar",
        publish=True,
        owner=None,
        title="Тестовая дорожная карта на 2023 г.",
        shift="next",
        municipality=None,
    ):
        roadmap = Roadmap(
            municipality=municipality,
            title=title,
            period_start=period[0],
            period_end=period[1],
            year_type=year_type,
            shift_rule=shift,
            status=RoadmapStatus.DRAFT,
            owner_organization_id=owner.id if owner else None,
        )
        db.session.add(roadmap)
        sections = {}
        for position, (number, measure_title, deadline, responsible) in enumerate(rows):
            section_number = number.split(".")[0]
            if section_number not in sections:
                sections[section_number] = Section(
                    number=section_number, title=f"Раздел {section_number}", position=len(sections)
                )
                roadmap.sections.append(sections[section_number])
            measure = Measure(number=number, title=measure_title, position=position, responsible_text="")
            roadmap.measures.append(measure)
            measure.section = sections[section_number]
            apply_deadline(measure, deadline)
            names = []
            for index, party in enumerate(responsible):
                if isinstance(party, OrgGroup):
                    measure.parties.append(MeasureParty(position=index, text=party.name, group_id=party.id))
                    names.append(party.name)
                else:
                    measure.parties.append(
                        MeasureParty(position=index, text=party.short_name, organization_id=party.id)
                    )
                    names.append(party.short_name)
            measure.responsible_text = ", ".join(names)
        db.session.flush()
        if publish:
            roadmap.status = RoadmapStatus.PUBLISHED
            generate_tasks(roadmap)
            db.session.flush()
        return roadmap

    return create


def fresh_database_url(tmp_path: Path) -> str:
    """Where a test that migrates by hand works: TEST_DATABASE_URL's database on PostgreSQL (the
    worker's own, which `database_at` puts back at head afterwards), else a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    return normalize_database_url(url) if url else f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def database_revision(connection) -> str:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@pytest.fixture
def database_at(tmp_path, migrated):
    """`database_at("0011")`: an app context on an empty database migrated up to that revision, for
    a migration test to fill rows the old way, then upgrade and downgrade around them. The shared
    PostgreSQL database is reset and migrated to head afterwards, for the tests that follow."""
    from flask_migrate import upgrade

    url = fresh_database_url(tmp_path)
    contexts = []

    def open_at(revision: str):
        reset_database(url)
        app = create_app(make_config(tmp_path, url))
        context = app.app_context()
        context.push()
        contexts.append(context)
        upgrade(revision=revision)
        return app

    yield open_at
    for context in reversed(contexts):
        db.session.remove()
        db.engine.dispose()
        if url.startswith("postgresql"):
            reset_database(url)
            upgrade()
            db.engine.dispose()
        context.pop()


def migration_revisions(file_suffix: str) -> tuple[str, str]:
    """(revision, down revision) of the migration whose file ends with `file_suffix`, read from the
    script directory: tests name a migration by what it does, so renumbering one changes no test."""
    from alembic.script import ScriptDirectory

    from roadmap.config import PROJECT_ROOT

    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    found = [r for r in script.walk_revisions() if r.module.__file__.endswith(file_suffix)]
    assert len(found) == 1, f"{len(found)} migrations end with {file_suffix}"
    return found[0].revision, found[0].down_revision


@pytest.fixture
def committed_app(tmp_path, migrated):
    """An app on a database of its own, migrated and empty, whose sessions really commit."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalize_database_url(url)
    else:
        url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    from flask_migrate import upgrade

    reset_database(url)
    app = create_app(make_config(tmp_path, url, RATELIMIT_ENABLED=False))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        # Leave the shared PostgreSQL database migrated for the rest of the session.
        reset_database(url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
