"""The demo community's agreements: an idea, the standard agreements, an agreement of its own with
several versions (so history and diff show real content) and a borrowed one. Idempotent."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from agreements.models import Agreement
from agreements.services import create_agreement, found_community, is_founded, publish_version
from agreements.texts import read, standard_texts, text_language

TEXTS = Path(__file__).resolve().parent / "texts"
COMMUNITY_NAMES = {"en": "Riverside Commons", "ru": "Приречная община"}
VERSION_NOTES = {
    "en": ["Adopted at founding.", "Opening hours and a deposit rule.", "Simpler returns."],
    "ru": ["Принято при основании.", "Часы работы и правило залога.", "Упрощён возврат."],
}


def demo_text(language, name):
    return read(TEXTS / text_language(language) / name)


def seed_agreements(*, language="en", founder=None, now=None):
    """Found the demo community if needed and add its own and borrowed agreements."""
    language = text_language(language)
    now = now or timezone.now()
    founded_at = now - timedelta(days=120)
    if not is_founded():
        idea = demo_text(language, "idea.md")
        found_community(
            name=COMMUNITY_NAMES[language],
            idea_title=idea.title,
            idea_body=idea.body,
            standard_slugs=[text.slug for text in standard_texts(language)],
            language=language,
            founder=founder,
            when=founded_at,
        )
    notes = VERSION_NOTES[language]
    if not Agreement.objects.filter(slug="tool-library").exists():
        versions = [demo_text(language, f"tool-library-v{n}.md") for n in (1, 2, 3)]
        agreement = create_agreement(
            title=versions[0].title,
            summary=versions[0].summary,
            body=versions[0].body,
            slug="tool-library",
            origin=Agreement.Origin.OWN,
            position=200,
            user=founder,
            note=notes[0],
            when=founded_at,
        )
        for days_ago, text, note in ((60, versions[1], notes[1]), (20, versions[2], notes[2])):
            agreement = publish_version(
                agreement=agreement,
                title=text.title,
                summary=text.summary,
                body=text.body,
                note=note,
                when=now - timedelta(days=days_ago),
            )
    if not Agreement.objects.filter(slug="garden").exists():
        text = demo_text(language, "garden.md")
        create_agreement(
            title=text.title,
            summary=text.summary,
            body=text.body,
            slug="garden",
            origin=Agreement.Origin.OWN,
            position=210,
            user=founder,
            note=notes[0],
            when=founded_at,
        )
    if not Agreement.objects.filter(slug="quiet-hours").exists():
        text = demo_text(language, "quiet-hours.md")
        create_agreement(
            title=text.title,
            summary=text.summary,
            body=text.body,
            slug="quiet-hours",
            origin=Agreement.Origin.BORROWED,
            source_url=text.meta.get("source_url", ""),
            source_version=text.meta.get("source_version", ""),
            position=220,
            user=founder,
            note=notes[0],
            when=founded_at,
        )
