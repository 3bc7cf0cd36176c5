from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agreements import demo as agreements_demo
from members import demo as members_demo


class Command(BaseCommand):
    help = (
        "Create a small demo community with a year of history (idempotent: running it again "
        "adds nothing twice). For local trials only: demo accounts share a published password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", help="language of the demo texts (en, ru)")

    @transaction.atomic
    def handle(self, *args, language, **options):
        now = timezone.now()
        people = members_demo.create_people()
        agreements_demo.found(language=language, now=now, founder=people["anna"])
        # The founders and early members join; Dana stops following after the first months.
        members_demo.join_all(people, ["anna", "boris", "dana", "emil"], now=now, days_ago=395)
        agreements_demo.tool_library_version(2, language=language, when=now - timedelta(days=60))
        members_demo.join_all(people, ["chen", "fatima"], now=now, days_ago=55)
        members_demo.accept_changes(people, ["anna", "boris", "emil"], now=now, days_ago=50)
        members_demo.leave_community(people, "emil", now=now, days_ago=40)
        agreements_demo.tool_library_version(3, language=language, when=now - timedelta(days=20))
        members_demo.accept_changes(people, ["anna", "fatima"], now=now, days_ago=15)
        members_demo.follow(people, ["boris"], now=now, days_ago=100)
        members_demo.follow(people, ["anna", "chen", "fatima"], now=now, days_ago=2)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo community ready. Accounts: anna, boris, chen, dana, fatima, emil (left) and "
                f"installer (admin); password: {members_demo.DEMO_PASSWORD}"
            )
        )
