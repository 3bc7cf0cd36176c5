"""The whole community in one archive, and a new community founded from one.

Communities of one kind live side by side ("Spreading the idea"): any of them can take every
agreement of another, with every version, and start from there. The archive is a gzipped tar:

    <folder>/community.json                 name, language, procedure, the agreements in order
    <folder>/agreements/<slug>/v<n>.md      version n, in the `.md` export format (texts.py)

Members, votes, comments and news are not exported: a new community's members join it by
accepting its agreements themselves.
"""

import io
import json
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import MAX_TEXT_LENGTH, Agreement, Community, Edition, Procedure
from .models.amendment import PROCEDURE_FIELDS
from .selectors import markdown_export
from .services import (
    PROCEDURE_SLUG,
    create_agreement,
    is_founded,
    publish_version,
    repeal_agreement,
)
from .texts import parse, text_language

FORMAT = 1
FOLDER = "soglasie-export"
# Limits that keep a hostile archive from exhausting the importing server.
MAX_MEMBERS = 20_000
MAX_FILE_BYTES = 1_000_000
MAX_TOTAL_BYTES = 300_000_000
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


class ExchangeError(Exception):
    """The archive cannot be imported; the message says why."""


def archive_name(community):
    name = slugify(community.name if community else "") or "community"
    return f"{name}-export.tar.gz"


def _iso(moment):
    return moment.isoformat(timespec="seconds") if moment else None


def _add(tar, name, data):
    info = tarfile.TarInfo(f"{FOLDER}/{name}")
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _versions_with_texts(agreement):
    """One record per version, oldest first, with its text (a repeal adds a record, not one)."""
    seen = {}
    for record in agreement.history.order_by("history_date", "history_id"):
        seen.setdefault(record.version, record)
    return list(seen.values())


def export_archive(*, site_url):
    """Write the archive to a temporary file and return it, rewound. One agreement's history is
    in memory at a time, so the size of the community does not decide the memory used."""
    community = Community.current()
    procedure = Procedure.current()
    # Returned open: the response streams it and closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    listed = []
    with tarfile.open(fileobj=spool, mode="w:gz") as tar:
        for agreement in Agreement.objects.in_reading_order().defer("body", "body_html"):
            versions = _versions_with_texts(agreement)
            for record in versions:
                url = f"{site_url.rstrip('/')}{agreement.version_url(record.version)}"
                text = markdown_export(record, url)
                _add(tar, f"agreements/{agreement.slug}/v{record.version}.md", text.encode())
            listed.append(
                {
                    "slug": agreement.slug,
                    "versions": len(versions),
                    "status": agreement.status,
                    "repealed_at": _iso(agreement.effective_at)
                    if not agreement.is_in_force
                    else None,
                    "is_idea": agreement.is_idea,
                    "position": agreement.position,
                }
            )
        manifest = {
            "type": "community_export",
            "format": FORMAT,
            "software": "soglasie",
            "name": community.name,
            "language": community.language,
            "founded_at": _iso(community.founded_at),
            "site_url": site_url,
            "procedure": {
                **{name: str(getattr(procedure, name)) for name in PROCEDURE_FIELDS},
                "set_by": procedure.agreement.slug if procedure.agreement else None,
            },
            "agreements": listed,
        }
        _add(tar, "community.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    spool.seek(0)
    return spool


def archive_response(archive, *, filename):
    return FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/gzip"
    )


# -- reading an archive --------------------------------------------------------------------------


@dataclass
class ImportedVersion:
    number: int
    title: str
    summary: str
    body: str
    effective_at: datetime
    origin: str
    source_url: str
    source_version: str
    note: str


@dataclass
class ImportedAgreement:
    slug: str
    is_idea: bool
    position: int
    repealed_at: datetime | None
    versions: list = field(default_factory=list)


@dataclass
class Archive:
    name: str
    language: str
    founded_at: datetime
    procedure: dict
    procedure_slug: str | None
    agreements: list


def _files(fileobj):
    """Every regular file of the archive, by name, read within the limits."""
    try:
        tar = tarfile.open(fileobj=fileobj, mode="r:gz")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ExchangeError(_("This is not a community export (a .tar.gz archive).")) from error
    files, total = {}, 0
    with tar:
        try:
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise ExchangeError(_("The archive holds too many files."))
                if not member.isfile():
                    continue
                if member.size > MAX_FILE_BYTES:
                    raise ExchangeError(
                        _("%(name)s is larger than the limit.") % {"name": member.name}
                    )
                total += member.size
                if total > MAX_TOTAL_BYTES:
                    raise ExchangeError(_("The archive is larger than the limit."))
                files[member.name] = tar.extractfile(member).read()
        except (tarfile.TarError, OSError, EOFError) as error:
            raise ExchangeError(_("The archive is damaged.")) from error
    return files


def _moment(value, what):
    moment = parse_datetime(value or "") if isinstance(value, str) else None
    if moment is None:
        raise ExchangeError(_("%(what)s has no valid date.") % {"what": what})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _text(data, name):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExchangeError(_("%(name)s is not UTF-8 text.") % {"name": name}) from error


