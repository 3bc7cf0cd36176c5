"""Reads for the membership pages: every count comes from the counter tables."""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from agreements.amendments.selectors import announcements
from agreements.as_of import agreements_in_force_at
from agreements.models import Agreement, Amendment, Edition
from agreements.paging import paginate
from agreements.selectors import compare_versions

from .models import (
    ACTIVE_CORE_DAYS,
    DORMANT_AFTER_DAYS,
    ROLE_LABELS,
    Acceptance,
    AcceptanceCount,
    AdvanceAcceptance,
    DailyCount,
    MembershipCount,
    StandingCount,
    User,
    days_ago,
)
from .services import FORMER, MEMBERS, VOLUNTEERS


@dataclass
class RoleCounts:
    members: int
    in_good_standing: int
    # Of those in good standing, how many have a change to accept before its time runs out.
    with_changes_to_accept: int
    active_core: int
    volunteers: int
    dormant: int
    former: int

    @property
    def not_accepted_changes(self):
        return self.members - self.in_good_standing


def _recent(kind, days):
    return (
        DailyCount.objects.filter(kind=kind, day__gt=days_ago(days)).aggregate(n=Sum("value"))["n"]
        or 0
    )


def role_counts():
    """Counts by role, from the counter tables: a handful of indexed reads at any scale."""
    named = dict(MembershipCount.objects.values_list("name").annotate(Sum("value")).order_by())
    members = named.get(MEMBERS, 0)
    floor, current = Edition.floor_and_current()
    by_edition = dict(
        StandingCount.objects.filter(edition__gte=max(floor, 1))
        .values_list("edition")
        .annotate(Sum("value"))
        .order_by()
    )
    standing = sum(by_edition.values())
    return RoleCounts(
        members=members,
        in_good_standing=standing,
        with_changes_to_accept=standing - by_edition.get(current, 0),
        active_core=_recent(DailyCount.ACTION, ACTIVE_CORE_DAYS),
        volunteers=named.get(VOLUNTEERS, 0),
        dormant=max(members - _recent(DailyCount.FOLLOW, DORMANT_AFTER_DAYS), 0),
        former=named.get(FORMER, 0),
    )


def agreements_with_acceptance_counts():
    """Agreements in force, each with `accepted_count`: how many accept its current version."""
    agreements = list(Agreement.objects.in_force().in_reading_order().defer("body", "body_html"))
    counts = {
        (pk, version): value
        for pk, version, value in AcceptanceCount.objects.filter(agreement__in=agreements)
        .values_list("agreement", "version")
        .annotate(Sum("value"))
        .order_by()
    }
    for agreement in agreements:
        agreement.accepted_count = counts.get((agreement.pk, agreement.version), 0)
    return agreements


@dataclass
class Change:
    agreement: Agreement
    accepted_version: int | None
    comparison: object = None


def changes_to_accept(member):
    """For a member not in good standing: each agreement to accept again (or for the first time),
    with the comparison between the version they accepted and the one in force."""
    changes = []
    for agreement in member.outdated_agreements():
        comparison = None
        if agreement.accepted_version:
            comparison = compare_versions(agreement, agreement.accepted_version, agreement.version)
        changes.append(Change(agreement, agreement.accepted_version, comparison))
    return changes


def stale_changes(agreements, seen_versions):
    """What changed in each agreement between the version a person was shown and now."""
    changes = []
    for agreement in agreements:
        seen = seen_versions.get(agreement.pk)
        comparison = None
        if seen and agreement.is_in_force and seen != agreement.version:
            comparison = compare_versions(agreement, seen, agreement.version)
        changes.append(Change(agreement, seen, comparison))
    return changes


def announced_changes(member=None):
    """Changes adopted and not yet in effect, each marked `accepted_in_advance` for `member`."""
    queryset = Amendment.objects.all()
    if member is not None and member.is_authenticated:
        queryset = queryset.annotate(
            accepted_in_advance=Exists(
                AdvanceAcceptance.objects.filter(
                    member=member, amendment=OuterRef("pk"), withdrawn_at__isnull=True
                )
            )
        )
    return announcements(queryset)


@dataclass
class StandingNotice:
    """What the notice on every page tells a member about changes: those in force they have not
    accepted (with the deadline, while their time runs), and those announced for later."""

    outdated: list = field(default_factory=list)
    in_good_standing: bool = True
    deadline: datetime | None = None
    announced: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.outdated or self.announced)


def standing_notice(member):
    if not member.is_member:
        return StandingNotice()
    outdated = member.outdated_agreements()
    in_good_standing = member.is_in_good_standing
    return StandingNotice(
        outdated=outdated,
        in_good_standing=in_good_standing,
        deadline=member.acceptance_deadline() if outdated and in_good_standing else None,
        announced=[a for a in announced_changes(member) if not a.accepted_in_advance],
    )


