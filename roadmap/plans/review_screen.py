"""What the review screen of a draft shows: its measures reviewed, filtered and paged, with what
blocks publishing and what publishing would create. The page (roadmap.web.plans.review) renders it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from roadmap.clock import today_in
from roadmap.extensions import db
from roadmap.models import Measure, Roadmap
from roadmap.plans.service import (
    MeasureReview,
    TaskForecast,
    matched_names,
    publish_problems,
    review_roadmap,
    task_forecast,
)

REVIEW_PAGE_SIZE = 100


def review_page(reviews: list, *, page: int, measure_id: int | None, size: int = REVIEW_PAGE_SIZE):
    """One page of the reviewed measures: (items, page, pages); ``measure_id`` picks its page."""
    if measure_id is not None:
        index = next((i for i, r in enumerate(reviews) if r.measure.id == measure_id), None)
        if index is not None:
            page = index // size + 1
    pages = max(1, -(-len(reviews) // size))
    page = min(max(page, 1), pages)
    return reviews[(page - 1) * size : page * size], page, pages


@dataclass
class ReviewScreen:
    reviews: list[MeasureReview]  # the page shown
    page: int
    pages: int
    shown_count: int  # measures after the problems filter
    total: int
    problem_count: int
    only_problems: bool
    org_names: dict[int, str]
    group_names: dict[int, str]
    blocking: list[str]
    forecast: TaskForecast
    today: date

    @property
    def first_index(self) -> int:
        return (self.page - 1) * REVIEW_PAGE_SIZE


def review_screen(roadmap: Roadmap, *, only_problems: bool, measure_id: int | None, page: int) -> ReviewScreen:
    """The review screen of `roadmap`: with `only_problems` the flagged measures alone, unless
    `measure_id` (a link to one measure) is not among them."""
    # Measures with their parties and sections in three queries, not two per measure.
    measures = selectinload(Roadmap.measures)
    db.session.scalars(
        select(Roadmap)
        .where(Roadmap.id == roadmap.id)
        .options(
            measures.selectinload(Measure.parties),
            measures.selectinload(Measure.section),
            measures.selectinload(Measure.targets),
        )
    ).one()
    reviews = review_roadmap(roadmap)
    shown = [r for r in reviews if r.flags] if only_problems else reviews
    if only_problems and measure_id is not None and all(r.measure.id != measure_id for r in shown):
        # A link to a measure without problems still reaches it: among all measures.
        only_problems, shown = False, reviews
    items, page, pages = review_page(shown, page=page, measure_id=measure_id)
    org_names, group_names = matched_names(items)
    today = today_in(roadmap.timezone)
    return ReviewScreen(
        reviews=items,
        page=page,
        pages=pages,
        shown_count=len(shown),
        total=len(reviews),
        problem_count=sum(1 for r in reviews if r.flags),
        only_problems=only_problems,
        org_names=org_names,
        group_names=group_names,
        blocking=publish_problems(roadmap, reviews),
        forecast=task_forecast(roadmap, today, reviews),
        today=today,
    )
