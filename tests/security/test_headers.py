"""Security headers, cookies and templates that keep the Content-Security-Policy honest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roadmap.models import Role
from tests.security.conftest import login_as

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


def _csp(response) -> dict[str, str]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _sep, value = part.strip().partition(" ")
        directives[name] = value
    return directives


@pytest.mark.parametrize("role", [None, Role.COORDINATOR, Role.EXECUTOR])
def test_every_page_carries_the_headers(app, make_user, role):
    user = make_user(role=role) if role else None
    client = login_as(app, user)
    paths = ["/login", "/no-such-page", "/healthz", "/static/css/app.css"]
    if role == Role.COORDINATOR:
        paths += ["/roadmaps/", "/review"]
    if role == Role.EXECUTOR:
        paths += ["/tasks", "/notices"]
    for path in paths:
        response = client.get(path)
        response.close()
        csp = _csp(response)
        assert csp["default-src"] == "'self'", path
        assert csp["script-src"] == "'self'", path  # no 'unsafe-inline', no 'unsafe-eval', no hosts
        assert csp["style-src"] == "'self'", path
        assert csp["frame-ancestors"] == "'none'", path
        assert csp["object-src"] == "'none'", path
        assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'", path
        assert "unsafe" not in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://roadmap.test")
    hsts = secure.headers["Strict-Transport-Security"]
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 15552000


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def test_templates_exist():
    assert len(TEMPLATE_FILES) > 10


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_nothing_the_csp_would_block(path):
    """The CSP forbids inline code: such markup would silently stop working in the browser."""
    source = path.read_text(encoding="utf-8")
    problems = [
        f"{name}: {match.group(0)[:80]!r}"
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("on*= event handler", EVENT_HANDLER),
            ("javascript: URL", JS_URL),
        )
        for match in pattern.finditer(source)
    ]
    assert not problems, problems


def test_script_sources_are_local():
    for path in TEMPLATE_FILES:
        for src in re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", path.read_text(encoding="utf-8")):
            assert src.startswith("{{ url_for('static'"), (path.name, src)


def _cookie_attributes(response, name: str) -> dict[str, str | bool]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            attributes: dict[str, str | bool] = {}
            for part in header.split(";")[1:]:
                key, sep, value = part.strip().partition("=")
                attributes[key.lower()] = value if sep else True
            return attributes
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(login="cookie-user")
    response = client.post("/login", data={"login": "cookie-user", "password": "secret123", "remember": "y"})
    assert response.status_code == 302
    session = _cookie_attributes(response, "session")
    assert session["httponly"] is True
    assert session["samesite"].lower() in {"lax", "strict"}
    assert "secure" not in session  # plain HTTP in development: a Secure cookie would never come back
    remember = _cookie_attributes(response, "remember_token")
    assert remember["httponly"] is True
    assert remember["samesite"].lower() in {"lax", "strict"}


def test_cookies_are_secure_behind_https(app, make_user):
    make_user(login="secure-cookie")
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"login": "secure-cookie", "password": "secret123", "remember": "y"},
        base_url="https://roadmap.test",
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        attributes = _cookie_attributes(response, name)
        assert attributes["secure"] is True and attributes["httponly"] is True, name


def test_production_config_turns_secure_cookies_on(monkeypatch, tmp_path):
    from roadmap.config import Config

    monkeypatch.setenv("ROADMAP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = Config(instance_path=tmp_path)
    assert config.SESSION_COOKIE_SECURE is True and config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    from roadmap.config import Config

    monkeypatch.setenv("ROADMAP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config(instance_path=tmp_path)


def test_error_pages_do_not_leak_internals(client):
    body = client.get("/tasks/999999999").get_data(as_text=True)
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()
