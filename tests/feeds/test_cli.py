"""`flask feeds url`: a URL that works, the same one every time, 304 on repeat."""

from __future__ import annotations

from roadmap.extensions import db
from roadmap.feeds.service import CLI_NAME, list_subscriptions


def feed_url(runner, *args):
    result = runner.invoke(args=["feeds", "url", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_executor_url(client, runner, world):
    url = feed_url(runner, "--user", "school1")
    assert url.startswith("http://roadmap.test/feeds/") and url.endswith(".ics")
    response = client.get(url)
    assert response.status_code == 200
    own = {f"task-{t.id}@roadmap.test".encode() for t in world.tasks(world.school_a)}
    assert all(uid in response.data for uid in own)
    assert not any(f"task-{t.id}@".encode() in response.data for t in world.tasks(world.school_b))
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304

    assert feed_url(runner, "--user", "school1") == url  # recovered, not a new subscription
    subscriptions = list_subscriptions(world.executor_a)
    assert [s.name for s in subscriptions] == [CLI_NAME]


def test_coordinator_url(client, runner, world):
    url = feed_url(runner, "--user", "coord")
    response = client.get(url)
    assert response.status_code == 200
    assert "0 из 2 выполнили".encode() in response.data
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_roadmap_and_organization_kinds(client, runner, world):
    url = feed_url(runner, "--user", "coord", "--kind", "roadmap", "--roadmap", str(world.roadmap.id))
    assert client.get(url).status_code == 200
    url = feed_url(runner, "--user", "coord", "--kind", "organization", "--org", "МБОУ СОШ № 2")
    assert "Встреча с КубГУ".encode() in client.get(url).data


def test_new_secret_key_means_new_subscription(app, runner, world):
    first = feed_url(runner, "--user", "school1")
    app.config["SECRET_KEY"] = "another-secret"
    second = feed_url(runner, "--user", "school1")
    assert second != first
    assert len(list_subscriptions(world.executor_a)) == 2


def test_revoked_cli_subscription_is_replaced(client, runner, world):
    from roadmap.feeds.service import revoke_subscription

    first = feed_url(runner, "--user", "school1")
    revoke_subscription(world.executor_a, list_subscriptions(world.executor_a)[0].id)
    db.session.flush()
    second = feed_url(runner, "--user", "school1")
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_errors(runner, world):
    for args, text in (
        (["--user", "nobody"], "не найден"),
        (["--user", "school1", "--kind", "roadmap"], "--roadmap"),
        (["--user", "school1", "--kind", "roadmap", "--roadmap", "99999"], "дорожная карта"),
        (["--user", "coord", "--kind", "organization", "--org", "нет такой"], "не найдена"),
    ):
        result = runner.invoke(args=["feeds", "url", *args])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Ошибка: ") and text in result.output
        assert result.output.count("\n") == 1


def test_url_without_server_name_uses_the_development_default(app, client, runner, world):
    """Right after `make run` (no SERVER_NAME, no FEED_BASE_URL): the address `make run` serves."""
    saved = {key: app.config.get(key) for key in ("SERVER_NAME", "FEED_BASE_URL", "BASE_URL", "FEED_UID_HOST")}
    app.config.update(SERVER_NAME=None, FEED_BASE_URL=None, BASE_URL=None, FEED_UID_HOST=None)
    try:
        url = feed_url(runner, "--user", "school1")
        assert url.startswith("http://127.0.0.1:5000/feeds/") and url.endswith(".ics")
        body = client.get(url.removeprefix("http://127.0.0.1:5000"), base_url="http://other.example").data
        # UIDs do not follow the Host a client used; links follow it when no address is configured.
        assert b"@roadmap.localhost" in body and b"other.example" not in body.split(b"BEGIN:VEVENT")[0]
        assert b"URL:http://other.example/tasks/" in body

        app.config.update(FEED_BASE_URL="https://roadmap.example.ru/", FEED_UID_HOST="uid.example.ru")
        url = feed_url(runner, "--user", "school1")
        assert url.startswith("https://roadmap.example.ru/feeds/")
        body = client.get(url.removeprefix("https://roadmap.example.ru"), base_url="http://other.example").data
        assert b"@uid.example.ru" in body and b"URL:https://roadmap.example.ru/tasks/" in body

        app.config.update(FEED_BASE_URL=None, FEED_UID_HOST=None, PRODUCTION=True)
        result = runner.invoke(args=["feeds", "url", "--user", "school1"])
        assert result.exit_code == 2 and "FEED_BASE_URL" in result.output and result.output.count("\n") == 1
    finally:
        app.config.update(saved, PRODUCTION=False)


def test_tallies_are_checked_and_recounted(runner, world):
    from sqlalchemy import select, update

    from roadmap.models import AuditEvent, OccurrenceTally

    checked = runner.invoke(args=["feeds", "tallies"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == "Итоги по срокам сходятся с задачами (записей: 5)."  # 1.1, 1.2 twice, 2.1, 2.2
    db.session.execute(update(OccurrenceTally).values(planned=OccurrenceTally.planned + 1))  # edited by hand
    refused = runner.invoke(args=["feeds", "tallies"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"Ошибка: итоги разошлись с задачами у сроков мероприятий: 5 (дорожные карты № {world.roadmap.id}); "
        "выполните flask feeds tallies --recount."
    )
    repaired = runner.invoke(args=["feeds", "tallies", "--recount"])
    assert repaired.exit_code == 0, repaired.output
    assert repaired.stdout.strip() == "Итоги по срокам пересчитаны по задачам: дорожных карт 1."
    assert runner.invoke(args=["feeds", "tallies"]).exit_code == 0
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "tallies_recounted"
