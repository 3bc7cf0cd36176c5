"""Borrowing agreements from communities of the same kind, and following their later versions.

"Spreading the idea": communities live side by side and take each other's agreements. A borrowed
agreement is never simply copied in: a member proposes it as an amendment of kind *new*, and
the community decides as it decides everything. Its source and version stay recorded on it
forever. When the source publishes a newer version, the agreement page says so and a member may
propose the update, as a change amendment that goes through the same procedure.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..amendments.services import AmendmentError, propose_amendment
from ..merging import merge
from ..models import Agreement, Amendment, SourceCheck
from .sources import SourceError, from_address

# A member's "check now" reaches the other site at most this often per agreement.
CHECK_AGAIN_AFTER = timedelta(minutes=1)


def default_title(source):
    return _("Borrow “%(title)s” (version %(version)s at its source)") % {
        "title": source.title,
        "version": source.version,
    }


def borrow_agreement(*, author, source, rationale, title="", now=None):
    """Propose `source` (a SourceText) as a new agreement of this community, origin borrowed."""
    existing = Agreement.objects.in_force().filter(source_url=source.url).only("title").first()
    if existing is not None:
        raise AmendmentError(
            _(
                "This community already has “%(title)s” from that source; propose to update it "
                "from its page instead."
            )
            % {"title": existing.title}
        )
    return propose_amendment(
        author=author,
        kind=Amendment.Kind.NEW,
        title=(title or default_title(source))[:200],
        rationale=rationale,
        proposed_title=source.title,
        proposed_summary=source.summary,
        body=source.body,
        source_url=source.url,
        source_version=str(source.version),
        now=now,
    )


def _record(agreement, *, method, source=None, error="", member=None, now=None):
    """Write what a check found (or why it failed) on the agreement's one SourceCheck row."""
    values = {
        "method": method,
        "checked_at": now or timezone.now(),
        "checked_by": member,
        "error": error[:300],
    }
    if source is not None:
        values.update(
            version=source.version, title=source.title, summary=source.summary, body=source.body
        )
    check, _created = SourceCheck.objects.update_or_create(agreement=agreement, defaults=values)
    return check


def check_source(*, agreement, member=None, now=None):
    """Ask the source's site for its newest version of `agreement` and record the answer."""
    if agreement.origin != Agreement.Origin.BORROWED or not agreement.source_url:
        raise SourceError(_("This agreement was not borrowed from another community."))
    try:
        source = from_address(agreement.source_url)
    except SourceError as error:
        return _record(
            agreement, method=SourceCheck.Method.ADDRESS, error=str(error), member=member, now=now
        )
    return _record(
        agreement, method=SourceCheck.Method.ADDRESS, source=source, member=member, now=now
    )


def check_source_now(*, agreement, member, now=None):
    """A member asks to check now; the other site is asked at most once a minute per agreement."""
    _require_member(member)
    now = now or timezone.now()
    check = SourceCheck.objects.filter(agreement=agreement).first()
    if (
        check
        and check.method == SourceCheck.Method.ADDRESS
        and now - check.checked_at < (CHECK_AGAIN_AFTER)
    ):
        return check
    return check_source(agreement=agreement, member=member, now=now)


def record_source_export(*, agreement, source, member, now=None):
    """A member uploads a newer export of the source (for a source this site cannot reach)."""
    _require_member(member)
    if source.url != agreement.source_url:
        raise SourceError(
            _("That file is an export of %(url)s, not of this agreement's source.")
            % {"url": source.url}
        )
    return _record(agreement, method=SourceCheck.Method.FILE, source=source, member=member, now=now)


def _require_member(member):
    if not (member.is_authenticated and member.is_in_good_standing):
        raise SourceError(_("Only members in good standing may check the source."))


def check_sources(now=None):
    """`manage.py advance` task: look for newer versions of borrowed agreements at their sites,
    each at most every `BORROW_CHECK_HOURS` hours. Sources followed by uploaded files (a site
    this one cannot reach, like the demo's) are left to the members who upload them."""
    now = now or timezone.now()
    due = now - timedelta(hours=getattr(settings, "BORROW_CHECK_HOURS", 6))
    done = []
    for agreement in (
        Agreement.objects.in_force()
        .filter(origin=Agreement.Origin.BORROWED)
        .exclude(source_url="")
        .select_related("source_check")
        .defer("body", "body_html")
    ):
        check = getattr(agreement, "source_check", None)
        if check is not None and (
            check.method == SourceCheck.Method.FILE or check.checked_at > due
        ):
            continue
        check = check_source(agreement=agreement, now=now)
        done.append(f"{agreement.slug}: source {check.error or f'version {check.version}'}")
    return done


def followed_text(agreement):
    """Our text as it was when it took the source version we follow (borrowed, or last updated
    from the source): the base against which both sides' changes are merged."""
    record = (
        agreement.history.filter(source_version=agreement.source_version)
        .order_by("history_date", "history_id")
        .first()
    )
    return record.body if record else agreement.body


def updated_text(agreement, check):
    """The text to propose: the source's newest text with our own changes since we borrowed
    kept (a three-way merge). Returns (text, kept_ours): when our changes overlap the source's,
    the source's text is proposed as it is and `kept_ours` is False."""
    base = followed_text(agreement)
    if base.strip() == agreement.body.strip():
        return check.body, True
    merged = merge(base, agreement.body, check.body)
    if not merged.clean:
        return check.body, False
    return merged.text(), True


@transaction.atomic
def propose_update(*, agreement, author, title, rationale, body, now=None):
    """Propose to follow the source's newest version: a change amendment that records it."""
    check = SourceCheck.objects.filter(agreement=agreement).first()
    if check is None or not check.has_newer_version:
        raise AmendmentError(_("The source has no newer version than the one this follows."))
    return propose_amendment(
        author=author,
        kind=Amendment.Kind.CHANGE,
        agreement=agreement,
        title=title,
        rationale=rationale,
        body=body,
        proposed_title=check.title,
        proposed_summary=check.summary,
        source_url=agreement.source_url,
        source_version=str(check.version),
        now=now,
    )
