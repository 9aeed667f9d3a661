"""Subscriptions: tokens, the page, creation and revocation."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.feeds.service import create_subscription, find_subscription, list_subscriptions, revoke_subscription
from roadmap.models import Subscription


def test_token_is_long_random_and_stored_hashed(world):
    subscription, token = create_subscription(world.executor_a, name="Телефон")
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 32 bytes = 256 bits
    assert subscription.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.scalars(select(Subscription.token_hash)).all()
    assert token not in stored
    assert find_subscription(token) is subscription


def test_revoke_only_own(world):
    mine, token = create_subscription(world.executor_a, name="Телефон")
    assert revoke_subscription(world.executor_b, mine.id) is None
    assert find_subscription(token) is not None
    assert revoke_subscription(world.executor_a, mine.id) is mine
    assert find_subscription(token) is None
    assert revoke_subscription(world.executor_a, mine.id) is None  # already revoked
    assert list_subscriptions(world.executor_a) == []


def test_page_shows_instructions(client, auth, world):
    auth.login("school1")
    response = client.get("/feeds/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Подписка на календарь",
        "Яндекс Календарь",
        "Google Календарь",
        "Outlook в браузере",
        "Outlook для компьютера",
        "Apple Календарь",
        "Thunderbird",
        "раз в несколько часов",
        "3 месяца назад — 18 месяцев вперёд",
    ):
        assert text in html
    assert "<script>" not in html and "onclick" not in html
    assert 'for="name"' in html  # labelled fields


def test_create_shows_urls_once_and_they_work(client, auth, world):
    auth.login("school1")
    response = client.post(
        "/feeds/new",
        data={
            "name": "Телефон",
            "kind": "personal",
            "roadmap_id": "0",
            "statuses": ["planned", "returned", "submitted"],
            "view": "due",
            "alarms": "y",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    https = re.search(r'id="feed-https"[^>]*value="([^"]+)"', html)[1]
    webcal = re.search(r'id="feed-webcal"[^>]*value="([^"]+)"', html)[1]
    assert https.startswith("http://roadmap.test/feeds/") and https.endswith(".ics")
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert 'data-copy="feed-https"' in html and 'data-copy="feed-webcal"' in html
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Froadmap.test%2Ffeeds%2F" in html
    token = https.rsplit("/", 1)[1][: -len(".ics")]
    assert "Сейчас в календаре 4 срока." in html

    feed = client.get(https)
    assert feed.status_code == 200 and feed.data.startswith(b"BEGIN:VCALENDAR")
    page = client.get("/feeds/").get_data(as_text=True)
    assert token not in page  # shown once
    assert "Телефон" in page


def test_create_with_options_and_vtodo(client, auth, world):
    auth.login("school1")
    response = client.post(
        "/feeds/new",
        data={
            "name": "Thunderbird",
            "kind": "roadmap",
            "roadmap_id": str(world.roadmap.id),
            "section": "2",
            "plan_year": "2023",
            "statuses": ["planned", "accepted"],
            "view": "spans",
            "vtodo": "y",
        },
    )
    assert response.status_code == 200
    subscription = list_subscriptions(world.executor_a)[0]
    assert subscription.kind == "roadmap" and subscription.target_id == world.roadmap.id
    assert subscription.options["section"] == "2"
    assert subscription.options["status"] == "planned,accepted"
    assert subscription.options["alarms"] == "0"
    assert subscription.options["format"] == "vtodo"
    https = re.search(r'id="feed-https"[^>]*value="([^"]+)"', response.get_data(as_text=True))[1]
    body = client.get(https).data
    assert b"BEGIN:VTODO" in body and b"BEGIN:VEVENT" not in body


def test_create_refuses_bad_input(client, auth, world):
    auth.login("school1")
    response = client.post("/feeds/new", data={"name": "", "kind": "personal", "view": "due"})
    assert response.status_code == 400
    response = client.post(
        "/feeds/new", data={"name": "x", "kind": "roadmap", "roadmap_id": "0", "statuses": ["planned"], "view": "due"}
    )
    assert response.status_code == 400
    assert "Выберите дорожную карту" in response.get_data(as_text=True)
    assert list_subscriptions(world.executor_a) == []


def test_revoke_from_the_page(client, auth, world):
    mine, token = create_subscription(world.executor_a, name="Старый телефон")
    other, other_token = create_subscription(world.executor_b, name="Чужой")
    db.session.flush()
    auth.login("school1")
    page = client.get("/feeds/").get_data(as_text=True)
    assert "Старый телефон" in page and "data-confirm" in page
    assert client.post(f"/feeds/{other.id}/revoke").status_code == 404
    response = client.post(f"/feeds/{mine.id}/revoke")
    assert response.status_code == 302
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get(f"/feeds/{other_token}.ics").status_code == 200


def test_coordinator_can_subscribe_to_an_organization(client, auth, world):
    auth.login("coord")
    response = client.post(
        "/feeds/new",
        data={
            "name": "Школа 2",
            "kind": "organization",
            "organization_id": str(world.school_b.id),
            "roadmap_id": "0",
            "statuses": ["planned", "returned", "submitted"],
            "view": "due",
            "alarms": "y",
        },
    )
    assert response.status_code == 200
    https = re.search(r'id="feed-https"[^>]*value="([^"]+)"', response.get_data(as_text=True))[1]
    body = client.get(https).data
    assert "Встреча с КубГУ".encode() in body
    assert "Отчёт о профориентационной работе".encode() not in body  # school A's measure


def test_page_needs_login(client, world):
    assert client.get("/feeds/").status_code == 302


def test_page_states_a_narrowed_feed_at_creation(app, client, auth, world, make_roadmap):
    from datetime import date

    rows = [(f"3.{n}", f"Мероприятие {n} " + "текст " * 20, "ежемесячно", [world.school_a]) for n in range(1, 13)]
    make_roadmap(rows, period=(date(2023, 1, 1), date(2024, 12, 31)), title="Большая карта")
    app.config["FEED_MAX_BYTES"] = 60_000
    auth.login("school1")
    response = client.post(
        "/feeds/new",
        data={"name": "Телефон", "kind": "personal", "statuses": ["planned"], "view": "due", "alarms": "y"},
    )
    html = response.get_data(as_text=True)
    assert "Календарь сокращён" in html
    assert "сокращён" in list_subscriptions(world.executor_a)[0].options["_narrowed"]
