"""Appeals: a public thread on every entry; a moderator other than the one who acted decides;
a reversal undoes the act and is an act of its own."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.rendering import render_markdown
from members.models import User

from ..models import AppealMessage, ModerationAction, ModeratorGrant
from .acts import HIDDEN_FIELD, Subject, lock_subject, set_mark
from .common import Act, ModerationError, NotAllowed, Target, cited_clause, write_entry
from .power import is_moderator


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
    clause = cited_clause(citation)
    reversal = write_entry(
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
        set_mark(subject, HIDDEN_FIELD[action.target], None)
    return reversal
