import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Do what time has made due: amendments past their deadlines (discussion → voting → "
        "adopted/rejected → in force), and every other task in settings.ADVANCE_TASKS. "
        "Idempotent and safe to run concurrently; run it every minute from cron. Exits non-zero, "
        "naming what failed, when any move failed; every other move is still made."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="keep running, advancing every SECONDS (used by `make run`)",
        )

    def handle(self, *args, loop=None, **options):
        # Each app that has work due with time names a function taking `now` (None: the present)
        # and returning lines saying what it did; agreements import nothing of the other apps.
        tasks = [import_string(path) for path in settings.ADVANCE_TASKS]
        while True:
            failed = self.run_once(tasks)
            if not loop:
                if failed:
                    raise CommandError("advance: failed: " + "; ".join(failed))
                return
            time.sleep(loop)

    def run_once(self, tasks):
        """Run every task; a task that fails does not stop the others. Returns the failures."""
        failed = []
        for task in tasks:
            try:
                lines = task(None)
            except OperationalError as error:
                # A busy database (the demo's SQLite file); the next round will do the work.
                log.warning("advance: %s: %s", task.__name__, error)
                failed.append(f"{task.__name__}: {error}")
                continue
            except Exception as error:
                lines = getattr(error, "done", [])
                log.exception("advance: %s failed", task.__name__)
                failed += getattr(error, "failed", None) or [f"{task.__name__}: {error}"]
            for line in lines:
                self.stdout.write(line)
        for failure in failed:
            self.stderr.write(f"failed: {failure}")
        return failed
