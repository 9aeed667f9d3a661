"""The coordinator's conclusions (выводы) per section and for the whole report: read and saved
here, audited; the DOCX puts them after the figures they speak of. The caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from roadmap import audit
from roadmap.extensions import db
from roadmap.models import Conclusion, Roadmap, Section, User
from roadmap.models.conclusion import WHOLE_REPORT, part_of
from roadmap.reports.typography import format_int
from roadmap.russian import plural

MAX_LENGTH = 20_000  # some ten pages of text: more is a paste gone wrong


class ConclusionError(ValueError):
    """A conclusion that cannot be saved, in the coordinator's words."""


def conclusions_of(roadmap_id: int, plan_year: int | None) -> dict[str, str]:
    """part ("report", "section:<id>") → text, for the plan year (none for "весь период")."""
    if plan_year is None:
        return {}
    rows = db.session.execute(
        select(Conclusion.part, Conclusion.text).where(
            Conclusion.roadmap_id == roadmap_id, Conclusion.plan_year == plan_year
        )
    )
    return {part: text for part, text in rows if text.strip()}


def _clean(text: str | None) -> str:
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def save_conclusions(
    roadmap: Roadmap, plan_year: int | None, texts: Mapping[int | None, str], user: User | None
) -> int:
    """Save the texts (section id → text; None: the whole report); an empty text removes the
    conclusion. Returns how many changed; audited once. Nothing is saved if one text is refused."""
    if plan_year is None:
        raise ConclusionError("Выводы пишутся к отчёту за год: выберите год плана.")
    sections = {s.id: s for s in db.session.scalars(select(Section).where(Section.roadmap_id == roadmap.id))}
    for section_id, text in texts.items():
        if section_id is not None and section_id not in sections:
            raise ConclusionError("Раздел не найден в этой дорожной карте: обновите страницу и сохраните снова.")
        if len(_clean(text)) > MAX_LENGTH:
            where = "к отчёту" if section_id is None else f"к разделу {sections[section_id].number}"
            raise ConclusionError(
                f"Выводы {where} длиннее {format_int(MAX_LENGTH)} {plural(MAX_LENGTH, 'знака', 'знаков', 'знаков')}: "
                "сократите текст."
            )
    existing = {
        c.part: c
        for c in db.session.scalars(
            select(Conclusion).where(Conclusion.roadmap_id == roadmap.id, Conclusion.plan_year == plan_year)
        )
    }
    changed = []
    for section_id, raw in texts.items():
        text, part = _clean(raw), part_of(section_id)
        row = existing.get(part)
        if row is None:
            if not text:
                continue
            row = Conclusion(roadmap_id=roadmap.id, plan_year=plan_year, part=part, section_id=section_id)
            db.session.add(row)
        elif row.text == text:
            continue
        row.text = text
        row.updated_by_id = user.id if user else None
        changed.append("к отчёту в целом" if part == WHOLE_REPORT else f"раздел {sections[section_id].number}")
    if changed:
        db.session.flush()
        audit.record(
            "conclusion_saved",
            user=user,
            obj=roadmap,
            summary=f"{roadmap.title[:150]}, {plan_year}: {', '.join(changed)[:300]}",
        )
    return len(changed)


def saved_message(changed: int) -> str:
    """What the coordinator is told after saving: whether anything changed."""
    return "Выводы сохранены." if changed else "Изменений нет."


def entered_conclusions(form: Mapping[str, str], section_ids) -> dict[int | None, str]:
    """What the conclusions form holds: the whole report's text (key None) and each section's."""
    entered: dict[int | None, str] = {None: form.get(WHOLE_REPORT, "")}
    entered |= {section_id: form.get(part_of(section_id), "") for section_id in section_ids if section_id is not None}
    return entered


@dataclass(frozen=True)
class FiguresBeside:
    """The three-year sentences shown beside the conclusions: per section id and for the total."""

    sections: dict[int | None, list[str]]
    total: list[str]


def figures_beside(report) -> FiguresBeside:
    """The trend sentences of a monitoring report (roadmap.reports.compare), the figures the
    coordinator writes their conclusions next to."""
    from roadmap.reports.compare import trend_sentences, years_side_by_side

    history = years_side_by_side(report)
    return FiguresBeside(
        {trend.section_id: trend_sentences(trend, history.years) for trend in history.sections},
        trend_sentences(history.total, history.years),
    )
