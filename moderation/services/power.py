"""Who holds moderator power: granted in public by the installer for the term the procedure
sets (`Procedure.moderator_term_days`), revoked in public, lapsing by itself at the end."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Community, Procedure
from members.models import User

from ..models import ModerationAction, ModeratorGrant
from .common import (
    Act,
    ModerationError,
    NotAllowed,
    Target,
    cited_clause,
    given_reason,
    write_entry,
)


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


def require_moderator(user, now):
    if not is_moderator(user, now):
        raise NotAllowed(
            _("Only a member holding moderator power, granted in public, may do this.")
        )


def require_installer(user):
    if not (user.is_authenticated and user.is_superuser):
        raise NotAllowed(_("Only the installer grants and revokes moderator power."))


@transaction.atomic
def grant_power(*, installer, member, reason, clause, now=None):
    """The installer grants moderator power to a member in good standing, for the term the
    procedure sets. A grant to someone who holds power already renews it: the old grant ends."""
    now = now or timezone.now()
    require_installer(installer)
    member = User.objects.select_for_update().get(pk=member.pk)
    if not member.is_in_good_standing:
        raise ModerationError(
            _("Moderator power is granted only to a member in good standing."), field="member"
        )
    reason = given_reason(reason)
    clause = cited_clause(clause)
    term = Procedure.current().moderator_term_days
    action = write_entry(
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
    require_installer(installer)
    grant = (
        ModeratorGrant.objects.select_for_update()
        .filter(member=member, ended_at__isnull=True, ends_at__gt=now)
        .first()
    )
    if grant is None:
        raise ModerationError(_("This member holds no moderator power."), field="member")
    action = write_entry(
        actor=installer,
        act=Act.REVOKE,
        target=Target.MEMBER,
        reason=given_reason(reason),
        clause=cited_clause(clause),
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
