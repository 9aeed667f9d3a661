"""A weekday that contradicts its date is flagged on the review screen (issue 19)."""

from __future__ import annotations

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Roadmap
from roadmap.plans.service import BLOCKING_FLAGS, FLAG_LABELS, review_roadmap
from tests.web.test_plans_web import _docx, _setup, _upload


def test_a_wrong_weekday_raises_a_review_warning_and_a_right_one_does_not(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    rows = [
        ("1.", "Семинар", "5 сентября (пн)", "СОШ 0"),  # 5 September 2023 is a Tuesday
        ("2.", "Форум", "5 сентября (вт)", "СОШ 1"),
        ("3.", "Урок", "12.09.2023 (пт.)", "СОШ 2"),  # a Tuesday too, the year written
        ("4.", "Слёт", "пн, 5 сентября", "СОШ 3"),  # the weekday before the date
        ("5.", "Сбор", "вт, 5 сентября, 10.00", "СОШ 4"),
    ]
    _upload(client, _docx(rows))
    roadmap = db.session.scalar(select(Roadmap))
    flags = {review.measure.number: review.flags for review in review_roadmap(roadmap)}
    assert "weekday_mismatch" in flags["1"] and "weekday_mismatch" in flags["3"] and "weekday_mismatch" in flags["4"]
    assert "weekday_mismatch" not in flags["2"] and "weekday_mismatch" not in flags["5"]
    assert "weekday_mismatch" not in BLOCKING_FLAGS  # the dates are right either way; a warning
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert page.count(FLAG_LABELS["weekday_mismatch"]) == 3