def read_archive(fileobj):
    """Parse and check the whole archive before anything is written."""
    files = _files(fileobj)
    manifests = [name for name in files if name.endswith("/community.json")]
    if len(manifests) != 1:
        raise ExchangeError(_("This archive has no community.json: it is not a community export."))
    root = manifests[0][: -len("community.json")]
    try:
        manifest = json.loads(_text(files[manifests[0]], "community.json"))
    except json.JSONDecodeError as error:
        raise ExchangeError(_("community.json is not valid JSON.")) from error
    if not isinstance(manifest, dict) or manifest.get("type") != "community_export":
        raise ExchangeError(_("This archive is not a community export."))
    if manifest.get("format") != FORMAT:
        raise ExchangeError(
            _("This export has format %(format)s; this site reads format %(ours)s.")
            % {"format": manifest.get("format"), "ours": FORMAT}
        )
    name = manifest.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ExchangeError(_("The export does not name its community."))
    listed = manifest.get("agreements")
    if not isinstance(listed, list) or not listed:
        raise ExchangeError(_("The export lists no agreements."))
    agreements = [_read_agreement(entry, files, root) for entry in listed]
    if sum(1 for a in agreements if a.is_idea) != 1:
        raise ExchangeError(_("The export must hold exactly one idea."))
    if len({a.slug.lower() for a in agreements}) != len(agreements):
        raise ExchangeError(_("The export lists an agreement twice."))
    procedure = manifest.get("procedure") if isinstance(manifest.get("procedure"), dict) else {}
    return Archive(
        name=name.strip()[:120],
        language=text_language(str(manifest.get("language", "en"))),
        founded_at=_moment(manifest.get("founded_at"), "community.json"),
        procedure={k: procedure[k] for k in PROCEDURE_FIELDS if k in procedure},
        procedure_slug=procedure.get("set_by"),
        agreements=agreements,
    )


def _read_agreement(entry, files, root):
    if not isinstance(entry, dict) or not SLUG.match(str(entry.get("slug", ""))):
        raise ExchangeError(_("The export lists an agreement without a valid address."))
    slug = entry["slug"]
    count = entry.get("versions")
    if not isinstance(count, int) or count < 1:
        raise ExchangeError(_("“%(slug)s” has no versions.") % {"slug": slug})
    imported = ImportedAgreement(
        slug=slug,
        is_idea=entry.get("is_idea") is True,
        position=entry.get("position") if isinstance(entry.get("position"), int) else 100,
        repealed_at=_moment(entry.get("repealed_at"), slug)
        if entry.get("status") == Agreement.Status.REPEALED
        else None,
    )
    for number in range(1, count + 1):
        name = f"{root}agreements/{slug}/v{number}.md"
        if name not in files:
            raise ExchangeError(
                _("Version %(number)s of “%(slug)s” is missing.") % {"number": number, "slug": slug}
            )
        text = parse(_text(files[name], name))
        where = f"{slug} v{number}"
        if text.slug != slug or text.meta.get("version") != str(number):
            raise ExchangeError(_("%(name)s does not say what it is.") % {"name": where})
        if not text.title.strip() or not text.body.strip():
            raise ExchangeError(_("%(name)s has no title or no text.") % {"name": where})
        if len(text.body) > MAX_TEXT_LENGTH or len(text.title) > 200:
            raise ExchangeError(_("%(name)s is longer than the limit.") % {"name": where})
        origin = text.meta.get("origin", Agreement.Origin.OWN)
        imported.versions.append(
            ImportedVersion(
                number=number,
                title=text.title.strip(),
                summary=text.summary[:300],
                body=text.body,
                effective_at=_moment(text.meta.get("effective"), where),
                origin=origin if origin in Agreement.Origin.values else Agreement.Origin.OWN,
                source_url=text.meta.get("source", "")[:200],
                source_version=text.meta.get("source_version", "")[:40],
                note=text.meta.get("note", "")[:300],
            )
        )
    return imported


@transaction.atomic
def import_community(fileobj):
    """Found this (unfounded) site from an export: the same agreements, every version in the
    order it took effect, and the same procedure. All of it, or nothing."""
    archive = read_archive(fileobj)
    if is_founded():
        raise ExchangeError(_("This community has already been founded."))
    Community.objects.create(
        pk=1, name=archive.name, language=archive.language, founded_at=archive.founded_at
    )
    steps = []
    for agreement in archive.agreements:
        for version in agreement.versions:
            steps.append((version.effective_at, 0, agreement, version))
        if agreement.repealed_at:
            steps.append((agreement.repealed_at, 1, agreement, None))
    steps.sort(key=lambda step: (step[0], step[1], step[3].number if step[3] else 0))
    made = {}
    for when, _order, agreement, version in steps:
        if version is None:
            repeal_agreement(agreement=made[agreement.slug], note="", when=when)
        elif version.number == 1:
            made[agreement.slug] = create_agreement(
                title=version.title,
                summary=version.summary,
                body=version.body,
                slug=agreement.slug,
                origin=version.origin,
                source_url=version.source_url,
                source_version=version.source_version,
                is_idea=agreement.is_idea,
                position=agreement.position,
                note=version.note,
                reason=Edition.Reason.FOUNDED
                if when <= archive.founded_at
                else Edition.Reason.ADDED,
                when=when,
            )
        else:
            made[agreement.slug] = publish_version(
                agreement=made[agreement.slug],
                body=version.body,
                title=version.title,
                summary=version.summary,
                note=version.note,
                source_version=version.source_version,
                when=when,
            )
    procedure = Procedure.current()
    try:
        for name, value in archive.procedure.items():
            setattr(procedure, name, Procedure._meta.get_field(name).to_python(value))
        procedure.full_clean(exclude=["agreement", "changed_by"])
    except ValidationError as error:
        raise ExchangeError(_("The export's procedure values are out of range.")) from error
    slug = archive.procedure_slug or PROCEDURE_SLUG
    procedure.agreement = Agreement.objects.filter(slug=slug).first()
    procedure.save()
    return Community.current()
