"""Moderators' acts on content and members: hide and restore, lock and unlock a thread, suspend
and lift; each one public entry, the thing acted on carrying its note."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from agreements.models import Amendment, Comment
from agreements.rendering import render_markdown
from members.models import User
from news.models import NewsItem

from ..models import Report
from .common import (
    Act,
    ModerationError,
    NotAllowed,
    Target,
    cited_clause,
    given_reason,
    write_entry,
)
from .power import require_moderator

MAX_SUSPENSION_DAYS = 365


def _resolve_reports(action, now):
    """Every open report on the thing acted on is answered by the act: its reporter sees what
    was done."""
    about = {
        name: getattr(action, f"{name}_id") for name in ("comment", "amendment", "post", "member")
    }
    about = {f"{name}_id": pk for name, pk in about.items() if pk}
    open_reports = Report.objects.filter(resolved_at__isnull=True)
    matching = open_reports.filter(**about) if about else open_reports.none()
    matching.update(
        outcome=Report.Outcome.ACTED, resolved_at=now, resolved_by=action.actor, action=action
    )


@dataclass
class Subject:
    """What an act is about: the target kind and the row (locked for the act)."""

    target: str
    row: object

    @property
    def author_id(self):
        if self.target in (Target.DISPLAY_NAME, Target.PROFILE, Target.MEMBER):
            return self.row.pk
        return self.row.author_id

    def fields(self):
        if self.target == Target.COMMENT:
            return {"comment": self.row}
        if self.target == Target.POST:
            return {"post": self.row}
        if self.target in (Target.AMENDMENT, Target.THREAD):
            return {"amendment": self.row}
        return {"member": self.row}


HIDDEN_FIELD = {
    Target.COMMENT: "hidden",
    Target.AMENDMENT: "hidden",
    Target.POST: "hidden",
    Target.DISPLAY_NAME: "display_name_hidden",
    Target.PROFILE: "profile_hidden",
    Target.THREAD: "thread_locked",
}
MODELS = {
    Target.COMMENT: Comment,
    Target.AMENDMENT: Amendment,
    Target.THREAD: Amendment,
    Target.POST: NewsItem,
    Target.DISPLAY_NAME: User,
    Target.PROFILE: User,
    Target.MEMBER: User,
}


def lock_subject(target, pk):
    """The row an act is about, locked until the act's transaction ends; None if there is none."""
    queryset = MODELS[target].objects.select_for_update()
    if target == Target.POST:
        queryset = queryset.filter(kind=NewsItem.Kind.POST)
    row = queryset.filter(pk=pk).first()
    return Subject(target, row) if row is not None else None


def _original(subject):
    """The text of what is hidden, kept in the entry; with its sanitised HTML."""
    row = subject.row
    if subject.target == Target.COMMENT:
        return row.body, row.body_html
    if subject.target == Target.AMENDMENT:
        text = f"**{row.title}**\n\n{row.rationale}"
        return text, render_markdown(text)
    if subject.target == Target.POST:
        text = f"**{row.title}**\n\n{row.body}"
        return text, render_markdown(text)
    if subject.target == Target.DISPLAY_NAME:
        return row.display_name, escape(row.display_name)
    text = "\n\n".join(part for part in (row.bio, row.volunteer_offer) if part)
    return text, linebreaks(escape(text))


def set_mark(subject, field, value):
    type(subject.row).objects.filter(pk=subject.row.pk).update(**{field: value})
    setattr(subject.row, field, value)


def _check_hideable(subject):
    if subject.target == Target.DISPLAY_NAME and not subject.row.display_name:
        raise ModerationError(_("This member has no display name to hide."))
    if subject.target == Target.PROFILE and not (subject.row.bio or subject.row.volunteer_offer):
        raise ModerationError(_("This member's profile has no text to hide."))


# -- moderators' acts -----------------------------------------------------------------------------


