import time

from django.core.management.base import BaseCommand, CommandError

from agreements.tasks import do_what_is_due
from config.db_router import use_primary


class Command(BaseCommand):
    help = (
        "Do what time has made due: amendments past their deadlines (discussion → voting → "
        "adopted/rejected → in force), and every other task in settings.ADVANCE_TASKS. "
        "Idempotent and safe to run concurrently; run it every minute (the queue's scheduler runs "
        "it as a task; without a queue, cron). Exits non-zero, "
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
        while True:
            failed = self.run_once()
            if not loop:
                if failed:
                    raise CommandError("advance: failed: " + "; ".join(failed))
                return
            time.sleep(loop)

    def run_once(self):
        """Run every task; a task that fails does not stop the others. Returns the failures."""
        with use_primary():
            done, failed = do_what_is_due()
        for line in done:
            self.stdout.write(line)
        for failure in failed:
            self.stderr.write(f"failed: {failure}")
        return failed
