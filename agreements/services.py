"""Everything that changes an agreement goes through here, one transaction per act.

Each change starts a new `Edition` (the set of versions in force) and sends `agreement_changed`
inside the same transaction, so whatever other apps record about it commits or fails with it.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import PROCEDURE_SLUG, Agreement, Community, Edition, Procedure
from .models.agreement import FOUNDING_NOTE
from .procedure import write_table
from .signals import agreement_changed, community_changed, community_formed
from .texts import standard_texts, text_language


class FoundingError(Exception):
    """The site cannot be founded as asked (already founded, or the idea is empty)."""


# Cyrillic titles would slugify to nothing; addresses are ASCII so they survive any mail client.
_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
_TRANSLIT = str.maketrans(
    {
        cyrillic: latin.strip("_")
        for cyrillic, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(), strict=True)
    }
)


def unique_slug(title, *, fallback="agreement"):
    """A free, readable address for a new agreement made from its title."""
    latin = title.lower().translate(_TRANSLIT)
    base = slugify(latin)[:60].strip("-") or fallback
    slug, n = base, 2
    while Agreement.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _start_edition(reason, agreement, when, amendment=None):
    """A new set of versions in force. It binds after the grace period its amendment was decided
    under, so members have time to accept the change; a repeal asks nothing new of anyone, so it
    binds no sooner than the changes before it."""
    binds_at = when + timedelta(days=amendment.grace_days if amendment else 0)
    if reason == Edition.Reason.REPEALED:
        latest = Edition.objects.aggregate(latest=Max("binds_at"))["latest"]
        binds_at = max(filter(None, (when, latest)))
    return Edition.objects.create(
        reason=reason, agreement=agreement, started_at=when, binds_at=binds_at
    )


def _record(agreement, user, amendment, when):
    agreement._history_user = user
    # A short reference: simple_history's reason column holds 100 characters, and the full note
    # is kept in the version's own `change_note`.
    agreement._change_reason = f"amendment #{amendment.pk}" if amendment else ""
    agreement._history_date = when


@transaction.atomic
def create_agreement(
    *,
    title,
    body,
    origin,
    summary="",
    slug=None,
    source_url="",
    source_version="",
    is_idea=False,
    position=100,
    user=None,
    note="",
    amendment=None,
    reason=Edition.Reason.ADDED,
    when=None,
):
    """Put a new agreement in force as version 1 and start a new edition."""
    now = when or timezone.now()
    agreement = Agreement(
        slug=slug or unique_slug(title),
        title=title,
        summary=summary,
        body=body,
        origin=origin,
        source_url=source_url,
        source_version=source_version,
        is_idea=is_idea,
        position=position,
        version=1,
        effective_at=now,
        change_note=note,
        amendment=amendment,
    )
    _record(agreement, user, amendment, now)
    agreement.save()
    edition = _start_edition(reason, agreement, now, amendment)
    agreement_changed.send(
        sender=Agreement,
        agreement=agreement,
        edition=edition,
        change="created",
        amendment=amendment,
    )
    return agreement


@transaction.atomic
def publish_version(
    *,
    agreement,
    body,
    note,
    title=None,
    summary=None,
    user=None,
    amendment=None,
    source_version=None,
    when=None,
):
    """Make `body` the next version of `agreement`, in force from now.

    The row is locked so two concurrent publications cannot both become "version n+1": the second
    waits and becomes n+2, and no version is ever lost. A borrowed agreement updated from its
    source (an amendment carrying the source's version) records which version it now follows.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    now = when or timezone.now()
    agreement.body = body
    if title is not None:
        agreement.title = title
    if summary is not None:
        agreement.summary = summary
    if source_version is None and amendment is not None and amendment.kind == "change":
        source_version = amendment.source_version or None
    if source_version:
        agreement.source_version = source_version
    agreement.version += 1
    agreement.effective_at = now
    agreement.change_note = note
    agreement.amendment = amendment
    _record(agreement, user, amendment, now)
    agreement.save()
    edition = _start_edition(Edition.Reason.NEW_VERSION, agreement, now, amendment)
    agreement_changed.send(
        sender=Agreement,
        agreement=agreement,
        edition=edition,
        change="new_version",
        amendment=amendment,
    )
    return agreement


@transaction.atomic
def repeal_agreement(*, agreement, note, user=None, amendment=None, when=None):
    """Take `agreement` out of force. Its text and history stay readable at the same address."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not agreement.is_in_force:
        return agreement
    now = when or timezone.now()
    agreement.status = Agreement.Status.REPEALED
    agreement.effective_at = now
    agreement.change_note = note
    agreement.amendment = amendment
    _record(agreement, user, amendment, now)
    agreement.save()
    edition = _start_edition(Edition.Reason.REPEALED, agreement, now, amendment)
    agreement_changed.send(
        sender=Agreement,
        agreement=agreement,
        edition=edition,
        change="repealed",
        amendment=amendment,
    )
    return agreement


def is_founded():
    return Community.objects.filter(pk=1).exists()


@transaction.atomic
def found_community(
    *,
    name,
    idea_title,
    idea_body,
    standard_slugs=(),
    language="en",
    founder=None,
    when=None,
    people_to_form=3,
):
    """State the idea: create the community, its founding agreement and the chosen standard ones.

    Only the installer may do this (the view checks for a superuser; the `found` command runs on
    the server). It can happen once: the singleton row makes a second founding fail. The
    community is *forming* until `people_to_form` people have accepted its agreements.
    """
    if not (name or "").strip() or not (idea_title or "").strip() or not (idea_body or "").strip():
        raise FoundingError(_("The community needs a name, and the idea needs a title and a text."))
    if not isinstance(people_to_form, int) or not 1 <= people_to_form <= 1000:
        raise FoundingError(_("The number of people needed to form it must be from 1 to 1,000."))
    language = text_language(language)
    try:
        with transaction.atomic():
            community = Community.objects.create(
                pk=1,
                name=name.strip(),
                language=language,
                founded_by=founder,
                founded_at=when or timezone.now(),
                people_to_form=people_to_form,
            )
    except IntegrityError as error:
        raise FoundingError(_("This community has already been founded.")) from error
    note = FOUNDING_NOTE
    create_agreement(
        title=idea_title.strip(),
        body=idea_body,
        origin=Agreement.Origin.OWN,
        slug="idea",
        is_idea=True,
        position=0,
        user=founder,
        note=note,
        reason=Edition.Reason.FOUNDED,
        when=when,
    )
    # The procedure agreement is always included: without it no agreement could ever change.
    wanted = set(standard_slugs) | {PROCEDURE_SLUG}
    procedure = Procedure.current()
    for position, text in enumerate(standard_texts(language), start=1):
        if text.slug in wanted:
            create_agreement(
                title=text.title,
                # The procedure's numbers are written into its text: from now on the text decides.
                body=write_table(text.body, procedure.values(), language),
                summary=text.summary,
                origin=Agreement.Origin.STANDARD,
                slug=text.slug,
                source_version=text.meta.get("version", ""),
                position=position * 10,
                user=founder,
                note=note,
                reason=Edition.Reason.FOUNDED,
                when=when,
            )
    procedure.agreement = Agreement.objects.filter(slug=PROCEDURE_SLUG).first()
    procedure.save()
    return community


@transaction.atomic
def rename_community(*, name, reason, user, when=None):
    """The installer renames the community (in the admin). Everyone sees the name, so the change
    and its reason go to the public log (standard agreement "Power is public and accountable":
    installation administrators record publicly whatever they do that affects the community)."""
    name, reason = (name or "").strip(), (reason or "").strip()
    if not name or not reason:
        raise FoundingError(_("The community needs a name, and the change needs a reason."))
    community = Community.objects.select_for_update().get(pk=1)
    before = community.name
    if before == name:
        return community
    community.name = name
    community.save()
    community_changed.send(
        sender=Community,
        community=community,
        user=user,
        field="name",
        before=before,
        after=name,
        reason=reason,
        when=when or timezone.now(),
    )
    return community


def note_people_accepting(*, count, when=None):
    """Someone has just accepted the agreements and `count` people accept them now. While the
    community is forming, reaching the number set at founding forms it, recorded once: from then
    on it may adopt, change or reject agreements (the seeds, "A leaderless community")."""
    community = Community.objects.select_for_update().filter(pk=1, formed_at__isnull=True).first()
    if community is None or count < community.people_to_form:
        return None
    community.formed_at = when or timezone.now()
    community.save(update_fields=["formed_at"])
    community_formed.send(sender=Community, community=community)
    return community
