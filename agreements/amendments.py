"""Proposing, discussing, voting and applying amendments: one transaction per act.

Rules follow the standard agreement "How amendments are decided"; the numbers come from the
`Procedure` in force when an amendment's discussion starts, copied onto the amendment.
Who may act is asked of the user object (`is_in_good_standing`, kept by members/).
"""

import re
from datetime import timedelta

import merge3
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import MAX_TEXT_LENGTH, Agreement, Amendment, Comment, Procedure, Vote
from .models.amendment import members_in_good_standing
from .services import create_agreement, publish_version, repeal_agreement
from .signals import amendment_changed, comment_posted, member_acted

CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)

# Agreements that may be changed but never repealed: without the idea there is no community,
# without the procedure no agreement could change again ("How amendments are decided").
UNREPEALABLE_SLUGS = {"amendments"}


class AmendmentError(Exception):
    """A request the rules refuse; the message says why, for the person who asked. `field` names
    the form field it is about, so the form can show it next to that field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(AmendmentError):
    """The person may not do this (not a member in good standing, not the author)."""


def _require_standing(user, doing):
    if not (user.is_authenticated and user.is_in_good_standing):
        raise NotAllowed(
            _(
                "Only members in good standing may %(doing)s: accept the agreements in force on "
                "the Join page first."
            )
            % {"doing": doing}
        )


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
    """Fix the procedure this amendment is decided under and its deadlines, from `now`."""
    procedure = Procedure.current()
    amendment.procedure_version = procedure.version
    amendment.discussion_days = procedure.discussion_days
    amendment.voting_days = procedure.voting_days
    amendment.quorum_percent = procedure.quorum_percent
    amendment.quorum_minimum = procedure.quorum_minimum
    amendment.threshold_percent = procedure.threshold_percent
    amendment.effect_delay_days = procedure.effect_delay_days
    amendment.discussion_ends_at = now + timedelta(days=procedure.discussion_days)
    amendment.voting_ends_at = amendment.discussion_ends_at + timedelta(days=procedure.voting_days)
    amendment.phase = Amendment.Phase.DISCUSSION


def _clean_procedure_changes(agreement, changes):
    """Only an amendment to the agreement that sets the procedure may carry new values."""
    if not changes:
        return None
    procedure = Procedure.current()
    if agreement is None or procedure.agreement_id != agreement.pk:
        raise AmendmentError(_("Only an amendment to the procedure's agreement can change it."))
    current = procedure.values()
    differing = {name: value for name, value in changes.items() if current[name] != value}
    return {name: str(value) for name, value in differing.items()} or None


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
    procedure_changes=None,
    now=None,
):
    """A member in good standing proposes a new agreement, a change or a repeal."""
    _require_standing(author, pgettext("only members may …", "propose amendments"))
    now = now or timezone.now()
    if kind != Amendment.Kind.NEW:
        if agreement is None or not agreement.is_in_force:
            raise AmendmentError(_("Only an agreement in force can be changed or repealed."))
        if kind == Amendment.Kind.REPEAL and (
            agreement.is_idea or agreement.slug in UNREPEALABLE_SLUGS
        ):
            raise AmendmentError(
                _("“%(title)s” can be changed but not repealed.") % {"title": agreement.title}
            )
    _check_text(kind, body, agreement)
    amendment = Amendment(
        kind=kind,
        agreement=agreement if kind != Amendment.Kind.NEW else None,
        base_version=agreement.version if agreement and kind != Amendment.Kind.NEW else None,
        title=title.strip(),
        proposed_title=(proposed_title or (agreement.title if agreement else "")).strip(),
        proposed_summary=(proposed_summary or (agreement.summary if agreement else "")).strip(),
        body=_normalise(body) if kind != Amendment.Kind.REPEAL else "",
        rationale=rationale,
        source_url=source_url if kind == Amendment.Kind.NEW else "",
        source_version=source_version if kind == Amendment.Kind.NEW else "",
        procedure_changes=_clean_procedure_changes(agreement, procedure_changes)
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
    procedure_changes=None,
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
    amendment.title = title.strip()
    amendment.proposed_title = (proposed_title or amendment.proposed_title).strip()
    amendment.proposed_summary = (proposed_summary or amendment.proposed_summary).strip()
    if amendment.kind != Amendment.Kind.REPEAL:
        amendment.body = _normalise(body)
    amendment.rationale = rationale
    if amendment.kind == Amendment.Kind.CHANGE:
        amendment.procedure_changes = _clean_procedure_changes(agreement, procedure_changes)
    amendment.revision += 1
    amendment.revision_note = note
    if resolving:
        amendment.base_version = agreement.version
        amendment.conflict = ""
        amendment.round += 1
        amendment.support_count = amendment.oppose_count = amendment.abstain_count = 0
        amendment.decided_at = amendment.effective_at = amendment.members_at_close = None
        _start_discussion(amendment, now)
    amendment.render()
    amendment._history_date = now
    amendment._change_reason = note
    amendment.save()
    member_acted.send(sender=Amendment, member=author)
    if resolving:
        amendment_changed.send(sender=Amendment, amendment=amendment, change="resolved", when=now)
    return amendment


@transaction.atomic
def withdraw_amendment(*, amendment, author, now=None):
    now = now or timezone.now()
    amendment = _lock(amendment)
    if amendment.author_id != author.pk:
        raise NotAllowed(_("Only the author may withdraw an amendment."))
    if not amendment.can_be_withdrawn(now):
        raise AmendmentError(_("Voting has closed; the amendment can no longer be withdrawn."))
    amendment.phase = Amendment.Phase.WITHDRAWN
    amendment.withdrawn_at = now
    amendment._history_date = now
    amendment.save()
    amendment_changed.send(sender=Amendment, amendment=amendment, change="withdrawn", when=now)
    return amendment


COUNT_FIELDS = {
    Vote.Choice.SUPPORT: "support_count",
    Vote.Choice.OPPOSE: "oppose_count",
    Vote.Choice.ABSTAIN: "abstain_count",
}


@transaction.atomic
def cast_vote(*, amendment, member, choice, now=None):
    """Record or change `member`'s vote. Locking the amendment row serialises votes on it, so a
    double submit finds the vote already there and the tally never counts anyone twice."""
    _require_standing(member, pgettext("only members may …", "vote"))
    now = now or timezone.now()
    if choice not in COUNT_FIELDS:
        raise AmendmentError(_("Choose support, oppose or abstain."))
    amendment = _lock(amendment)
    if not amendment.is_open_for_votes(now):
        raise AmendmentError(_("Voting is not open on this amendment."))
    vote = Vote.objects.filter(amendment=amendment, round=amendment.round, member=member).first()
    changes = {}
    if vote is None:
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    amendment=amendment,
                    round=amendment.round,
                    member=member,
                    choice=choice,
                    cast_at=now,
                    changed_at=now,
                )
        except IntegrityError:  # the database constraint is the last word on "one vote"
            return Vote.objects.get(amendment=amendment, round=amendment.round, member=member)
        changes[COUNT_FIELDS[choice]] = F(COUNT_FIELDS[choice]) + 1
    elif vote.choice != choice:
        changes[COUNT_FIELDS[vote.choice]] = F(COUNT_FIELDS[vote.choice]) - 1
        changes[COUNT_FIELDS[choice]] = F(COUNT_FIELDS[choice]) + 1
        vote.choice, vote.changed_at = choice, now
        vote.save(update_fields=["choice", "changed_at"])
    if changes:
        Amendment.objects.filter(pk=amendment.pk).update(**changes)
        member_acted.send(sender=Amendment, member=member)
    return vote


@transaction.atomic
def post_comment(*, amendment, author, body, paragraph=None, parent=None, now=None):
    _require_standing(author, pgettext("only members may …", "comment"))
    now = now or timezone.now()
    amendment = Amendment.objects.get(pk=amendment.pk)
    if not amendment.is_open_for_comments(now):
        raise AmendmentError(_("The discussion of this amendment is closed."))
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
    Amendment.objects.filter(pk=amendment.pk).update(comment_count=F("comment_count") + 1)
    member_acted.send(sender=Amendment, member=author)
    comment_posted.send(sender=Comment, comment=comment)
    return comment


@transaction.atomic
def edit_comment(*, comment, author, body, now=None):
    now = now or timezone.now()
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != author.pk:
        raise NotAllowed(_("Only the author may edit a comment."))
    if not (body or "").strip():
        raise AmendmentError(_("The comment is empty."))
    comment.body = body
    comment.edited_at = now
    comment._history_date = now
    comment.save()
    return comment


# -- advancing: deadlines, tallies, effect -----------------------------------------------------


def advance_amendments(now=None):
    """Move every amendment whose deadline has passed; return a list of what happened.

    Idempotent and safe to run concurrently: each move locks its amendment row and re-checks it,
    so a second run (or a concurrent one) finds nothing left to do.
    """
    now = now or timezone.now()
    done = []
    # Oldest deadline first, so amendments take effect in the order they were decided.
    for pk in (
        Amendment.objects.filter(phase=Amendment.Phase.DISCUSSION, discussion_ends_at__lte=now)
        .order_by("discussion_ends_at", "id")
        .values_list("pk", flat=True)
    ):
        done += _open_voting(pk, now)
    for pk in (
        Amendment.objects.filter(phase=Amendment.Phase.VOTING, voting_ends_at__lte=now)
        .order_by("voting_ends_at", "id")
        .values_list("pk", flat=True)
    ):
        done += _close_voting(pk, now)
    for pk in (
        Amendment.objects.filter(
            phase=Amendment.Phase.ADOPTED, applied_at__isnull=True, effective_at__lte=now
        )
        .order_by("effective_at", "id")
        .values_list("pk", flat=True)
    ):
        done += _apply(pk, now)
    done += rebase_open_amendments(now)
    return done


@transaction.atomic
def _open_voting(pk, now):
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    if amendment.phase != Amendment.Phase.DISCUSSION or amendment.discussion_ends_at > now:
        return []
    amendment.phase = Amendment.Phase.VOTING
    amendment._history_date = amendment.discussion_ends_at
    amendment.save()
    amendment_changed.send(
        sender=Amendment,
        amendment=amendment,
        change="voting",
        when=amendment.discussion_ends_at,
    )
    return [f"#{pk} voting"]


@transaction.atomic
def _close_voting(pk, now):
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    if amendment.phase != Amendment.Phase.VOTING or amendment.voting_ends_at > now:
        return []
    amendment.members_at_close = members_in_good_standing()
    outcome = amendment.outcome()
    amendment.decided_at = amendment.voting_ends_at
    if outcome.adopted:
        amendment.phase = Amendment.Phase.ADOPTED
        amendment.effective_at = amendment.voting_ends_at + timedelta(
            days=amendment.effect_delay_days
        )
    else:
        amendment.phase = Amendment.Phase.REJECTED
    amendment._history_date = amendment.voting_ends_at
    amendment.save()
    amendment_changed.send(
        sender=Amendment,
        amendment=amendment,
        change=amendment.phase,
        when=amendment.voting_ends_at,
    )
    return [f"#{pk} {amendment.phase}"]


@transaction.atomic
def _apply(pk, now):
    """An adopted amendment takes effect: the agreement's next version, a new agreement, or a
    repeal; and new procedure values if it carries them. Exactly once, under the row lock."""
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    if (
        amendment.phase != Amendment.Phase.ADOPTED
        or amendment.applied_at is not None
        or amendment.effective_at > now
    ):
        return []
    when = amendment.effective_at
    note = amendment.title
    if amendment.kind == Amendment.Kind.NEW:
        agreement = create_agreement(
            title=amendment.proposed_title,
            summary=amendment.proposed_summary,
            body=amendment.body,
            origin=Agreement.Origin.BORROWED if amendment.source_url else Agreement.Origin.OWN,
            source_url=amendment.source_url,
            source_version=amendment.source_version,
            note=note,
            amendment=amendment,
            when=when,
        )
        amendment.agreement = agreement
        amendment.adopted_version = 1
    elif amendment.kind == Amendment.Kind.REPEAL:
        agreement = repeal_agreement(
            agreement=amendment.agreement, note=note, amendment=amendment, when=when
        )
        amendment.adopted_version = agreement.version
    else:
        agreement = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
        if not agreement.is_in_force:
            return _needs_update(
                amendment, _("The agreement was repealed before this took effect.")
            )
        body = amendment.body
        if amendment.base_version != agreement.version:
            merged = merge_onto(amendment, agreement)
            if merged is None:
                return _needs_update(amendment, conflict_text(amendment, agreement), when)
            body = merged
            amendment.rebase_note = _(
                "Merged automatically with version %(number)s, which took effect meanwhile."
            ) % {"number": agreement.version}
        agreement = publish_version(
            agreement=agreement,
            body=body,
            title=amendment.proposed_title or agreement.title,
            summary=amendment.proposed_summary,
            note=note,
            amendment=amendment,
            when=when,
        )
        amendment.adopted_version = agreement.version
        if amendment.procedure_changes:
            _change_procedure(amendment, agreement)
    amendment.applied_at = when
    amendment._history_date = when
    amendment.save()
    return [f"#{pk} applied"]


def _change_procedure(amendment, agreement):
    procedure = Procedure.objects.select_for_update().get(pk=Procedure.current().pk)
    for name, value in amendment.procedure_changes.items():
        field = Procedure._meta.get_field(name)
        setattr(procedure, name, field.to_python(value))
    procedure.version += 1
    procedure.changed_by = amendment
    procedure.agreement = agreement
    procedure._history_date = amendment.effective_at
    procedure.save()


def _needs_update(amendment, conflict, now):
    amendment.phase = Amendment.Phase.NEEDS_UPDATE
    amendment.conflict = conflict
    amendment._history_date = now
    amendment.save()
    amendment_changed.send(sender=Amendment, amendment=amendment, change="needs_update", when=now)
    return [f"#{amendment.pk} needs update"]


def _lines(text):
    return text.replace("\r\n", "\n").splitlines(keepends=True)


def merge_onto(amendment, agreement):
    """Three-way merge of the amendment's text onto the version in force; None on conflict."""
    base = agreement.get_version(amendment.base_version)
    merger = merge3.Merge3(_lines(base.body), _lines(amendment.body), _lines(agreement.body))
    if any(group[0] == "conflict" for group in merger.merge_groups()):
        return None
    return "".join(merger.merge_lines())


