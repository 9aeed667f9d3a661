import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from roadmap.ical import FeedCalendar, FeedEvent
from tests.npm_install import npm_ci_once

from .helpers import make_feed_event

JS_DIR = Path(__file__).parent / "js"


@pytest.fixture
def feed_calendar() -> FeedCalendar:
    return FeedCalendar(name="МБОУ СОШ № 1: дорожная карта", description="Задачи школы на 2023/24")


@pytest.fixture
def make_event() -> Callable[..., FeedEvent]:
    """Factory: ``make_event(uid="task-2@roadmap.example", due=date(...))``."""
    return make_feed_event


@pytest.fixture(scope="session")
def ical_js() -> Callable[[bytes], dict[str, Any]]:
    """Parse a feed with Mozilla's ical.js, the parser inside Thunderbird.

    Installs the pinned ical.js into tests/ical/js/node_modules on first use.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ical.js (Thunderbird) parser check needs Node.js")
    if not npm_ci_once(JS_DIR):
        pytest.skip("npm is not installed: cannot install ical.js for the parser check")

    def parse(body: bytes) -> dict[str, Any]:
        result = subprocess.run(
            [node, str(JS_DIR / "parse.mjs")],
            input=body,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
        return json.loads(result.stdout)

    return parse


RUBY_SCRIPT = Path(__file__).parent / "ruby" / "parse_strict.rb"


@pytest.fixture(scope="session")
def ruby_icalendar() -> Callable[[bytes], dict[str, Any]]:
    """Parse a feed with Debian's ruby-icalendar in strict mode (.ci/run installs it).

    Strict mode rejects what RFC 5545 does not allow, e.g. a COMMENT at VTIMEZONE level.
    """
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.skip("ruby is not installed: the strict ruby-icalendar check needs `apt-get install ruby-icalendar`")
    found = subprocess.run([ruby, "-e", 'require "icalendar"'], capture_output=True, check=False, timeout=60)
    if found.returncode:
        pytest.skip("ruby-icalendar is not installed: `apt-get install ruby-icalendar`")

    def parse(body: bytes) -> dict[str, Any]:
        result = subprocess.run([ruby, str(RUBY_SCRIPT)], input=body, capture_output=True, check=False, timeout=120)
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        return json.loads(result.stdout)

    return parse
