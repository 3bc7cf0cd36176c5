"""Every use of power, as a public act: one transaction per act, each writing its log entry.

Standard agreement "Power is public and accountable":
- power exists only as granted: the installer grants moderator power to a member in good standing,
  for the term the procedure sets (`Procedure.moderator_term_days`); the grant lapses by itself at
  the end of it (`end_lapsed_grants`, run by `manage.py advance`), or is revoked earlier;
- every act names its reason and the clause that allows it, and is an entry of the public log;
- nothing is deleted: hidden content stays in its row behind a note, its text kept in the entry;
- any member may appeal an act in its public thread; a moderator other than the one who acted
  answers, and a reversal is an act of its own;
- no one acts on their own content or on themselves.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from agreements.models import Amendment, Comment, Community, Procedure
from agreements.rendering import render_markdown
from members.models import User
from news.models import NewsItem

from .clauses import ClauseError, resolve_clause
from .models import AppealMessage, ModerationAction, ModeratorGrant, Report

Act = ModerationAction.Act
Target = ModerationAction.Target

MAX_SUSPENSION_DAYS = 365


class ModerationError(Exception):
    """A request the rules refuse; the message says why. `field` names the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(ModerationError):
    """The person may not do this at all (no power, or their own content)."""


# -- who holds power -------------------------------------------------------------------------------


def open_grant(member, now=None):
    """The member's grant in force now, or None."""
    now = now or timezone.now()
    return ModeratorGrant.objects.filter(
        member=member, ended_at__isnull=True, ends_at__gt=now
    ).first()


def is_moderator(user, now=None):
    """Holds moderator power now: an unexpired public grant, and in good standing (power is
    used by members, under the agreements they accept)."""
    if not (user.is_authenticated and user.is_in_good_standing and not user.is_suspended(now)):
        return False
    return open_grant(user, now) is not None


def current_grants(now=None):
    """Everyone who holds moderator power now, with the end of their term: public."""
    now = now or timezone.now()
    return (
        ModeratorGrant.objects.filter(ended_at__isnull=True, ends_at__gt=now)
        .select_related("member", "granted_by")
        .order_by("ends_at")
    )


def _require_moderator(user, now):
    if not is_moderator(user, now):
        raise NotAllowed(
            _("Only a member holding moderator power, granted in public, may do this.")
        )


def _require_installer(user):
    if not (user.is_authenticated and user.is_superuser):
        raise NotAllowed(_("Only the installer grants and revokes moderator power."))


# -- the entry ------------------------------------------------------------------------------------


def _clause(citation, *, required=True):
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


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(
            _("Give the reason: an act without one has no force."), field="reason"
        )
    return reason


def _entry(*, actor, act, target, reason, clause, now, **fields):
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


def _resolve_reports(action, report, now):
    """The report that led to the act, and any other open report on the same thing, are answered:
    their reporters see what was done."""
    about = {
        name: getattr(action, f"{name}_id") for name in ("comment", "amendment", "post", "member")
    }
    about = {f"{name}_id": pk for name, pk in about.items() if pk}
    open_reports = Report.objects.filter(resolved_at__isnull=True)
    matching = open_reports.filter(**about) if about else open_reports.none()
    if report is not None:
        matching = matching | open_reports.filter(pk=report.pk)
    matching.update(
        outcome=Report.Outcome.ACTED, resolved_at=now, resolved_by=action.actor, action=action
    )


# -- the things acted on --------------------------------------------------------------------------


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


def _set(subject, field, value):
    type(subject.row).objects.filter(pk=subject.row.pk).update(**{field: value})
    setattr(subject.row, field, value)


def _check_hideable(subject):
    if subject.target == Target.DISPLAY_NAME and not subject.row.display_name:
        raise ModerationError(_("This member has no display name to hide."))
    if subject.target == Target.PROFILE and not (subject.row.bio or subject.row.volunteer_offer):
        raise ModerationError(_("This member's profile has no text to hide."))


# -- moderators' acts -----------------------------------------------------------------------------


@transaction.atomic
def act(*, moderator, act, target, pk, reason, clause, days=None, report=None, now=None):
    """A moderator hides or restores content (`target`: comment, amendment, post, display_name,
    profile), locks or unlocks a thread, suspends a member's writing or lifts the suspension.
    One public entry; the thing acted on carries its note."""
    now = now or timezone.now()
    _require_moderator(moderator, now)
    subject = lock_subject(target, pk) if target in MODELS else None
    if subject is None:
        raise ModerationError(_("There is nothing to act on here."))
    if subject.author_id == moderator.pk:
        raise NotAllowed(_("No one acts on their own content or on themselves."))
    reason = _reason(reason)
    clause = _clause(clause)
    handler = HANDLERS.get((act, subject.target))
    if handler is None:
        raise ModerationError(_("This act does not apply to this."), field="act")
    action = handler(moderator, subject, reason, clause, days, now)
    _resolve_reports(action, report, now)
    return action


