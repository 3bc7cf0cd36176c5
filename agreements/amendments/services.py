"""Proposing, discussing, voting and applying amendments: one transaction per act.

Rules follow the standard agreement "How amendments are decided"; the numbers come from the
`Procedure` in force when an amendment's discussion starts, copied onto the amendment.
Who may act is asked of the user object (`is_in_good_standing`, kept by members/).
"""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..models import MAX_TEXT_LENGTH, Amendment, Comment, Procedure, Vote, forming_progress
from ..procedure import read_table
from ..signals import amendment_changed, comment_posted, member_acted
from .collisions import find_collisions, forget_collisions

CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


class AmendmentError(Exception):
    """A request the rules refuse; the message says why, for the person who asked. `field` names
    the form field it is about, so the form can show it next to that field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(AmendmentError):
    """The person may not do this (not a member in good standing, not the author)."""


def _require_standing(user, doing, *, writing=True):
    """Acts on amendments are for members in good standing (standard agreement "How amendments
    are decided"); writing (proposing, revising, resolving, commenting) is also closed to a
    member whose writing a public moderation act suspended. A suspension never takes a vote."""
    if not (user.is_authenticated and user.is_in_good_standing):
        raise NotAllowed(
            _(
                "Only members in good standing may %(doing)s: accept the agreements in force on "
                "the Join page first."
            )
            % {"doing": doing}
        )
    if writing and user.is_suspended():
        raise NotAllowed(
            _(
                "Your writing is suspended until %(date)s by a public moderation act; the "
                "notice at the top of the page says why. You can still read, vote and appeal."
            )
            % {"date": date_format(timezone.localtime(user.suspended_until), "DATETIME_FORMAT")}
        )


def one_line(text):
    """A title or a summary on one line, whatever was sent (forms refuse line breaks already)."""
    return " ".join((text or "").split())


def forming_message(progress):
    count, needed = progress
    return ngettext(
        "The community is still forming: %(count)s of the %(needed)s person needed has accepted "
        "its agreements. Amendments can be proposed once it has formed.",
        "The community is still forming: %(count)s of the %(needed)s people needed have accepted "
        "its agreements. Amendments can be proposed once it has formed.",
        needed,
    ) % {"count": count, "needed": needed}


def require_formed():
    """A community may adopt, change or reject agreements only once it has formed, when enough
    people have accepted its idea (the seeds; `Community.people_to_form`). So no amendment is
    proposed, and none decided, before then, and every quorum is counted in a formed community."""
    progress = forming_progress()
    if progress is not None:
        raise NotAllowed(forming_message(progress))


def _check_text(kind, body, agreement):
    if kind == Amendment.Kind.REPEAL:
        return
    if not (body or "").strip():
        raise AmendmentError(_("The proposed text is empty."), field="body")
    if len(body) > MAX_TEXT_LENGTH:
        raise AmendmentError(
            _("The proposed text is %(length)s characters long; the limit is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{MAX_TEXT_LENGTH:,}"},
            field="body",
        )
    if kind == Amendment.Kind.CHANGE and _same_text(body, agreement.body):
        raise AmendmentError(
            _("The proposed text is the same as version %(number)s in force; change something.")
            % {"number": agreement.version},
            field="body",
        )


def _same_text(a, b):
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _normalise(text):
    return (text or "").replace("\r\n", "\n").strip() + "\n" if (text or "").strip() else ""


def _start_discussion(amendment, now):
    """Fix the procedure this amendment is decided under and its deadlines, from `now`.

    A change to an entrenched text (the idea, the procedure) is discussed for longer and needs
    more support, as the procedure itself sets.
    """
    procedure = Procedure.current()
    entrenched = amendment.kind == Amendment.Kind.CHANGE and amendment.agreement.is_entrenched
    amendment.entrenched = entrenched
    amendment.procedure_version = procedure.version
    amendment.discussion_days = procedure.discussion_days * (
        procedure.entrenched_discussion_factor if entrenched else 1
    )
    amendment.voting_days = procedure.voting_days
    amendment.quorum_percent = procedure.quorum_percent
    amendment.quorum_minimum = procedure.quorum_minimum
    amendment.threshold_percent = (
        procedure.entrenched_threshold_percent if entrenched else procedure.threshold_percent
    )
    amendment.effect_delay_days = procedure.effect_delay_days
    amendment.grace_days = procedure.grace_days
    amendment.discussion_ends_at = now + timedelta(days=amendment.discussion_days)
    amendment.voting_ends_at = amendment.discussion_ends_at + timedelta(days=procedure.voting_days)
    amendment.phase = Amendment.Phase.DISCUSSION


def procedure_changes(agreement, body):
    """The procedure values a proposed text of the procedure's agreement would change, read from
    its table (None when nothing changes or the agreement does not set the procedure).

    The table is the one source of the numbers, so a text whose table cannot be read is refused
    with what to fix, next to the text."""
    procedure = Procedure.current()
    if agreement is None or procedure.agreement_id != agreement.pk:
        return None
    try:
        values = read_table(body, Procedure)
    except ValidationError as error:
        raise AmendmentError(" ".join(error.messages), field="body") from error
    current = procedure.values()
    return {name: str(value) for name, value in values.items() if current[name] != value} or None


@transaction.atomic
def propose_amendment(
    *,
    author,
    kind,
    title,
    rationale,
    agreement=None,
    body="",
    proposed_title="",
    proposed_summary="",
    source_url="",
    source_version="",
    now=None,
):
    """A member in good standing proposes a new agreement, a change or a repeal."""
    _require_standing(author, pgettext("only members may …", "propose amendments"))
    require_formed()
    now = now or timezone.now()
    if kind != Amendment.Kind.NEW:
        if agreement is None or not agreement.is_in_force:
            raise AmendmentError(_("Only an agreement in force can be changed or repealed."))
        if kind == Amendment.Kind.REPEAL and agreement.is_entrenched:
            raise AmendmentError(
                _("“%(title)s” can be changed but not repealed.") % {"title": agreement.title}
            )
    _check_text(kind, body, agreement)
    # A new agreement may be borrowed; a change may bring a borrowed one's newer source version.
    follows_source = kind == Amendment.Kind.NEW or (
        kind == Amendment.Kind.CHANGE and bool(source_url) and source_url == agreement.source_url
    )
    amendment = Amendment(
        kind=kind,
        agreement=agreement if kind != Amendment.Kind.NEW else None,
        base_version=agreement.version if agreement and kind != Amendment.Kind.NEW else None,
        title=one_line(title),
        proposed_title=one_line(proposed_title or (agreement.title if agreement else "")),
        proposed_summary=one_line(proposed_summary or (agreement.summary if agreement else "")),
        body=_normalise(body) if kind != Amendment.Kind.REPEAL else "",
        rationale=rationale,
        source_url=source_url if follows_source else "",
        source_version=source_version if follows_source else "",
        procedure_changes=procedure_changes(agreement, body)
        if kind == Amendment.Kind.CHANGE
        else None,
        author=author,
        proposed_at=now,
    )
    if kind == Amendment.Kind.NEW and not amendment.proposed_title:
        raise AmendmentError(_("A new agreement needs a title."))
    _start_discussion(amendment, now)
    amendment.render()
    amendment._history_date = now
    amendment.save()
    member_acted.send(sender=Amendment, member=author)
    amendment_changed.send(sender=Amendment, amendment=amendment, change="proposed", when=now)
    find_collisions(amendment, now)
    return amendment


def _lock(amendment):
    return Amendment.objects.select_for_update().get(pk=amendment.pk)


@transaction.atomic
def revise_amendment(
    *,
    amendment,
    author,
    title,
    body,
    rationale,
    note,
    proposed_title="",
    proposed_summary="",
    now=None,
):
    """The author edits the proposal during discussion, or resolves one that needs an update.

    Every edit is a new revision, kept with its note. Resolving brings the amendment onto the
    version in force and starts a new discussion (and a new round of votes).
    """
    now = now or timezone.now()
    amendment = _lock(amendment)
    if amendment.author_id != author.pk:
        raise NotAllowed(_("Only the author may edit an amendment."))
    _require_standing(author, pgettext("only members may …", "edit amendments"))
    if not amendment.is_editable(now):
        raise AmendmentError(
            _("The discussion has ended: the text is frozen for the vote and cannot be edited.")
        )
    agreement = amendment.agreement
    if amendment.kind == Amendment.Kind.CHANGE and not agreement.is_in_force:
        raise AmendmentError(
            _("The agreement has been repealed; this amendment can only be withdrawn.")
        )
    _check_text(amendment.kind, body, agreement)
    resolving = amendment.phase == Amendment.Phase.NEEDS_UPDATE
    if resolving and CONFLICT_MARKER.search(body or ""):
        raise AmendmentError(
            _(
                "The text still has conflict markers (<<<<<<<, =======, >>>>>>>); "
                "resolve them first."
            ),
            field="body",
        )
    amendment.title = one_line(title)
    amendment.proposed_title = one_line(proposed_title or amendment.proposed_title)
    amendment.proposed_summary = one_line(proposed_summary or amendment.proposed_summary)
    if amendment.kind != Amendment.Kind.REPEAL:
        amendment.body = _normalise(body)
    amendment.rationale = rationale
    if amendment.kind == Amendment.Kind.CHANGE:
        amendment.procedure_changes = procedure_changes(agreement, amendment.body)
    amendment.revision += 1
    amendment.revision_note = one_line(note)
    if resolving:
        amendment.base_version = agreement.version
        amendment.conflict = ""
        amendment.round += 1
        amendment.final_support = amendment.final_oppose = amendment.final_abstain = 0
        amendment.forget_tally()
        amendment.decided_at = amendment.effective_at = amendment.members_at_close = None
        _start_discussion(amendment, now)
    amendment.render()
    amendment._history_date = now
    amendment.save()
    member_acted.send(sender=Amendment, member=author)
    if resolving:
        amendment_changed.send(sender=Amendment, amendment=amendment, change="resolved", when=now)
    find_collisions(amendment, now)
    return amendment


@transaction.atomic
def withdraw_amendment(*, amendment, author, now=None):
    """The author, in good standing, withdraws before voting closes; the record stays public."""
    now = now or timezone.now()
    amendment = _lock(amendment)
    if amendment.author_id != author.pk:
        raise NotAllowed(_("Only the author may withdraw an amendment."))
    _require_standing(author, pgettext("only members may …", "withdraw amendments"), writing=False)
    if not amendment.can_be_withdrawn(now):
        raise AmendmentError(_("Voting has closed; the amendment can no longer be withdrawn."))
    amendment.phase = Amendment.Phase.WITHDRAWN
    amendment.withdrawn_at = now
    amendment._history_date = now
    amendment.save()
    forget_collisions(amendment)
    amendment_changed.send(sender=Amendment, amendment=amendment, change="withdrawn", when=now)
    return amendment


@transaction.atomic
def cast_vote(*, amendment, member, choice, now=None):
    """Record or change `member`'s vote; return whether anything changed.

    One idempotent upsert on (amendment, round, member): a double submit, even at the same
    instant, finds the vote already there and changes nothing, and the tally (counted from the
    votes, `Amendment.tally`) never counts anyone twice. No counter is updated, so votes on one
    amendment do not wait for each other.
    """
    _require_standing(member, pgettext("only members may …", "vote"), writing=False)
    now = now or timezone.now()
    if choice not in Vote.Choice.values:
        raise AmendmentError(_("Choose support, oppose or abstain."))
    amendment = _hold_open(amendment)
    if not amendment.is_open_for_votes(now):
        raise AmendmentError(_("Voting is not open on this amendment."))
    changed = _upsert_vote(amendment, member, choice, now)
    if changed:
        member_acted.send(sender=Amendment, member=member)
    return changed


def _hold_open(amendment):
    """Read the amendment for a vote, keeping it from closing until the vote is committed.

    On PostgreSQL the vote holds FOR KEY SHARE on the amendment row: voters do not block each
    other (nor comments, nor moderation notes), but the closer's FOR UPDATE (advancing.py) waits
    until every vote that saw voting open has committed, and counts it; a vote that arrives
    while the closer holds the row waits, then reads the row as closed and is refused. So every
    acknowledged vote is in the final tally, whatever the clocks. SQLite runs one writing
    transaction at a time, which gives the same order.
    """
    if connection.vendor != "postgresql":
        return Amendment.objects.get(pk=amendment.pk)
    table = connection.ops.quote_name(Amendment._meta.db_table)
    query = f"SELECT * FROM {table} WHERE id = %s FOR KEY SHARE"  # noqa: S608 - our table name
    for held in Amendment.objects.raw(query, [amendment.pk]):
        return held
    raise Amendment.DoesNotExist(f"no amendment #{amendment.pk}")


def _upsert_vote(amendment, member, choice, now):
    """INSERT … ON CONFLICT DO UPDATE, in one statement on PostgreSQL and SQLite alike; a vote
    keeps the revision and the moment it was first cast, and a repeated choice is left as it
    was (RETURNING tells whether a row was written)."""
    ops, quote = connection.ops, connection.ops.quote_name
    table = quote(Vote._meta.db_table)
    sql = (
        f"INSERT INTO {table} (amendment_id, member_id, round, revision, choice, cast_at, "  # noqa: S608 - our table name
        "changed_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (amendment_id, round, member_id) DO UPDATE "
        "SET choice = EXCLUDED.choice, changed_at = EXCLUDED.changed_at "
        f"WHERE {table}.choice <> EXCLUDED.choice RETURNING id"
    )
    moment = ops.adapt_datetimefield_value(now)
    params = [amendment.pk, member.pk, amendment.round, amendment.revision, choice, moment, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


@transaction.atomic
def post_comment(*, amendment, author, body, paragraph=None, parent=None, now=None):
    _require_standing(author, pgettext("only members may …", "comment"))
    now = now or timezone.now()
    amendment = Amendment.objects.get(pk=amendment.pk)
    if not amendment.is_open_for_comments(now):
        raise AmendmentError(_closed_reason(amendment))
    if not (body or "").strip():
        raise AmendmentError(_("The comment is empty."))
    if parent is not None:
        if parent.amendment_id != amendment.pk:
            raise AmendmentError(_("That comment belongs to another amendment."))
        parent = parent.parent or parent  # replies stay one level deep
    if paragraph is not None and not 1 <= paragraph <= amendment.clause_count:
        raise AmendmentError(_("The proposed text has no such paragraph."))
    comment = Comment(
        amendment=amendment,
        author=author,
        parent=parent,
        paragraph=paragraph,
        revision=amendment.revision,
        body=body,
        created_at=now,
    )
    comment._history_date = now
    comment.save()
    member_acted.send(sender=Amendment, member=author)
    comment_posted.send(sender=Comment, comment=comment)
    return comment


def _closed_reason(amendment):
    if amendment.thread_locked:
        return _("This discussion was locked by a public moderation act.")
    return _("The discussion of this amendment is closed.")


@transaction.atomic
def edit_comment(*, comment, author, body, now=None):
    """The author edits a comment while the discussion is open and they are in good standing;
    every earlier text stays public as a version. A hidden comment is not edited: the hidden
    text must stay what the moderation entry and its appeal are about."""
    now = now or timezone.now()
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != author.pk:
        raise NotAllowed(_("Only the author may edit a comment."))
    _require_standing(author, pgettext("only members may …", "edit comments"))
    if not comment.amendment.is_open_for_comments(now):
        raise AmendmentError(_closed_reason(comment.amendment))
    if comment.hidden:
        raise AmendmentError(_("A hidden comment cannot be edited; you may appeal the act."))
    if not (body or "").strip():
        raise AmendmentError(_("The comment is empty."))
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited_at = now
    comment.edit_count += 1
    comment._history_date = now
    comment.save()
    return comment
