"""Citing clauses in an account of an occasion: the speaker says only what the agreements say.

A citation is a clause's permanent address, `/agreements/<slug>/v/<n>/#p-<k>` (with or without
the site's address before it), as the ¶ link beside every clause gives it. Each answer in an
account must cite at least one clause, and every clause it cites must exist in a version that
was in force on the occasion's date — the speaker's brief — since that is all a speaker may say.
The words of each cited clause are kept with the answer, so the account reads the same later.
"""

import html
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from agreements.models import Agreement

CITATION = re.compile(
    r"(?:https?://[^\s/()<>\[\]]+)?/agreements/([a-z0-9][a-z0-9-]{0,79})/v/(\d{1,6})/?#p-(\d{1,6})",
    re.IGNORECASE,
)
CLAUSE = re.compile(r'<div class="clause" id="p-(\d+)">')
MAX_CITATIONS = 30
QUOTE_LENGTH = 600


def cited(text):
    """The (slug, version, clause) cited in `text`, each once, in order."""
    found = []
    for slug, version, clause in CITATION.findall(text or ""):
        key = (slug.lower(), int(version), int(clause))
        if key not in found:
            found.append(key)
    return found


def clause_words(body_html, number):
    """The words of clause `number` of a rendered text, without its ¶ link ("" if none)."""
    parts = CLAUSE.split(body_html or "")
    # parts: [before, "1", html of clause 1, "2", html of clause 2, …]
    for index in range(1, len(parts) - 1, 2):
        if int(parts[index]) == number:
            words = html.unescape(strip_tags(parts[index + 1])).replace("¶", "", 1)
            words = " ".join(words.split())
            return words if len(words) <= QUOTE_LENGTH else words[: QUOTE_LENGTH - 1] + "…"
    return ""


def check_citations(text, brief):
    """The citations of one answer, checked against `brief` (the versions in force on the
    occasion's date, `agreements.as_of.PastVersion`s). Returns (citations, errors): each citation
    a dict kept with the answer; each error a sentence saying what to fix."""
    in_brief = {past.slug: past for past in brief}
    found = cited(text)
    if not found:
        return [], [
            _(
                "Cite at least one clause this answer rests on: copy the ¶ link of the clause "
                "from the brief (an address like /agreements/…/v/2/#p-3)."
            )
        ]
    if len(found) > MAX_CITATIONS:
        return [], [_("Cite at most %(limit)s clauses in one answer.") % {"limit": MAX_CITATIONS}]
    agreements = Agreement.objects.defer("body", "body_html").in_bulk(
        [slug for slug, _version, _clause in found], field_name="slug"
    )
    citations, errors = [], []
    for slug, number, clause in found:
        address = f"/agreements/{slug}/v/{number}/#p-{clause}"
        agreement = agreements.get(slug)
        past = in_brief.get(slug)
        if agreement is None:
            errors.append(_("%(address)s: there is no such agreement.") % {"address": address})
            continue
        if past is None:
            errors.append(
                _("%(address)s: “%(title)s” was not in force on the occasion's date.")
                % {"address": address, "title": agreement.title}
            )
            continue
        if number != past.version:
            errors.append(
                _(
                    "%(address)s: version %(number)s of “%(title)s” was not the one in force on "
                    "the occasion's date; the brief has version %(brief)s."
                )
                % {
                    "address": address,
                    "number": number,
                    "title": past.title,
                    "brief": past.version,
                }
            )
            continue
        record = agreement.get_version(number)
        words = clause_words(record.body_html, clause)
        if not words:
            errors.append(
                _("%(address)s: version %(number)s of “%(title)s” has no clause %(clause)s.")
                % {"address": address, "number": number, "title": past.title, "clause": clause}
            )
            continue
        citations.append(
            {
                "slug": slug,
                "version": number,
                "clause": clause,
                "title": past.title,
                "url": address,
                "words": words,
            }
        )
    return citations, errors
