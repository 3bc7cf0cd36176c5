"""The demo community's agreements: an idea, the standard agreements, three agreements of its own
(the tool library later changes by amendment, so history and diff show real content; the manners
give the demo's moderators the duties they uphold) and a borrowed one. The rest of the story is
told in news/demo.py (and its moderation chapter in moderation/demo.py).

The borrowed one (quiet hours, from a community the demo cannot reach) later gets a newer
version at its source: `sources/` holds that version as the `.md` export its site would give,
which a member uploads, as members do for a source this site cannot fetch.
"""

from datetime import timedelta
from pathlib import Path

from agreements.models import Agreement
from agreements.models.agreement import FOUNDING_NOTE
from agreements.services import create_agreement, found_community, is_founded
from agreements.texts import read, standard_texts, text_language

TEXTS = Path(__file__).resolve().parent / "texts"
SOURCES = Path(__file__).resolve().parent / "sources"
COMMUNITY_NAMES = {"en": "Riverside Commons", "ru": "Приречная община"}
FOUNDED_DAYS_AGO = 400


def demo_text(language, name):
    return read(TEXTS / text_language(language) / name)


def source_export(language):
    """The export file of the newer version of the borrowed agreement, as bytes."""
    return (SOURCES / f"quiet-hours-v5.{text_language(language)}.md").read_bytes()


def found(*, language, now, founder=None):
    """Found the community with the idea, every standard agreement and its own agreements."""
    if is_founded():
        return
    language = text_language(language)
    when = now - timedelta(days=FOUNDED_DAYS_AGO)
    idea = demo_text(language, "idea.md")
    found_community(
        name=COMMUNITY_NAMES[language],
        idea_title=idea.title,
        idea_body=idea.body,
        standard_slugs=[text.slug for text in standard_texts(language)],
        language=language,
        founder=founder,
        when=when,
    )
    for position, name, origin in (
        (200, "tool-library-v1.md", Agreement.Origin.OWN),
        (210, "garden.md", Agreement.Origin.OWN),
        (220, "quiet-hours.md", Agreement.Origin.BORROWED),
        (230, "manners.md", Agreement.Origin.OWN),
    ):
        text = demo_text(language, name)
        create_agreement(
            title=text.title,
            summary=text.summary,
            body=text.body,
            slug=text.slug,
            origin=origin,
            source_url=text.meta.get("source_url", ""),
            source_version=text.meta.get("source_version", ""),
            position=position,
            user=founder,
            note=FOUNDING_NOTE,
            when=when,
        )
