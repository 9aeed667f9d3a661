"""The job functions: long work that may leave the request (see roadmap.jobs)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app

from roadmap.extensions import db
from roadmap.jobs import JobError, current_job_id, report_progress, resolve


def generate_roadmap_tasks(roadmap_id: int, user_id: int | None = None) -> dict[str, Any]:
    """Publish a roadmap (or regenerate the tasks of a published one) and commit."""
    from roadmap.models import Roadmap, User
    from roadmap.plans.service import PlanError, publish_roadmap

    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None:
        raise JobError("Дорожная карта не найдена: возможно, её удалили.")
    user = db.session.get(User, user_id) if user_id else None
    report_progress(5, "Расчёт задач по мероприятиям…")
    try:
        publication = publish_roadmap(roadmap, user)
    except PlanError as exc:
        raise JobError(str(exc)) from exc
    report_progress(90, "Сохранение задач…")
    db.session.commit()
    # The page's address is built by the web (url_for) when the result is shown: a worker has no
    # request to build it from.
    return {
        "message": f"Задачи сформированы: {publication.result.summary()}.",
        "link": ["plans.show", {"roadmap_id": roadmap_id}],
    }


def pause(seconds: float = 1.0) -> dict[str, Any]:
    """A diagnostic job: proves a worker runs jobs and reports progress (and, in tests, is a job
    that takes a known time)."""
    import time

    report_progress(5, "Проверка обработчика заданий…")
    time.sleep(max(0.0, min(float(seconds), 600.0)))
    return {"message": "Обработчик заданий работает."}


def send_reminders(today: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Send the reminder digests due today (the cron command does the same in the foreground)."""
    from roadmap.reminders.service import ReminderError
    from roadmap.reminders.service import send_reminders as send

    def progress(done: int, total: int) -> None:
        report_progress(int(done * 100 / total), f"Отправлено писем: {done} из {total}")

    try:
        result = send(date.fromisoformat(today) if today else None, dry_run=dry_run, progress=progress)
    except ReminderError as exc:
        raise JobError(f"Напоминания не отправлены: {exc}.") from exc
    verb = "будет отправлено" if dry_run else "отправлено"
    return {
        "message": f"Напоминаний {verb}: {len(result.sent)}, уже отправлены ранее: {len(result.already_sent)}, "
        f"с ошибкой адреса: {len(result.failed)}.",
        "sent": len(result.sent),
    }


_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def run_export(func_path: str, *args: Any, filename: str = "export.bin", **kwargs: Any) -> dict[str, Any]:
    """Run any export function of the application by its dotted path.

    The function may return bytes (stored for download from the job's page as `filename`),
    a dict (passed through) or text (shown as the message). It may call report_progress itself.
    """
    func = resolve(func_path)
    report_progress(1, "Формирование выгрузки…")
    value = func(*args, **kwargs)
    if not isinstance(value, bytes | bytearray):
        return value if isinstance(value, dict) else {"message": str(value)}
    path = export_path(current_job_id() or "job", filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(value))
    return {"message": f"Выгрузка готова: {filename}.", "file": path.name, "filename": filename}


def export_folder() -> Path:
    """Exports sit next to uploads: on several app servers that folder is shared storage."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / "exports"


def export_path(job_id: str, filename: str) -> Path:
    safe = _SAFE_NAME.sub("_", filename).strip("._") or "export.bin"
    return export_folder() / f"{job_id}-{safe}"
