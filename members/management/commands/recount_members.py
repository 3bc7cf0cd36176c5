from django.core.management.base import BaseCommand

from members.selectors import role_counts
from members.services import rebuild_counters


class Command(BaseCommand):
    help = "Rebuild the membership counters from the members and acceptances they count."

    def handle(self, *args, **options):
        rebuild_counters()
        counts = role_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Counters rebuilt: {counts.members} members, {counts.in_good_standing} in good "
                f"standing, {counts.active_core} active core, {counts.volunteers} volunteers, "
                f"{counts.dormant} dormant, {counts.former} former."
            )
        )
