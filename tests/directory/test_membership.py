"""Group membership has one rule (directory.service.is_member): task generation fans a group out
to the same organizations the proposals page finds the groups of."""

from __future__ import annotations

from roadmap.directory.service import group_members, groups_of
from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import OrgGroup, OrgKind
from roadmap.tasks.service import executor_map


def test_members_by_kind_place_and_list_agree_both_ways(app, make_org, make_roadmap):
    here, there = "г. Краснодар", "г. Сочи"
    school_here = make_org(kind=OrgKind.SCHOOL, municipality=here)
    school_there = make_org(kind=OrgKind.SCHOOL, municipality=there)
    closed = make_org(kind=OrgKind.SCHOOL, municipality=here, is_active=False)
    college = make_org(kind=OrgKind.COLLEGE, municipality=here)
    partner = make_org(kind=OrgKind.OTHER, municipality=here)
    place_here, place_there = municipality_named(here), municipality_named(there)
    groups = {
        "ОО г. Краснодара": OrgGroup(name="ОО г. Краснодара", kind=OrgKind.SCHOOL, municipality=place_here),
        "ОО": OrgGroup(name="ОО", kind=OrgKind.SCHOOL, municipality=None),
        "СПО": OrgGroup(name="СПО", kind=OrgKind.COLLEGE, municipality=None),
        "партнеры": OrgGroup(name="предприятия-партнеры", kind=None, members=[partner, closed]),
        "школы и партнер": OrgGroup(
            name="школы и партнер", kind=OrgKind.SCHOOL, municipality=place_there, members=[partner]
        ),
    }
    db.session.add_all(groups.values())
    db.session.flush()
    ids = {name: group.id for name, group in groups.items()}

    members = group_members(set(ids.values()))
    assert members == {
        ids["ОО г. Краснодара"]: {school_here.id},
        ids["ОО"]: {school_here.id, school_there.id},
        ids["СПО"]: {college.id},
        ids["партнеры"]: {partner.id},
        ids["школы и партнер"]: {school_there.id, partner.id},
    }
    for org in (school_here, school_there, college, partner):
        assert groups_of(org) == {gid for gid, orgs in members.items() if org.id in orgs}, org.short_name

    # Generation fans a group out by the same rule.
    roadmap = make_roadmap([("1.1", "Семинар", "сентябрь", [groups["школы и партнер"]])])
    assert list(executor_map(roadmap.id).values()) == [{school_there.id, partner.id}]
