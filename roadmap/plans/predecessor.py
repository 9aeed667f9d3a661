"""The roadmap a roadmap continues (`Roadmap.previous_roadmap_id`): set by rollover, or chosen by
hand when last year's plan was imported as a document of its own. The reports compare years
along this chain (roadmap.reports.queries.year_series, roadmap.reports.compare)."""

from __future__ import annotations

from sqlalchemy import select

from roadmap import audit
from roadmap.extensions import db
from roadmap.models import Roadmap, RoadmapStatus, User
from roadmap.plans.service import PlanError


def predecessor_choices(roadmap: Roadmap) -> list[Roadmap]:
    """Roadmaps that may be chosen: published or archived, starting before this one, not
    continuing it (no loops), newest first."""
    later = _continuations(roadmap)
    return [
        r
        for r in db.session.scalars(
            select(Roadmap)
            .where(
                Roadmap.id != roadmap.id,
                Roadmap.status != RoadmapStatus.DRAFT,
                Roadmap.period_start < roadmap.period_start,
            )
            .order_by(Roadmap.period_start.desc(), Roadmap.id.desc())
        )
        if r.id not in later
    ]


def _continuations(roadmap: Roadmap) -> set[int]:
    """The ids of roadmaps that continue `roadmap`, directly or through others."""
    found: set[int] = set()
    frontier = {roadmap.id}
    while frontier:
        frontier = set(db.session.scalars(select(Roadmap.id).where(Roadmap.previous_roadmap_id.in_(frontier)))) - found
        found |= frontier
    return found


def set_predecessor(roadmap: Roadmap, predecessor_id: int | None, user: User | None) -> None:
    """Link `roadmap` to the roadmap it continues (None: no predecessor); audited. The caller commits."""
    if predecessor_id is None:
        if roadmap.previous_roadmap_id is None:
            return
        old = db.session.get(Roadmap, roadmap.previous_roadmap_id)
        roadmap.previous_roadmap_id = None
        audit.record(
            "roadmap_predecessor_set",
            user=user,
            obj=roadmap,
            summary=f"{roadmap.title[:150]}: предыдущая карта не указана (была «{(old.title if old else '')[:150]}»)",
        )
        return
    predecessor = db.session.get(Roadmap, predecessor_id)
    if predecessor is None:
        raise PlanError("Выбранная дорожная карта не найдена: обновите страницу и выберите снова.")
    if predecessor.id == roadmap.id:
        raise PlanError("Дорожная карта не может продолжать саму себя.")
    if predecessor.id not in {r.id for r in predecessor_choices(roadmap)}:
        raise PlanError(
            "Эту дорожную карту нельзя указать предыдущей: она начинается не раньше этой, ещё черновик "
            "или сама продолжает эту карту."
        )
    if roadmap.previous_roadmap_id == predecessor.id:
        return
    roadmap.previous_roadmap_id = predecessor.id
    audit.record(
        "roadmap_predecessor_set",
        user=user,
        obj=roadmap,
        summary=f"{roadmap.title[:150]}: продолжает «{predecessor.title[:150]}»",
    )
