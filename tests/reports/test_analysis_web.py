"""The analysis pages over HTTP: conclusions, the order draft edited before download, the predecessor."""

from __future__ import annotations

import io

import docx
import lxml.html
import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import AuditEvent, Conclusion

from .conftest import TODAY

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from roadmap.reports import service

    monkeypatch.setattr(service, "today_in", lambda tz: TODAY)


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    from roadmap.reports import charts

    monkeypatch.setattr(charts, "to_png", lambda chart, **kw: tiny_png)
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


@pytest.fixture
def coordinator_client(client, auth, data):
    assert auth.login(data.coordinator.login).status_code in (302, 303)
    return client


def test_conclusions_page_saves_and_refuses_in_russian(coordinator_client, data):
    url = f"/roadmaps/{data.roadmap.id}/report/conclusions?year=2023"
    page = lxml.html.fromstring(coordinator_client.get(url).get_data(as_text=True))
    section = next(s for s in data.roadmap.sections if s.number == "1")
    assert page.xpath(f'//textarea[@name="section:{section.id}"]') and page.xpath('//textarea[@name="report"]')
    # The figures beside the text are the report's.
    assert "выполнено 1 из 4 (25" in page.text_content().replace(NBSP, " ")

    answer = coordinator_client.post(url, data={f"section:{section.id}": "Раздел выполнен.", "report": "Итог."})
    assert answer.status_code == 302
    assert {c.part: c.text for c in db.session.scalars(select(Conclusion))} == {
        f"section:{section.id}": "Раздел выполнен.",
        "report": "Итог.",
    }
    refused = coordinator_client.post(url, data={"report": "я" * 20_001})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "длиннее 20" in body and "я" * 100 in body  # what was typed is kept on the page
    assert db.session.scalar(select(Conclusion.text).where(Conclusion.part == "report")) == "Итог."
    assert coordinator_client.get(f"/roadmaps/{data.roadmap.id}/report/conclusions?year=all").status_code == 400


def test_order_is_edited_then_downloaded(coordinator_client, data):
    url = f"/roadmaps/{data.roadmap.id}/report/order?year=2023"
    page = lxml.html.fromstring(coordinator_client.get(url).get_data(as_text=True))
    bodies = page.xpath(
        '//input[starts-with(@name, "instructions-") and substring(@name, string-length(@name) - 4) = "-body"]/@value'
    )
    assert bodies == ["Руководителям общеобразовательных организаций", "МКУ КНМЦ", ""]
    texts = page.xpath('//textarea[starts-with(@name, "instructions-")]')
    assert "МБОУ СОШ № 3" in texts[0].text_content().replace(NBSP, " ")
    assert texts[-1].text_content().strip() == "Контроль за исполнением настоящего приказа оставляю за собой."

    form = {
        "authority": "Департамент образования",
        "city": "г. Краснодар",
        "order_date": "2023-11-20",
        "number": "327",
        "title": "Об итогах мониторинга",
        "preamble": "В соответствии с планом работы.",
        "results": "Проведено 5 мероприятий.",
        "signer_position": "Директор департамента",
        "signer_name": "А. В. Иванов",
        "instructions-0-body": "Руководителям общеобразовательных организаций",
        "instructions-0-text": "обеспечить выполнение\nпредставить отчёты",
        "instructions-1-body": "МКУ КНМЦ",
        "instructions-1-text": "провести семинар",
        "instructions-2-body": "",
        "instructions-2-text": "Контроль за исполнением настоящего приказа оставляю за собой.",
    }
    added = coordinator_client.post(url, data={**form, "add": "Добавить пункт", "remove": "1"})
    assert added.status_code == 200
    page = lxml.html.fromstring(added.get_data(as_text=True))
    assert page.xpath('//input[@name="instructions-1-body"]/@value') == [""]  # МКУ КНМЦ removed ...
    assert page.xpath('//input[@name="instructions-2-body"]/@value') == [""]  # ... a blank point added
    assert page.xpath('//input[@name="number"]/@value') == ["327"]  # nothing typed is lost

    answer = coordinator_client.post(url, data={**form, "instructions-3-body": "УО", "instructions-3-text": "учесть"})
    assert answer.status_code == 200 and answer.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(answer.data))
    paragraphs = [p.text.replace(NBSP, " ") for p in document.paragraphs]
    assert paragraphs[0] == "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ" and "ПРИКАЗ" in paragraphs
    assert [c.text.replace(NBSP, " ") for c in document.tables[0].rows[0].cells] == ["20.11.2023", "№ 327"]
    start = next(i for i, p in enumerate(paragraphs) if p.endswith("ПРИКАЗЫВАЮ:"))
    assert [p for p in paragraphs[start + 1 :] if p] == [
        "1. Руководителям общеобразовательных организаций:",
        "1.1. обеспечить выполнение;",
        "1.2. представить отчёты.",
        "2. МКУ КНМЦ:",
        "2.1. провести семинар.",
        "3. Контроль за исполнением настоящего приказа оставляю за собой.",
        "4. УО:",
        "4.1. учесть.",
    ]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "order_draft_downloaded"))

    empty = {k: v for k, v in form.items() if not k.startswith("instructions-")}
    refused = coordinator_client.post(url, data=empty)
    assert refused.status_code == 400 and "нет ни одного поручения" in refused.get_data(as_text=True)
    bad = coordinator_client.post(url, data={**form, "order_date": "20.11"})
    assert bad.status_code == 400


def test_predecessor_is_chosen_on_the_roadmaps_page(coordinator_client, data, make_roadmap):
    from datetime import date

    old = make_roadmap(
        [("1.1", "Семинар для заместителей директоров", "сентябрь, ежегодно", [data.orgs["A"]])],
        period=(date(2022, 1, 1), date(2022, 12, 31)),
        title="План 2022",
    )
    page = lxml.html.fromstring(coordinator_client.get(f"/roadmaps/{data.roadmap.id}?year=2023").get_data(as_text=True))
    assert page.xpath(f'//select[@name="predecessor"]/option[@value="{old.id}"]')
    answer = coordinator_client.post(f"/roadmaps/{data.roadmap.id}/predecessor", data={"predecessor": str(old.id)})
    assert answer.status_code == 302
    assert data.roadmap.previous_roadmap_id == old.id
    # The report now compares the years measure by measure.
    report = lxml.html.fromstring(
        coordinator_client.get(f"/roadmaps/{data.roadmap.id}/report?year=2023").get_data(as_text=True)
    )
    assert report.xpath('//table[@data-years-side-by-side]//tr[@data-measure="1.1"]')
    refused = coordinator_client.post(f"/roadmaps/{old.id}/predecessor", data={"predecessor": str(data.roadmap.id)})
    assert refused.status_code == 302
    assert old.previous_roadmap_id is None
    flashed = coordinator_client.get(f"/roadmaps/{old.id}").get_data(as_text=True)
    assert "нельзя указать предыдущей" in flashed
