"""What every act shares: its errors, its reason and clause, and its entry in the log."""

from django.utils.translation import gettext as _

from ..clauses import ClauseError, resolve_clause
from ..models import ModerationAction

Act = ModerationAction.Act
Target = ModerationAction.Target


class ModerationError(Exception):
    """A request the rules refuse; the message says why. `field` names the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(ModerationError):
    """The person may not do this at all (no power, or their own content)."""


def cited_clause(citation, *, required=True):
    if not (citation or "").strip():
        if required:
            raise ModerationError(
                _("Name the clause that allows this act: an act without one has no force."),
                field="clause",
            )
        return None
    try:
        return resolve_clause(citation)
    except ClauseError as error:
        raise ModerationError(str(error), field="clause") from error


def given_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(
            _("Give the reason: an act without one has no force."), field="reason"
        )
    return reason


def write_entry(*, actor, act, target, reason, clause, now, **fields):
    return ModerationAction.objects.create(
        actor=actor,
        act=act,
        target=target,
        reason=reason,
        clause_url=clause.url if clause else "",
        clause_label=clause.label if clause else "",
        created_at=now,
        **fields,
    )
