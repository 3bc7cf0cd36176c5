import time

from django.core.management.base import BaseCommand
from django.db import OperationalError

from agreements.amendments.advancing import advance_amendments


class Command(BaseCommand):
    help = (
        "Move amendments whose deadlines have passed: discussion → voting → adopted/rejected → "
        "in force. Idempotent and safe to run concurrently; run it every minute from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="keep running, advancing every SECONDS (used by `make run`)",
        )

    def handle(self, *args, loop=None, **options):
        while True:
            try:
                for line in advance_amendments():
                    self.stdout.write(line)
            except OperationalError as error:
                # A busy SQLite file in the demo; the next round will do the work.
                if not loop:
                    raise
                self.stderr.write(f"advance: {error}; retrying in {loop}s")
            if not loop:
                return
            time.sleep(loop)
