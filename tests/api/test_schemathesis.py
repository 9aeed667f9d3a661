"""schemathesis, with all its checks, against the running API: once with a coordinator's key and
once with a school's, over every operation of /api/v1/openapi.json (deterministic generation, so
a failure reproduces). A failure prints schemathesis's own report with the request to replay."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.request import urlopen

import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    """The demo on a fresh SQLite file behind a real HTTP server; keys for two users."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from roadmap import create_app
    from roadmap.accounts.api_tokens import create_api_token
    from roadmap.accounts.service import find_user
    from roadmap.demo import load_demo
    from roadmap.extensions import db
    from tests.conftest import make_config

    instance = tmp_path_factory.mktemp("api-instance")
    app = create_app(make_config(instance, f"sqlite:///{instance / 'api.sqlite3'}", SERVER_NAME=None, TESTING=False))
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    with app.app_context():
        upgrade()
        load_demo()
        keys = {
            login: create_api_token(find_user(login), "schemathesis").secret for login in ("coordinator", "school1")
        }
        db.session.commit()
        db.session.remove()
    # One request at a time: flask-limiter's in-memory storage restarts its expiry Timer from
    # whichever request thread comes first, and two at once can start the same Timer twice (a
    # KeyError in threading, failing the test now and then). The checks need no concurrency.
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="api-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", keys
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def test_schemathesis_finds_nothing_for_a_coordinator_and_for_a_school(api_server):
    assert SCHEMATHESIS.exists(), "schemathesis is in requirements-dev.txt"
    base, keys = api_server
    runs = {
        login: subprocess.Popen(
            [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{base}/api/v1/openapi.json"]
            + ["-H", f"Authorization: Bearer {key}", "--checks", "all", "-n", "3", "--generation-deterministic"]
            + ["--no-color"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for login, key in keys.items()
    }
    reports = {login: run.communicate(timeout=600)[0] for login, run in runs.items()}
    spec = json.loads(urlopen(f"{base}/api/v1/openapi.json").read())
    operations = sum(
        1 for item in spec["paths"].values() for method in item if method in ("get", "post", "put", "delete")
    )
    for login, run in runs.items():
        assert run.returncode == 0, f"schemathesis as {login}:\n{reports[login][-6000:]}"
        cases = re.search(r"Test cases:\s*\n\s*(.+)", reports[login])
        print(f"schemathesis as {login}: {cases.group(1).strip() if cases else '?'}")  # shown with -s
        tested = re.search(r"Tested: (\d+)", reports[login])
        assert tested and int(tested.group(1)) == operations, reports[login][-2000:]
