"""One app process for tests/feeds/test_shared_cache.py: answers "get" lines on stdin with JSON.

python tests/feeds/shared_child.py '{"url": ..., "redis": ..., "instance": ..., "path": ...}'
"""

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from roadmap import create_app  # noqa: E402
from roadmap.feeds import shared_feeds  # noqa: E402

args = json.loads(sys.argv[1])
app = create_app(
    {
        "TESTING": False,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": args["url"],
        "REDIS_URL": args["redis"],
        "FEED_CACHE_PREFIX": args["prefix"],
        "SERVER_NAME": "roadmap.test",
        "RATELIMIT_ENABLED": False,
        "INSTANCE_PATH": Path(args["instance"]),
        "UPLOAD_FOLDER": Path(args["instance"]) / "uploads",
    }
)
client = app.test_client()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    if line.strip() != "get":
        break
    response = client.get(args["path"])
    shared = shared_feeds(app)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "etag": response.headers.get("ETag"),
                "sha": hashlib.sha256(response.data).hexdigest(),
                "events": response.data.count(b"BEGIN:VEVENT"),
                "renders": shared.renders,
                "head": response.data[:200].decode("utf-8", "replace"),
                "shared_hits": shared.shared_hits,
            }
        ),
        flush=True,
    )
