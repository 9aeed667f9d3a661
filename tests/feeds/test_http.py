"""The feed over HTTP: headers, conditional requests, HEAD, gzip, caching, errors, access."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import event

from roadmap.extensions import db
from roadmap.feeds import feed_cache
from roadmap.models import TaskStatus

from .conftest import age_everything, bump


def test_headers(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_last_modified_is_the_latest_task_change(client, world, subscribe):
    age_everything(world.roadmap.id)
    changed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    task = world.tasks(world.school_a, "2.1")[0]
    task.updated_at = changed
    db.session.flush()
    _sub, path = subscribe(world.executor_a)
    response = client.get(path)
    assert response.headers["Last-Modified"] == format_datetime(changed, usegmt=True)


def test_unchanged_feed_is_byte_identical_and_answers_304(app, client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    feed_cache(app).clear()  # a rebuild from scratch, not the cached bytes
    second = client.get(path)
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_changed_task_changes_etag_and_is_never_304(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    task = world.tasks(world.school_a, "2.1")[0]
    bump(task, status=TaskStatus.SUBMITTED)
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data != first.data


def test_task_leaving_the_feed_changes_etag(client, world, subscribe):
    """An accepted task disappears (hidden by default): the feed changed, so no 304."""
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    bump(world.tasks(world.school_a, "2.1")[0], status=TaskStatus.ACCEPTED)
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert b"2.1" not in second.data


def test_if_modified_since(client, world, subscribe):
    age_everything(world.roadmap.id)
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    since = first.headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
    bump(world.tasks(world.school_a, "2.1")[0], status=TaskStatus.SUBMITTED)
    assert client.get(path, headers={"If-Modified-Since": since}).status_code == 200


def test_if_modified_since_same_second_change_is_not_hidden(client, world, subscribe):
    """A change within the second of the previous response: no Last-Modified to echo back."""
    _sub, path = subscribe(world.executor_a)
    # The latest change lies within "this second" however slowly the test runs: a moment ahead.
    latest = world.tasks(world.school_a, "2.1")[0]
    latest.updated_at = datetime.now(UTC) + timedelta(seconds=2)
    db.session.flush()
    first = client.get(path)
    assert "Last-Modified" not in first.headers
    now = format_datetime(datetime.now(UTC), usegmt=True)
    bump(world.tasks(world.school_a, "2.1")[0], status=TaskStatus.SUBMITTED)
    assert client.get(path, headers={"If-Modified-Since": now}).status_code == 200


def test_if_none_match_wins_over_if_modified_since(client, world, subscribe):
    age_everything(world.roadmap.id)
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    response = client.get(
        path, headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 200


def test_head(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["Content-Length"]) == len(get.data)


def test_gzip(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    # A strong ETag names the bytes: the gzipped representation has its own.
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert (
        client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}).status_code
        == 304
    )
    assert "Content-Encoding" not in client.get(path, headers={"Accept-Encoding": "gzip;q=0"}).headers


def test_warm_request_and_304_never_rebuild(app, client, world, subscribe, monkeypatch):
    import roadmap.web.feeds as views

    builds = []
    real_build = views.build
    monkeypatch.setattr(views, "build", lambda *args: builds.append(1) or real_build(*args))
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    assert len(builds) == 1

    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        fresh_client = app.test_client()  # a new device: no ETag yet
        assert fresh_client.get(path).data == first.data
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(builds) == 1
    # Per request: token lookup, user, organization, the version aggregate (and a last-use write).
    assert len(statements) <= 12


def test_last_use_is_recorded(client, world, subscribe):
    subscription, path = subscribe(world.executor_a)
    assert subscription.last_used_at is None
    client.get(path)
    db.session.refresh(subscription)
    assert subscription.last_used_at is not None


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "status=",
        "view=month",
        "alarms=2",
        "year=abc",
        "year=1999",
        "from=2023-13-01",
        "from=2024-01-01&to=2023-01-01",
        "from=2020-01-01&to=2030-01-01",
        "remind=99",
        "remind=1,2,3,4,5,6",
        "format=vjournal",
        "section=" + ",".join(str(n) for n in range(30)),
    ],
)
def test_malformed_options_get_400_with_one_russian_line(client, world, subscribe, query):
    _sub, path = subscribe(world.executor_a)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    assert text.count("\n") == 1 and text.endswith("\n")
    assert any("а" <= c <= "я" for c in text.lower())


def test_unknown_parameters_are_ignored(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    assert client.get(f"{path}?nocache=123").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 500])
def test_unknown_token_is_404(client, world, token):
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data


def test_revoked_token_is_404_and_others_keep_working(client, world, subscribe):
    from roadmap.feeds.service import revoke_subscription

    phone, phone_path = subscribe(world.executor_a, name="Телефон")
    _laptop, laptop_path = subscribe(world.executor_a, name="Ноутбук")
    assert phone_path != laptop_path
    assert revoke_subscription(world.executor_a, phone.id) is not None
    db.session.flush()
    assert client.get(phone_path).status_code == 404
    assert client.get(laptop_path).status_code == 200


def test_inactive_user_loses_the_feed(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    world.executor_a.is_active_account = False
    db.session.flush()
    assert client.get(path).status_code == 404


def test_user_moved_to_another_organization_loses_the_feed(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    _sub, org_path = subscribe(world.executor_a, kind="organization")
    _sub, roadmap_path = subscribe(world.executor_a, kind="roadmap", target_id=world.roadmap.id)
    world.executor_a.organization_id = world.school_b.id
    db.session.flush()
    assert client.get(path).status_code == 404
    assert client.get(org_path).status_code == 404
    assert client.get(roadmap_path).status_code == 404


def test_deactivated_organization_loses_the_feed(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    world.school_a.is_active = False
    db.session.flush()
    assert client.get(path).status_code == 404


def test_observer_loses_a_roadmap_returned_to_draft(client, world, subscribe):
    from roadmap.models import RoadmapStatus

    _sub, path = subscribe(world.observer, kind="roadmap", target_id=world.roadmap.id)
    assert client.get(path).status_code == 200
    world.roadmap.status = RoadmapStatus.DRAFT
    db.session.flush()
    assert client.get(path).status_code == 404


def test_feed_needs_no_login_and_sets_no_session(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_new_day_moves_the_etag(app, client, world, subscribe):
    """Tasks become overdue as days pass and the events say so: a feed is the same within a day."""
    from datetime import date

    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    app.config["FEED_TODAY"] = date(2023, 10, 1)
    later = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200 and later.headers["ETag"] != first.headers["ETag"]


def test_measure_edit_changes_the_feed(client, world, subscribe):
    _sub, path = subscribe(world.executor_a)
    first = client.get(path)
    measure = next(m for m in world.roadmap.measures if m.number == "2.1")
    measure.title = "Отчёт о профориентационной работе за год"
    db.session.flush()
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert "работе за год".encode() in second.data


def test_head_of_unknown_token_is_404(client, world):
    assert client.head("/feeds/unknown.ics").status_code == 404
