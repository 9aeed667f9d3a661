"""The rest of the API's contract (issue 22), each item pinned: limits, unknown fields, no trace,
caching that notices a change, every task filter, a task's history, single review with a
reason, export links that download the reports, the dashboard's figures, the token's last use
on its page, and a document a client can be generated from."""

from __future__ import annotations

import io
import re

import lxml.html
from openpyxl import load_workbook

from roadmap.extensions import db
from roadmap.models import Task, TaskStatus
from tests.reports.test_one_truth import read_dashboard


def test_page_size_has_a_limit_stated_in_the_document(client, api_world):
    headers = api_world.headers("coordinator")
    for path in ("/api/v1/tasks", "/api/v1/organizations", f"/api/v1/roadmaps/{api_world.roadmap.id}/measures"):
        assert client.get(f"{path}?limit=200", headers=headers).status_code == 200, path
        refused = client.get(f"{path}?limit=201", headers=headers)
        assert refused.status_code == 400 and refused.get_json()["field"] == "limit", path
        assert "от 1 до 200" in refused.get_json()["detail"]
    spec = client.get("/api/v1/openapi.json").get_json()
    limit = next(p for p in spec["paths"]["/api/v1/tasks"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200


def test_a_body_over_the_size_limit_is_a_413_problem_and_changes_nothing(app, client, api_world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    task = api_world.tasks_a[0]
    response = client.post(
        f"/api/v1/tasks/{task.id}/report",
        data={"version": str(task.version), "files": (io.BytesIO(b"x" * 4096), "big.pdf")},
        headers=api_world.headers("executor_a"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert "слишком большой" in response.get_json()["detail"]
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED


def test_unknown_query_parameters_are_refused_like_unknown_body_fields(client, api_world):
    response = client.get("/api/v1/tasks?colour=red", headers=api_world.headers("coordinator"))
    problem = response.get_json()
    assert response.status_code == 400 and problem["field"] == "colour" and "Неизвестное поле" in problem["detail"]


def test_a_crash_is_a_problem_in_russian_without_a_trace(app, client, api_world, monkeypatch):
    from roadmap.api import resources

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/roadmap/queries.py line 851")

    monkeypatch.setattr(resources.queries, "overview", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production: the handler answers
    response = client.get(f"/api/v1/roadmaps/{api_world.roadmap.id}/figures", headers=api_world.headers("observer"))
    text = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "Внутренняя ошибка" in response.get_json()["detail"]
    assert "Traceback" not in text and "secret internals" not in text and "queries.py" not in text


def test_the_etag_changes_when_a_task_changes(client, api_world):
    from roadmap.tasks.workflow import mark_not_applicable

    headers = api_world.headers("coordinator")
    first = client.get("/api/v1/tasks", headers=headers)
    etag = first.headers["ETag"]
    assert client.get("/api/v1/tasks", headers={**headers, "If-None-Match": etag}).status_code == 304
    mark_not_applicable(api_world.tasks_a[0], api_world.users["executor_a"], "не проводится")
    db.session.flush()
    changed = client.get("/api/v1/tasks", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    now = next(t for t in changed.get_json()["items"] if t["id"] == api_world.tasks_a[0].id)
    assert now["workflow"] != "planned" and now["report"]["is_not_applicable"]


def test_tasks_filter_by_roadmap_and_plan_year(client, api_world, make_roadmap):
    other = make_roadmap([("1.1", "Другое", "сентябрь", [api_world.school_a])], title="Другая карта")
    headers = api_world.headers("coordinator")
    ours = client.get(f"/api/v1/tasks?limit=200&roadmap_id={api_world.roadmap.id}", headers=headers).get_json()
    assert {t["id"] for t in ours["items"]} == {t.id for t in api_world.tasks_a + api_world.tasks_b}
    theirs = client.get(f"/api/v1/tasks?limit=200&roadmap_id={other.id}", headers=headers).get_json()["items"]
    assert theirs and {t["roadmap_id"] for t in theirs} == {other.id}
    years = {t.plan_year for t in api_world.tasks_a}
    for year in years:
        items = client.get(f"/api/v1/tasks?limit=200&plan_year={year}", headers=headers).get_json()["items"]
        assert items and {t["plan_year"] for t in items} == {year}
    assert client.get("/api/v1/tasks?plan_year=1999", headers=headers).get_json()["items"] == []


def test_a_tasks_history_and_a_single_return_with_its_reason(client, api_world):
    task = api_world.tasks_a[0]
    submitted = client.post(
        f"/api/v1/tasks/{task.id}/report",
        data={"version": str(task.version), "held_on": task.due_on.isoformat(), "comment": "Проведено"},
        headers=api_world.headers("executor_a"),
        content_type="multipart/form-data",
    ).get_json()
    no_reason = client.post(
        f"/api/v1/tasks/{task.id}/review",
        json={"decision": "return", "version": submitted["version"]},
        headers=api_world.headers("coordinator"),
    )
    assert no_reason.status_code == 422 and db.session.get(Task, task.id).status == TaskStatus.SUBMITTED
    returned = client.post(
        f"/api/v1/tasks/{task.id}/review",
        json={"decision": "return", "version": submitted["version"], "reason": "no_evidence", "comment": "Нет фото"},
        headers=api_world.headers("coordinator"),
    )
    assert returned.status_code == 200 and returned.get_json()["workflow"] == "returned"
    history = client.get(f"/api/v1/tasks/{task.id}/history", headers=api_world.headers("executor_a")).get_json()
    assert [(h["from_status"], h["to_status"]) for h in history][-2:] == [
        ("planned", "submitted"),
        ("submitted", "returned"),
    ]
    assert history[-1]["reason"] == "no_evidence" and history[-1]["comment"].endswith("Нет фото")
    assert history[-1]["user_id"] == api_world.users["coordinator"].id


def test_export_links_download_the_roadmaps_reports(client, api_world, auth):
    links = client.get(
        f"/api/v1/roadmaps/{api_world.roadmap.id}/exports", headers=api_world.headers("coordinator")
    ).get_json()
    assert set(links) == {"xlsx", "docx", "csv"}
    auth.login("api-coord")  # the links open in a browser signed in as the same user
    xlsx = client.get(links["xlsx"])
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).sheetnames
    docx = client.get(links["docx"])
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    csv = client.get(links["csv"])
    assert csv.status_code == 200 and "Классный час" in csv.get_data(as_text=True)


def test_the_figures_are_the_dashboards(client, api_world, auth):
    from roadmap.tasks.workflow import ReportInput, mark_not_applicable, review_report, submit_report

    executor, coordinator = api_world.users["executor_a"], api_world.users["coordinator"]
    accepted, refused, pending = api_world.tasks_a[:3]
    submit_report(accepted, executor, ReportInput(held_on=accepted.due_on, comment="да"))
    review_report(accepted, coordinator, accepting=True)
    mark_not_applicable(refused, executor, "нет такого")
    submit_report(pending, executor, ReportInput(held_on=pending.due_on, comment="ждёт"))
    db.session.flush()
    for year in sorted({t.plan_year for t in api_world.tasks_a}):
        api = client.get(
            f"/api/v1/roadmaps/{api_world.roadmap.id}/figures?plan_year={year}",
            headers=api_world.headers("coordinator"),
        ).get_json()
        auth.login("api-coord")
        page = read_dashboard(client.get(f"/roadmaps/{api_world.roadmap.id}?year={year}").get_data(as_text=True))
        sections = {s["heading"]: s["figures"] for s in api["sections"] if s["figures"]["total"]}
        assert sections and set(sections) == set(page["sections"])
        for heading, f in sections.items():
            shown = page["sections"][heading]
            assert (f["total"], f["done"], f["reported"], f["returned"], f["overdue"], f["not_applicable"]) == (
                shown["total"],
                shown["done"],
                shown["reported"],
                shown["returned"],
                shown["overdue"],
                shown["na"],
            ), heading
        shown_total = sum(shown["total"] for shown in page["sections"].values())
        shown_done = sum(shown["done"] for shown in page["sections"].values())
        assert (api["summary"]["total"], api["summary"]["done"]) == (shown_total, shown_done)
        executors = {e["name"]: e["figures"] for e in api["executors"]}
        assert {
            name: (f["done"], f["total"] - f["not_applicable"], f["overdue"]) for name, f in executors.items()
        } == page["executors"]


def test_the_account_page_shows_when_a_key_was_last_used(client, auth, api_world):
    auth.login("api-a")
    before = lxml.html.fromstring(client.get("/account/api-tokens").get_data(as_text=True)).text_content()
    assert "не использовался" in before
    assert client.get("/api/v1/me", headers=api_world.headers("executor_a")).status_code == 200
    after = lxml.html.fromstring(client.get("/account/api-tokens").get_data(as_text=True)).text_content()
    assert "не использовался" not in after and re.search(r"\d{2}\.\d{2}\.\d{4}|\d{1,2}:\d{2}", after)


def test_a_client_can_be_generated_from_the_document(client):
    """What generators need: a unique operationId per operation, a schema for every JSON answer
    and body, every reference resolving, the bearer scheme declared."""
    spec = client.get("/api/v1/openapi.json").get_json()
    ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            ids.append(operation["operationId"])
            for code, answer in operation["responses"].items():
                if code.startswith("2") and code != "204":
                    assert answer["content"]["application/json"]["schema"], (method, path, code)
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                assert content["schema"], (method, path, kind)
    assert len(ids) == len(set(ids)) and all(ids)
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)
    for ref in set(re.findall(r'"\$ref": ?"#/components/(\w+)/([^"]+)"', text)):
        assert ref[1] in spec["components"][ref[0]], ref
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
