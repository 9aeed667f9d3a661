"""The API's targets of measures and contingent: set through the page's services (their checks,
their audit), with the pages' access rules, and the same figures as the report page."""

from __future__ import annotations

import lxml.html
from sqlalchemy import select

from roadmap.accounts.api_tokens import create_api_token
from roadmap.extensions import db
from roadmap.models import AuditEvent, Measure, MeasureTarget, Organization, Role


def login(client, login_name: str, password: str = "secret123") -> None:
    assert client.post("/login", data={"login": login_name, "password": password}).status_code in (302, 303)


def _text(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())


def _measure(world, number: str) -> Measure:
    return next(m for m in world.roadmap.measures if m.number == number)


def _targets_path(world, number: str) -> str:
    return f"/api/v1/roadmaps/{world.roadmap.id}/measures/{_measure(world, number).id}/targets"


# ---------------------------------------------------------------- targets of a measure


def test_the_coordinator_sets_and_clears_a_target_through_the_review_screens_service(client, api_world):
    path = _targets_path(api_world, "1.1")
    body = {"plan_year": 2023, "kind": "band_share", "planned": 75, "grade_from": 9}
    answer = client.put(path, json=body, headers=api_world.headers("coordinator"))
    assert answer.status_code == 200, answer.get_json()
    item = answer.get_json()["items"][0]
    assert (item["plan_year"], item["kind"], item["planned"], item["grade_from"], item["grade_to"]) == (
        2023,
        "band_share",
        75.0,
        9,
        9,
    )
    assert item["description"] == "не менее 75\u00a0% обучающихся 9 классов"
    assert item["kind_label"] == "доля обучающихся классов"
    stored = db.session.scalars(select(MeasureTarget)).one()
    assert (stored.plan_year, stored.planned, stored.band.label) == (2023, 75.0, "обучающихся 9 классов")
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "target_saved")).one()
    assert audit.user_id == api_world.users["coordinator"].id
    # an every-year target beside it; GET lists both, every year first
    client.put(path, json={"kind": "participants", "planned": 40}, headers=api_world.headers("coordinator"))
    listed = client.get(path, headers=api_world.headers("observer")).get_json()
    assert [(t["plan_year"], t["kind"]) for t in listed["items"]] == [(None, "participants"), (2023, "band_share")]
    # the review screen shows what the API set
    login(client, "api-coord")
    review = client.get(f"/roadmaps/{api_world.roadmap.id}/review").get_data(as_text=True)
    assert "не менее 40 человек" in review
    cleared = client.put(path, json={"plan_year": 2023, "kind": None}, headers=api_world.headers("coordinator"))
    assert [t["plan_year"] for t in cleared.get_json()["items"]] == [None]
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "target_cleared"))


def test_a_bad_target_is_refused_in_russian_and_changes_nothing(client, api_world):
    path = _targets_path(api_world, "1.1")
    headers = api_world.headers("coordinator")
    for body, detail, field in (
        ({"kind": "band_share", "planned": 150, "grade_from": 9}, "Доля не может быть больше 100 %.", "planned"),
        ({"kind": "band_share", "planned": 50}, "Укажите классы: например, с 9 по 9 или с 8 по 9.", "grade_from"),
        ({"kind": "events", "planned": 2.5}, "Число участников или мероприятий — целое число.", "planned"),
        ({"kind": "events", "planned": 0}, "Укажите плановое значение больше нуля.", "planned"),
        ({"plan_year": 2031, "kind": "events", "planned": 2}, "Такого года нет в периоде дорожной карты.", "plan_year"),
        ({"kind": "band_share", "planned": 50, "grade_from": 9, "grade_to": 8}, "Классы — с 1 по 11", "grade_from"),
        ({"kind": "band_share", "planned": 50, "grade_to": 9}, "Укажите и первый класс", "grade_from"),
    ):
        answer = client.put(path, json=body, headers=headers)
        problem = answer.get_json()
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", body
        assert problem["detail"].startswith(detail) and problem["field"] == field, problem
    for body in (
        {"kind": "events", "planned": 2, "colour": "red"},
        {"kind": "lots"},
        {"planned": 2},
        {"kind": "events", "planned": "2"},
        {"kind": "events", "planned": True},
        {"kind": "events", "planned": 2, "plan_year": 2023.5},
        {"kind": "events", "planned": 2, "plan_year": "2023"},
    ):
        assert client.put(path, json=body, headers=headers).status_code == 400, body
    assert client.get(f"{path}?plan_year=2023", headers=headers).status_code == 400  # unknown parameter
    assert db.session.scalar(select(MeasureTarget.id)) is None


def test_only_the_roadmaps_coordinator_sets_targets(client, api_world):
    path = _targets_path(api_world, "1.1")
    body = {"kind": "events", "planned": 1}
    for who, status in (("observer", 403), ("admin", 403), ("executor_a", 404)):
        answer = client.put(path, json=body, headers=api_world.headers(who))
        assert answer.status_code == status and answer.get_json()["detail"], who
    reader = create_api_token(api_world.users["coordinator"], "чтение", read_only=True).secret
    answer = client.put(path, json=body, headers={"Authorization": f"Bearer {reader}"})
    assert answer.status_code == 403 and "только для чтения" in answer.get_json()["detail"]
    assert client.get(path, headers=api_world.headers("executor_a")).status_code == 404
    other = f"/api/v1/roadmaps/{api_world.roadmap.id}/measures/999999/targets"
    assert client.get(other, headers=api_world.headers("coordinator")).status_code == 404
    assert db.session.scalar(select(MeasureTarget.id)) is None


