from django.core.management.base import BaseCommand

from news.services import send_digests


class Command(BaseCommand):
    help = "Email the daily digest of notifications to members who asked for it (cron, daily)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
