"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import os
import sys

from roadmap import create_app
from roadmap.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # A setting that cannot work: one line naming it (for `flask` and gunicorn alike), no traceback.
    if os.environ.get("FLASK_DEBUG") == "1":
        raise
    print(f"Ошибка: {exc}.", file=sys.stderr)
    raise SystemExit(2) from None
