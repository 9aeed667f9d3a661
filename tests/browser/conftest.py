"""A real server for the browser: werkzeug in a thread, a fresh migrated SQLite file with the demo
loaded and committed, CSRF on (real forms); Playwright drives Debian's chromium."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip("chromium not installed: apt-get install chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")
    return CHROMIUM


def demo_app(instance: Path, prepare=None):
    """An app on a fresh migrated SQLite file in `instance` with the demo loaded and committed;
    `prepare()`, when given, adds more inside the app context before the commit."""
    from roadmap import create_app
    from roadmap.extensions import db
    from tests.conftest import make_config

    database = instance / "browser.sqlite3"
    shutil.copyfile(_demo_template(instance), database)
    app = create_app(
        make_config(instance, f"sqlite:///{database}", WTF_CSRF_ENABLED=True, SERVER_NAME=None, TESTING=False)
    )
    if prepare is not None:
        with app.app_context():
            prepare()
            db.session.commit()
            db.session.remove()
    return app


def _demo_template(instance: Path) -> Path:
    """The migrated demo database, built once per run and copied for every server: migrating and
    loading the demo costs seconds of CPU, copying the file milliseconds. pytest-xdist workers share
    the run's base directory (the parent of their own), so one builds it under a lock and the others
    wait and copy it."""
    import fcntl

    from flask_migrate import upgrade

    from roadmap import create_app
    from roadmap.demo import load_demo
    from roadmap.extensions import db
    from tests.conftest import make_config

    base = instance.parent.parent if os.environ.get("PYTEST_XDIST_WORKER") else instance.parent
    template = base / "browser-demo-template.sqlite3"
    with (base / "browser-demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.is_file():
            building = template.with_suffix(".building")
            folder = base / "browser-demo-template"
            folder.mkdir(exist_ok=True)
            app = create_app(make_config(folder, f"sqlite:///{building}", SERVER_NAME=None, TESTING=False))
            with app.app_context():
                upgrade()
                load_demo()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
            building.rename(template)  # complete or absent, never half-written
    return template


@contextmanager
def serve(app):
    """Serve `app` on a free loopback port in a thread; yields the base URL (with `.app`)."""
    from werkzeug.serving import make_server

    from roadmap.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()

    class Live(str):
        pass

    live = Live(f"http://127.0.0.1:{server.server_port}")
    live.app = app
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(chromium_path, tmp_path_factory):
    """Base URL of a running app; the app object is reachable as `live_server.app`."""
    with serve(demo_app(tmp_path_factory.mktemp("browser-instance"))) as live:
        yield live


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Session:
    """One user's browser context with helpers; every server error fails the test."""

    def __init__(self, browser, base_url: str, artifacts: Path, logged_in: dict, **context_options):
        self.logged_in = logged_in
        self.context = browser.new_context(base_url=base_url, locale="ru-RU", **context_options)
        self.context.set_default_timeout(10_000)
        # A page load is a wait, not a timing: on a loaded machine the report page (its charts drawn
        # fresh) took over 10 s to arrive, and nothing was wrong with it.
        self.context.set_default_navigation_timeout(60_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.artifacts = artifacts
        self.errors: list[str] = []
        self.console: list[str] = []
        self.page.on("response", self._response)
        self.page.on("console", lambda message: message.type == "error" and self.console.append(message.text))
        self.page.on("pageerror", lambda error: self.console.append(str(error)))
        self.page.on("dialog", lambda dialog: dialog.accept())  # data-confirm buttons

    def _response(self, response):
        if response.status >= 500:
            self.errors.append(f"{response.status} {response.url}")

    def login(self, login: str, password: str = "demo2026"):
        """Log in through the form (once per user and run; later sessions reuse its cookies)."""
        page = self.page
        if login in self.logged_in:
            self.context.add_cookies(self.logged_in[login])
            page.goto("/")
            assert "/login" not in page.url, f"{login}: the saved session did not work"
            return page
        page.goto("/login")
        page.get_by_label("Логин").fill(login)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{login} could not log in"
        self.logged_in[login] = self.context.cookies()
        return page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"))

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"server errors: {self.errors}"
        csp = [text for text in self.console if "Content Security Policy" in text]
        assert not csp, f"the page broke its own CSP: {csp}"


@pytest.fixture(scope="session")
def saved_logins() -> dict:
    return {}


@pytest.fixture
def open_session(browser, live_server, artifacts, saved_logins):
    sessions: list[Session] = []

    def open_(**options) -> Session:
        session = Session(browser, live_server, artifacts, saved_logins, **options)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
