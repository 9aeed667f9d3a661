"""Fixtures for the production stack: Redis, fresh migrated databases, subprocesses."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from roadmap import create_app
from roadmap.config import normalize_database_url
from roadmap.extensions import db
from tests.conftest import make_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- Redis


def redis_or_skip(url: str = REDIS_URL):
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        client.close()
        pytest.skip(f"Redis is not reachable at {url} ({exc}); CI runs these tests with Redis")
    return client


@pytest.fixture
def redis_client():
    client = redis_or_skip()
    yield client
    client.close()


# ---------------------------------------------------------------- fresh databases


@contextlib.contextmanager
def fresh_database(tmp_path: Path, name: str) -> Iterator[str]:
    """An empty database committed work can go to: a SQLite file, or on PostgreSQL (when
    TEST_DATABASE_URL is set) a database of its own, dropped afterwards. Other processes
    (workers, gunicorn) see what the test commits, unlike the rolled-back `app` fixture."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    url = make_url(normalize_database_url(base))
    database = f"roadmap_{name}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def migrated_app(tmp_path: Path, url: str, **overrides):
    """An app on `url`, upgraded to the newest migration."""
    from flask_migrate import upgrade

    app = create_app(make_config(tmp_path, url, **overrides))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


@pytest.fixture(scope="module")
def stack_db(tmp_path_factory) -> Iterator[str]:
    """One fresh migrated database shared by the slower stack tests of a module."""
    tmp = tmp_path_factory.mktemp("stack")
    with fresh_database(tmp, "stack") as url:
        migrated_app(tmp, url)
        yield url


def subprocess_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REDIS_", "RATELIMIT_", "MAIL_", "GUNICORN_", "PROXY_FIX", "ROADMAP_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "ROADMAP_INSTANCE": str(instance),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env