@transaction.atomic
def act(*, moderator, act, target, pk, reason, clause, days=None, now=None):
    """A moderator hides or restores content (`target`: comment, amendment, post, display_name,
    profile), locks or unlocks a thread, suspends a member's writing or lifts the suspension.
    One public entry; the thing acted on carries its note."""
    now = now or timezone.now()
    require_moderator(moderator, now)
    subject = lock_subject(target, pk) if target in MODELS else None
    if subject is None:
        raise ModerationError(_("There is nothing to act on here."))
    if subject.author_id == moderator.pk:
        raise NotAllowed(_("No one acts on their own content or on themselves."))
    reason = given_reason(reason)
    clause = cited_clause(clause)
    handler = HANDLERS.get((act, subject.target))
    if handler is None:
        raise ModerationError(_("This act does not apply to this."), field="act")
    action = handler(moderator, subject, reason, clause, days, now)
    _resolve_reports(action, now)
    return action


def _hide(moderator, subject, reason, clause, days, now):
    field = HIDDEN_FIELD[subject.target]
    if getattr(subject.row, field):
        raise ModerationError(_("This is hidden already."), field="act")
    _check_hideable(subject)
    original, original_html = _original(subject)
    action = write_entry(
        actor=moderator,
        act=Act.HIDE,
        target=subject.target,
        reason=reason,
        clause=clause,
        now=now,
        original=original,
        original_html=original_html,
        **subject.fields(),
    )
    set_mark(subject, field, action.note().dump())
    return action


def _restore(moderator, subject, reason, clause, days, now):
    field = HIDDEN_FIELD[subject.target]
    if not getattr(subject.row, field):
        raise ModerationError(_("This is not hidden."), field="act")
    action = write_entry(
        actor=moderator,
        act=Act.RESTORE,
        target=subject.target,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    set_mark(subject, field, None)
    return action


def _lock(moderator, subject, reason, clause, days, now):
    if subject.row.thread_locked:
        raise ModerationError(_("This thread is locked already."), field="act")
    action = write_entry(
        actor=moderator,
        act=Act.LOCK,
        target=Target.THREAD,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    set_mark(subject, "thread_locked", action.note().dump())
    return action


def _unlock(moderator, subject, reason, clause, days, now):
    if not subject.row.thread_locked:
        raise ModerationError(_("This thread is not locked."), field="act")
    action = write_entry(
        actor=moderator,
        act=Act.UNLOCK,
        target=Target.THREAD,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    set_mark(subject, "thread_locked", None)
    return action


def _suspend(moderator, subject, reason, clause, days, now):
    if not days or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ModerationError(
            _("A suspension lasts from 1 to %(max)s days.") % {"max": MAX_SUSPENSION_DAYS},
            field="days",
        )
    until = now + timedelta(days=days)
    action = write_entry(
        actor=moderator,
        act=Act.SUSPEND,
        target=Target.MEMBER,
        reason=reason,
        clause=clause,
        now=now,
        days=days,
        ends_at=until,
        **subject.fields(),
    )
    set_mark(subject, "suspended_until", until)
    return action


def _lift(moderator, subject, reason, clause, days, now):
    if not subject.row.is_suspended(now):
        raise ModerationError(_("This member is not suspended."), field="act")
    action = write_entry(
        actor=moderator,
        act=Act.LIFT,
        target=Target.MEMBER,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    set_mark(subject, "suspended_until", None)
    return action


HANDLERS = {
    **{(Act.HIDE, target): _hide for target in (Target.COMMENT, Target.AMENDMENT, Target.POST, Target.DISPLAY_NAME, Target.PROFILE)},  # noqa: E501
    **{(Act.RESTORE, target): _restore for target in (Target.COMMENT, Target.AMENDMENT, Target.POST, Target.DISPLAY_NAME, Target.PROFILE)},  # noqa: E501
    (Act.LOCK, Target.THREAD): _lock,
    (Act.UNLOCK, Target.THREAD): _unlock,
    (Act.SUSPEND, Target.MEMBER): _suspend,
    (Act.LIFT, Target.MEMBER): _lift,
}  # fmt: skip


def record_installer_change(*, installer, target, reason, before, after, now=None):
    """A change the installer made in the admin that the public sees (the community's name):
    written to the public log with its reason, in the transaction of the change."""
    return write_entry(
        actor=installer,
        act=Act.INSTALLER,
        target=target,
        reason=reason,
        clause=None,
        now=now or timezone.now(),
        original=before,
        changed_to=after,
    )
