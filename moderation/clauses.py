"""The clause a moderation act invokes: a permanent citation of one paragraph of one version.

Standard agreement "Power is public and accountable": an act that cites no clause allowing it
has no force. So the citation must point at a paragraph that exists: `/agreements/<slug>/v/<n>/
#p-<k>`, as copied from the ¶ link beside every paragraph (with or without the site's address).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.rendering import count_clauses

CLAUSE_PATH = re.compile(r"^/agreements/(?P<slug>[-a-zA-Z0-9_]{1,80})/v/(?P<version>[0-9]{1,6})/$")
PARAGRAPH = re.compile(r"^p-(?P<paragraph>[0-9]{1,6})$")


class ClauseError(ValueError):
    """The citation does not name an existing paragraph; the message says what is wrong."""


@dataclass(frozen=True)
class Clause:
    url: str
    label: str


def resolve_clause(citation):
    """The `Clause` a citation names, or `ClauseError` saying why it names none."""
    parts = urlsplit((citation or "").strip())
    path = CLAUSE_PATH.match(parts.path)
    paragraph = PARAGRAPH.match(parts.fragment)
    if parts.scheme not in ("", "http", "https") or not path or not paragraph:
        raise ClauseError(
            _(
                "Cite a paragraph by its permanent link, as the ¶ beside it gives it, for "
                "example /agreements/public-power/v/1/#p-5."
            )
        )
    agreement = Agreement.objects.filter(slug=path["slug"]).defer("body", "body_html").first()
    version = agreement.get_version(int(path["version"])) if agreement else None
    if version is None:
        raise ClauseError(_("No agreement has this version; check the link."))
    number = int(paragraph["paragraph"])
    if not 1 <= number <= count_clauses(version.body_html):
        raise ClauseError(
            _("Version %(version)s of “%(title)s” has no paragraph %(number)s.")
            % {"version": version.version, "title": version.title, "number": number}
        )
    return Clause(
        url=f"{agreement.version_url(version.version)}#p-{number}",
        # Stored once and shown in every language: the title is the agreement's own.
        label=f"{version.title}, § {number} (v{version.version})",
    )
