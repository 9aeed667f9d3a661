"""Collecting reminder digests with set-based queries and sending them over SMTP.

Each digest is claimed in reminder_log — unique (user, kind, day) — and the claim is committed
before the letter leaves, so two cron runs (or a re-run after a crash) never send it twice. The
one exception to "the caller commits": a letter cannot be unsent, so its log row is committed
at once, letter by letter.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from roadmap.clock import local_now, today_in
from roadmap.extensions import db
from roadmap.models import (
    DateProposal,
    Measure,
    Organization,
    Roadmap,
    RoadmapStatus,
    Role,
    Task,
    TaskStatus,
    Transition,
    User,
)
from roadmap.models.reminder import DEFAULT_DAYS_BEFORE, ReminderKind, ReminderLog, ReminderSetting
from roadmap.reminders.text import (
    MAX_LINES,
    CoordinatorDigest,
    ExecutorDigest,
    Letter,
    OrgOverdue,
    TaskLine,
    coordinator_letter,
    executor_letter,
)
from roadmap.reports.queries import is_overdue
from roadmap.singleline import single_line
from roadmap.tasks.access import roadmaps_of_territory, tasks_of_territory
from roadmap.tasks.dates import stored_ranges
from roadmap.tasks.proposals import describe, pending_query

log = logging.getLogger(__name__)

DAILY = ReminderKind.DAILY
WEEKLY = ReminderKind.WEEKLY
KINDS = tuple(ReminderKind)
MAX_DAYS_BEFORE = 30
DEFAULT_SENDER_NAME = "Дорожная карта"


class ReminderError(RuntimeError):
    """Sending failed as a whole (the SMTP server is unreachable, refuses to log in...). Russian."""


@dataclass
class Outgoing:
    """A letter ready to go to one user."""

    user_id: int
    full_name: str
    email: str
    kind: ReminderKind
    sent_on: date
    task_count: int
    letter: Letter

    def describe(self) -> str:
        return f"{self.kind.label} сводка → {self.full_name} <{self.email}>: {self.letter.subject}"


@dataclass
class SendResult:
    sent: list[Outgoing] = field(default_factory=list)
    already_sent: list[Outgoing] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    dry_run: bool = False


# ---------------------------------------------------------------- settings


def reminder_setting(user: User) -> ReminderSetting:
    """The user's settings; a transient row with the defaults when none is stored."""
    setting = db.session.scalar(select(ReminderSetting).where(ReminderSetting.user_id == user.id))
    return setting or ReminderSetting(user_id=user.id, is_enabled=True, days_before=DEFAULT_DAYS_BEFORE)


def save_reminder_setting(user: User, *, is_enabled: bool, days_before: int) -> ReminderSetting:
    """Store the user's choice. The caller commits."""
    if not 0 <= days_before <= MAX_DAYS_BEFORE:
        raise ValueError(f"За сколько дней напоминать: от 0 до {MAX_DAYS_BEFORE}.")
    setting = db.session.scalar(select(ReminderSetting).where(ReminderSetting.user_id == user.id))
    if setting is None:
        setting = ReminderSetting(user_id=user.id)
        db.session.add(setting)
    setting.is_enabled = is_enabled
    setting.days_before = days_before
    db.session.flush()
    return setting


# ---------------------------------------------------------------- collecting


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _recipients(role: Role):
    """Active users of a role with an address and reminders on (no settings row means on)."""
    return (
        select(
            User.id,
            User.full_name,
            User.email,
            User.organization_id,
            User.municipality_id,
            func.coalesce(ReminderSetting.days_before, DEFAULT_DAYS_BEFORE).label("days_before"),
        )
        .outerjoin(ReminderSetting, ReminderSetting.user_id == User.id)
        .where(
            User.role == role,
            User.is_active_account.is_(True),
            User.email.is_not(None),
            User.email != "",
            func.coalesce(ReminderSetting.is_enabled, True).is_(True),
        )
        .order_by(User.id)
    )


