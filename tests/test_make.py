"""The Makefile's own promises: `make run` stops whole, `make clean` leaves nothing behind."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# Stands in for the virtualenv's python: the server and `advance` just wait, the rest succeeds.
FAKE_PYTHON = """#!/bin/sh
case "$*" in
  *"advance --loop"*|*runserver*) exec sleep 300 ;;
esac
exit 0
"""

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(not MAKE, reason="needs make")


def _group(pgid):
    """The processes still alive in a process group (from /proc, so no `ps` is needed)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                alive.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return alive


def test_stopping_make_run_with_sigterm_stops_the_server_and_advance(tmp_path):
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    make = subprocess.Popen(  # noqa: S603 - our own Makefile, our own arguments
        [MAKE, "--no-print-directory", "run", f"PY={fake}", "HOST=127.0.0.1:0"],
        cwd=BASE,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while sum("sleep 300" in cmd for cmd in _group(make.pid)) < 2:
            assert time.monotonic() < deadline, (
                f"server and advance never started: {_group(make.pid)}"
            )
            time.sleep(0.1)

        make.send_signal(signal.SIGTERM)
        make.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _group(make.pid) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert _group(make.pid) == []
    finally:
        if _group(make.pid):
            os.killpg(make.pid, signal.SIGKILL)


def test_make_clean_names_everything_the_set_up_creates():
    clean = subprocess.run(  # noqa: S603 - our own Makefile, our own arguments
        [MAKE, "--dry-run", "--no-print-directory", "clean"],
        cwd=BASE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for leftover in (".venv", "db.sqlite3", "test-db.sqlite3", "*.mo", "*.egg-info", ".ruff_cache"):
        assert leftover in clean
