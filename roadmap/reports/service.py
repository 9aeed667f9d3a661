"""Reports put together: scope → figures → charts and files. Reads only; nothing to commit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from roadmap.clock import DEFAULT_TIMEZONE, today_in
from roadmap.extensions import db
from roadmap.models import Organization, Roadmap, RoadmapStatus, Task
from roadmap.reports import charts as chart_lib
from roadmap.reports.queries import (
    Coverage,
    MonitoringReport,
    Overview,
    Scope,
    classified,
    default_plan_year,
    monitoring_report,
    overview,
    task_rows,
)
from roadmap.reports.typography import format_date, plan_year_label, plan_year_short
from roadmap.russian import truncate

FORMATS = ("xlsx", "docx", "csv")


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    mimetype: str
    filename: str
    replaced: int = 0  # characters the file's encoding could not hold (CSV in Windows-1251)


def _csv_export(scope: Scope, name: str, encoding: str) -> ExportFile:
    from roadmap.reports.csv import CSV_MIMES, task_csv_encoded

    data, replaced = task_csv_encoded(task_rows(scope), encoding)
    return ExportFile(data, CSV_MIMES[encoding], f"{name}.csv", replaced)


def build_scope(
    roadmap: Roadmap,
    plan_year: int | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    organization_id: int | None = None,
    today: date | None = None,
    default_year: bool = True,
    municipality_id: int | None = None,
) -> Scope:
    """A scope for `roadmap`. Without a plan year and a date range it is the current plan year,
    unless `default_year` is False (then: every plan year)."""
    today = today or today_in(roadmap.timezone)
    if default_year and plan_year is None and date_from is None and date_to is None:
        plan_year = default_plan_year(roadmap, today)
    return Scope(
        roadmap_id=roadmap.id,
        plan_year=plan_year,
        today=today,
        date_from=date_from,
        date_to=date_to,
        organization_id=organization_id,
        timezone=roadmap.timezone or DEFAULT_TIMEZONE,
        municipality_id=municipality_id,
        # A regional roadmap's figures include what its municipalities fanned out (the cascade).
        rolls_up=roadmap.municipality_id is None,
    )


def report_charts(report: MonitoringReport | Overview) -> list[chart_lib.Chart]:
    """The four charts of a report (or of the dashboard's overview), in display order."""
    return [
        chart_lib.progress_by_section([(s.heading, s.figures) for s in report.sections if s.figures.total]),
        chart_lib.status_distribution(report.status_counts),
        chart_lib.coverage_by_month(_months_without_gaps(report)),
        chart_lib.executors_ranked([(e.name, e.figures.done, e.figures.applicable) for e in report.executors_ranked]),
    ]


def _months_without_gaps(report: MonitoringReport | Overview) -> list[tuple[int, int, Coverage]]:
    """Coverage by month from the first month with reports to the last, empty months included."""
    known = {(m.year, m.month): m.coverage for m in report.coverage_by_month}
    if not known:
        return []
    (year, month), last = min(known), max(known)
    result = []
    while (year, month) <= last:
        result.append((year, month, known.get((year, month), Coverage())))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def overview_charts(data: MonitoringReport | Overview) -> dict[str, str]:
    """name → SVG markup ("progress", "statuses", "coverage", "executors") for a page.

    The markup escapes every text it contains, so `{{ svg|safe }}` is safe to embed.
    """
    return {chart.key: chart_lib.to_svg(chart) for chart in report_charts(data)}


def dashboard_charts(roadmap: Roadmap, plan_year: int | None) -> dict[str, str]:
    """The dashboard's charts of `roadmap` for `plan_year` (None: the current plan year)."""
    return overview_charts(overview(roadmap, build_scope(roadmap, plan_year)))


def safe_filename(text: str) -> str:
    text = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", text)
    return " ".join(text.split())[:120].strip(" .") or "отчёт"


def scope_suffix(roadmap: Roadmap, scope: Scope) -> str:
    parts = []
    if scope.plan_year is not None:
        parts.append(plan_year_short(scope.plan_year, roadmap.year_type).replace("/", "-"))
    if scope.date_from or scope.date_to:
        parts.append(f"{format_date(scope.date_from) or '…'}-{format_date(scope.date_to) or '…'}")
    return " ".join(parts)


Progress = Callable[[int, str], None]  # (percent, what is being done), as roadmap.jobs.report_progress


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _counted(rows: Iterable, total: int, progress: Progress, start: int, end: int, every: int = 5000) -> Iterator:
    """`rows` passed through, telling `progress` how many of `total` went by (start … end %)."""
    for number, row in enumerate(rows, start=1):
        if number % every == 0 and total:
            progress(start + (end - start) * min(number, total) // total, f"Записано задач: {number} из {total}")
        yield row


def roadmap_export(
    roadmap: Roadmap,
    scope: Scope,
    fmt: str,
    *,
    generated_on: date | None = None,
    encoding: str = "utf-8",
    progress: Progress = _no_progress,
) -> ExportFile:
    """The whole roadmap's report as XLSX, DOCX or CSV (`encoding`: the CSV's, see CSV_ENCODINGS).
    `progress` hears how far it is (a background job's report_progress)."""
    generated_on = generated_on or scope.today
    name = safe_filename(f"Отчёт {truncate(roadmap.title, 80, ellipsis='')} {scope_suffix(roadmap, scope)}")
    if fmt == "csv":
        progress(10, "Выгрузка задач…")
        from roadmap.reports.csv import CSV_MIMES, task_csv_encoded

        counted = progress is not _no_progress  # a background job: one COUNT more, for the progress bar
        rows = _counted(task_rows(scope), scope_task_count(scope) if counted else 0, progress, 10, 90)
        data, replaced = task_csv_encoded(rows, encoding)
        return ExportFile(data, CSV_MIMES[encoding], f"{name}.csv", replaced)
    progress(5, "Подсчёт показателей…")
    report = monitoring_report(roadmap, scope)
    progress(30, "Запись файла…")
    if fmt == "xlsx":
        from roadmap.reports.compare import years_side_by_side
        from roadmap.reports.xlsx import XLSX_MIME, roadmap_workbook

        rows = _counted(task_rows(scope), report.summary.total, progress, 30, 90)
        data = roadmap_workbook(report, rows, generated_on, report_charts(report), history=years_side_by_side(report))
        return ExportFile(data, XLSX_MIME, f"{name}.xlsx")
    if fmt == "docx":
        from roadmap.reports.compare import years_side_by_side
        from roadmap.reports.conclusions import conclusions_of
        from roadmap.reports.docx import DOCX_MIME, roadmap_document

        owner = db.session.get(Organization, roadmap.owner_organization_id) if roadmap.owner_organization_id else None
        data = roadmap_document(
            report,
            report_charts(report),
            generated_on,
            owner_name=owner.short_name if owner else None,
            history=years_side_by_side(report),
            conclusions=conclusions_of(roadmap.id, scope.plan_year),
            owner_full_name=owner.full_name if owner else None,
        )
        return ExportFile(data, DOCX_MIME, f"{name}.docx")
    raise ValueError(f"unknown format {fmt!r}")


def executor_export(
    roadmap: Roadmap,
    organization: Organization,
    scope: Scope,
    fmt: str,
    *,
    generated_on: date | None = None,
    encoding: str = "utf-8",
) -> ExportFile:
    """One organization's own report: its tasks, reports and coverage."""
    if scope.organization_id != organization.id:
        raise ValueError("the scope must be limited to the organization")
    generated_on = generated_on or scope.today
    name = safe_filename(f"Отчёт {organization.short_name} {scope_suffix(roadmap, scope)}")
    if fmt == "csv":
        return _csv_export(scope, name, encoding)
    report = monitoring_report(roadmap, scope)
    if fmt == "xlsx":
        from roadmap.reports.xlsx import XLSX_MIME, executor_workbook

        data = executor_workbook(report, organization.short_name, task_rows(scope), generated_on)
        return ExportFile(data, XLSX_MIME, f"{name}.xlsx")
    if fmt == "docx":
        from roadmap.reports.docx import DOCX_MIME, executor_document

        data = executor_document(
            report, organization.short_name, organization.full_name, task_rows(scope), generated_on
        )
        return ExportFile(data, DOCX_MIME, f"{name}.docx")
    raise ValueError(f"unknown format {fmt!r}")


@dataclass(frozen=True)
class OwnReport:
    """A roadmap × plan year an organization has tasks in: a line of «Мои отчёты»."""

    roadmap: Roadmap
    plan_year: int
    tasks: int

    @property
    def label(self) -> str:
        return plan_year_label(self.plan_year, self.roadmap.year_type)


def own_reports(organization_id: int) -> list[OwnReport]:
    """The published or archived roadmaps and plan years with (not cancelled) tasks of the
    organization, newest period first; one query."""
    rows = db.session.execute(
        select(Roadmap, Task.plan_year, func.count(Task.id))
        .join(Task, Task.roadmap_id == Roadmap.id)
        .where(
            Task.organization_id == organization_id,
            Task.is_cancelled.is_(False),
            Roadmap.status != RoadmapStatus.DRAFT,
        )
        .group_by(Roadmap.id, Task.plan_year)
        .order_by(Roadmap.period_start.desc(), Roadmap.id, Task.plan_year.desc())
    ).all()
    return [OwnReport(roadmap, year, count) for roadmap, year, count in rows]


# --------------------------------------------------------------------------- in the background

# A scope of more tasks than EXPORT_BACKGROUND_TASKS (roadmap.config, 20,000 by default) is
# exported by a background job with progress (roadmap.jobs): at region scale (about 110,000 tasks)
# the XLSX takes well over the 10 s a request may wait; the demo's 800 tasks take about a second
# (bench/exports.py measures both).
EXPORT_JOB = "roadmap.reports.service.roadmap_export_job"


def scope_task_count(scope: Scope) -> int:
    """The tasks a report of `scope` counts (cancelled ones are not in it): one COUNT."""
    return db.session.scalar(select(func.count()).select_from(classified(scope))) or 0


def exports_in_background(scope: Scope, *, limit: int | None = None) -> bool:
    """Whether the roadmap's export of `scope` goes to a background job rather than the request."""
    if limit is None:
        limit = current_app.config["EXPORT_BACKGROUND_TASKS"]
    return scope_task_count(scope) > limit


def _scope_arguments(scope: Scope) -> dict:
    """The scope as a job's JSON-like argument (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(scope).items()}


def _scope_from(arguments: dict) -> Scope:
    dates = {"today", "date_from", "date_to"}
    return Scope(**{k: date.fromisoformat(v) if k in dates and v else v for k, v in arguments.items()})


def enqueue_roadmap_export(
    roadmap: Roadmap, scope: Scope, fmt: str, *, encoding: str = "utf-8", user_id: int | None = None
) -> str:
    """Start `roadmap_export` of `scope` as a background job; returns the job's id (its page,
    /jobs/<id>/progress, shows the progress and then offers the file)."""
    from roadmap.jobs import enqueue

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return enqueue(
        EXPORT_JOB,
        roadmap.id,
        fmt,
        _scope_arguments(scope),
        encoding=encoding,
        user_id=user_id,
        description=f"Отчёт {fmt.upper()} по дорожной карте «{truncate(roadmap.title, 80)}»",
    )


def roadmap_export_job(roadmap_id: int, fmt: str, scope: dict, *, encoding: str = "utf-8") -> dict:
    """The job: the export of `scope`, saved where the job's page offers it for download."""
    from roadmap.jobs import JobError, current_job_id, report_progress
    from roadmap.jobs.tasks import export_path

    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None:
        raise JobError("Дорожная карта не найдена: возможно, её удалили.")
    export = roadmap_export(roadmap, _scope_from(scope), fmt, encoding=encoding, progress=report_progress)
    report_progress(95, "Сохранение файла…")
    path = export_path(current_job_id() or "job", export.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(export.data)
    return {"message": f"Отчёт готов: {export.filename}.", "file": path.name, "filename": export.filename}