def _hide(moderator, subject, reason, clause, days, now):
    field = HIDDEN_FIELD[subject.target]
    if getattr(subject.row, field):
        raise ModerationError(_("This is hidden already."), field="act")
    _check_hideable(subject)
    original, original_html = _original(subject)
    action = _entry(
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
    _set(subject, field, action.note().dump())
    return action


def _restore(moderator, subject, reason, clause, days, now):
    field = HIDDEN_FIELD[subject.target]
    if not getattr(subject.row, field):
        raise ModerationError(_("This is not hidden."), field="act")
    action = _entry(
        actor=moderator,
        act=Act.RESTORE,
        target=subject.target,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    _set(subject, field, None)
    return action


def _lock(moderator, subject, reason, clause, days, now):
    if subject.row.thread_locked:
        raise ModerationError(_("This thread is locked already."), field="act")
    action = _entry(
        actor=moderator,
        act=Act.LOCK,
        target=Target.THREAD,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    _set(subject, "thread_locked", action.note().dump())
    return action


def _unlock(moderator, subject, reason, clause, days, now):
    if not subject.row.thread_locked:
        raise ModerationError(_("This thread is not locked."), field="act")
    action = _entry(
        actor=moderator,
        act=Act.UNLOCK,
        target=Target.THREAD,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    _set(subject, "thread_locked", None)
    return action


def _suspend(moderator, subject, reason, clause, days, now):
    if not days or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ModerationError(
            _("A suspension lasts from 1 to %(max)s days.") % {"max": MAX_SUSPENSION_DAYS},
            field="days",
        )
    until = now + timedelta(days=days)
    action = _entry(
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
    _set(subject, "suspended_until", until)
    return action


def _lift(moderator, subject, reason, clause, days, now):
    if not subject.row.is_suspended(now):
        raise ModerationError(_("This member is not suspended."), field="act")
    action = _entry(
        actor=moderator,
        act=Act.LIFT,
        target=Target.MEMBER,
        reason=reason,
        clause=clause,
        now=now,
        **subject.fields(),
    )
    _set(subject, "suspended_until", None)
    return action


HANDLERS = {
    **{(Act.HIDE, target): _hide for target in (Target.COMMENT, Target.AMENDMENT, Target.POST, Target.DISPLAY_NAME, Target.PROFILE)},  # noqa: E501
    **{(Act.RESTORE, target): _restore for target in (Target.COMMENT, Target.AMENDMENT, Target.POST, Target.DISPLAY_NAME, Target.PROFILE)},  # noqa: E501
    (Act.LOCK, Target.THREAD): _lock,
    (Act.UNLOCK, Target.THREAD): _unlock,
    (Act.SUSPEND, Target.MEMBER): _suspend,
    (Act.LIFT, Target.MEMBER): _lift,
}  # fmt: skip


# -- grants ---------------------------------------------------------------------------------------


@transaction.atomic
def grant_power(*, installer, member, reason, clause, now=None):
    """The installer grants moderator power to a member in good standing, for the term the
    procedure sets. A grant to someone who holds power already renews it: the old grant ends."""
    now = now or timezone.now()
    _require_installer(installer)
    member = User.objects.select_for_update().get(pk=member.pk)
    if not member.is_in_good_standing:
        raise ModerationError(
            _("Moderator power is granted only to a member in good standing."), field="member"
        )
    reason = _reason(reason)
    clause = _clause(clause)
    term = Procedure.current().moderator_term_days
    action = _entry(
        actor=installer,
        act=Act.GRANT,
        target=Target.MEMBER,
        reason=reason,
        clause=clause,
        now=now,
        member=member,
        days=term,
        ends_at=now + timedelta(days=term),
    )
    ModeratorGrant.objects.filter(member=member, ended_at__isnull=True).update(
        ended_at=now, ended_by=action
    )
    ModeratorGrant.objects.create(
        member=member, granted_by=action, starts_at=now, ends_at=action.ends_at
    )
    return action


@transaction.atomic
def revoke_power(*, installer, member, reason, clause, now=None):
    """The installer ends a grant before its term, in the same public way it was made."""
    now = now or timezone.now()
    _require_installer(installer)
    grant = (
        ModeratorGrant.objects.select_for_update()
        .filter(member=member, ended_at__isnull=True, ends_at__gt=now)
        .first()
    )
    if grant is None:
        raise ModerationError(_("This member holds no moderator power."), field="member")
    action = _entry(
        actor=installer,
        act=Act.REVOKE,
        target=Target.MEMBER,
        reason=_reason(reason),
        clause=_clause(clause),
        now=now,
        member=member,
    )
    grant.ended_at, grant.ended_by = now, action
    grant.save(update_fields=["ended_at", "ended_by"])
    return action


def end_lapsed_grants(now=None):
    """Grants whose term has ended lapse by themselves, each with an entry in the log.

    Run every minute by `manage.py advance` (settings.ADVANCE_TASKS); idempotent and safe to run
    concurrently: each grant is locked and re-checked."""
    now = now or timezone.now()
    done = []
    # The entry's reason is written once, in the community's language (no visitor is asking).
    community = Community.current()
    with translation.override(community.language if community else None):
        reason = _("The term set by the procedure ended.")
    for pk in ModeratorGrant.objects.filter(ended_at__isnull=True, ends_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            grant = (
                ModeratorGrant.objects.select_for_update()
                .select_related("granted_by")
                .filter(pk=pk, ended_at__isnull=True, ends_at__lte=now)
                .first()
            )
            if grant is None:
                continue
            action = ModerationAction.objects.create(
                actor=None,
                act=Act.LAPSE,
                target=Target.MEMBER,
                member_id=grant.member_id,
                reverses=None,
                reason=reason,
                clause_url=grant.granted_by.clause_url,
                clause_label=grant.granted_by.clause_label,
                created_at=grant.ends_at,
            )
            grant.ended_at, grant.ended_by = grant.ends_at, action
            grant.save(update_fields=["ended_at", "ended_by"])
            done.append(f"moderator grant #{grant.pk} lapsed")
    return done


# -- appeals --------------------------------------------------------------------------------------


def affected_member_ids(action):
    """Who an act touched: the author of what was acted on, or the member it concerned."""
    ids = set()
    for name in ("comment", "post", "amendment"):
        row = getattr(action, name)
        if row is not None:
            ids.add(row.author_id)
    if action.member_id:
        ids.add(action.member_id)
    return ids


def may_appeal(user, action):
    """Any member may write in an appeal thread, and so may whoever the act touched (even if
    suspended, or no longer a member)."""
    return user.is_authenticated and (user.is_member or user.pk in affected_member_ids(action))


def may_decide(user, action, now=None):
    """A moderator other than the one who acted, and not the one the act touched, answers an
    appeal with a decision, once, while the act is still in effect."""
    return (
        action.is_reversible
        and not action.appeal_messages.exclude(decision="").exists()
        and is_moderator(user, now)
        and user.pk != action.actor_id
        and user.pk not in affected_member_ids(action)
        and _still_in_effect(action, now or timezone.now())
    )


def _still_in_effect(action, now):
    if action.reversals.exists():
        return False
    if action.act == Act.GRANT:
        return ModeratorGrant.objects.filter(
            granted_by=action, ended_at__isnull=True, ends_at__gt=now
        ).exists()
    if action.act == Act.SUSPEND:
        return action.member.suspended_until == action.ends_at and action.ends_at > now
    subject = Subject(
        action.target, action.comment or action.amendment or action.post or action.member
    )
    current = getattr(subject.row, HIDDEN_FIELD[action.target])
    return bool(current) and current.get("entry_url") == action.get_absolute_url()


@transaction.atomic
def post_appeal(*, action, author, body, decision="", clause="", now=None):
    """A message in an act's public appeal thread; with a decision, a moderator's answer. A
    reversal undoes the act and is written to the log as an act of its own."""
    now = now or timezone.now()
    action = ModerationAction.objects.select_for_update().get(pk=action.pk)
    if not may_appeal(author, action):
        raise NotAllowed(_("Only members, and whoever the act concerns, write in appeal threads."))
    body = (body or "").strip()
    if not body:
        raise ModerationError(_("The message is empty."), field="body")
    reversal = None
    if decision:
        if decision not in AppealMessage.Decision.values:
            raise ModerationError(_("Choose to uphold or to reverse."), field="decision")
        if not may_decide(author, action, now):
            raise NotAllowed(
                _(
                    "Only a moderator other than the one who acted, and not concerned by the "
                    "act, decides an appeal, while the act is in effect."
                )
            )
        if decision == AppealMessage.Decision.REVERSED:
            reversal = _reverse(action, author, body, clause, now)
    return AppealMessage.objects.create(
        action=action,
        author=author,
        body=body,
        body_html=render_markdown(body),
        decision=decision,
        reversal=reversal,
        created_at=now,
    )


def _reverse(action, moderator, reason, citation, now):
    clause = _clause(citation)
    reversal = _entry(
        actor=moderator,
        act=Act.REVERSE,
        target=Target.ENTRY,
        reason=reason,
        clause=clause,
        now=now,
        reverses=action,
        comment=action.comment,
        amendment=action.amendment,
        post=action.post,
        member=action.member,
    )
    if action.act == Act.GRANT:
        ModeratorGrant.objects.filter(granted_by=action, ended_at__isnull=True).update(
            ended_at=now, ended_by=reversal
        )
    elif action.act == Act.SUSPEND:
        User.objects.filter(pk=action.member_id).update(suspended_until=None)
    else:
        subject = lock_subject(
            action.target, (action.comment or action.amendment or action.post or action.member).pk
        )
        _set(subject, HIDDEN_FIELD[action.target], None)
    return reversal


# -- reports --------------------------------------------------------------------------------------

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
    _require_moderator(moderator, now)
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


# -- the installer's changes ----------------------------------------------------------------------


def record_installer_change(*, installer, target, reason, before, after, now=None):
    """A change the installer made in the admin that the public sees (the community's name):
    written to the public log with its reason, in the transaction of the change."""
    return _entry(
        actor=installer,
        act=Act.INSTALLER,
        target=target,
        reason=reason,
        clause=None,
        now=now or timezone.now(),
        original=before,
        changed_to=after,
    )
