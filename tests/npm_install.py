"""Pinned npm packages the tests run (ical.js, axe-core), installed once per checkout.

pytest-xdist workers share the directory, and `npm ci` first deletes node_modules and then
fills it file by file, so a package's directory or main file can exist half-written. One worker
installs under a file lock; the others wait for it; only a marker written after `npm ci`
finished says the install is done.
"""

import fcntl
import shutil
import subprocess
from pathlib import Path

MARKER = ".installed-by-tests"


def npm_ci_once(directory: Path) -> bool:
    """Install ``directory``'s package-lock.json into its node_modules; False when npm is missing."""
    marker = directory / "node_modules" / MARKER
    if marker.is_file():
        return True
    npm = shutil.which("npm")
    if npm is None:
        return False
    with (directory / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.is_file():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=directory,
                check=True,
                capture_output=True,
                timeout=300,
            )
            marker.write_text("npm ci finished\n")
    return True
