"""Pages and API routes that write run again when the database refused them for ordinary
concurrency (roadmap.transient), then answer politely instead of with a 500.

The whole view is run again from the start: the uploads rewound, the messages the failed attempt
flashed taken back, its attachment files removed by the rollback (roadmap.tasks.files). After the
last attempt a page gets a message and a redirect back, the API a 503 problem with Retry-After.

Every view that writes is decorated (a test walks the URL map). The access checks stay outside
the retry on the pages: they write nothing, and a refusal needs no second attempt.
"""

from __future__ import annotations

from functools import wraps
from typing import Literal

from flask import flash, redirect, request, session

from roadmap.api.problems import is_api_request, problem
from roadmap.transient import ATTEMPTS, StillRefused, is_transient, run_again_when_refused

__all__ = ["ATTEMPTS", "BUSY_MESSAGE", "busy_answer", "is_transient", "retried"]  # the loop's, for callers and tests

BUSY_MESSAGE = (
    "Не удалось сохранить: в эту минуту те же данные меняли другие пользователи. "
    "Ничего не сохранено — попробуйте ещё раз."
)
API_BUSY_MESSAGE = (
    "Не удалось сохранить: в эту минуту те же данные меняли другие пользователи. "
    "Ничего не сохранено — повторите запрос через несколько секунд."
)
RETRY_AFTER_SECONDS = 2


def _rewind_uploads() -> None:
    for name in request.files:
        for upload in request.files.getlist(name):
            upload.stream.seek(0)


def _flashes() -> list | None | Literal[False]:
    """The messages waiting in the session before the view (False for the API: it has none)."""
    if is_api_request():
        return False  # stateless: reading the session would only add «Vary: Cookie»
    saved = session.get("_flashes")
    return list(saved) if saved is not None else None


def _restore_flashes(saved: list | None) -> None:
    """The messages of a failed attempt were never true: only those from before it stay."""
    if saved is None:
        session.pop("_flashes", None)
    else:
        session["_flashes"] = list(saved)


def busy_answer():
    """What a request gets when every attempt was refused: nothing was saved, try again."""
    if is_api_request():
        return problem(503, API_BUSY_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    flash(BUSY_MESSAGE, "warning")
    back = request.referrer or ""
    return redirect(back if back.startswith(request.host_url) else "/", 303)


def retried(view):
    """Decorate a view that writes: transient database refusals run it again, then answer politely."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        flashes = _flashes()

        def before_rerun() -> None:
            if flashes is not False:
                _restore_flashes(flashes)
            _rewind_uploads()

        try:
            return run_again_when_refused(lambda: view(*args, **kwargs), before_rerun=before_rerun)
        except StillRefused:
            return busy_answer()

    wrapper.is_retried = True
    return wrapper
