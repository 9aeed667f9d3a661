"""With the limiter's Redis unreachable, logins keep working and are still limited, in memory,
with a logged warning (before, every login was HTTP 500)."""

from __future__ import annotations

import logging

from roadmap import create_app
from roadmap.extensions import db, limiter
from tests.conftest import make_config
from tests.production.conftest import free_port


def test_logins_work_and_are_limited_while_the_limiter_redis_is_down(stack_db, tmp_path, caplog):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(make_config(tmp_path, stack_db, RATELIMIT_STORAGE_URI=closed, RATELIMIT_LOGIN="3 per minute"))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.77"
    try:
        with caplog.at_level(logging.WARNING), app.app_context():
            codes = [client.post("/login", data={"login": "nobody", "password": "x"}).status_code for _ in range(4)]
            page = client.get("/login").status_code
            db.session.remove()
            db.engine.dispose()
        assert codes == [200, 200, 200, 429]  # answered, and the per-address limit still holds
        assert page == 200
        assert any("falling back to in-memory" in record.getMessage() for record in caplog.records)
    finally:
        # The limiter is one object shared by every app in this process: back to memory storage,
        # and forget the outage (a real process rechecks Redis with back-off and recovers alone).
        create_app(make_config(tmp_path, stack_db))
        limiter._storage_dead = False
