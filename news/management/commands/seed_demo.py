from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.demo import seed_agreements


class Command(BaseCommand):
    help = "Create a small demo community (idempotent: running it again adds nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", help="language of the demo texts (en, ru)")

    @transaction.atomic
    def handle(self, *args, language, **options):
        seed_agreements(language=language)
        self.stdout.write(self.style.SUCCESS("Demo community ready."))
