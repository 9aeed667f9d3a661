"""The same load as bench/load.py for those who have locust (it is not a project dependency).

    pip install locust==2.47.0      # into a scratch environment, not requirements*.txt
    python -m bench.load --keep-db --duration 1   # prepare a database with the demo, or use your own
    gunicorn -w 4 -b 127.0.0.1:8000 wsgi:app       # with DATABASE_URL and RATELIMIT_LOGIN="100000 per minute"
    locust -f bench/locustfile.py --headless -u 40 -r 10 -t 60s --host http://127.0.0.1:8000

Executors log in as school1..32, college1..3, university1..2, knmc, department (password demo2026)
and submit reports on their tasks; calendar clients poll FEED_TOKENS (comma-separated tokens from
`flask --app wsgi feeds url --user school1`). The checks for lost or duplicated reports live in
bench/load.py, which is the supported command (`make load`).
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import uuid

from locust import HttpUser, between, task

from bench.load import EXECUTORS, PASSWORD, csrf, report_form

_logins = itertools.cycle(EXECUTORS)
_lock = threading.Lock()


class Executor(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self):
        with _lock:
            self.login_name = next(_logins)
        page = self.client.get("/login").text
        self.client.post("/login", {"csrf_token": csrf(page), "login": self.login_name, "password": PASSWORD})
        self.tasks_ids = [int(n) for n in re.findall(r'href="/tasks/(\d+)"', self.client.get("/tasks").text)]

    @task
    def submit_report(self):
        if not self.tasks_ids:
            return
        task_id = self.tasks_ids.pop(0)
        page = self.client.get(f"/tasks/{task_id}", name="/tasks/[id]").text
        fields = report_form(page, task_id)
        if fields:
            fields.update(coverage_total="12", comment=f"Проведено. load-{uuid.uuid4().hex}")
            self.client.post(f"/tasks/{task_id}/submit", fields, name="/tasks/[id]/submit")


class CalendarClient(HttpUser):
    weight = 1
    wait_time = between(0.5, 1)

    def on_start(self):
        tokens = [t for t in os.environ.get("FEED_TOKENS", "").split(",") if t]
        self.token = tokens[hash(self) % len(tokens)] if tokens else None
        self.etag = None

    @task
    def poll(self):
        if self.token is None:
            return
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.client.get(f"/feeds/{self.token}.ics", headers=headers, name="/feeds/[token].ics")
        self.etag = response.headers.get("ETag", self.etag)