def join_page(user):
    """Everything the join page shows: the agreements in force, and for a member what changed
    since they accepted and what is announced to change."""
    agreements = list(Agreement.objects.in_force().in_reading_order())
    accepted = {}
    if user.is_authenticated:
        accepted = dict(user.current_acceptances().values_list("agreement_id", "version"))
    for agreement in agreements:
        agreement.accepted_version = accepted.get(agreement.pk)
    is_member = user.is_authenticated and user.is_member
    announced = announced_changes(user)
    in_good_standing = is_member and user.is_in_good_standing
    changes = changes_to_accept(user) if is_member else []
    return {
        "agreements": agreements,
        "changes": changes,
        "announced": announced,
        "announced_to_accept": [a for a in announced if not a.accepted_in_advance],
        "in_good_standing": in_good_standing,
        "deadline": user.acceptance_deadline() if changes and in_good_standing else None,
    }


@dataclass
class PublicAction:
    kind: str  # "accepted" | "proposed" | "commented" | "voted"
    at: object
    subject: object


def public_actions(member, limit=60):
    """What this person did in public, newest first: acceptances, proposals, comments, votes.

    Each source is read newest first and cut at `limit`, so the page costs four small queries
    however active the person has been."""
    from agreements.models import Amendment, Comment, Vote

    actions = [
        PublicAction("accepted", a.accepted_at, a) for a in acceptance_history(member, limit)
    ]
    actions += [
        PublicAction("proposed", a.proposed_at, a)
        for a in Amendment.objects.filter(author=member)
        .only("id", "title", "hidden", "phase", "proposed_at")
        .order_by("-proposed_at")[:limit]
    ]
    actions += [
        PublicAction("commented", c.created_at, c)
        for c in Comment.objects.filter(author=member)
        .select_related("amendment")
        .only("id", "created_at", "amendment__id", "amendment__title", "amendment__hidden")
        .order_by("-created_at")[:limit]
    ]
    actions += [
        PublicAction("voted", v.changed_at, v)
        for v in Vote.objects.filter(member=member)
        .select_related("amendment")
        .only(
            "id", "choice", "changed_at", "amendment__id", "amendment__title", "amendment__hidden"
        )
        .order_by("-changed_at")[:limit]
    ]
    return sorted(actions, key=lambda action: action.at, reverse=True)[:limit]


def acceptance_history(member, limit=100):
    """What this person accepted and when, newest first: public, like every acceptance."""
    return (
        Acceptance.objects.filter(member=member)
        .select_related("agreement")
        .defer("agreement__body", "agreement__body_html")
        .order_by("-accepted_at", "-id")[:limit]
    )


@dataclass
class AcceptedThen:
    """An agreement as it stood at a past moment, and which version of it a member accepted."""

    past: object  # agreements.as_of.PastVersion
    accepted_version: int | None

    @property
    def is_current(self):
        return self.accepted_version == self.past.version


@dataclass
class MembershipRecord:
    """What a member had accepted at a past moment, against what was in force then."""

    as_of: object  # agreements.as_of.AsOf
    rows: list

    @property
    def accepted_everything(self):
        return bool(self.rows) and all(row.is_current for row in self.rows)

    @property
    def accepted_nothing(self):
        return all(row.accepted_version is None for row in self.rows)


def membership_record(member, as_of):
    """What `member` had accepted at `as_of.moment`: each agreement then in force with the
    version they accepted then (acceptances are kept forever: "Membership by acceptance")."""
    moment = as_of.moment
    accepted = dict(
        Acceptance.objects.filter(member=member, accepted_at__lte=moment)
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment))
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment))
        .values_list("agreement_id", "version")
    )
    rows = [
        AcceptedThen(past, accepted.get(past.current.pk)) for past in agreements_in_force_at(moment)
    ]
    return MembershipRecord(as_of=as_of, rows=rows)


MEMBERS_PER_PAGE = 30
# The roles the members list filters by, as `User.roles()` names them.
LIST_ROLES = (
    "active_core",
    "volunteer",
    "member",
    "member_to_accept",
    "member_outdated",
    "dormant",
    "former",
)


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _role_filter(role, editions):
    """The database condition for one role, the same rule as `User.roles()` states per person
    (standard agreements "Membership by acceptance", "How amendments are decided")."""
    floor, latest = editions
    current = Q(joined_at__isnull=False, left_at__isnull=True)
    if role == "former":
        return Q(left_at__isnull=False)
    if role == "active_core":
        return current & Q(last_action_at__gte=_start_of(days_ago(ACTIVE_CORE_DAYS - 1)))
    if role == "volunteer":
        return current & Q(is_volunteer=True)
    if role == "member":
        return current & Q(standing_edition=latest)
    if role == "member_to_accept":
        return current & Q(standing_edition__gte=max(floor, 1), standing_edition__lt=latest)
    if role == "member_outdated":
        return current & Q(standing_edition__lt=max(floor, 1))
    if role == "dormant":
        return current & Q(followed_at__lt=_start_of(days_ago(DORMANT_AFTER_DAYS - 1)))
    return current


def member_page(role, cursor):
    """Members (or former members), most recently joined first, keyset-paginated; each with
    `role_badges` (key, label) computed once."""
    editions = Edition.floor_and_current()
    queryset = User.objects.filter(_role_filter(role, editions)).only(
        "username", "display_name", "joined_at", "left_at", "standing_edition",
        "last_action_at", "followed_at", "is_volunteer",
    )  # fmt: skip
    page = paginate(queryset, cursor, "joined_at", size=MEMBERS_PER_PAGE)
    for member in page.items:
        member.role_badges = [(key, ROLE_LABELS[key]) for key in member.roles(editions=editions)]
    return page