def _open_tasks():
    """Tasks an executor still owes: live, in a published roadmap."""
    return (
        select(
            Task.id,
            Task.organization_id,
            Task.status,
            Task.due_effective_on,
            Task.label,
            Task.start_on,
            Measure.number,
            Measure.title,
            Roadmap.title.label("roadmap_title"),
            Organization.short_name.label("organization"),
        )
        .join(Measure, Measure.id == Task.measure_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .join(Organization, Organization.id == Task.organization_id)
        .where(Task.is_cancelled.is_(False), Roadmap.status == RoadmapStatus.PUBLISHED)
    )


def _line(row, comment: str = "", *, is_overdue: bool = False) -> TaskLine:
    return TaskLine(
        number=row.number,
        title=row.title,
        roadmap_title=row.roadmap_title,
        due_on=row.due_effective_on,
        label=row.label or "",
        organization=row.organization,
        comment=comment,
        start_on=row.start_on,
        is_overdue=is_overdue,
    )


def _return_comments(task_ids: Iterable[int]) -> dict[int, str]:
    """The coordinator's comment of the latest return of each task."""
    ids = list(task_ids)
    if not ids:
        return {}
    comments: dict[int, str] = {}
    rows = db.session.execute(
        select(Transition.task_id, Transition.comment)
        .where(Transition.task_id.in_(ids), Transition.to_status == TaskStatus.RETURNED.value)
        .order_by(Transition.id)
    )
    for task_id, comment in rows:
        comments[task_id] = comment or ""
    return comments


def executor_digests(today: date) -> list[tuple[object, ExecutorDigest]]:
    """(recipient row, digest) for every executor with something to hear about. Three queries."""
    recipients = db.session.execute(_recipients(Role.EXECUTOR).where(User.organization_id.is_not(None))).all()
    if not recipients:
        return []
    horizon = today + timedelta(days=max(r.days_before for r in recipients))
    executor_orgs = _recipients(Role.EXECUTOR).with_only_columns(User.organization_id).scalar_subquery()
    rows = db.session.execute(
        _open_tasks()
        .where(
            Task.organization_id.in_(executor_orgs),
            or_(
                Task.status == TaskStatus.RETURNED,
                and_(Task.status == TaskStatus.PLANNED, Task.due_effective_on <= horizon),
            ),
        )
        .order_by(Task.due_effective_on, Measure.position, Task.id)
    ).all()
    comments = _return_comments(row.id for row in rows if row.status == TaskStatus.RETURNED)
    by_org = defaultdict(list)
    for row in rows:
        by_org[row.organization_id].append(row)
    names = dict(
        db.session.execute(
            select(Organization.id, Organization.short_name).where(
                Organization.id.in_({r.organization_id for r in recipients})
            )
        ).all()
    )
    result = []
    for recipient in recipients:
        digest = ExecutorDigest(
            full_name=recipient.full_name,
            organization=names.get(recipient.organization_id, ""),
            today=today,
            days_before=recipient.days_before,
        )
        soon_until = today + timedelta(days=recipient.days_before)
        for row in by_org.get(recipient.organization_id, ()):
            if row.status == TaskStatus.RETURNED:
                late = row.due_effective_on < today
                digest.returned.append(_line(row, comments.get(row.id, ""), is_overdue=late))
            elif row.due_effective_on < today:
                digest.overdue.append(_line(row))
            elif row.due_effective_on <= soon_until:
                digest.due_soon.append(_line(row))
        if not digest.is_empty:
            result.append((recipient, digest))
    return result


def coordinator_digests(today: date) -> list[tuple[object, CoordinatorDigest]]:
    """(recipient row, digest) for every coordinator, when anything is overdue or waiting; each
    coordinator's digest covers their territory only (roadmap.tasks.access.territory_of)."""
    recipients = db.session.execute(_recipients(Role.COORDINATOR)).all()
    if not recipients:
        return []
    parts = {place: _coordinator_parts(today, place) for place in {r.municipality_id for r in recipients}}
    result = []
    for recipient in recipients:
        digest = CoordinatorDigest(full_name=recipient.full_name, today=today, **parts[recipient.municipality_id])
        if not digest.is_empty:
            result.append((recipient, digest))
    return result


def _coordinator_parts(today: date, territory: int | None) -> dict:
    """What a coordinator of `territory` (None: the whole region) is told: a few queries."""
    live = and_(
        Task.is_cancelled.is_(False), Roadmap.status == RoadmapStatus.PUBLISHED, roadmaps_of_territory(territory)
    )
    overdue_rows = db.session.execute(
        select(Organization.short_name, func.count(Task.id), func.min(Task.due_effective_on))
        .join(Task, Task.organization_id == Organization.id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .join(Measure, Measure.id == Task.measure_id)
        # The reports' rule (roadmap.reports.queries.is_overdue), over the measures they count.
        .where(live, Measure.is_removed.is_(False), is_overdue(today))
        .group_by(Organization.id, Organization.short_name)
        .order_by(func.count(Task.id).desc(), Organization.sort_key)
    ).all()
    overdue = [OrgOverdue(organization=name, count=count, oldest_due_on=oldest) for name, count, oldest in overdue_rows]
    submitted = Task.status == TaskStatus.SUBMITTED
    waiting_count = db.session.scalar(
        select(func.count(Task.id)).join(Roadmap, Roadmap.id == Task.roadmap_id).where(live, submitted)
    )
    waiting = [
        _line(row)
        for row in db.session.execute(
            _open_tasks()
            .where(submitted, tasks_of_territory(territory))
            .order_by(Task.due_effective_on, Task.id)
            .limit(MAX_LINES)
        )
    ]
    pending = pending_query(territory)
    proposals_count = db.session.scalar(pending.with_only_columns(func.count(DateProposal.id)))
    proposals = [
        f"{number} — {organization}: {describe(stored_ranges(dates))}"
        for number, organization, dates in db.session.execute(
            pending.with_only_columns(Measure.number, Organization.short_name, DateProposal.dates)
            .join(Organization, Organization.id == DateProposal.organization_id)
            .order_by(DateProposal.id)
            .limit(MAX_LINES)
        )
    ]
    return {
        "overdue_by_org": overdue,
        "waiting": waiting,
        "waiting_count": waiting_count or 0,
        "proposals": proposals,
        "proposals_count": proposals_count or 0,
    }


def base_url() -> str | None:
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"]
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME', 'https')}://{config['SERVER_NAME']}"
    return None


def due_kinds(today: date, kinds: Iterable[str] | None = None) -> list[str]:
    """Daily every day; weekly on the configured weekday (Monday by default) unless asked for."""
    if kinds is not None:
        return list(kinds)
    weekday = int(current_app.config.get("REMINDERS_WEEKLY_WEEKDAY", 0))
    return [DAILY, WEEKLY] if today.weekday() == weekday else [DAILY]


def collect(today: date, kinds: Iterable[str] | None = None) -> list[Outgoing]:
    """Every letter that is due for `today`, sent or not."""
    url = base_url()
    outgoing: list[Outgoing] = []
    wanted = due_kinds(today, kinds)
    if DAILY in wanted:
        for recipient, digest in executor_digests(today):
            outgoing.append(
                Outgoing(
                    recipient.id, recipient.full_name, recipient.email.strip(), DAILY, today, digest.total,
                    executor_letter(digest, url),
                )
            )  # fmt: skip
    if WEEKLY in wanted:
        for recipient, digest in coordinator_digests(today):
            outgoing.append(
                Outgoing(
                    recipient.id, recipient.full_name, recipient.email.strip(), WEEKLY, week_start(today),
                    digest.total, coordinator_letter(digest, url),
                )
            )  # fmt: skip
    return outgoing


# ---------------------------------------------------------------- sending


def sender_address() -> tuple[str, str]:
    """(display name, address) of MAIL_FROM, which may be "Имя <addr>" or a bare address."""
    name, addr = parseaddr(current_app.config.get("MAIL_FROM") or "roadmap@localhost")
    return name or DEFAULT_SENDER_NAME, addr or "roadmap@localhost"


# Python's header folder (3.11, 3.12) loses or adds spaces where it splits Cyrillic text into
# RFC 2047 encoded words. So headers with Russian text are encoded here, with the older and
# correct email.header machinery, stored as they are (set_raw) and never refolded.
MESSAGE_POLICY = policy.SMTP.clone(refold_source="none")


def _address_header(name: str, addr: str) -> str:
    if not addr.isascii() or "@" not in addr or any(ch.isspace() or ch in "<>," for ch in addr):
        raise ValueError(f"адрес {addr!r} не подходит для отправки")
    return formataddr((single_line(name), addr), charset="utf-8")


def build_message(item: Outgoing, sender: tuple[str, str]) -> EmailMessage:
    """A multipart/alternative letter (plain text and HTML) with UTF-8 headers per RFC 2047."""
    message = EmailMessage(policy=MESSAGE_POLICY)
    # Headers are set raw, so no control character of a name or title may reach them (injection).
    message.set_raw("Subject", Header(single_line(item.letter.subject), "utf-8", header_name="Subject").encode())
    message.set_raw("From", _address_header(*sender))
    message.set_raw("To", _address_header(item.full_name, item.email))
    message["Date"] = format_datetime(local_now())
    domain = sender[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"{item.kind}.{item.user_id}", domain=domain)
    # Tell auto-responders and mail clients this is a robot's letter.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(item.letter.text, cte="quoted-printable")
    message.add_alternative(item.letter.html, subtype="html", cte="quoted-printable")
    return message


def open_smtp() -> smtplib.SMTP:
    config = current_app.config
    host, port = config.get("MAIL_SERVER", "127.0.0.1"), int(config.get("MAIL_PORT", 25))
    timeout = float(config.get("MAIL_TIMEOUT", 30))
    local_hostname = config.get("MAIL_EHLO_NAME")
    try:
        if config.get("MAIL_USE_SSL"):
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, local_hostname=local_hostname, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, local_hostname=local_hostname, timeout=timeout)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except smtplib.SMTPAuthenticationError as exc:
        raise ReminderError(f"почтовый сервер {host}:{port} отклонил логин или пароль ({exc.smtp_code})") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise ReminderError(f"не удалось подключиться к почтовому серверу {host}:{port}: {exc}") from exc
    return smtp


def _claim(item: Outgoing) -> bool:
    """Reserve the (user, kind, day) slot and commit; False when it was already taken."""
    try:
        with db.session.begin_nested():
            db.session.add(
                ReminderLog(user_id=item.user_id, kind=item.kind, sent_on=item.sent_on, task_count=item.task_count)
            )
    except IntegrityError:
        return False
    db.session.commit()
    return True


def _release(item: Outgoing) -> None:
    db.session.execute(
        delete(ReminderLog).where(
            ReminderLog.user_id == item.user_id, ReminderLog.kind == item.kind, ReminderLog.sent_on == item.sent_on
        )
    )
    db.session.commit()


def _already_sent(items: list[Outgoing]) -> set[tuple[int, str, date]]:
    days = {item.sent_on for item in items}
    if not days:
        return set()
    rows = db.session.execute(
        select(ReminderLog.user_id, ReminderLog.kind, ReminderLog.sent_on).where(ReminderLog.sent_on.in_(days))
    )
    return {tuple(row) for row in rows}


def send_reminders(
    today: date | None = None, *, dry_run: bool = False, kinds: Iterable[str] | None = None, progress=None
) -> SendResult:
    """Send every digest due for `today` that has not gone out yet.

    A refused recipient is recorded in `failed` and the others still get their letters; a
    server that cannot be reached or refuses to log in raises ReminderError (nothing is
    marked sent that was not). `progress(done, total)` is called as letters go out.
    """
    today = today or today_in()
    result = SendResult(dry_run=dry_run)
    items = collect(today, kinds)
    done = _already_sent(items)
    pending = []
    for item in items:
        (result.already_sent if (item.user_id, item.kind, item.sent_on) in done else pending).append(item)
    if dry_run:
        result.sent = pending
        return result
    if not pending:
        return result
    sender = sender_address()
    smtp = open_smtp()
    try:
        for index, item in enumerate(pending, start=1):
            try:
                message = build_message(item, sender)
            except (ValueError, IndexError, TypeError) as exc:
                result.failed.append((item, f"неверный адрес: {exc}"))
                continue
            if not _claim(item):
                result.already_sent.append(item)
                continue
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                _release(item)
                result.failed.append((item, f"адрес отклонён сервером: {exc.recipients}"))
                continue
            except (OSError, smtplib.SMTPException) as exc:
                _release(item)
                raise ReminderError(f"почтовый сервер прервал отправку на {item.email}: {exc}") from exc
            result.sent.append(item)
            log.info("reminder sent: %s to user %s", item.kind, item.user_id, extra={"user_id": item.user_id})
            if progress is not None:
                progress(index, len(pending))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result
