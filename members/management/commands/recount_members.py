from django.core.management.base import BaseCommand

from members.selectors import role_counts
from members.services import counter_totals, rebuild_counters


class Command(BaseCommand):
    help = "Rebuild the membership counters from the members and acceptances they count."

    def handle(self, *args, **options):
        kept = counter_totals()
        rebuild_counters()
        rebuilt = counter_totals()
        wrong = sorted(
            (key, kept.get(key, 0), rebuilt.get(key, 0))
            for key in kept.keys() | rebuilt.keys()
            if kept.get(key, 0) != rebuilt.get(key, 0)
        )
        for key, was, now in wrong:
            self.stdout.write(f"{' '.join(map(str, key))}: kept {was}, counted {now}")
        counts = role_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Counters rebuilt ({len(wrong)} differed from the rows): {counts.members} "
                f"members, {counts.in_good_standing} in good standing, {counts.active_core} active "
                f"core, {counts.volunteers} volunteers, {counts.dormant} dormant, {counts.former} "
                "former."
            )
        )