def conflict_text(amendment, agreement):
    base = agreement.get_version(amendment.base_version)
    merger = merge3.Merge3(_lines(base.body), _lines(amendment.body), _lines(agreement.body))
    return "".join(
        merger.merge_lines(
            name_a=_("this amendment"),
            name_b=_("version %(number)s in force") % {"number": agreement.version},
        )
    )


def rebase_open_amendments(now=None):
    """Bring open change amendments onto the version in force of their agreement.

    A clean merge updates the proposal (a new revision, noted on its page); a conflict sends it
    to its author (`needs_update`). Each amendment is handled in its own transaction.
    """
    done = []
    for pk in (
        Amendment.objects.filter(
            kind=Amendment.Kind.CHANGE,
            phase__in=[Amendment.Phase.DISCUSSION, Amendment.Phase.VOTING],
            agreement__isnull=False,
        )
        .exclude(base_version=F("agreement__version"))
        .values_list("pk", flat=True)
    ):
        done += _rebase(pk, now or timezone.now())
    return done


@transaction.atomic
def _rebase(pk, now):
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    agreement = amendment.agreement
    if (
        amendment.phase not in (Amendment.Phase.DISCUSSION, Amendment.Phase.VOTING)
        or amendment.base_version == agreement.version
    ):
        return []
    if not agreement.is_in_force:
        return _needs_update(amendment, _("The agreement was repealed."), now)
    merged = merge_onto(amendment, agreement)
    if merged is None:
        return _needs_update(amendment, conflict_text(amendment, agreement), now)
    note = _("Merged automatically with version %(number)s, which took effect meanwhile.") % {
        "number": agreement.version
    }
    amendment.body = merged
    amendment.base_version = agreement.version
    amendment.revision += 1
    amendment.revision_note = note
    amendment.rebase_note = note
    amendment.render()
    amendment._history_date = now
    amendment._change_reason = note
    amendment.save()
    return [f"#{pk} rebased"]
