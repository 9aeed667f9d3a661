"""The API's target results are the report page's: the same rows, the same sentence, the same
organizations below the plan (one function, queries.target_results, behind both)."""

from __future__ import annotations

import lxml.html
from sqlalchemy import select

from roadmap.accounts.api_tokens import create_api_token
from roadmap.extensions import db
from roadmap.models import User
from tests.reports.test_dashboard_matches_exports import (  # noqa: F401 (fixtures)
    _table_rows,
    _text,
    cheap_pictures,
    fetch,
    fixed_today,
    login,
    mixed,
    targeted,
)


def test_target_results_are_the_report_pages(client, targeted):  # noqa: F811 (the imported fixture)
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    token = create_api_token(coordinator, "тест").secret
    db.session.commit()
    answer = client.get(
        f"/api/v1/roadmaps/{targeted.id}/targets?plan_year=2023", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    data = answer.get_json()
    login(client)
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{targeted.id}/report?year=2023").decode())
    on_page = [row[:5] for row in _table_rows(page.xpath('//table[@id="targets"]')[0])]
    from_api = [
        [i["measure_number"], i["measure_title"], i["description"], i["fact_text"], i["met_text"]]
        for i in data["items"]
    ]
    assert [[_text(v) for v in row] for row in from_api] == [[*r[:4], r[4].split(" ниже плана")[0]] for r in on_page]
    assert _text(data["sentence"]) == _text(page.xpath('//*[@id="targets-sentence"]')[0].text_content())
    assert (data["met"], data["missed"], data["not_judged"]) == (3, 0, 0)
    # Per organization: the page's «ниже плана» list is the API's organizations below the plan.
    band = data["items"][0]
    assert (band["numerator"], band["denominator"], band["fact"]) == (44, 160, 27.5)
    below = [
        f"{o['name']} — {o['fact']:.1f}".replace(".", ",") + "\u00a0%"
        for o in band["organizations"]
        if o["met"] is False
    ]
    assert _text("выполнен ниже плана: " + ", ".join(below)) == _text(
        page.xpath('//table[@id="targets"]/tbody/tr[1]/td[5]')[0].text_content()
    )
    assert {o["contingent"] for o in band["organizations"]} == {40}
    # a year without targets answers an empty list, not an error
    empty = client.get(
        f"/api/v1/roadmaps/{targeted.id}/targets?plan_year=2022", headers={"Authorization": f"Bearer {token}"}
    )
    assert empty.status_code == 200 and [i["measure_number"] for i in empty.get_json()["items"]] == ["1.1", "2.2"]
