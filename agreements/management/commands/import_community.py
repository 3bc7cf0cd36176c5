from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.exchange import ExchangeError, import_community


class Command(BaseCommand):
    help = (
        "Found this site from another community's export (/api/export.tar.gz): its agreements "
        "with every version, and its procedure. Only on a site that has not been founded."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .tar.gz export of a community")

    def handle(self, *args, archive, **options):
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            with archive.open("rb") as fileobj:
                community = import_community(fileobj)
        except ExchangeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Founded {community.name} from {archive.name}."))
