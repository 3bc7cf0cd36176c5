"""Reading an agreement of another community: from its site's API, or from its `.md` export.

Whatever comes back is checked before it is used: it must say it is an agreement of a Soglasie
community, with a title, a version and a text within our limits. Anything else is refused
with a message that says what was wrong.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

from ..models import MAX_TEXT_LENGTH
from ..texts import parse
from .fetching import FetchError, fetch

# `…/agreements/<slug>/`, `…/agreements/<slug>/v/<n>/`, `…/agreements/<slug>.md`, or the same
# under `/api/`; whatever comes before is where the other site is installed.
AGREEMENT_PATH = re.compile(
    r"^(?P<prefix>(?:/[^/]+)*?)/(?:api/)?agreements/(?P<slug>[-a-zA-Z0-9_]{1,80})"
    r"(?:\.md|/(?:v/(?P<version>\d{1,9})/?)?)?$"
)
MAX_EXPORT_BYTES = 1_000_000


class SourceError(Exception):
    """The source cannot be borrowed from; the message says why."""


@dataclass(frozen=True)
class SourceText:
    """One version of an agreement at its source."""

    url: str  # the agreement's address at the source, as this community records it
    version: int
    title: str
    summary: str
    body: str


@dataclass(frozen=True)
class Address:
    page: str  # https://site/agreements/<slug>/
    api: str  # https://site/api/agreements/<slug>/ (or …/v/<n>/)


def parse_address(url):
    """The agreement page and API addresses for an address a member pasted."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https"):
        raise SourceError(_("Only http:// and https:// addresses can be borrowed from."))
    match = AGREEMENT_PATH.match(parts.path or "")
    if not parts.netloc or not match:
        raise SourceError(
            _(
                "Give the address of an agreement on another community's site, such as "
                "https://example.org/agreements/quiet-hours/."
            )
        )
    prefix, slug, version = match["prefix"], match["slug"], match["version"]
    api = f"{prefix}/api/agreements/{slug}/" + (f"v/{version}/" if version else "")
    return Address(
        page=urlunsplit((parts.scheme, parts.netloc, f"{prefix}/agreements/{slug}/", "", "")),
        api=urlunsplit((parts.scheme, parts.netloc, api, "", "")),
    )


def _not_ours():
    return SourceError(
        _(
            "That address did not answer as an agreement of a community on Soglasie: check that "
            "it is the address of an agreement's page."
        )
    )


def _checked(*, url, version, title, summary, body):
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise SourceError(_("The borrowed agreement has no title, or one too long."))
    if not isinstance(body, str) or not body.strip():
        raise SourceError(_("The borrowed agreement has no text."))
    if len(body) > MAX_TEXT_LENGTH:
        raise SourceError(
            _("The borrowed text is %(length)s characters long; the limit is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{MAX_TEXT_LENGTH:,}"}
        )
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SourceError(_("The borrowed agreement does not say which version it is."))
    summary = summary if isinstance(summary, str) else ""
    return SourceText(
        url=url,
        version=version,
        title=title.strip(),
        summary=" ".join(summary.split())[:300],
        body=body.replace("\r\n", "\n").strip() + "\n",
    )


def from_address(url):
    """Fetch an agreement (its current version, or the version the address names)."""
    address = parse_address(url)
    try:
        _final, content_type, data = fetch(address.api)
    except FetchError as error:
        raise SourceError(str(error)) from error
    if "json" not in content_type:
        raise _not_ours()
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _not_ours() from error
    if not isinstance(payload, dict) or payload.get("type") not in (
        "agreement",
        "agreement_version",
    ):
        raise _not_ours()
    if payload.get("type") == "agreement" and payload.get("status") != "in_force":
        raise SourceError(_("That agreement has been repealed at its source."))
    return _checked(
        url=address.page,
        version=payload.get("version"),
        title=payload.get("title"),
        summary=payload.get("summary"),
        body=payload.get("body"),
    )


def from_export(data):
    """An agreement from the `.md` file its site exports (`/agreements/<slug>.md`)."""
    if len(data) > MAX_EXPORT_BYTES:
        raise SourceError(_("The file is too large to be an agreement's export."))
    try:
        text = parse(data.decode("utf-8").replace("\r\n", "\n"))
    except UnicodeDecodeError as error:
        raise SourceError(_("The file is not text (UTF-8).")) from error
    version = text.meta.get("version", "")
    url = text.meta.get("url", "")
    if not (text.title and version.isdigit() and url):
        raise SourceError(
            _(
                "The file is not an agreement exported by a community on Soglasie: its header "
                "must give at least title, version and url."
            )
        )
    try:
        address = parse_address(url)
    except SourceError as error:
        raise SourceError(
            _("The file's header does not give the agreement's address (url).")
        ) from error
    return _checked(
        url=address.page,
        version=int(version),
        title=text.title,
        summary=text.summary,
        body=text.body,
    )
