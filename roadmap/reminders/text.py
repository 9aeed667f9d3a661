"""Russian texts of the reminder letters: plural forms, the daily and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from roadmap.russian import plural, quantity, truncate
from roadmap.tasks.state import Timeliness

# A long digest is cut: the letter says how many more there are and links to the site.
MAX_LINES = 20


def tasks(n: int) -> str:
    return quantity(n, "задача", "задачи", "задач")


def days(n: int) -> str:
    return quantity(n, "день", "дня", "дней")


def within_days(n: int) -> str:
    """ "в ближайшие 3 дня", "в ближайший 21 день", "сегодня" for 0."""
    if n <= 0:
        return "сегодня"
    return f"в {plural(n, 'ближайший', 'ближайшие', 'ближайшие')} {days(n)}"


def ru_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class TaskLine:
    """One task as a letter shows it."""

    number: str
    title: str
    roadmap_title: str
    due_on: date
    label: str = ""
    organization: str = ""
    comment: str = ""
    start_on: date | None = None
    is_overdue: bool = False  # a returned report past its deadline says so (roadmap.tasks.state)

    def text(self, *, with_organization: bool = False) -> str:
        parts = [f"{self.number} {shorten(self.title)}".strip()]
        # A window ("сентябрь 2023") is worth naming; a one-day deadline is just its date.
        if self.label and self.start_on is not None and self.start_on != self.due_on:
            parts.append(f"({self.label})")
        line = " ".join(parts) + f" — срок {ru_date(self.due_on)}"
        if self.is_overdue:
            line += f" ({Timeliness.OVERDUE.label})"
        if with_organization and self.organization:
            line += f", {self.organization}"
        if self.comment:
            line += f"; комментарий координатора: «{shorten(self.comment, 200)}»"
        return line


@dataclass(frozen=True)
class OrgOverdue:
    organization: str
    count: int
    oldest_due_on: date


@dataclass
class ExecutorDigest:
    """The daily letter to an executor: what needs doing soon, what is late, what came back."""

    full_name: str
    organization: str
    today: date
    days_before: int
    due_soon: list[TaskLine] = field(default_factory=list)
    overdue: list[TaskLine] = field(default_factory=list)
    returned: list[TaskLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.due_soon) + len(self.overdue) + len(self.returned)

    @property
    def is_empty(self) -> bool:
        return self.total == 0


@dataclass
class CoordinatorDigest:
    """The weekly letter to a coordinator: overdue tasks by organization, reports to review."""

    full_name: str
    today: date
    overdue_by_org: list[OrgOverdue] = field(default_factory=list)
    waiting: list[TaskLine] = field(default_factory=list)
    waiting_count: int = 0
    # Dates executors proposed for measures on their own schedule, not yet confirmed.
    proposals: list[str] = field(default_factory=list)
    proposals_count: int = 0

    @property
    def overdue_count(self) -> int:
        return sum(item.count for item in self.overdue_by_org)

    @property
    def total(self) -> int:
        return self.overdue_count + self.waiting_count + self.proposals_count

    @property
    def is_empty(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def shorten(text: str, limit: int = 160) -> str:
    return truncate(text, limit)


# ---------------------------------------------------------------- building letters


@dataclass
class _Section:
    heading: str
    lines: list[str]
    more: int = 0


def _sections_text(sections: list[_Section]) -> list[str]:
    out: list[str] = []
    for section in sections:
        out.append(section.heading + ":")
        out.extend(f"  • {line}" for line in section.lines)
        if section.more:
            out.append(f"  … и ещё {section.more}")
        out.append("")
    return out


def _sections_html(sections: list[_Section]) -> list[str]:
    out: list[str] = []
    for section in sections:
        out.append(f'<h2 style="font-size:16px;margin:16px 0 4px">{escape(section.heading)}</h2>')
        out.append("<ul>")
        out.extend(f"<li>{escape(line)}</li>" for line in section.lines)
        if section.more:
            out.append(f"<li>… и ещё {section.more}</li>")
        out.append("</ul>")
    return out


def _cut(lines: list[str]) -> tuple[list[str], int]:
    return lines[:MAX_LINES], max(0, len(lines) - MAX_LINES)


def _task_section(heading: str, items: list[TaskLine], *, with_organization: bool = False) -> _Section:
    shown, more = _cut([item.text(with_organization=with_organization) for item in items])
    return _Section(f"{heading} — {tasks(len(items))}", shown, more)


def _render(subject: str, greeting: str, intro: str, sections: list[_Section], links: list[tuple[str, str]]) -> Letter:
    footer = "Это письмо отправлено автоматически, отвечать на него не нужно."
    text_lines = [greeting, "", intro, "", *_sections_text(sections)]
    text_lines.extend(f"{label}: {url}" for label, url in links)
    text_lines.extend(["", "—", footer])
    html_lines = [
        "<!doctype html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        f"<title>{escape(subject)}</title></head>",
        '<body style="font-family:Arial,sans-serif;font-size:14px;color:#212529">',
        f"<p>{escape(greeting)}</p>",
        f"<p>{escape(intro)}</p>",
        *_sections_html(sections),
    ]
    if links:
        html_lines.append(
            "<p>" + " · ".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links) + "</p>"
        )
    html_lines.append(f'<p style="color:#6c757d;font-size:12px">{escape(footer)}</p>')
    html_lines.append("</body></html>")
    return Letter(subject=subject, text="\n".join(text_lines) + "\n", html="\n".join(html_lines) + "\n")


def _links(base_url: str | None, main_label: str) -> list[tuple[str, str]]:
    if not base_url:
        return []
    base = base_url.rstrip("/")
    return [(main_label, f"{base}/"), ("Настроить напоминания", f"{base}/account/reminders")]


def executor_letter(digest: ExecutorDigest, base_url: str | None = None) -> Letter:
    """The daily digest of an executor as a subject, a plain text and an HTML body."""
    n = digest.total
    subject = f"Дорожная карта: {tasks(n)} {plural(n, 'требует', 'требуют', 'требуют')} внимания"
    sections = []
    if digest.overdue:
        sections.append(_task_section("Просрочено", digest.overdue))
    if digest.returned:
        sections.append(_task_section("Возвращено на доработку", digest.returned))
    if digest.due_soon:
        sections.append(_task_section(f"Срок {within_days(digest.days_before)}", digest.due_soon))
    where = f" организации «{digest.organization}»" if digest.organization else ""
    intro = f"Задачи{where} на {ru_date(digest.today)}."
    return _render(subject, f"Здравствуйте, {digest.full_name}!", intro, sections, _links(base_url, "Открыть задачи"))


def coordinator_letter(digest: CoordinatorDigest, base_url: str | None = None) -> Letter:
    """The weekly digest of a coordinator."""
    overdue = digest.overdue_count
    waiting = digest.waiting_count
    parts = []
    if overdue:
        parts.append(quantity(overdue, "просроченная задача", "просроченные задачи", "просроченных задач"))
    if waiting:
        parts.append(f"{quantity(waiting, 'отчёт', 'отчёта', 'отчётов')} на проверке")
    if digest.proposals_count:
        parts.append(f"{quantity(digest.proposals_count, 'предложение', 'предложения', 'предложений')} дат")
    subject = "Дорожная карта: сводка за неделю — " + ", ".join(parts)
    sections = []
    if digest.overdue_by_org:
        lines = [
            f"{item.organization} — {tasks(item.count)}, самый ранний срок {ru_date(item.oldest_due_on)}"
            for item in digest.overdue_by_org
        ]
        shown, more = _cut(lines)
        sections.append(
            _Section(
                f"Просрочено — {tasks(overdue)} в "
                f"{quantity(len(lines), 'организации', 'организациях', 'организациях')}",
                shown,
                more,
            )
        )
    if waiting:
        shown, more = _cut([item.text(with_organization=True) for item in digest.waiting])
        more += max(0, waiting - len(digest.waiting))
        heading = f"Ждут проверки — {quantity(waiting, 'отчёт', 'отчёта', 'отчётов')}"
        sections.append(_Section(heading, shown, more))
    if digest.proposals_count:
        heading = (
            f"Исполнители предложили даты — "
            f"{quantity(digest.proposals_count, 'предложение ждёт', 'предложения ждут', 'предложений ждут')} "
            "подтверждения"
        )
        shown, more = _cut(digest.proposals)
        more += max(0, digest.proposals_count - len(digest.proposals))
        sections.append(_Section(heading, shown, more))
    intro = f"Сводка по опубликованным дорожным картам на {ru_date(digest.today)}."
    return _render(subject, f"Здравствуйте, {digest.full_name}!", intro, sections, _links(base_url, "Открыть сайт"))
