"""Reads for the occasion pages; views call these, templates never do."""

from django.db.models import Prefetch
from django.utils import timezone

from agreements.amendments.selectors import announcements
from agreements.models import Amendment
from agreements.paging import paginate

from .accounts import brief
from .models import Account, Answer, Occasion, OccasionFollower, OccasionVote
from .services import can_be_chosen, choose_speaker

UPCOMING_SHOWN = 50
VOTERS_SHOWN = 500


def upcoming(now=None):
    """Occasions still to come, soonest first."""
    now = now or timezone.now()
    return list(
        Occasion.objects.filter(starts_at__gte=now)
        .select_related("speaker")
        .order_by("starts_at", "id")[:UPCOMING_SHOWN]
    )


def past_page(cursor, now=None):
    """Occasions that have taken place, latest first, a keyset page at a time."""
    now = now or timezone.now()
    queryset = Occasion.objects.filter(starts_at__lt=now).select_related("speaker")
    return paginate(queryset, cursor, "starts_at")


def occasion_page(occasion, user, now=None):
    """Everything the occasion page shows, in a fixed number of queries."""
    now = now or timezone.now()
    stage = occasion.stage_at(now)
    nominations = list(occasion.nominations.select_related("member"))
    for nomination in nominations:
        nomination.can_be_chosen = can_be_chosen(nomination)
    votes = list(
        OccasionVote.objects.filter(occasion=occasion)
        .select_related("voter", "nomination__member")
        .order_by("-changed_at")[:VOTERS_SHOWN]
    )
    mine = my_vote = following = None
    standing = user.is_authenticated and user.is_in_good_standing
    if user.is_authenticated:
        mine = next((n for n in nominations if n.member_id == user.pk), None)
        my_vote = OccasionVote.objects.filter(occasion=occasion, voter=user).first()
        following = OccasionFollower.objects.filter(occasion=occasion, member=user).exists()
    speaker = None
    if stage == Occasion.Stage.CLOSED:
        # Chosen by `advance`; until it runs, computed by the same rule from the same counts.
        if occasion.stage == Occasion.Stage.CLOSED:
            speaker = occasion.speaker
        else:
            winner = choose_speaker(nominations)
            speaker = winner.member if winner else None
    accounts = list(
        Account.objects.filter(occasion=occasion)
        .select_related("author")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("position")))
    )
    upcoming_changes = []
    if not occasion.has_taken_place(now):
        upcoming_changes = [
            a
            for a in announcements(Amendment.objects.all())
            if a.effective_at and a.effective_at <= occasion.starts_at
        ]
    return {
        "occasion": occasion,
        "stage": stage,
        "nominations": nominations,
        "votes": votes,
        "my_nomination": mine,
        "my_vote": my_vote,
        "is_following": following,
        "speaker": speaker,
        "brief": brief(occasion, now),
        "brief_final": occasion.has_taken_place(now),
        "upcoming_changes": upcoming_changes,
        "accounts": accounts,
        "can_nominate": standing and stage == Occasion.Stage.NOMINATING,
        "can_vote": standing and stage == Occasion.Stage.VOTING,
        "can_write_account": standing and occasion.has_taken_place(now),
        "voteable": [n for n in nominations if n.can_be_chosen],
    }
