"""Configuration from the environment.

Every setting lives here, read once by create_app; docs/deploy.md lists them for operators.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from roadmap.clock import DEFAULT_TIMEZONE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A setting that cannot work; the message (Russian) names the variable to fix."""


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} должен быть целым числом, а не «{value}»") from None


def _alarm_time(value: str):
    from roadmap.feeds.options import OptionsError, parse_alarm_time

    try:
        return parse_alarm_time(value, "FEED_ALARM_TIME")
    except OptionsError:
        raise ConfigError(f"FEED_ALARM_TIME: ожидалось время ЧЧ:ММ, например 09:00, а не «{value}»") from None


def _database_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigError(
            "DATABASE_URL не разобран: нужен вид postgresql://пользователь:пароль@сервер:5432/база "
            "или sqlite:////путь/к/файлу.sqlite3"
        ) from None
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DATABASE_URL: база {backend} не поддерживается, только PostgreSQL и SQLite")
    return url


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY не задан, а в production (ROADMAP_ENV=production) он обязателен")
    # Development: a key generated once and kept under instance/, so sessions survive restarts.
    key_file = instance_path / "secret_key"
    try:
        if key_file.exists():
            return key_file.read_text().strip()
        instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key)
        key_file.chmod(0o600)
    except OSError as exc:
        raise ConfigError(
            f"не удалось прочитать или создать {key_file} ({exc.strerror}): задайте SECRET_KEY "
            "или ROADMAP_INSTANCE с правом записи"
        ) from None
    return key


class Config:
    """Settings for a running instance, taken from the environment."""

    def __init__(self, instance_path: Path | None = None) -> None:
        self.INSTANCE_PATH = Path(os.environ.get("ROADMAP_INSTANCE", instance_path or DEFAULT_INSTANCE))
        production = os.environ.get("ROADMAP_ENV", "development") == "production"
        self.PRODUCTION = production
        self.SECRET_KEY = _secret_key(self.INSTANCE_PATH, production)
        self.SQLALCHEMY_DATABASE_URI = _database_url(
            normalize_database_url(
                os.environ.get("DATABASE_URL") or f"sqlite:///{self.INSTANCE_PATH / 'roadmap.sqlite3'}"
            )
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # SQLite: how long a writer waits for another one before «database is locked» (then the
        # request is run again: roadmap.web.retry).
        self.SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 10_000)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
            os.environ.get("REDIS_URL") or "locked-memory://"
        )
        self.RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute")
        # Redis down must not lock everybody out: count in memory meanwhile (a logged warning),
        # and give up on a silent Redis within a second instead of hanging every login.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        # Per account, from any address: failures allowed in the window, then a doubling lock.
        self.LOGIN_FAILURES_PER_ACCOUNT = _int("LOGIN_FAILURES_PER_ACCOUNT", 10)
        self.LOGIN_FAILURE_WINDOW_MINUTES = _int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
        self.LOGIN_LOCK_MAX_HOURS = _int("LOGIN_LOCK_MAX_HOURS", 24)
        self.REDIS_URL = os.environ.get("REDIS_URL")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", production)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Also the longest life of any session token (roadmap.accounts.sessions).
        self.REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 30))
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https" if production else "http")
        self.SERVER_NAME = os.environ.get("SERVER_NAME")
        # A report of more tasks than this is exported by a background job with progress
        # (roadmap.reports.service.exports_in_background).
        self.EXPORT_BACKGROUND_TASKS = _int("EXPORT_BACKGROUND_TASKS", 20_000)
        self.MAX_UPLOAD_MB = _int("MAX_UPLOAD_MB", 10)
        self.MAX_CONTENT_LENGTH = (self.MAX_UPLOAD_MB + 1) * 1024 * 1024
        self.UPLOAD_FOLDER = Path(os.environ.get("UPLOAD_FOLDER", self.INSTANCE_PATH / "uploads"))
        self.TIMEZONE = os.environ.get("ROADMAP_TIMEZONE", DEFAULT_TIMEZONE)
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "roadmap@localhost")
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
        self.MAIL_EHLO_NAME = os.environ.get("MAIL_EHLO_NAME")
        self.BASE_URL = os.environ.get("BASE_URL")
        # Calendar feeds (roadmap.feeds.site): their links' base URL and their UIDs' host; the
        # hour reminders ring at unless a subscription sets its own.
        self.FEED_BASE_URL = os.environ.get("FEED_BASE_URL")
        self.FEED_UID_HOST = os.environ.get("FEED_UID_HOST")
        self.FEED_ALARM_TIME = _alarm_time(os.environ.get("FEED_ALARM_TIME", "09:00"))
        # Where rendered feed bodies go in Redis (roadmap.feeds.shared): installations sharing
        # one Redis database need different prefixes, or one would serve the other's bodies.
        self.FEED_CACHE_PREFIX = os.environ.get("FEED_CACHE_PREFIX") or "roadmap:feed:"
        # The same for the report's chart pictures (roadmap.reports.pictures); CHART_SHARED_CACHE=0
        # keeps each process drawing its own.
        self.CHART_CACHE_PREFIX = os.environ.get("CHART_CACHE_PREFIX") or "roadmap:chart:"
        self.CHART_SHARED_CACHE = _bool("CHART_SHARED_CACHE", True)
        self.REMINDERS_WEEKLY_WEEKDAY = _int("REMINDERS_WEEKLY_WEEKDAY", 0)
        self.JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "roadmap")
        self.JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 1800)
        self.JOBS_INLINE = _bool("JOBS_INLINE", False)
        self.PROXY_FIX = os.environ.get("PROXY_FIX", "0")
        self.LOG_JSON = _bool("LOG_JSON", production)
        self.WTF_CSRF_TIME_LIMIT = None
        self.TESTING = False


def normalize_database_url(url: str) -> str:
    """Let operators write postgresql:// and still get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
