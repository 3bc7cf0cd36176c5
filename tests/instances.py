"""A second, live Soglasie site for tests of what passes between communities: its own process
(`manage.py runserver` on a free loopback port) on its own SQLite file, founded and given
agreements through the same commands and services a real installation uses."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

IDEA = """---
title: Hillside's idea
---

We are the neighbours of Hillside. We keep our street quiet and our gardens green.

Join us by accepting our agreements.
"""

QUIET_HOURS_V1 = "Quiet hours are from 22:00 to 7:00.\n\nNo power tools during quiet hours.\n"
QUIET_HOURS_V2 = (
    "Quiet hours are from 22:00 to 7:00, and until 9:00 on Sundays.\n\n"
    "No power tools during quiet hours.\n"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    """Another community's site, started and stopped by the test session."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.database = self.folder / "site.sqlite3"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DEBUG": "1",
            "SITE_URL": self.url,
        }
        self.env.pop("REDIS_URL", None)
        self.process = None

    def manage(self, *args):
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "--no-imports", "-c", code)

    def found(self):
        self.manage("migrate", "--no-input", "-v0")
        idea = self.folder / "idea.md"
        idea.write_text(IDEA, encoding="utf-8")
        self.manage("found", str(idea), "--name", "Hillside", "--standard", "none")
        self.shell(
            "from agreements.services import create_agreement, publish_version\n"
            "a = create_agreement(title='Quiet hours', slug='quiet-hours', origin='own',"
            f" summary='When we keep noise down.', body={QUIET_HOURS_V1!r}, note='First.')\n"
            f"publish_version(agreement=a, body={QUIET_HOURS_V2!r}, note='Sundays.')\n"
        )

    def publish(self, slug, body, note="A new version."):
        self.shell(
            "from agreements.models import Agreement\n"
            "from agreements.services import publish_version\n"
            f"publish_version(agreement=Agreement.objects.get(slug={slug!r}), body={body!r},"
            f" note={note!r})\n"
        )

    def start(self):
        log = (self.folder / "server.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--skip-checks",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/", timeout=2):  # noqa: S310
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError((self.folder / "server.log").read_text())

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
