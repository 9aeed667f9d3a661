"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value comes from the environment (docs/deploy.md lists them) with a safe default.
"""

import json
import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


def _bool(name, default):
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


# Listen on loopback only: nginx in front terminates HTTPS. A unix socket also works:
# GUNICORN_BIND=unix:/run/roadmap/gunicorn.sock
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# An import of a large roadmap may take a while; anything longer belongs in a background job.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that a slow leak never grows into an outage.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Load the app once in the master: faster forks, less memory, and a broken configuration
# fails at start instead of in every worker. See post_fork for the database pool.
preload_app = _bool("GUNICORN_PRELOAD", True)

# Only these proxies may tell gunicorn the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The runtime control socket is per host user: two instances would fight over it.
control_socket_disable = not _bool("GUNICORN_CONTROL_SOCKET", False)

# Heartbeat files in memory rather than on a possibly slow disk (as in containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs to stderr, for journald or the container runtime; access log as JSON lines.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "remote": "%({x-real-ip}i)s",
        "peer": "%(h)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "referer": "%(f)s",
        "agent": "%(a)s",
        "request_id": "%({x-request-id}i)s",
    }
)

proc_name = os.environ.get("GUNICORN_PROC_NAME", "roadmap")


def post_fork(server, worker):
    """A worker must not reuse database connections opened in the master before the fork."""
    try:
        from roadmap.extensions import db

        app = server.app.wsgi()
        with app.app_context():
            db.engine.dispose(close=False)
    except Exception:  # never let a failing cleanup keep a worker from starting
        server.log.exception("post_fork: could not reset the database pool")


def when_ready(server):
    """With the app preloaded, warm up in the master before the workers fork: one chart drawn
    (matplotlib's import and font cache, seconds, paid once at start, not by the first report),
    and the rows of the aggregated feeds used last grouped (roadmap.feeds.warm: a region's
    coordinator feed then groups only what changed since, in every worker, from its first render)."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    try:
        from roadmap.reports.charts import warm_up

        with app.app_context():
            warm_up()
    except Exception:  # a report without a warm renderer is slower, not broken
        server.log.exception("when_ready: could not warm up the chart renderer")
    try:
        from roadmap.feeds.warm import warm_up as warm_up_feeds

        with app.app_context():
            server.log.info("when_ready: %d aggregated feeds grouped", warm_up_feeds())
    except Exception:  # a feed not warmed up is grouped whole on its first render, not broken
        server.log.exception("when_ready: could not warm up the aggregated feeds")
