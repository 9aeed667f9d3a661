"""Calendar subscriptions through the API: the page's options and rules, the feed URL once, a
feed that works, revocation that answers like the page's, 404 for somebody else's."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest
from sqlalchemy import select

from roadmap.accounts.api_tokens import create_api_token
from roadmap.extensions import db
from roadmap.feeds.service import create_subscription, find_subscription
from roadmap.models import AuditEvent, Subscription

URL = "/api/v1/subscriptions"


@pytest.fixture(autouse=True)
def feeds_in_the_plan_year(app, monkeypatch):
    """The API world's roadmap is of 2023: its feeds are read as of its start."""
    monkeypatch.setitem(app.config, "FEED_TODAY", date(2023, 1, 16))


def _token_of(answer: dict) -> str:
    return answer["feed"]["https"].rsplit("/", 1)[1].removesuffix(".ics")


def test_round_trip_create_fetch_the_calendar_revoke_then_it_answers_like_a_revoked_page_subscription(
    client, auth, api_world
):
    headers = api_world.headers("executor_a")
    created = client.post(URL, json={"name": "Сетевой город", "alarms": False}, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Cache-Control"] == "no-store"
    answer = created.get_json()
    assert answer["kind"] == "personal" and answer["name"] == "Сетевой город"
    assert answer["options"]["alarms"] is False and "без напоминаний" in answer["options_summary"]
    https = answer["feed"]["https"]
    assert https.endswith(".ics") and answer["feed"]["webcal"] == "webcal://" + https.split("://", 1)[1]
    assert answer["feed"]["google"].startswith("https://calendar.google.com/calendar/render?cid=webcal")
    # the location names the new subscription, which the list shows without its address
    assert client.get(created.headers["Location"], headers=headers).get_json()["id"] == answer["id"]
    listed = client.get(URL, headers=headers)
    assert [s["id"] for s in listed.get_json()] == [answer["id"]]
    assert _token_of(answer) not in listed.get_data(as_text=True)

    feed = client.get(https)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == answer["events"] == len(api_world.tasks_a)  # the feed holds what the answer said
    assert not [c for c in calendar.walk("VALARM")]

    # a subscription revoked on the page, to compare with
    auth.login("api-a")
    page_made, page_token = create_subscription(api_world.users["executor_a"], name="Телефон")
    db.session.commit()
    assert client.post(f"/feeds/{page_made.id}/revoke").status_code == 302

    revoked = client.delete(f"{URL}/{answer['id']}", headers=headers)
    assert revoked.status_code == 204 and not revoked.data
    after, page_after = client.get(https), client.get(f"/feeds/{page_token}.ics")
    assert after.status_code == page_after.status_code == 404
    assert after.mimetype == page_after.mimetype
    assert find_subscription(_token_of(answer)) is None
    assert client.get(URL, headers=headers).get_json() == []
    assert client.get(f"{URL}/{answer['id']}", headers=headers).status_code == 404
    assert client.delete(f"{URL}/{answer['id']}", headers=headers).status_code == 404  # once only
    # the same audit as the page's
    actions = [
        (e.action, e.object_id)
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Subscription"))
    ]
    for subscription_id in (answer["id"], page_made.id):
        assert ("subscription_created", subscription_id) in actions
        assert ("subscription_revoked", subscription_id) in actions


def test_the_options_of_the_page_shape_the_feed(client, api_world):
    body = {
        "name": "Outlook",
        "kind": "roadmap",
        "roadmap_id": api_world.roadmap.id,
        "sections": [],
        "plan_year": 2023,
        "statuses": ["planned", "accepted"],
        "view": "spans",
        "alarms": True,
        "remind_at": "14:30",
        "format": "vtodo",
    }
    created = client.post(URL, json=body, headers=api_world.headers("coordinator"))
    assert created.status_code == 201, created.get_data(as_text=True)
    answer = created.get_json()
    assert answer["roadmap_id"] == api_world.roadmap.id and answer["target"] == api_world.roadmap.title
    assert answer["options"] | {} == {
        "sections": [],
        "plan_year": 2023,
        "statuses": ["planned", "accepted"],
        "view": "spans",
        "alarms": True,
        "alarm_days": [3, 1],
        "remind_at": "14:30",
        "format": "vtodo",
    }
    stored = db.session.get(Subscription, answer["id"])
    assert stored.options["year"] == "2023" and stored.options["format"] == "vtodo"
    feed = client.get(answer["feed"]["https"])
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert calendar.walk("VTODO") and not calendar.walk("VEVENT")


def test_another_users_subscription_is_404_and_stays_alive(client, api_world):
    theirs, token = create_subscription(api_world.users["executor_b"], name="Чужой телефон")
    db.session.commit()
    for who in ("executor_a", "coordinator", "admin"):
        headers = api_world.headers(who)
        assert client.get(f"{URL}/{theirs.id}", headers=headers).status_code == 404
        refused = client.delete(f"{URL}/{theirs.id}", headers=headers)
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
        assert "Подписка не найдена" in refused.get_json()["detail"]
        assert theirs.id not in {s["id"] for s in client.get(URL, headers=headers).get_json()}
    assert find_subscription(token) is not None


def test_a_read_only_token_lists_but_neither_creates_nor_revokes(client, api_world):
    mine, token = create_subscription(api_world.users["executor_a"], name="Планшет")
    issued = create_api_token(api_world.users["executor_a"], "чтение", read_only=True)
    db.session.commit()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert [s["id"] for s in client.get(URL, headers=headers).get_json()] == [mine.id]
    before = db.session.scalar(select(db.func.count(Subscription.id)))
    for response in (
        client.post(URL, json={"name": "Ещё один"}, headers=headers),
        client.delete(f"{URL}/{mine.id}", headers=headers),
    ):
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
        assert "только для чтения" in response.get_json()["detail"]
    assert db.session.scalar(select(db.func.count(Subscription.id))) == before
    assert find_subscription(token) is not None


def test_an_executor_subscribes_to_its_own_organization_only(client, api_world):
    headers = api_world.headers("executor_a")
    other = client.post(
        URL, json={"name": "Чужая", "kind": "organization", "organization_id": api_world.school_b.id}, headers=headers
    )
    assert other.status_code == 422 and other.get_json()["field"] == "organization_id"
    assert "Организация не найдена" in other.get_json()["detail"]
    own = client.post(URL, json={"name": "Своя", "kind": "organization"}, headers=headers)
    assert own.status_code == 201 and own.get_json()["organization_id"] == api_world.school_a.id
    assert db.session.scalar(select(db.func.count(Subscription.id))) == 1


def test_bad_choices_are_refused_in_russian_with_the_field(client, api_world):
    headers = api_world.headers("coordinator")
    cases = [
        ({"kind": "roadmap"}, 422, "roadmap_id", "Выберите дорожную карту"),
        ({"kind": "roadmap", "roadmap_id": 999999}, 422, "roadmap_id", "не найдена"),
        ({"roadmap_id": api_world.roadmap.id}, 422, "roadmap_id", "только для kind=roadmap"),
        ({"name": "   "}, 422, "name", "Укажите название"),
        ({"statuses": []}, 400, "statuses", "хотя бы один"),
        ({"remind_at": "25:00"}, 400, "remind_at", "ЧЧ:ММ"),
        ({"colour": "red"}, 400, "colour", "Неизвестное поле"),
        ({"kind": "everything"}, 400, "kind", "Допустимые значения"),
        ({"alarms": 0}, 400, "alarms", "true или false"),
    ]
    for extra, status, field, words in cases:
        response = client.post(URL, json={"name": "Календарь"} | extra, headers=headers)
        problem = response.get_json()
        assert response.status_code == status and response.mimetype == "application/problem+json", extra
        assert problem["field"] == field and words in problem["detail"], (extra, problem)
    assert db.session.scalar(select(db.func.count(Subscription.id))) == 0
