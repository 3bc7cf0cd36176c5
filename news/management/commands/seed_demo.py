from django.core.management.base import BaseCommand
from django.db import transaction

from members.demo import DEMO_PASSWORD
from news.demo import seed


class Command(BaseCommand):
    help = (
        "Create the demo community, a year of its history told through the site's own services. "
        "Does nothing on a founded site, so running it again adds nothing twice. For local trials "
        "only: the demo accounts share a published password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", help="language of the demo texts (en, ru)")

    @transaction.atomic
    def handle(self, *args, language, **options):
        if not seed(language=language):
            self.stdout.write("The site is already founded; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Demo community ready. Accounts: anna, boris, chen, dana, fatima, gleb, hana, "
                f"emil (left) and installer (admin); password: {DEMO_PASSWORD}"
            )
        )
