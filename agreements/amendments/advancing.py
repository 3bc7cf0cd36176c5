"""Advancing amendments past their deadlines: voting opens, votes are tallied, adopted texts
take effect, and amendments under discussion follow the version in force (`manage.py advance`).

Due moves are made in the order of their deadlines, each as of its own deadline, so a late run
produces the same history as a punctual one: an amendment whose discussion was still open when a
new version took effect is rebased then, and one already in voting is not.

Every move is its own transaction: it locks its amendment row and re-checks it, so running this
twice, or twice at once, does each thing once. A move that fails is logged with its amendment and
the others still advance; the failures are reported together at the end (`AdvanceFailed`).
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..merging import merge
from ..models import Agreement, Amendment, Procedure
from ..models.amendment import members_in_good_standing
from ..procedure import read_table
from ..services import create_agreement, publish_version, repeal_agreement
from ..signals import amendment_changed
from .collisions import find_collisions, forget_collisions
from .services import AmendmentError, procedure_changes

log = logging.getLogger(__name__)

P = Amendment.Phase


class AdvanceFailed(Exception):
    """Some moves failed (each logged with its amendment); `done` says what the others did."""

    def __init__(self, done, failed):
        super().__init__("; ".join(failed))
        self.done = done
        self.failed = failed


# The three timed moves, in the order they happen to one amendment.
DUE = (
    (P.DISCUSSION, "discussion_ends_at", {}),
    (P.VOTING, "voting_ends_at", {}),
    (P.ADOPTED, "effective_at", {"applied_at__isnull": True}),
)


def _next_due(now, passed):
    """The earliest move due by `now`: (deadline, step, amendment id), or None. Amendments in
    `passed` (done or failed in this run) are not looked at again."""
    steps = []
    for step, (phase, moment, extra) in enumerate(DUE):
        found = (
            Amendment.objects.filter(phase=phase, **{f"{moment}__lte": now}, **extra)
            .exclude(pk__in=passed)
            .order_by(moment, "id")
            .values_list(moment, "id")
            .first()
        )
        if found:
            steps.append((found[0], step, found[1]))
    return min(steps) if steps else None


def advance_amendments(now=None):
    """Make every move that is due by `now`, earliest deadline first; return a line for each.

    An amendment whose move fails is set aside for this run (and retried by the next one), so it
    can never hold back the others.
    """
    now = now or timezone.now()
    done, failed, passed = [], [], set()
    while (due := _next_due(now, passed)) is not None:
        when, step, pk = due
        try:
            lines = STEPS[step](pk, now)
        except Exception as error:
            log.exception("advance: amendment #%s failed", pk)
            failed.append(f"#{pk}: {type(error).__name__}: {error}")
            passed.add(pk)
            continue
        if not lines:  # made meanwhile by a concurrent run
            passed.add(pk)
        done += lines
        if step == len(DUE) - 1 and lines:
            done += _rebase_all(when, failed)
    done += _rebase_all(now, failed)
    if failed:
        raise AdvanceFailed(done, failed)
    return done


@transaction.atomic
def _open_voting(pk, now):
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    if amendment.phase != P.DISCUSSION or amendment.discussion_ends_at > now:
        return []
    amendment.phase = P.VOTING
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
    if amendment.phase != P.VOTING or amendment.voting_ends_at > now:
        return []
    # Holding the row FOR UPDATE, no vote is in flight (services._hold_open): the tally counted
    # now is final, and is written down with the decision.
    amendment.keep_final_tally()
    # The quorum's base: members in good standing when voting closed, grace periods included.
    amendment.members_at_close = members_in_good_standing(at=amendment.voting_ends_at)
    outcome = amendment.outcome()
    amendment.decided_at = amendment.voting_ends_at
    if outcome.adopted:
        amendment.phase = P.ADOPTED
        amendment.effective_at = amendment.voting_ends_at + timedelta(
            days=amendment.effect_delay_days
        )
    else:
        amendment.phase = P.REJECTED
        forget_collisions(amendment)
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
    repeal. Exactly once, under the row lock.

    Its text was frozen when voting opened; if the agreement got a new version since, the frozen
    text is merged onto it now (a clean merge is applied, with a note), and a conflict sends the
    amendment back to its author, its voters told.
    """
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    if amendment.phase != P.ADOPTED or amendment.applied_at is not None:
        return []
    if amendment.effective_at > now:
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
                amendment, _("The agreement was repealed before this took effect."), when
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
        values = None
        if Procedure.current().agreement_id == agreement.pk:
            try:
                values = read_table(body, Procedure)
            except ValidationError as error:
                return _needs_update(amendment, " ".join(error.messages), when)
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
        if values is not None:
            _set_procedure(values, amendment, agreement)
    amendment.applied_at = when
    amendment._history_date = when
    amendment.save()
    forget_collisions(amendment)
    return [f"#{pk} applied"]


