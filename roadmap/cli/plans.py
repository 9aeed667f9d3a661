"""`flask --app wsgi roadmap ...`: import a roadmap document, (re)generate tasks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from roadmap.cli.common import fail
from roadmap.extensions import db
from roadmap.importers import ImportFailed, ParsedRoadmap, match_parties, read_document
from roadmap.models import Organization, OrgKind, Roadmap
from roadmap.plans.service import (
    FLAG_LABELS,
    PastDeadlines,
    PlanError,
    build_directory,
    create_roadmap,
    fallback_period,
    publish_roadmap,
    regenerate_tasks,
    review_flags,
)
from roadmap.schedule import YearType, parse
from roadmap.tasks.planner import MeasurePlan, PlanSettings, measure_occurrences

roadmap_group = AppGroup("roadmap", help="Дорожные карты.")


def parse_period(value: str | None) -> tuple[date, date] | None:
    if value is None:
        return None
    try:
        start_text, end_text = value.split(":")
        start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
    except ValueError:
        fail(f"неверный период «{value}»: нужен формат ГГГГ-ММ-ДД:ГГГГ-ММ-ДД.")
    if end < start:
        fail(f"неверный период «{value}»: конец раньше начала.")
    return start, end


def describe(parsed: ParsedRoadmap, period: tuple[date, date], year_type: str) -> dict:
    """The document as understood, without writing anything."""
    directory = build_directory()
    settings = PlanSettings(period_start=period[0], period_end=period[1], year_type=year_type)
    measures = []
    for item in parsed.measures:
        schedule = parse(item.deadline)
        occurrences = measure_occurrences(MeasurePlan(0, schedule, (), ()), settings)
        matches = match_parties(item.responsible, directory)
        flags = review_flags(schedule.kind, bool(occurrences), [match.id is not None for match in matches])
        measures.append(
            {
                "number": item.number,
                "section": item.section_number,
                "title": item.title,
                "deadline": item.deadline,
                "responsible": item.responsible,
                "schedule_kind": schedule.kind,
                "explanation": schedule.explanation,
                "occurrences": [{"start": o.start_on.isoformat(), "due": o.due_on.isoformat()} for o in occurrences],
                "parties": [{"text": m.text, "kind": m.kind, "id": m.id, "name": m.matched_name} for m in matches],
                "flags": flags,
            }
        )
    return {
        "title": parsed.title,
        "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
        "year_type": year_type,
        "sections": [{"number": s.number, "title": s.title} for s in parsed.sections],
        "measures": measures,
        "warnings": parsed.warnings,
    }


@roadmap_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--period", help="Период ГГГГ-ММ-ДД:ГГГГ-ММ-ДД (иначе — из названия документа).")
@click.option("--year-type", type=click.Choice([kind.value for kind in YearType]), help="Тип года.")
@click.option("--dry-run", is_flag=True, help="Только показать, ничего не записывать.")
@click.option("--json", "as_json", is_flag=True, help="Вывести результат в JSON.")
def import_command(file: Path, period: str | None, year_type: str | None, dry_run: bool, as_json: bool):
    """Загрузить дорожную карту из DOCX, XLSX, CSV/TSV или текста (черновик)."""
    explicit = parse_period(period)
    try:
        data = file.read_bytes()
    except IsADirectoryError:
        fail(f"{file} — это папка, а не файл.")
    except OSError:
        fail(f"не удалось прочитать файл {file}.")
    try:
        from flask import current_app

        parsed = read_document(data, file.name, max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    except ImportFailed as exc:
        fail(str(exc))
    if explicit:
        chosen_period = explicit
    elif parsed.period_start and parsed.period_end:
        chosen_period = (parsed.period_start, parsed.period_end)
    else:
        chosen_period = fallback_period()
    chosen_year_type = year_type or parsed.year_type or YearType.CALENDAR
    summary = describe(parsed, chosen_period, chosen_year_type)
    roadmap_id = None
    if not dry_run:
        owner = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.CENTRE).limit(1))
        try:
            roadmap = create_roadmap(
                parsed, user=None, period=chosen_period, year_type=chosen_year_type, filename=file.name
            )
        except PlanError as exc:
            db.session.rollback()
            fail(str(exc))
        roadmap.owner_organization_id = owner.id if owner else None
        db.session.commit()
        roadmap_id = roadmap.id
    if as_json:
        summary["id"] = roadmap_id
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    problems = sum(1 for m in summary["measures"] if m["flags"])
    click.echo(
        f"{summary['title'] or file.name}\nРазделов: {len(summary['sections'])}, мероприятий: "
        f"{len(summary['measures'])}, требуют внимания: {problems}."
    )
    for measure in summary["measures"]:
        for flag in measure["flags"]:
            click.echo(f"  {measure['number']}: {FLAG_LABELS[flag]}")
    click.echo("Ничего не записано (--dry-run)." if dry_run else f"Черновик сохранён, номер {roadmap_id}.")


def _roadmap_or_fail(roadmap_id: int) -> Roadmap:
    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None:
        fail(f"дорожная карта {roadmap_id} не найдена.")
    return roadmap


@roadmap_group.command("generate")
@click.argument("roadmap_id", type=int)
def generate_command(roadmap_id: int):
    """Создать недостающие задачи и обновить сроки (повторный запуск ничего не меняет)."""
    roadmap = _roadmap_or_fail(roadmap_id)
    try:
        result = regenerate_tasks(roadmap, None)
    except PlanError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(
        f"Добавлено: {result.added}\nПеренесено на новые даты: {result.changed}\nОтменено: {result.cancelled}\n"
        f"Восстановлено: {result.restored}\nУдалено (по ним ещё ничего не сделано): {result.removed}\n"
        f"Без изменений: {result.unchanged}"
    )


@roadmap_group.command("publish")
@click.argument("roadmap_id", type=int)
@click.option(
    "--past",
    type=click.Choice([choice.value for choice in PastDeadlines]),
    default=PastDeadlines.KEEP.value,
    show_default=True,
    help="Что делать с прошедшими сроками: keep — оставить (будут просрочены), "
    "from_today — начать период с сегодняшнего дня, not_required — отметить «не требуется».",
)
@click.option("--past-not-required", is_flag=True, help="То же, что --past not_required.")
def publish_command(roadmap_id: int, past: str, past_not_required: bool):
    """Опубликовать дорожную карту: создать задачи исполнителям (как кнопка «Опубликовать»)."""
    roadmap = _roadmap_or_fail(roadmap_id)
    try:
        publication = publish_roadmap(roadmap, None, PastDeadlines.NOT_REQUIRED if past_not_required else past)
    except PlanError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"«{roadmap.title[:100]}»: {publication.message()}")


@roadmap_group.command("list")
def list_command():
    """Список дорожных карт: номер, состояние, период, название и ход работы, как на их страницах."""
    from roadmap.plans.dashboard import roadmap_cards
    from roadmap.reports.typography import format_percent

    roadmaps = db.session.scalars(select(Roadmap).order_by(Roadmap.id)).all()
    cards = roadmap_cards(roadmaps)
    for roadmap in roadmaps:
        card, progress = cards[roadmap.id], ""
        if card.figures is not None:
            f = card.figures
            progress = (
                f"\tплан на {card.plan_year}: выполнено {f.done} из {f.applicable} ({format_percent(f.done_ratio)}),"
                f" просрочено {f.overdue}"
            )
        click.echo(
            f"{roadmap.id}\t{roadmap.status.label}\t{roadmap.period_start}:{roadmap.period_end}\t{roadmap.title}{progress}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(roadmap_group)
