"""Targets from the document's target column and from the review screen; the plausibility
check of a report against the contingent of the target's grade band."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.importers import read_text
from roadmap.models import AuditEvent, MeasureTarget, Role
from roadmap.plans.service import create_roadmap, review_roadmap
from roadmap.targets import TargetKind

DOCUMENT = """Дорожная карта по профориентации на 2023 год
№\tМероприятие\tСрок\tОтветственные\tЦелевой показатель
1\tПрофессиональная диагностика\tоктябрь\tМБОУ СОШ № 1\t93 % обучающихся 8 - 9 классов
2\tСеминар для педагогов\tноябрь\tМБОУ СОШ № 1\tне менее 600 человек
3\tКонкурс проектов\tдекабрь\tМБОУ СОШ № 1\t623 обучающихся, что составляет 75% от общего количества обучающихся 9 классов
4\tЭкскурсии\tдекабрь\tМБОУ СОШ № 1\t
"""


@pytest.fixture
def imported(app, make_org, make_user):
    make_org(full_name="МБОУ СОШ № 1", short_name="МБОУ СОШ № 1")
    coordinator = make_user(role=Role.COORDINATOR, organization=None, login="coordinator")
    parsed = read_text(DOCUMENT)
    roadmap = create_roadmap(parsed, user=coordinator)
    db.session.commit()
    return roadmap, parsed, coordinator


def _targets(roadmap):
    return {m.number: m.targets for m in roadmap.measures}


def test_the_target_column_is_imported(imported):
    roadmap, parsed, _ = imported
    targets = _targets(roadmap)
    diagnosis, seminar, contest = targets["1"][0], targets["2"][0], targets["3"][0]
    assert (diagnosis.kind, diagnosis.planned, diagnosis.grade_from, diagnosis.grade_to, diagnosis.plan_year) == (
        TargetKind.BAND_SHARE,
        93,
        8,
        9,
        None,
    )
    assert (seminar.kind, seminar.planned) == (TargetKind.PARTICIPANTS, 600)
    # Two numbers: kept as written, no number guessed, a warning and a review flag.
    assert (contest.kind, contest.planned, contest.text) == (None, None, parsed.measures[2].notes["Целевой показатель"])
    assert targets["4"] == []
    assert len(parsed.warnings) == 1 and "Мероприятие 3: целевой показатель «623 обучающихся" in parsed.warnings[0]
    flags = {r.measure.number: r.flags for r in review_roadmap(roadmap)}
    assert "target_unparsed" in flags["3"] and "target_unparsed" not in flags["1"]


def _login(client, login="coordinator"):
    assert client.post("/login", data={"login": login, "password": "secret123"}).status_code in (302, 303)


def test_the_review_screen_sets_and_clears_a_target(imported, client):
    roadmap, _, _ = imported
    measure = next(m for m in roadmap.measures if m.number == "3")
    _login(client)
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "не распознан" in page and f'id="target-kind-{measure.id}"' not in page  # a link keeps the page small
    assert f"measure={measure.id}" in page
    page = client.get(f"/roadmaps/{roadmap.id}/review?measure={measure.id}").get_data(as_text=True)
    assert f'id="target-kind-{measure.id}"' in page
    url = f"/roadmaps/{roadmap.id}/measures/{measure.id}/target"
    answer = client.post(url, data={"kind": "band_share", "planned": "75", "grade_from": "9", "plan_year": "2023"})
    assert answer.status_code == 302
    saved = db.session.scalar(
        select(MeasureTarget).where(MeasureTarget.measure_id == measure.id, MeasureTarget.plan_year == 2023)
    )
    assert (saved.kind, saved.planned, saved.grade_from, saved.grade_to) == (TargetKind.BAND_SHARE, 75, 9, 9)
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "target_saved")).startswith(
        "3: целевой показатель (2023 год) — не менее 75"
    )
    # Bad values: a Russian message, nothing saved.
    for bad, message in (
        ({"kind": "band_share", "planned": "120"}, "больше 100"),
        ({"kind": "participants", "planned": "много"}, "не число"),
        ({"kind": "band_share", "planned": "50"}, "Укажите классы"),
        ({"kind": "events", "planned": "2", "plan_year": "1999"}, "нет в периоде"),
    ):
        page = client.post(url, data=bad, follow_redirects=True).get_data(as_text=True)
        assert message in page, bad
    assert client.post(url, data={"kind": "", "plan_year": ""}).status_code == 302
    assert [t.plan_year for t in db.session.get(type(measure), measure.id).targets] == [2023]


def test_a_report_beyond_the_band_is_questioned(app, make_org, make_user, make_roadmap):
    from roadmap.contingent import Band
    from roadmap.directory.service import set_contingent
    from roadmap.models import Task
    from roadmap.plans.targets import set_target
    from roadmap.tasks.workflow import ReportInput, coverage_warning

    school = make_org()
    set_contingent(school, {8: 40, 9: 30, 10: 200}, user=None)
    roadmap = make_roadmap([("1.1", "Диагностика", "октябрь", [school])])
    measure = roadmap.measures[0]
    task = db.session.scalar(select(Task).where(Task.measure_id == measure.id))
    report = ReportInput(coverage_total=50, coverage_students=50, comment="x")
    assert coverage_warning(task, report) is None  # 50 of 270 students: plausible
    set_target(measure, plan_year=None, kind="band_share", planned=90, band=Band(9, 9), user=None)
    warning = coverage_warning(task, report)
    assert warning.startswith("Охват обучающихся (50) больше, чем обучающихся 9 классов в организации (30)")
    assert coverage_warning(task, ReportInput(coverage_total=30, coverage_students=30, comment="x")) is None


def test_next_year_keeps_the_targets_of_every_year(imported):
    from roadmap.plans.service import rollover
    from roadmap.plans.targets import set_target

    roadmap, _, coordinator = imported
    seminar = next(m for m in roadmap.measures if m.number == "2")
    set_target(seminar, plan_year=2023, kind="participants", planned=700, user=coordinator)
    copy = rollover(roadmap, coordinator)
    kept = {m.number: [(t.plan_year, t.kind, t.planned) for t in m.targets] for m in copy.measures}
    # The year's own 700 stays with 2023; «every year» (600, the document's) goes on.
    assert kept["2"] == [(None, TargetKind.PARTICIPANTS, 600)]
    assert kept["1"] == [(None, TargetKind.BAND_SHARE, 93)]
