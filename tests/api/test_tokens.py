"""API keys made on the account page and by the CLI: shown once, listed, revoked."""

from __future__ import annotations

import re

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import ApiToken, AuditEvent, Role


def test_the_account_page_creates_a_key_once_and_revokes_it(client, auth, make_user):
    make_user(role=Role.EXECUTOR, login="school")
    auth.login("school")
    page = client.post("/account/api-tokens", data={"name": "Сетевой город", "read_only": "y"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">(rm_[\w-]+)<', page).group(1)
    assert "Скопируйте его сейчас" in page and "только чтение" in page
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again and secret[:9] in again  # the prefix only
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()["token_read_only"]
    token = db.session.scalar(select(ApiToken))
    client.post(f"/account/api-tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"api_token_created", "api_token_revoked"} <= actions


def test_nobody_revokes_another_users_key(client, auth, make_user):
    from roadmap.accounts.api_tokens import create_api_token

    owner = make_user(role=Role.EXECUTOR, login="owner")
    token = create_api_token(owner, "чужой").token
    make_user(role=Role.EXECUTOR, login="thief")
    db.session.flush()
    auth.login("thief")
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_a_too_long_name_is_refused_in_russian(client, auth, make_user):
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    page = client.post("/account/api-tokens", data={"name": "я" * 101}).get_data(as_text=True)
    assert "Не длиннее 100 знаков" in page and db.session.scalar(select(ApiToken)) is None


def test_the_cli_prints_the_key_once_lists_and_revokes(runner, make_user):
    make_user(role=Role.COORDINATOR, login="coord")
    db.session.commit()
    made = runner.invoke(args=["api", "token", "--user", "coord", "--name", "1С", "--read-only"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("rm_") and "Сохраните его" in made.stderr
    listed = runner.invoke(args=["api", "tokens", "--user", "coord"])
    assert "1С" in listed.output and "только чтение" in listed.output and secret not in listed.output
    token_id = listed.output.split("\t", 1)[0]
    assert runner.invoke(args=["api", "revoke", token_id]).exit_code == 0
    assert "отозван" in runner.invoke(args=["api", "tokens", "--user", "coord"]).output
    twice = runner.invoke(args=["api", "revoke", token_id])
    assert twice.exit_code == 2 and "уже отозван" in twice.output
    unknown = runner.invoke(args=["api", "token", "--user", "nobody"])
    assert unknown.exit_code == 2 and "не найден" in unknown.output and "Traceback" not in unknown.output
