"""Flask extensions, created unbound and bound in create_app."""

import threading

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage

from roadmap.models.base import Base


class LockedMemoryStorage(MemoryStorage):
    """limits' in-memory storage (``memory://``) whose expiry timer is restarted under a lock.

    Every counted request may restart the storage's expiry Timer; two request threads doing so
    at once can start the same Timer twice, which raises inside ``threading`` (a KeyError in the
    new thread). A threaded server without Redis (gunicorn's gthread, the tests' live servers)
    then loses its expiry thread now and then. ``locked-memory://`` is the default without Redis.
    """

    STORAGE_SCHEME = ["locked-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the name limits calls
        with self._timer_lock:
            MemoryStorage._MemoryStorage__schedule_expiry(self)  # type: ignore[attr-defined]


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def cache_client(url: str):
    """A Redis client for a shared cache: short timeouts, as a cache that is down must never hold
    a request up (its users fall back to working alone)."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def shared_store(app, name: str, *, switch: str, prefix_setting: str, default_prefix: str, make):
    """The store every worker and machine shares through the Redis of REDIS_URL, kept on the app
    under ``name``: ``make(url, prefix)``, the prefix from ``prefix_setting`` (else
    ``default_prefix``); None without REDIS_URL or with the ``switch`` setting off."""
    if name not in app.extensions:
        url = app.config.get("REDIS_URL")
        store = None
        if url and app.config.get(switch, True):
            store = make(url, app.config.get(prefix_setting) or default_prefix)
        app.extensions.setdefault(name, store)
    return app.extensions[name]