STEPS = {0: _open_voting, 1: _close_voting, 2: _apply}


def _set_procedure(values, amendment, agreement):
    """The procedure becomes what the text now in force says: a new procedure version."""
    procedure = Procedure.objects.select_for_update().get(pk=Procedure.current().pk)
    if all(getattr(procedure, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(procedure, name, value)
    procedure.version += 1
    procedure.changed_by = amendment
    procedure.agreement = agreement
    procedure._history_date = amendment.effective_at
    procedure.save()


def _needs_update(amendment, conflict, when):
    amendment.phase = P.NEEDS_UPDATE
    amendment.conflict = conflict
    amendment._history_date = when
    amendment.save()
    forget_collisions(amendment)
    amendment_changed.send(sender=Amendment, amendment=amendment, change="needs_update", when=when)
    return [f"#{amendment.pk} needs update"]


def _merged(amendment, agreement):
    """The amendment's text merged onto the version in force, paragraph by paragraph, against
    the version it was written on (agreements/merging.py says what overlaps)."""
    base = agreement.get_version(amendment.base_version)
    return merge(base.body, amendment.body, agreement.body)


def merge_onto(amendment, agreement):
    """Three-way merge of the amendment's text onto the version in force; None on conflict."""
    merged = _merged(amendment, agreement)
    return merged.text() if merged.clean else None


def conflict_text(amendment, agreement):
    return _merged(amendment, agreement).text(
        ours_name=_("this amendment"),
        theirs_name=_("version %(number)s in force") % {"number": agreement.version},
    )


def rebase_open_amendments(now=None):
    """Bring change amendments under discussion onto the version in force of their agreement.

    Only those still under discussion at `now`: the text of an amendment in voting is frozen and
    is merged when it takes effect. A clean merge updates the proposal (a new revision, noted on
    its page); a conflict sends it to its author (`needs_update`).
    """
    failed = []
    done = _rebase_all(now or timezone.now(), failed)
    if failed:
        raise AdvanceFailed(done, failed)
    return done


def _rebase_all(now, failed):
    done = []
    for pk in (
        Amendment.objects.filter(
            kind=Amendment.Kind.CHANGE,
            phase=P.DISCUSSION,
            discussion_ends_at__gt=now,
            agreement__isnull=False,
        )
        .exclude(base_version=F("agreement__version"), agreement__status=Agreement.Status.IN_FORCE)
        .values_list("pk", flat=True)
    ):
        try:
            done += _rebase(pk, now)
        except Exception as error:
            log.exception("advance: rebasing amendment #%s failed", pk)
            failed.append(f"#{pk}: {type(error).__name__}: {error}")
    return done


@transaction.atomic
def _rebase(pk, now):
    amendment = Amendment.objects.select_for_update().get(pk=pk)
    agreement = Agreement.objects.get(pk=amendment.agreement_id)
    if amendment.phase_at(now) != P.DISCUSSION or amendment.phase != P.DISCUSSION:
        return []
    if not agreement.is_in_force:
        return _needs_update(amendment, _("The agreement was repealed."), now)
    if amendment.base_version == agreement.version:
        return []
    merged = merge_onto(amendment, agreement)
    if merged is None:
        return _needs_update(amendment, conflict_text(amendment, agreement), now)
    try:
        changes = procedure_changes(agreement, merged)
    except AmendmentError as error:
        return _needs_update(amendment, str(error), now)
    note = _("Merged automatically with version %(number)s, which took effect meanwhile.") % {
        "number": agreement.version
    }
    amendment.body = merged
    amendment.procedure_changes = changes
    amendment.base_version = agreement.version
    amendment.revision += 1
    amendment.revision_note = note
    amendment.rebase_note = note
    amendment.render()
    amendment._history_date = now
    amendment.save()
    # Followers are told it now reads on the new version, and it is compared again with the
    # other pending amendments, on that version.
    amendment_changed.send(sender=Amendment, amendment=amendment, change="rebased", when=now)
    find_collisions(amendment, now)
    return [f"#{pk} rebased"]
