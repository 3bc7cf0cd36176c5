"""Announcing occasions, nominating, voting for a speaker and closing the vote: one transaction
per act, the occasion's row locked where two requests could race (accounts: accounts.py).

The rule is the seeds' («Отсутствие лидера»), written in the standard agreement "Spreading the
idea": the face of the community for one appearance is chosen by a simple public vote, anyone
may be chosen, and the speaker says only what the agreements in force say. The default periods
come from the procedure in force ("How amendments are decided", its table of values).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agreements.amendments.services import NotAllowed, require_formed
from members.services import record_action

from .models import MAX_STATEMENT, Nomination, Occasion, OccasionFollower, OccasionVote
from .signals import occasion_changed

# A face may be chosen every day: a period is never shorter than this.
SHORTEST_PERIOD = timedelta(days=1)
FARTHEST_AHEAD = timedelta(days=3 * 365)


class OccasionError(Exception):
    """A request the rules refuse; `field` names the form field it is about."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def require_standing(user, doing):
    if not (user.is_authenticated and user.is_in_good_standing):
        raise NotAllowed(
            _(
                "Only members in good standing may %(doing)s: accept the agreements in force on "
                "the Join page first."
            )
            % {"doing": doing}
        )


def when_text(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def follow_occasion(occasion, member, now):
    OccasionFollower.objects.get_or_create(
        occasion=occasion, member=member, defaults={"created_at": now}
    )


def check_deadlines(*, starts_at, nominations_close_at, voting_closes_at, now):
    """The dates of an occasion, in order and far enough apart: nominations stay open at least
    a day from now, voting at least a day after them, and the speaker is chosen before the
    occasion begins."""
    if starts_at <= now:
        raise OccasionError(_("The occasion's date is in the past."), field="starts_at")
    if starts_at > now + FARTHEST_AHEAD:
        raise OccasionError(
            _("The occasion's date is more than three years away."), field="starts_at"
        )
    if nominations_close_at <= now:
        raise OccasionError(
            _("The nomination deadline is in the past."), field="nominations_close_at"
        )
    if nominations_close_at - now < SHORTEST_PERIOD:
        raise OccasionError(
            _("Nominations stay open at least one day: choose a deadline after %(when)s.")
            % {"when": when_text(now + SHORTEST_PERIOD)},
            field="nominations_close_at",
        )
    if voting_closes_at <= nominations_close_at:
        raise OccasionError(
            _("Voting closes after nominations close: the deadlines are out of order."),
            field="voting_closes_at",
        )
    if voting_closes_at - nominations_close_at < SHORTEST_PERIOD:
        raise OccasionError(
            _("Voting stays open at least one day: choose a deadline after %(when)s.")
            % {"when": when_text(nominations_close_at + SHORTEST_PERIOD)},
            field="voting_closes_at",
        )
    if starts_at < voting_closes_at:
        raise OccasionError(
            _("The speaker is chosen before the occasion: voting must close by its date."),
            field="voting_closes_at",
        )


@transaction.atomic
def create_occasion(
    *,
    author,
    title,
    description,
    place,
    starts_at,
    nominations_close_at,
    voting_closes_at,
    now=None,
):
    """A member in good standing announces an occasion at which the community is to be
    represented; its speaker will be chosen by the members ("Spreading the idea")."""
    require_standing(author, pgettext("only members may …", "announce occasions"))
    require_formed()
    now = now or timezone.now()
    if not (title or "").strip():
        raise OccasionError(_("An occasion needs a title."), field="title")
    if not (place or "").strip():
        raise OccasionError(_("Say where it takes place."), field="place")
    check_deadlines(
        starts_at=starts_at,
        nominations_close_at=nominations_close_at,
        voting_closes_at=voting_closes_at,
        now=now,
    )
    occasion = Occasion.objects.create(
        title=title.strip(),
        description=description or "",
        place=place.strip(),
        starts_at=starts_at,
        nominations_close_at=nominations_close_at,
        voting_closes_at=voting_closes_at,
        created_by=author,
        created_at=now,
    )
    follow_occasion(occasion, author, now)
    record_action(member=author, now=now)
    occasion_changed.send(sender=Occasion, occasion=occasion, change="created", when=now)
    return occasion


def lock(occasion):
    return Occasion.objects.select_for_update().get(pk=occasion.pk)


@transaction.atomic
def nominate(*, occasion, member, statement, now=None):
    """A member in good standing offers to speak, with a short public statement, until the
    nomination deadline. Nominating again changes the statement; it never makes two."""
    require_standing(member, pgettext("only members may …", "be nominated"))
    now = now or timezone.now()
    statement = (statement or "").strip()
    if not statement:
        raise OccasionError(
            _("Say in a few words why you would speak for the community."), field="statement"
        )
    if len(statement) > MAX_STATEMENT:
        raise OccasionError(
            _("The statement is at most %(limit)s characters long.") % {"limit": MAX_STATEMENT},
            field="statement",
        )
    occasion = lock(occasion)
    if occasion.stage_at(now) != Occasion.Stage.NOMINATING:
        raise OccasionError(
            _("Nominations closed on %(when)s.")
            % {"when": when_text(occasion.nominations_close_at)}
        )
    nomination = Nomination.objects.filter(occasion=occasion, member=member).first()
    if nomination is not None:
        nomination.statement = statement
        nomination.save(update_fields=["statement"])
        return nomination
    nomination = Nomination.objects.create(
        occasion=occasion, member=member, statement=statement, nominated_at=now
    )
    Occasion.objects.filter(pk=occasion.pk).update(nomination_count=F("nomination_count") + 1)
    follow_occasion(occasion, member, now)
    record_action(member=member, now=now)
    return nomination


def can_be_chosen(nomination):
    """A nominee who has left the community can no longer be its face."""
    return nomination.member.is_member


@transaction.atomic
def vote(*, occasion, member, nomination, now=None):
    """Vote for one nominee, or change one's vote, until voting closes. Public. Locking the
    occasion row serialises votes on it, so a double submit finds the vote already there."""
    require_standing(member, pgettext("only members may …", "vote"))
    now = now or timezone.now()
    occasion = lock(occasion)
    if occasion.stage_at(now) != Occasion.Stage.VOTING:
        if now < occasion.nominations_close_at:
            raise OccasionError(
                _("Voting opens on %(when)s, when nominations close.")
                % {"when": when_text(occasion.nominations_close_at)}
            )
        raise OccasionError(
            _("Voting closed on %(when)s.") % {"when": when_text(occasion.voting_closes_at)}
        )
    if nomination is None or nomination.occasion_id != occasion.pk:
        raise OccasionError(_("Choose one of the nominees."), field="nomination")
    if not can_be_chosen(nomination):
        raise OccasionError(
            _("%(name)s has left the community and can no longer be chosen.")
            % {"name": nomination.member.public_name},
            field="nomination",
        )
    existing = OccasionVote.objects.filter(occasion=occasion, voter=member).first()
    if existing is None:
        try:
            with transaction.atomic():
                ballot = OccasionVote.objects.create(
                    occasion=occasion,
                    voter=member,
                    nomination=nomination,
                    cast_at=now,
                    changed_at=now,
                )
        except IntegrityError:  # the database constraint is the last word on "one vote"
            return OccasionVote.objects.get(occasion=occasion, voter=member)
        Nomination.objects.filter(pk=nomination.pk).update(vote_count=F("vote_count") + 1)
        Occasion.objects.filter(pk=occasion.pk).update(vote_count=F("vote_count") + 1)
    elif existing.nomination_id != nomination.pk:
        Nomination.objects.filter(pk=existing.nomination_id).update(vote_count=F("vote_count") - 1)
        Nomination.objects.filter(pk=nomination.pk).update(vote_count=F("vote_count") + 1)
        existing.nomination, existing.changed_at = nomination, now
        existing.save(update_fields=["nomination", "changed_at"])
        ballot = existing
    else:
        return existing
    follow_occasion(occasion, member, now)
    record_action(member=member, now=now)
    return ballot


def choose_speaker(nominations):
    """The rule of the vote: of the nominees who can still be chosen, the one with the most
    votes; a tie goes to the earliest nomination; no nominee, no speaker (None)."""
    eligible = [n for n in nominations if can_be_chosen(n)]
    if not eligible:
        return None
    return min(eligible, key=lambda n: (-n.vote_count, n.nominated_at, n.pk))


# -- advance: the stages move at their deadlines -----------------------------------------------


def close_occasions(now=None):
    """`advance` task: open the vote when nominations close (or close at once with no nominee),
    and choose the speaker when voting closes. Each move in its own transaction, as of its own
    deadline; running twice, or twice at once, does each thing once."""
    now = now or timezone.now()
    done = []
    due = Occasion.objects.filter(
        stage=Occasion.Stage.NOMINATING, nominations_close_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        done += _close_nominations(pk, now)
    due = Occasion.objects.filter(
        stage=Occasion.Stage.VOTING, voting_closes_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        done += _close_voting(pk, now)
    return done


@transaction.atomic
def _close_nominations(pk, now):
    occasion = Occasion.objects.select_for_update().get(pk=pk)
    if occasion.stage != Occasion.Stage.NOMINATING or occasion.nominations_close_at > now:
        return []
    when = occasion.nominations_close_at
    if not occasion.nomination_count:
        return _close(occasion, None, when)
    occasion.stage = Occasion.Stage.VOTING
    occasion.save(update_fields=["stage"])
    occasion_changed.send(sender=Occasion, occasion=occasion, change="voting", when=when)
    return [f"occasion {pk} voting"]


@transaction.atomic
def _close_voting(pk, now):
    occasion = Occasion.objects.select_for_update().get(pk=pk)
    if occasion.stage != Occasion.Stage.VOTING or occasion.voting_closes_at > now:
        return []
    nominations = occasion.nominations.select_related("member")
    return _close(occasion, choose_speaker(nominations), occasion.voting_closes_at)


def _close(occasion, winner, when):
    occasion.stage = Occasion.Stage.CLOSED
    occasion.closed_at = when
    occasion.speaker = winner.member if winner else None
    occasion.save(update_fields=["stage", "closed_at", "speaker"])
    change = "chosen" if winner else "no_speaker"
    occasion_changed.send(sender=Occasion, occasion=occasion, change=change, when=when)
    return [f"occasion {occasion.pk} {change}"]


def follow(*, occasion, member, now=None):
    follow_occasion(occasion, member, now or timezone.now())


def unfollow(*, occasion, member):
    OccasionFollower.objects.filter(occasion=occasion, member=member).delete()
