"""`flask demo --region`: a region of three municipalities with logins for every scoped role;
each municipality's coordinator sees its own roadmap only; loading twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Municipality, Organization, Region, Roadmap, Task, User
from roadmap.tasks.access import can_view_roadmap, visible_roadmaps


def test_the_demo_region_loads_once_with_every_scoped_role(runner):
    first = runner.invoke(args=["demo", "--region"])
    assert first.exit_code == 0, first.output
    for login, territory in (
        ("region ", "весь регион"),
        ("region-observer", "весь регион"),
        ("coordinator ", "г. Краснодар"),
        ("observer ", "г. Краснодар"),
        ("coordinator-sochi", "г. Сочи"),
        ("observer-abinsk", "Абинский район"),
        ("sochi-school1", "своя организация"),
    ):
        line = next(line for line in first.output.splitlines() if line.strip().startswith(login.strip() + " "))
        assert territory in line and "demo2026" in line, line
    assert db.session.scalar(select(Region.name)) == "Краснодарский край"
    places = {m.name: m for m in db.session.scalars(select(Municipality))}
    assert {"г. Краснодар", "г. Сочи", "Абинский район"} <= places.keys()
    assert places["г. Краснодар"].oktmo == "03701000"
    # Colleges and universities are the region's own; the ministry too.
    assert db.session.scalar(select(Organization.municipality_id).where(Organization.short_name == "МОН КК")) is None

    roadmaps = {r.municipality.name: r for r in db.session.scalars(select(Roadmap)) if r.municipality}
    assert {"г. Краснодар", "г. Сочи", "Абинский район"} <= roadmaps.keys()
    sochi = db.session.scalar(select(User).where(User.login == "coordinator-sochi"))
    seen = {r.id for r in db.session.scalars(visible_roadmaps(sochi))}
    assert seen == {roadmaps["г. Сочи"].id}
    assert not can_view_roadmap(sochi, roadmaps["г. Краснодар"])
    # Sochi's roadmap reached Sochi's schools and centre, nobody else.
    reached = db.session.scalars(
        select(Organization.municipality_id)
        .join(Task, Task.organization_id == Organization.id)
        .where(Task.roadmap_id == roadmaps["г. Сочи"].id)
        .distinct()
    ).all()
    assert reached == [places["г. Сочи"].id]
    region = db.session.scalar(select(User).where(User.login == "region"))
    assert {r.id for r in db.session.scalars(visible_roadmaps(region))} >= {r.id for r in roadmaps.values()}

    counts = (db.session.scalar(select(func.count(Organization.id))), db.session.scalar(select(func.count(Task.id))))
    second = runner.invoke(args=["demo", "--region"])
    assert second.exit_code == 0, second.output
    assert (
        db.session.scalar(select(func.count(Organization.id))),
        db.session.scalar(select(func.count(Task.id))),
    ) == counts
