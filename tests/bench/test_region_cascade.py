"""The bench's region is "a regional roadmap cascaded to municipal ones" (issue 20): the regional
measures for every school go to the municipal centres, all but a few municipalities fan them out
to their schools (bench.region.build_municipal_roadmaps), and the regional figures roll the
children up through the one classification (reports.queries)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bench.region import (
    ALL_SCHOOLS,
    MUNICIPAL_COORDINATORS,
    bench_database_url,
    build_region,
    cascading,
    make_app,
    profile_of,
)


def test_most_municipalities_of_the_region_fan_out_and_a_few_do_not():
    profile = profile_of("region")
    fanning = [n for n in range(profile.municipalities) if cascading(profile, n)]
    assert len(fanning) == 40 and all(n in fanning for n in range(MUNICIPAL_COORDINATORS))
    # The earlier shape has no cascade.
    assert not any(cascading(profile_of("1"), n) for n in range(20))


def test_the_regional_figures_roll_up_the_municipal_children(tmp_path, monkeypatch):
    from roadmap.extensions import db
    from roadmap.models import Measure, Organization, Roadmap, Task
    from roadmap.plans.service import publish_roadmap
    from roadmap.reports.queries import Scope, figures_of

    monkeypatch.setenv("ROADMAP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "bench-secret")
    app = make_app(bench_database_url("sqlite", tmp_path), tmp_path)
    today = date.today()
    ids = build_region(app, "region:0.06", today)
    with app.app_context():
        regional = db.session.get(Roadmap, ids["roadmap_id"])
        publish_roadmap(regional, None)
        db.session.commit()
        children = db.session.execute(
            select(Measure.parent_measure_id, Roadmap.municipality_id)
            .join(Roadmap, Roadmap.id == Measure.roadmap_id)
            .where(Measure.parent_measure_id.is_not(None))
        ).all()
        places = {place for _parent, place in children}
        assert len(places) == ids["municipalities"] == 3
        # Each municipality carries out every regional measure for schools, once.
        assert len(children) == len(set(children)) == len(places) * len(ALL_SCHOOLS)
        parents = {parent for parent, _place in children}
        assert set(db.session.scalars(select(Measure.roadmap_id).where(Measure.id.in_(parents)))) == {regional.id}

        def tasks(*where) -> int:
            return db.session.scalar(
                select(func.count())
                .select_from(Task)
                .join(Organization, Organization.id == Task.organization_id)
                .where(Task.is_cancelled.is_(False), *where)
            )

        own = tasks(Task.roadmap_id == regional.id)
        # The centres' own tasks on the fanned-out measures are their summaries: left out.
        summaries = tasks(
            Task.roadmap_id == regional.id, Task.measure_id.in_(parents), Organization.municipality_id.in_(places)
        )
        fanned = tasks(Measure.parent_measure_id.is_not(None), Task.measure_id == Measure.id)
        assert summaries > 0 and fanned > own
        rolled = figures_of([Scope(regional.id, None, today, rolls_up=True)])[regional.id]
        alone = figures_of([Scope(regional.id, None, today)])[regional.id]
        assert alone.total == own
        assert rolled.total == own - summaries + fanned
        db.engine.dispose()
