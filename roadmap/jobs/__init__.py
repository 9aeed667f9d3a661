"""Background jobs: run inline by default, through an RQ queue on Redis when REDIS_URL is set.

    job_id = enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", roadmap.id, user_id=current_user.id)
    status = job_status(job_id)      # JobStatus or None; /jobs/<id> serves it as JSON

A job function is any function under the `roadmap` package, called with JSON-like arguments
inside an application context; it may call `report_progress(percent, message)` and return a
small dict (shown on the progress page: "message", "url"). `JobError` carries a Russian
message for the user; any other exception is logged and shown as an internal error.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "roadmap"
DEFAULT_TIMEOUT = 3600
# Statuses of finished jobs stay in Redis this long (seconds): enough to look at the result.
RESULT_TTL = 24 * 3600
ALLOWED_PREFIX = "roadmap."
INLINE_KEEP = 200
INTERNAL_ERROR = "Внутренняя ошибка при выполнении задания. Администратор может найти подробности в журнале."
ABANDONED = "Прервано — запустите снова: обработчик заданий остановился, не закончив это задание."
BUSY = "Не выполнено: база данных была занята другими изменениями. Ничего не сохранено — запустите снова."
QUEUE_UNAVAILABLE = "Очередь заданий недоступна (Redis не отвечает). Обновите страницу через минуту."


class QueueUnavailable(Exception):
    """Redis does not answer while a status is read; the message is Russian."""


QUEUED, STARTED, FINISHED, FAILED = "queued", "started", "finished", "failed"


class JobError(Exception):
    """A failure the user should read (Russian); the job ends as failed with this message."""


@dataclass
class JobStatus:
    id: str
    status: str = QUEUED
    progress: int = 0
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    user_id: int | None = None
    description: str = ""
    backend: str = "inline"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_done(self) -> bool:
        return self.status in (FINISHED, FAILED)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data["is_done"] = self.is_done
        return data


# ---------------------------------------------------------------- configuration


def queue_enabled() -> bool:
    """Jobs go to Redis when REDIS_URL is set, unless JOBS_INLINE forces them inline."""
    return bool(current_app.config.get("REDIS_URL")) and not current_app.config.get("JOBS_INLINE")


def redis_connection():
    """One Redis client per app (the client pools its own connections)."""
    from redis import Redis

    extensions = current_app.extensions
    if "roadmap.redis" not in extensions:
        extensions["roadmap.redis"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=5, socket_timeout=30
        )
    return extensions["roadmap.redis"]


def queue_name() -> str:
    return current_app.config.get("JOBS_QUEUE") or DEFAULT_QUEUE


def get_queue():
    from rq import Queue

    timeout = int(current_app.config.get("JOBS_TIMEOUT") or DEFAULT_TIMEOUT)
    return Queue(queue_name(), connection=redis_connection(), default_timeout=timeout)


def resolve(func_path: str) -> Callable[..., Any]:
    """The function at a dotted path; only functions of this application may run as jobs."""
    if not func_path.startswith(ALLOWED_PREFIX) or "." not in func_path:
        raise ValueError(f"job function outside the application: {func_path!r}")
    module_name, _, attr = func_path.rpartition(".")
    func = getattr(importlib.import_module(module_name), attr, None)
    if not callable(func):
        raise ValueError(f"no job function {func_path!r}")
    return func


# ---------------------------------------------------------------- progress


class _Handle:
    """What `report_progress` updates: the RQ job's meta or the inline registry entry."""

    def __init__(self, job_id: str, update: Callable[[dict[str, Any]], None]) -> None:
        self.job_id = job_id
        self.update = update


_current: contextvars.ContextVar[_Handle | None] = contextvars.ContextVar("roadmap_job", default=None)


def report_progress(percent: int, message: str = "") -> None:
    """Record how far the running job is (0–100) and what it is doing. A no-op outside a job."""
    handle = _current.get()
    if handle is not None:
        handle.update({"progress": max(0, min(100, int(percent))), "message": message})


def current_job_id() -> str | None:
    """The id of the job running now (inline or on the queue), None outside a job."""
    handle = _current.get()
    return handle.job_id if handle is not None else None


# ---------------------------------------------------------------- running