# ---------------------------------------------------------------- target results (agreement with the report page: tests/reports/test_api_agrees.py)


def test_target_results_of_another_territory_answer_404(client, api_world):
    path = f"/api/v1/roadmaps/{api_world.roadmap.id}/targets"
    assert client.get(path, headers=api_world.headers("executor_a")).status_code == 404
    answer = client.get(path, headers=api_world.headers("coordinator"))
    assert answer.status_code == 200 and answer.get_json()["items"] == []


# ---------------------------------------------------------------- contingent


def test_a_school_keeps_its_contingent_through_the_api_as_on_its_page(client, api_world):
    school = api_world.school_a
    path = f"/api/v1/organizations/{school.id}/contingent"
    body = {
        "grades": [{"grade": 9, "students": 52}, {"grade": 8, "students": 48}],
        "levels_only": [{"level": "НОО", "students": 210}],
    }
    answer = client.put(path, json=body, headers=api_world.headers("executor_a"))
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["student_count"] == 310 and data["grades"] == [
        {"grade": 8, "students": 48},
        {"grade": 9, "students": 52},
    ]
    assert [(lv["level"], lv["students"], lv["source"]) for lv in data["levels"]] == [
        ("НОО", 210, "level"),
        ("ООО", 100, "grades"),
        ("СОО", 0, "grades"),
    ]
    assert data["levels_only"] == [{"level": "НОО", "students": 210}]
    saved = db.session.get(Organization, school.id)
    assert saved.student_count == 310
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contingent_saved")).one()
    assert audit.user_id == api_world.users["executor_a"].id
    # the page shows the same figures
    login(client, "api-a")
    page = lxml.html.fromstring(client.get(f"/contingent/{school.id}").get_data())
    shown = {span.get("data-level"): _text(span.text_content()) for span in page.xpath("//*[@data-level]")}
    assert shown == {"НОО": "(210, всего по уровню: по классам не указано)", "ООО": "(100)", "СОО": "(0)"}
    assert _text(page.xpath('//*[@data-figure="contingent-total"]')[0].text_content()) == str(data["student_count"])
    assert client.get(path, headers=api_world.headers("executor_a")).get_json() == data


def test_a_bad_contingent_is_refused_in_russian_and_changes_nothing(client, api_world):
    path = f"/api/v1/organizations/{api_world.school_a.id}/contingent"
    headers = api_world.headers("executor_a")
    contradiction = {"grades": [{"grade": 9, "students": 52}], "levels_only": [{"level": "ООО", "students": 90}]}
    answer = client.put(path, json=contradiction, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["detail"].startswith("ООО: указано 90 обучающихся, а по классам 5–9 — 52")
    repeated = client.put(
        path,
        json={"grades": [{"grade": 9, "students": 1}, {"grade": 9, "students": 2}], "levels_only": []},
        headers=headers,
    )
    assert repeated.status_code == 422 and repeated.get_json()["field"] == "grades"
    for body in (
        {"grades": [{"grade": 12, "students": 1}], "levels_only": []},
        {"grades": [{"grade": 9, "students": -1}], "levels_only": []},
        {"grades": [], "levels_only": [{"level": "ДО", "students": 1}]},
        {"grades": [{"grade": 9, "students": "много"}], "levels_only": []},
        {"grades": [{"grade": 9, "students": "5"}], "levels_only": []},  # JSON: a number, not its text
        {"grades": [], "levels_only": [{"level": "НОО", "students": True}]},
        {"grades": [{"grade": 9, "students": 5}]},  # PUT replaces the whole contingent: both lists
        {"grades": [], "levels_only": [], "total": 5},
        None,
    ):
        answer = client.put(path, json=body, headers=headers)
        assert answer.status_code == 400 and answer.get_json()["detail"], body
    assert db.session.get(Organization, api_world.school_a.id).grades == []


def test_the_contingent_follows_the_pages_access_rule(client, api_world, make_org, make_user):
    from roadmap.directory.territory import municipality_named

    here, elsewhere = municipality_named("г. Здешний"), municipality_named("г. Дальний")
    api_world.school_a.municipality = here
    far = make_org(short_name="СОШ № 99", municipality=elsewhere)
    municipal = make_user(role=Role.COORDINATOR, login="api-coord-here", municipality=here)
    token = {"Authorization": f"Bearer {create_api_token(municipal, 'тест').secret}"}
    db.session.commit()
    body = {"grades": [{"grade": 1, "students": 20}], "levels_only": []}
    path = "/api/v1/organizations/{}/contingent"
    assert client.put(path.format(api_world.school_a.id), json=body, headers=token).status_code == 200
    assert client.put(path.format(far.id), json=body, headers=token).status_code == 404  # another municipality
    assert client.get(path.format(far.id), headers=token).status_code == 404
    assert client.put(path.format(far.id), json=body, headers=api_world.headers("coordinator")).status_code == 200
    assert client.get(path.format(api_world.school_b.id), headers=api_world.headers("executor_a")).status_code == 404
    assert client.get(path.format(far.id), headers=api_world.headers("admin")).status_code == 200
    observed = client.get(path.format(far.id), headers=api_world.headers("observer"))
    assert observed.status_code == 403 and observed.mimetype == "application/problem+json"
    assert client.get(path.format(999999), headers=api_world.headers("admin")).status_code == 404
