"""The REST API: tokens, the same rights as the pages, round trips with the pages and exports,
problem details in Russian, paging and caching, and a valid OpenAPI 3.1 document."""

from __future__ import annotations

import io

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from roadmap.accounts.api_tokens import create_api_token, revoke_api_token
from roadmap.extensions import db
from roadmap.models import ApiToken, OrgKind, Role, Task, TaskStatus
from roadmap.tasks.access import can_view_task, visible_tasks

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_document_is_valid_openapi_3_1_and_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    documented = {
        (method.upper(), path) for path, item in spec["paths"].items() for method in item if method != "parameters"
    }
    routes = {
        (method, rule.rule.replace("<int:", "{").replace(">", "}").replace("<", "{"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint.startswith("api_")
        and not rule.endpoint.startswith("api_docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes and routes <= documented, routes - documented
    # every error answer is a problem document
    assert "application/problem+json" in spec["components"]["responses"]["DEFAULT_ERROR"]["content"]


def test_the_reference_page_is_served_by_the_app(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/tasks/{task_id}/report" in page and "Authorization: Bearer" in page
    assert "cdn" not in page.lower() and "https://" not in page.split("</head>")[0]


def test_without_a_valid_token_nothing_is_answered(client, api_world):
    for headers in ({}, {"Authorization": "Bearer rm_wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/tasks", headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "ключ API" in response.get_json()["detail"]


def test_an_executor_sees_only_its_organization_and_another_one_answers_404(client, api_world):
    listed = client.get("/api/v1/tasks?limit=200", headers=api_world.headers("executor_a")).get_json()
    assert {t["id"] for t in listed["items"]} == {t.id for t in api_world.tasks_a}
    other = api_world.tasks_b[0]
    for path in (f"/api/v1/tasks/{other.id}", f"/api/v1/tasks/{other.id}/history"):
        response = client.get(path, headers=api_world.headers("executor_a"))
        web = client.get(f"/tasks/{other.id}")  # anonymous on the web: the login page, not a leak
        assert response.status_code == 404 and web.status_code in (302, 404)
    missing = client.get("/api/v1/tasks/999999", headers=api_world.headers("executor_a"))
    assert (
        missing.get_json()["detail"]
        == client.get(f"/api/v1/tasks/{other.id}", headers=api_world.headers("executor_a")).get_json()["detail"]
    )


def test_the_sql_visibility_rule_agrees_with_the_one_by_one_rule(api_world):
    tasks = db.session.scalars(select(Task)).all()
    for user in api_world.users.values():
        listed = set(db.session.scalars(visible_tasks(user).with_only_columns(Task.id)))
        assert listed == {t.id for t in tasks if can_view_task(user, t)}, user.role


def test_round_trip_report_with_a_file_then_acceptance_shows_on_the_pages_and_exports(client, api_world, auth):
    task = api_world.tasks_a[0]
    data = {
        "version": str(task.version),
        "held_on": task.due_on.isoformat(),
        "coverage_total": "120",
        "coverage_students": "100",
        "comment": "Проведено через API",
        "links": "https://school1.example/news/1",
        "files": (io.BytesIO(PNG), "фото.png"),
    }
    response = client.post(
        f"/api/v1/tasks/{task.id}/report",
        data=data,
        headers=api_world.headers("executor_a"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["workflow"] == "submitted" and body["report"]["attachments"][0]["name"] == "фото.png"
    assert body["report"]["coverage"]["coverage_total"] == 120
    reviewed = client.post(
        f"/api/v1/tasks/{task.id}/review",
        json={"decision": "accept", "version": body["version"]},
        headers=api_world.headers("coordinator"),
    )
    assert reviewed.status_code == 200 and reviewed.get_json()["workflow"] == "accepted"
    assert db.session.get(Task, task.id).status == TaskStatus.ACCEPTED
    # the pages and the export say the same
    auth.login("api-coord")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Проведено через API" in page and "фото.png" in page and "принято" in page
    figures = client.get(
        f"/api/v1/roadmaps/{api_world.roadmap.id}/figures?plan_year=2023", headers=api_world.headers("coordinator")
    ).get_json()
    assert figures["summary"]["done"] == 1
    csv_text = client.get(f"/roadmaps/{api_world.roadmap.id}/export.csv?year=2023").get_data(as_text=True)
    assert "Проведено через API" in csv_text


def test_a_stale_version_is_a_409_and_changes_nothing(client, api_world):
    task = api_world.tasks_a[0]
    response = client.post(
        f"/api/v1/tasks/{task.id}/not-applicable",
        json={"version": task.version + 5, "reason": "нет выпускников"},
        headers=api_world.headers("executor_a"),
    )
    assert response.status_code == 409 and response.get_json()["field"] == "version"
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED


def test_refused_actions_say_why_in_russian_with_the_field(client, api_world):
    task = api_world.tasks_a[0]
    coordinator_submits = client.post(
        f"/api/v1/tasks/{task.id}/not-applicable",
        json={"version": task.version, "reason": "так"},
        headers=api_world.headers("coordinator"),
    )
    assert coordinator_submits.status_code == 422
    assert "сотрудники организации-исполнителя" in coordinator_submits.get_json()["detail"]
    unknown = client.post(
        f"/api/v1/tasks/{task.id}/not-applicable",
        json={"version": task.version, "reason": "так", "extra": 1},
        headers=api_world.headers("executor_a"),
    )
    problem = unknown.get_json()
    assert unknown.status_code == 400 and problem["field"] == "extra" and "Неизвестное поле" in problem["detail"]
    not_json = client.post(
        f"/api/v1/tasks/{task.id}/not-applicable",
        data="{",
        headers={**api_world.headers("executor_a"), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400 and not_json.mimetype == "application/problem+json"


def test_bulk_review_says_what_happened_to_each_item(client, api_world):
    from roadmap.tasks.workflow import mark_not_applicable

    first, second = api_world.tasks_a[:2]
    mark_not_applicable(first, api_world.users["executor_a"], "не проводится")
    db.session.flush()
    response = client.post(
        "/api/v1/review",
        json={
            "decision": "accept",
            "items": [
                {"task_id": first.id, "version": first.version},
                {"task_id": second.id, "version": second.version},
            ],
        },
        headers=api_world.headers("coordinator"),
    )
    body = response.get_json()
    assert response.status_code == 200 and body["done"] == 1 and body["refused"] == 1
    by_id = {item["task_id"]: item for item in body["items"]}
    assert by_id[first.id]["ok"] and not by_id[second.id]["ok"]
    assert "не на проверке" in by_id[second.id]["detail"]
    assert client.post("/api/v1/review", json=body | {}, headers=api_world.headers("executor_a")).status_code in (
        400,
        403,
    )


def test_paging_with_a_cursor_and_a_304_while_nothing_changed(client, api_world):
    headers = api_world.headers("coordinator")
    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/tasks", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        body = page.get_json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(t.id for t in api_world.tasks_a + api_world.tasks_b)
    first = client.get("/api/v1/tasks?limit=2", headers=headers)
    again = client.get("/api/v1/tasks?limit=2", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    bad = client.get("/api/v1/tasks?cursor=abc", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "cursor"
    assert "next_cursor" in bad.get_json()["detail"]


def test_filters_by_workflow_overdue_and_dates(client, api_world):
    headers = api_world.headers("coordinator")
    everything = client.get("/api/v1/tasks?limit=200", headers=headers).get_json()["items"]
    overdue = client.get("/api/v1/tasks?limit=200&overdue=true", headers=headers).get_json()["items"]
    assert {t["id"] for t in overdue} == {t["id"] for t in everything if t["timeliness"] == "overdue"}
    planned = client.get("/api/v1/tasks?limit=200&workflow=planned", headers=headers).get_json()["items"]
    assert {t["id"] for t in planned} == {t["id"] for t in everything if t["workflow"] == "planned"}
    school_b = client.get(f"/api/v1/tasks?organization_id={api_world.school_b.id}", headers=headers).get_json()["items"]
    assert {t["id"] for t in school_b} == {t.id for t in api_world.tasks_b}
    april = client.get("/api/v1/tasks?due_from=2023-04-01&due_to=2023-06-30", headers=headers).get_json()["items"]
    assert april and all("2023-04-01" <= t["due_effective_on"] <= "2023-06-30" for t in april)


def test_a_read_only_token_reads_but_does_not_write(client, api_world):
    issued = create_api_token(api_world.users["executor_a"], "чтение", read_only=True)
    db.session.flush()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    task = api_world.tasks_a[0]
    assert client.get(f"/api/v1/tasks/{task.id}", headers=headers).status_code == 200
    refused = client.post(
        f"/api/v1/tasks/{task.id}/not-applicable", json={"version": task.version, "reason": "x"}, headers=headers
    )
    assert refused.status_code == 403 and "только для чтения" in refused.get_json()["detail"]


def test_revoking_a_token_takes_effect_at_once(client, api_world):
    headers = api_world.headers("executor_a")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == api_world.users["executor_a"].id))
    assert token.last_used_at is not None
    revoke_api_token(token, api_world.users["executor_a"])
    db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(api_world):
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored and not set(api_world.tokens.values()) & set(stored)


def test_the_api_has_a_rate_limit_per_token(app, client, api_world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    answers = [client.get("/api/v1/me", headers=api_world.headers("observer")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=api_world.headers("coordinator")).status_code == 200  # another token
    limited = client.get("/api/v1/me", headers=api_world.headers("observer"))
    assert limited.mimetype == "application/problem+json" and "Подождите" in limited.get_json()["detail"]


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("who", ["coordinator", "observer", "admin"])
def test_staff_read_the_roadmap_measures_and_figures(client, api_world, who):
    headers = api_world.headers(who)
    roadmap_id = api_world.roadmap.id
    assert [r["id"] for r in client.get("/api/v1/roadmaps", headers=headers).get_json()] == [roadmap_id]
    measures = client.get(f"/api/v1/roadmaps/{roadmap_id}/measures", headers=headers).get_json()
    assert [m["number"] for m in measures] == ["1.1", "1.2"] and len(measures[1]["occurrences"]) == 4
    assert "сентябр" in measures[0]["schedule_explanation"]
    figures = client.get(f"/api/v1/roadmaps/{roadmap_id}/figures?plan_year=2023", headers=headers).get_json()
    assert figures["summary"]["total"] == len(api_world.tasks_a) + len(api_world.tasks_b)


def test_executors_see_no_roadmap_lists_but_their_own_organization(client, api_world):
    headers = api_world.headers("executor_a")
    assert client.get("/api/v1/roadmaps", headers=headers).get_json() == []
    assert client.get(f"/api/v1/roadmaps/{api_world.roadmap.id}", headers=headers).status_code == 404
    orgs = client.get("/api/v1/organizations", headers=headers).get_json()
    assert [o["id"] for o in orgs] == [api_world.school_a.id]
    assert client.get("/api/v1/groups", headers=headers).status_code == 403


def test_an_id_too_big_for_the_database_is_a_missing_page_not_a_crash(client, api_world, auth):
    huge = "44499397333365693612032"
    assert client.get(f"/api/v1/tasks/{huge}", headers=api_world.headers("coordinator")).status_code == 404
    auth.login("api-coord")
    assert client.get(f"/tasks/{huge}").status_code == 404
    assert client.get(f"/roadmaps/{huge}").status_code == 404


def test_a_municipal_measure_shows_the_regional_measure_it_carries_out(
    client, api_world, make_org, make_user, make_roadmap
):
    from roadmap.directory.territory import municipality_named
    from roadmap.plans.cascade import link_measure, unlink_measure

    place = municipality_named("г. Альфа")
    centre = make_org(kind=OrgKind.CENTRE, short_name="МЦ г. Альфа", municipality=place)
    school = make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 7 (г. Альфа)", municipality=place)
    coordinator = make_user(role=Role.COORDINATOR, login="api-coord-alpha", organization=centre, municipality=place)
    regional = make_roadmap([("1.1", "Совещание", "сентябрь", [centre])], title="Региональная карта на 2023 г.")
    own = make_roadmap(
        [("2.1", "Совещание", "сентябрь", [school]), ("2.2", "Семинар", "октябрь", [school])],
        title="Карта г. Альфа на 2023 г.",
        municipality=place,
    )
    parent = regional.measures[0]
    link_measure(parent, coordinator, own.measures[0])
    headers = {"Authorization": f"Bearer {create_api_token(coordinator, 'тест').secret}"}
    db.session.commit()
    measures = client.get(f"/api/v1/roadmaps/{own.id}/measures", headers=headers).get_json()
    assert [(m["number"], m["parent_measure_id"]) for m in measures] == [("2.1", parent.id), ("2.2", None)]
    staff = client.get(f"/api/v1/roadmaps/{api_world.roadmap.id}/measures", headers=api_world.headers("coordinator"))
    assert {m["parent_measure_id"] for m in staff.get_json()} == {None}
    unlink_measure(own.measures[0], coordinator)
    db.session.commit()
    measures = client.get(f"/api/v1/roadmaps/{own.id}/measures", headers=headers).get_json()
    assert [m["parent_measure_id"] for m in measures] == [None, None]
    # Documented, nullable and read-only: a client generated from the document never sends it.
    spec = client.get("/api/v1/openapi.json").get_json()
    field = spec["components"]["schemas"]["Measure"]["properties"]["parent_measure_id"]
    assert field["readOnly"] is True and "null" in field["type"] and "региональной" in field["description"]