def run(func_path: str, args: list[Any] | tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> dict:
    """Execute a job function; this is what the RQ worker calls.

    Uses the current application context (the `flask worker` command provides one) or creates
    the application when started by a bare `rq worker`.
    """
    from flask import has_app_context

    if has_app_context():
        return _run_in_context(func_path, args, kwargs or {})
    from roadmap import create_app

    with create_app().app_context():
        return _run_in_context(func_path, args, kwargs or {})


def _run_in_context(func_path: str, args, kwargs) -> dict:
    from rq import get_current_job

    from roadmap.extensions import db

    job = get_current_job()

    def update(values: dict[str, Any]) -> None:
        if job is not None:
            job.meta.update(values)
            job.save_meta()

    token = _current.set(_Handle(job.id if job is not None else uuid.uuid4().hex, update))
    try:
        update({"progress": 0, "message": "Выполняется…"})
        try:
            result = _attempted(func_path, args, kwargs)
        except JobError as exc:
            db.session.rollback()
            update({"error": str(exc), "message": str(exc)})
            raise
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", func_path)
            update({"error": INTERNAL_ERROR, "message": INTERNAL_ERROR})
            raise
        result = _as_result(result)
        update({"progress": 100, "message": result.get("message") or "Готово."})
        return result
    finally:
        _current.reset(token)
        db.session.remove()


def _attempted(func_path: str, args, kwargs) -> Any:
    """The job function's answer; a transient refusal of the database runs it again, like a
    request's (roadmap.transient), and fails the job with a Russian message after the last."""
    from roadmap.transient import StillRefused, run_again_when_refused

    try:
        return run_again_when_refused(lambda: resolve(func_path)(*args, **kwargs))
    except StillRefused as exc:
        raise JobError(BUSY) from exc


def _as_result(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    return {"message": str(value)}


def enqueue(func_path: str, *args: Any, user_id: int | None = None, description: str = "", **kwargs: Any) -> str:
    """Start a job and return its id: on the RQ queue when configured, else run it now."""
    resolve(func_path)  # refuse a bad path before anything is queued
    meta = {"user_id": user_id, "description": description, "progress": 0, "message": "В очереди…"}
    if queue_enabled():
        from redis.exceptions import RedisError

        try:
            job = get_queue().enqueue(
                "roadmap.jobs.run",
                func_path,
                list(args),
                kwargs,
                meta=meta,
                description=description or func_path,
                result_ttl=RESULT_TTL,
                failure_ttl=RESULT_TTL,
            )
        except RedisError as exc:
            # Redis down must not stop the work: do it now, in this process, as without Redis.
            log.warning("job queue unreachable (%s): running %s inline", exc, func_path)
        else:
            return job.id
    return _run_inline(func_path, args, kwargs, meta)


# Inline statuses live in this process only: enough for `flask run` and the embedded setup.
_inline: OrderedDict[str, JobStatus] = OrderedDict()
_inline_lock = threading.Lock()


def _run_inline(func_path: str, args, kwargs, meta: dict[str, Any]) -> str:
    job_id = uuid.uuid4().hex
    status = JobStatus(
        id=job_id,
        status=STARTED,
        user_id=meta["user_id"],
        description=meta["description"],
        message=meta["message"],
    )
    with _inline_lock:
        _inline[job_id] = status
        while len(_inline) > INLINE_KEEP:
            _inline.popitem(last=False)

    def update(values: dict[str, Any]) -> None:
        for key in ("progress", "message", "error"):
            if key in values:
                setattr(status, key, values[key])

    token = _current.set(_Handle(job_id, update))
    try:
        status.result = _as_result(_attempted(func_path, args, kwargs))
    except JobError as exc:
        _rollback()
        status.status, status.error, status.message = FAILED, str(exc), str(exc)
    except Exception:
        _rollback()
        log.exception("inline job %s failed", func_path)
        status.status, status.error, status.message = FAILED, INTERNAL_ERROR, INTERNAL_ERROR
    else:
        status.status, status.progress = FINISHED, 100
        status.message = status.result.get("message") or "Готово."
    finally:
        _current.reset(token)
    return job_id


def _rollback() -> None:
    from roadmap.extensions import db

    db.session.rollback()


# ---------------------------------------------------------------- status


_RQ_STATUS = {
    "created": QUEUED,
    "queued": QUEUED,
    "deferred": QUEUED,
    "scheduled": QUEUED,
    "ready_to_enqueue": QUEUED,
    "rate_limited": QUEUED,
    "started": STARTED,
    "finished": FINISHED,
    "failed": FAILED,
    "stopped": FAILED,
    "canceled": FAILED,
}


def job_status(job_id: str) -> JobStatus | None:
    """The status of a job, inline or queued; None when unknown (or expired)."""
    with _inline_lock:
        inline = _inline.get(job_id)
    if inline is not None:
        return inline
    if not queue_enabled():
        return None
    from redis.exceptions import RedisError

    try:
        return _rq_status(job_id)
    except RedisError as exc:
        log.warning("job queue unreachable while reading job %s: %s", job_id, exc)
        raise QueueUnavailable(QUEUE_UNAVAILABLE) from exc


def clean_abandoned(timestamp: float | None = None) -> None:
    """Fail the jobs whose worker died mid-job: their heartbeat in RQ's started registry ran out
    (RQ allows a minute of grace past the worker's heartbeat interval)."""
    from rq.registry import StartedJobRegistry

    StartedJobRegistry(queue_name(), connection=redis_connection()).cleanup(timestamp)


def _rq_status(job_id: str) -> JobStatus | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        return None
    if str(getattr(job.get_status(), "value", job.get_status())) == "started":
        clean_abandoned()
        job.refresh()
    meta = job.meta or {}
    status = JobStatus(
        id=job.id,
        status=_RQ_STATUS.get(str(getattr(job.get_status(), "value", job.get_status())), QUEUED),
        progress=int(meta.get("progress") or 0),
        message=meta.get("message") or "",
        user_id=meta.get("user_id"),
        description=meta.get("description") or "",
        error=meta.get("error"),
        backend="rq",
    )
    if status.status == FINISHED:
        status.result = _as_result(job.return_value())
        status.progress = 100
    elif status.status == FAILED and not status.error:
        status.error = ABANDONED if _was_abandoned(job) else INTERNAL_ERROR
        status.message = status.error
    return status


def _was_abandoned(job) -> bool:
    result = job.latest_result()
    return result is not None and "AbandonedJobError" in (result.exc_string or "")
