"""Single-line fields refuse control characters (forms and CLI, one rule); mail headers strip
them, so a full name with CR/LF cannot add a Bcc: to a reminder; e-mail is checked in the CLI as
in the web."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.models import Role
from roadmap.reminders.service import Outgoing, build_message
from roadmap.reminders.text import Letter
from roadmap.singleline import CONTROL_MESSAGE, has_control, single_line

INJECTION = "Иванов\r\nBcc: victim@example.org\r\nX-Evil: 1"


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Иванов Иван", False),
        ("a\nb", True),
        ("a\rb", True),
        ("a\tb", True),
        ("a\x00b", True),
        ("a\u2028b", True),
        ("a\x85b", True),
        ("", False),
        (None, False),
    ],
)
def test_has_control(text, bad):
    assert has_control(text) is bad


def test_single_line_strips_runs_to_one_space():
    assert single_line(INJECTION) == "Иванов Bcc: victim@example.org X-Evil: 1"


def test_a_full_name_with_crlf_adds_no_header_to_a_reminder():
    letter = Letter(subject="Дорожная карта:\r\nBcc: x@example.org", text="текст", html="<p>текст</p>")
    # An ASCII name is quoted, not encoded, by formataddr: its CR/LF would reach the header raw.
    item = Outgoing(
        1, "Ivanov\r\nBcc: victim@example.org\r\nX-Evil: 1", "ivanov@example.org", "daily", date(2026, 12, 1), 1, letter
    )
    message = build_message(item, ("Дорожная карта", "roadmap@example.org"))
    raw = message.as_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    names = [line.split(b":", 1)[0].lower() for line in headers.splitlines() if line and not line[:1].isspace()]
    assert b"bcc" not in names and b"x-evil" not in names
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert b"victim@example.org" not in raw.replace(b'"Ivanov Bcc: victim@example.org X-Evil: 1"', b"")


def _admin_client(app, make_user):
    make_user(role=Role.ADMIN, login="editor")
    client = app.test_client()
    client.post("/login", data={"login": "editor", "password": "secret123"})
    return client


def test_forms_refuse_crlf_in_single_line_fields(app, make_user, make_org):
    client = _admin_client(app, make_user)
    response = client.post(
        "/admin/users/new",
        data={
            "login": "crlf-user",
            "full_name": INJECTION,
            "role": "observer",
            "organization_id": 0,
            "password": "secret2026",
        },
    )
    assert response.status_code == 400 and CONTROL_MESSAGE in response.get_data(as_text=True)
    response = client.post(
        "/admin/organizations/new",
        data={"full_name": "Школа № 5", "short_name": "СОШ 5\nBcc: x", "kind": "school"},
    )
    assert response.status_code == 400 and CONTROL_MESSAGE in response.get_data(as_text=True)


def test_the_roadmap_title_refuses_crlf(app, make_user, make_roadmap):
    roadmap = make_roadmap([("1", "Собрание", "сентябрь", [])], publish=False)
    coordinator = make_user(role=Role.COORDINATOR, login="coord-title")
    client = app.test_client()
    client.post("/login", data={"login": coordinator.login, "password": "secret123"})
    response = client.post(
        f"/roadmaps/{roadmap.id}/settings",
        data={
            "title": "План\r\nна год",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "year_type": "calendar",
            "shift_rule": roadmap.shift_rule,
        },
        follow_redirects=True,
    )
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert "\n" not in roadmap.title


@pytest.mark.parametrize(
    ("extra", "expected"),
    [(["--name", "Иванов\nBcc: x"], "одной строкой"), (["--email", "not-an-email"], "Неверный адрес эл. почты")],
)
def test_cli_refuses_what_the_web_refuses(runner, extra, expected):
    result = runner.invoke(args=["users", "create", "cli-x", "--role", "admin", "--password", "secret2026", *extra])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0]


def test_the_web_form_and_the_cli_share_the_email_rule(app, make_user, runner):
    client = _admin_client(app, make_user)
    for address, accepted in (
        ("not-an-email", False),
        ("a@b", False),
        ("x@demo.invalid", True),
        ("w@example.org", True),
    ):
        login = f"mail{abs(hash(address)) % 10**6}"
        response = client.post(
            "/admin/users/new",
            data={
                "login": login,
                "full_name": "Почта",
                "role": "observer",
                "organization_id": 0,
                "password": "secret2026",
                "email": address,
            },
        )
        assert (response.status_code == 302) is accepted, address
        cli = runner.invoke(
            args=["users", "create", f"{login}c", "--role", "observer", "--password", "secret2026", "--email", address]
        )
        assert (cli.exit_code == 0) is accepted, (address, cli.output)


def test_cli_accepts_a_good_email(runner):
    result = runner.invoke(
        args=["users", "create", "cli-y", "--role", "admin", "--password", "secret2026", "--email", "y@example.org"]
    )
    assert result.exit_code == 0, result.output


def test_an_organizations_file_with_control_characters_in_a_name_is_refused(runner, tmp_path):
    bad = tmp_path / "orgs.csv"
    bad.write_text("Полное наименование;Краткое наименование;Тип;Муниципалитет\nШкола № 1;СОШ\x071;школа;г. Тест\n")
    result = runner.invoke(args=["orgs", "import", str(bad)])
    assert result.exit_code == 2 and "управляющие символы" in result.output
