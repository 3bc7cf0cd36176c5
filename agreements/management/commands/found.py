from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.services import FoundingError, found_community
from agreements.texts import read, standard_texts


class Command(BaseCommand):
    help = (
        "Found the community from a Markdown file with its idea (front matter `title:` or a first "
        "`# heading` gives the title) and include standard agreements."
    )

    def add_arguments(self, parser):
        parser.add_argument("idea", type=Path, help="Markdown file with the idea and call to unite")
        parser.add_argument("--name", required=True, help="name of the community")
        parser.add_argument("--language", default="en", help="language of the agreements (en, ru)")
        parser.add_argument(
            "--people-to-form",
            type=int,
            default=3,
            help="how many people must accept the agreements for the community to form (1-1000)",
        )
        parser.add_argument(
            "--standard",
            default="all",
            help="comma-separated slugs of standard agreements to include, 'all' or 'none'",
        )

    def handle(self, *args, idea, name, language, standard, people_to_form, **options):
        if not idea.is_file():
            raise CommandError(f"No such file: {idea}")
        text = read(idea)
        title, body = text.title, text.body
        if not title and body.startswith("# "):
            first, _, body = body.partition("\n")
            body = body.lstrip("\n")
            title = first[2:].strip()
        available = [t.slug for t in standard_texts(language)]
        if standard == "all":
            chosen = available
        elif standard == "none":
            chosen = []
        else:
            chosen = [slug.strip() for slug in standard.split(",") if slug.strip()]
            unknown = sorted(set(chosen) - set(available))
            if unknown:
                raise CommandError(
                    f"Unknown standard agreements: {', '.join(unknown)}. "
                    f"Available: {', '.join(available)}"
                )
        try:
            found_community(
                name=name,
                idea_title=title,
                idea_body=body,
                standard_slugs=chosen,
                language=language,
                people_to_form=people_to_form,
            )
        except FoundingError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Founded {name} with the idea and {len(chosen)} standard agreements."
            )
        )
