import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import OperationalError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Do what time has made due: amendments past their deadlines (discussion → voting → "
        "adopted/rejected → in force), and every other task in settings.ADVANCE_TASKS. "
        "Idempotent and safe to run concurrently; run it every minute from cron."
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
            try:
                for task in tasks:
                    for line in task(None):
                        self.stdout.write(line)
            except OperationalError as error:
                # A busy SQLite file in the demo; the next round will do the work.
                if not loop:
                    raise
                self.stderr.write(f"advance: {error}; retrying in {loop}s")
            if not loop:
                return
            time.sleep(loop)
