"""Scenario 7 (issue 15): a 3,000-measure roadmap end to end under gunicorn, as a coordinator does it.

gunicorn runs with its default worker timeout (30 s, no config file) on the bench region: the
coordinator logs in, uploads a CSV of 3,000 measures, opens the review page, and publishes. Each
request is timed from the client; each must finish inside the timeout with the answer a browser
expects (a redirect, the page), the review page must stay under 2 MB, and the tasks must exist.
"""

from __future__ import annotations

import re
import time
import uuid

from sqlalchemy import create_engine, text

from bench.httpload import Server
from bench.load import Browserish, Stats, csrf
from bench.region import PASSWORD, Region
from bench.scenarios import Result, result

MEASURES = 3000  # at --scale 1; fewer below it
GUNICORN_DEFAULT_TIMEOUT = 30.0
REVIEW_PAGE_BUDGET = 1.0  # seconds of server time for the review page (issue 15)
REVIEW_PAGE_MAX_BYTES = 2 * 1024 * 1024
# Bodies of the bench region, so that every party is matched and publishing is not blocked.
RESPONSIBLE = ["Методический центр", "Организации СПО", "Методический центр, Дошкольные организации"]


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _timed(step: str, call, *args):
    started = time.perf_counter()
    status, headers, page = call(*args)
    seconds = time.perf_counter() - started
    if seconds >= GUNICORN_DEFAULT_TIMEOUT or status >= 500:
        raise RuntimeError(f"{step}: {status} after {seconds:.1f} s (gunicorn's timeout is 30 s)")
    return seconds, status, headers, page


def http_import(region: Region, repeat: int, scale: float = 1.0) -> list[Result]:
    from bench.documents import big_csv

    measures = max(50, round(MEASURES * min(scale, 1.0)))
    document = big_csv(measures, title="План мероприятий на 2023 год (сквозная проверка)", responsible=RESPONSIBLE)
    server = Server(
        region, region.instance / f"gunicorn-import-{region.backend}.log"
    )  # gunicorn defaults: 30 s timeout
    uploads, reviews, publishes, sizes = [], [], [], []
    engine = create_engine(region.url)
    try:
        server.wait()
        for _ in range(repeat):
            client = Browserish(server.port, Stats())
            client.login(region.coordinator_login, PASSWORD)
            _status, _headers, form = client.request("page", "GET", "/roadmaps/import")
            body, content_type = _multipart({"csrf_token": csrf(form)}, "file", "plan.csv", document)
            seconds, status, headers, _ = _timed(
                "upload", client.request, "import", "POST", "/roadmaps/import", body, {"Content-Type": content_type}
            )
            match = re.search(r"/roadmaps/(\d+)/review", headers.get("location", ""))
            if status != 302 or not match:
                raise RuntimeError(f"upload answered {status} {headers.get('location')}")
            uploads.append(seconds)
            roadmap_id = int(match.group(1))
            seconds, status, _, page = _timed("review", client.request, "page", "GET", f"/roadmaps/{roadmap_id}/review")
            size = len(page.encode())
            if status != 200 or size > REVIEW_PAGE_MAX_BYTES:
                raise RuntimeError(f"review page answered {status}, {size} bytes")
            if "Публикация станет доступна" in page:
                raise RuntimeError("the bench document has blocking questions: publishing would be refused")
            reviews.append(seconds)
            sizes.append(size)
            seconds, status, headers, _ = _timed(
                "publish",
                client.form_post,
                "publish",
                f"/roadmaps/{roadmap_id}/publish",
                {"csrf_token": csrf(page), "past": "keep"},
            )
            if status != 302 or headers.get("location", "").rstrip("/").split("?")[0] != f"/roadmaps/{roadmap_id}":
                raise RuntimeError(f"publish answered {status} {headers.get('location')}")
            publishes.append(seconds)
            with engine.connect() as conn:
                published = conn.execute(text("SELECT status FROM roadmap WHERE id = :id"), {"id": roadmap_id}).scalar()
                tasks = conn.execute(
                    text("SELECT count(*) FROM task WHERE roadmap_id = :id"), {"id": roadmap_id}
                ).scalar()
            if published != "published" or not tasks:
                raise RuntimeError(f"roadmap {roadmap_id} is {published} with {tasks} tasks after publishing")
    finally:
        server.stop()
        engine.dispose()
    from statistics import median

    return [
        result("http_import_upload", region.backend, measures, median(uploads), GUNICORN_DEFAULT_TIMEOUT),
        result("http_import_review", region.backend, max(sizes), median(reviews), REVIEW_PAGE_BUDGET),
        result("http_import_publish", region.backend, tasks, median(publishes), GUNICORN_DEFAULT_TIMEOUT),
    ]
