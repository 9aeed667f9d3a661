"""The RQ worker that runs jobs inside the application context."""

from __future__ import annotations

import os

from flask import Flask
from rq import SimpleWorker, Worker


class _AppContextMixin:
    """Runs every job inside `app.app_context()`.

    The forking worker performs each job in a child process; a database connection inherited
    from the parent must not be used by both, so the child starts with a fresh pool.
    """

    app: Flask
    _parent_pid: int

    def perform_job(self, job, queue, execution):  # type: ignore[override]
        from roadmap.extensions import db

        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)  # type: ignore[misc]
            finally:
                db.session.remove()


class AppWorker(_AppContextMixin, Worker):
    """Forks a work horse per job (a crash or a leak dies with the job)."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)


class AppSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in its own process (no fork): for tests and platforms without fork."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)
