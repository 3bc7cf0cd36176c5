"""Reports: members ask the moderators to look at something; the reporter sees the outcome."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Report
from .common import ModerationError, NotAllowed, Target
from .power import require_moderator

REPORTABLE = {
    Report.Target.COMMENT: Target.COMMENT,
    Report.Target.AMENDMENT: Target.AMENDMENT,
    Report.Target.POST: Target.POST,
    Report.Target.PROFILE: Target.MEMBER,
}


@transaction.atomic
def file_report(*, reporter, target, row, reason, now=None):
    """A member asks the moderators to look at something, saying why."""
    if not (reporter.is_authenticated and reporter.is_member):
        raise NotAllowed(_("Only members report content to the moderators."))
    author_id = row.pk if target == Report.Target.PROFILE else row.author_id
    if author_id == reporter.pk:
        raise ModerationError(_("You cannot report your own content."))
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Say what is wrong."), field="reason")
    field = "member" if target == Report.Target.PROFILE else target
    return Report.objects.create(
        reporter=reporter,
        target=target,
        reason=reason,
        created_at=now or timezone.now(),
        **{field: row},
    )


@transaction.atomic
def dismiss_report(*, report, moderator, note, now=None):
    """A moderator answers a report without acting, saying why; the reporter sees the answer."""
    now = now or timezone.now()
    require_moderator(moderator, now)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise ModerationError(_("This report has been answered already."))
    note = (note or "").strip()
    if not note:
        raise ModerationError(_("Say why nothing needs to be done."), field="note")
    report.outcome, report.outcome_note = Report.Outcome.DISMISSED, note
    report.resolved_at, report.resolved_by = now, moderator
    report.save(update_fields=["outcome", "outcome_note", "resolved_at", "resolved_by"])
    return report
