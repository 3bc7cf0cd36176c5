"""Advancing amendments past their deadlines: voting opens, votes are tallied, adopted texts
take effect, and open amendments follow the version in force (`manage.py advance`).

Every move locks its amendment row and re-checks it, so running this twice, or twice at once,
does each thing once.
"""

from datetime import timedelta

import merge3
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Agreement, Amendment, Procedure
from ..models.amendment import members_in_good_standing
from ..services import create_agreement, publish_version, repeal_agreement
from ..signals import amendment_changed


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
