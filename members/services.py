"""Joining, accepting, leaving and the counters they move: one transaction per act.

Every act locks the member's row first, so a double submit or two open tabs are applied one after
the other and the second finds nothing left to do. Counters change through `Tally`, which writes
only the member's own shard of each count (members/models.py), so acts by different members
rarely touch the same counter row; when they do, the rows are written in one fixed order, so they
wait for each other instead of deadlocking.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Amendment, Edition
from agreements.services import note_people_accepting

from .models import (
    COUNTER_SHARDS,
    VISIT_RECORD_INTERVAL,
    Acceptance,
    AcceptanceCount,
    AdvanceAcceptance,
    DailyCount,
    Follow,
    MembershipCount,
    StandingCount,
    User,
)
from .signals import member_joined

MEMBERS, FORMER, VOLUNTEERS = "members", "former", "volunteers"

# Each counter: its model and the columns that name one count (the shard column comes after).
COUNTERS = {
    "1-acceptance": (AcceptanceCount, ("agreement_id", "version")),
    "2-standing": (StandingCount, ("edition",)),
    "3-membership": (MembershipCount, ("name",)),
    "4-daily": (DailyCount, ("kind", "day")),
}


class Tally:
    """Counter changes made by one act, applied together at the end of its transaction, to the
    shard of the member who acted (shard 0 for set-based changes of many members at once)."""

    def __init__(self, member=None):
        self.shard = member.pk % COUNTER_SHARDS if member is not None else 0
        self.deltas = defaultdict(int)

    def acceptance(self, agreement_id, version, delta):
        self.deltas[("1-acceptance", agreement_id, version)] += delta

    def standing(self, edition, delta):
        if edition:
            self.deltas[("2-standing", edition)] += delta

    def membership(self, name, delta):
        self.deltas[("3-membership", name)] += delta

    def daily(self, kind, moment, delta):
        if moment is not None:
            self.deltas[("4-daily", kind, timezone.localdate(moment))] += delta

    def apply(self):
        by_counter = defaultdict(list)
        for key in sorted(self.deltas):
            if self.deltas[key]:
                by_counter[key[0]].append((*key[1:], self.deltas[key]))
        for kind in sorted(by_counter):
            _add(*COUNTERS[kind], self.shard, by_counter[kind])
        self.deltas.clear()


def _add(model, columns, shard, rows):
    """Add each row's delta to its count's shard in one statement: an upsert, so the first
    change of a new day or version creates its row without a separate read (PostgreSQL and
    SQLite both know INSERT … ON CONFLICT … DO UPDATE). Only our own table and column names are
    put into the statement; every value is a parameter."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = ", ".join(quote(name) for name in [*columns, "shard"])
    one_row = "(" + ", ".join(["%s"] * (len(columns) + 2)) + ")"
    params = []
    for *values, delta in rows:
        params += [
            connection.ops.adapt_datefield_value(v) if isinstance(v, date) else v for v in values
        ]
        params += [shard, delta]
    sql = (
        f"INSERT INTO {table} ({key}, value) VALUES {', '.join([one_row] * len(rows))} "  # noqa: S608 - names are ours, values are parameters
        f"ON CONFLICT ({key}) DO UPDATE SET value = {table}.value + EXCLUDED.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass
class AcceptResult:
    accepted: list = field(default_factory=list)
    # Adopted changes accepted before they take effect.
    accepted_in_advance: list = field(default_factory=list)
    # Agreements whose version changed (or that appeared or were repealed) since the page was
    # shown, and announced changes that took effect or were withdrawn meanwhile: nothing was
    # accepted, the member is shown what changed and asked again.
    stale: list = field(default_factory=list)
    stale_changes: list = field(default_factory=list)
    joined: bool = False


class AcceptanceRefused(Exception):
    """The form named agreements or changes that do not exist: nothing is accepted."""


def _lock(member):
    """FOR NO KEY UPDATE: one act of a member at a time, while rows that merely refer to the
    member (a notification for them, a vote or comment of theirs) are still written freely;
    FOR UPDATE would also block those foreign-key checks, and two commenters notifying each
    other would deadlock."""
    return User.objects.select_for_update(no_key=True).get(pk=member.pk)


def _enter(member, tally, now):
    """The member has just accepted everything in force: they are a member from now. Joining is
    a sign of following; it is not a public action for the active core."""
    if member.is_former_member:
        tally.membership(FORMER, -1)
    member.joined_at, member.left_at = now, None
    member.followed_at = now
    tally.membership(MEMBERS, +1)
    if member.is_volunteer:
        tally.membership(VOLUNTEERS, +1)
    tally.daily(DailyCount.FOLLOW, now, +1)
    tally.daily(DailyCount.ACTION, member.last_action_at, +1)


def _exit(member, tally, now):
    tally.membership(MEMBERS, -1)
    tally.membership(FORMER, +1)
    if member.is_volunteer:
        tally.membership(VOLUNTEERS, -1)
    tally.daily(DailyCount.FOLLOW, member.followed_at, -1)
    tally.daily(DailyCount.ACTION, member.last_action_at, -1)
    tally.standing(member.standing_edition, -1)
    member.left_at = now
    member.standing_edition = 0


def _act(member, tally, now):
    """A public action: keeps the member in the active core for the next 90 days."""
    if member.is_member:
        tally.daily(DailyCount.ACTION, member.last_action_at, -1)
        tally.daily(DailyCount.ACTION, now, +1)
    member.last_action_at = now


def announced_changes():
    """Adopted amendments that have not taken effect yet: changes announced before they bind."""
    return Amendment.objects.filter(phase=Amendment.Phase.ADOPTED, applied_at__isnull=True)


@transaction.atomic
def accept_agreements(*, member, versions, changes=None, complete=False, now=None):
    """Accept the given versions (`{agreement_id: version}`) of agreements in force, and accept
    in advance the announced changes in `changes` (`{adopted amendment id: revision}`).

    `versions` and `changes` are what the member was shown. If any version is no longer the one
    in force, or an announced change took effect or was set aside meanwhile, or (with `complete`)
    an agreement in force that the member does not accept yet was not shown at all, nothing is
    accepted and the stale items are returned, so the member sees what changed and decides
    again. Accepting what is already accepted does nothing. Whoever thereby accepts everything
    in force becomes a member (again) and is in good standing for the current edition.
    """
    now = now or timezone.now()
    # Read the edition before the versions: if a new version takes effect between the two reads,
    # the member is counted in good standing for the older edition only, never wrongly for the new.
    edition = Edition.current_number()
    member = _lock(member)
    changes = changes or {}
    known = dict(Agreement.objects.filter(pk__in=versions).values_list("pk", "status"))
    wanted_changes = {
        a.pk: a
        for a in Amendment.objects.filter(pk__in=changes).only(
            "id", "title", "phase", "applied_at", "revision"
        )
    }
    if len(known) != len(versions) or len(wanted_changes) != len(changes):
        raise AcceptanceRefused(_("The form names agreements that do not exist."))
    in_force = {a.pk: a for a in Agreement.objects.in_force().defer("body", "body_html")}
    current = {a.agreement_id: a for a in member.current_acceptances()}
    stale = [
        in_force.get(pk) or Agreement.objects.defer("body", "body_html").get(pk=pk)
        for pk, version in versions.items()
        if pk not in in_force or in_force[pk].version != version
    ]
    if complete:
        stale += [
            agreement
            for pk, agreement in in_force.items()
            if pk not in versions
            and (pk not in current or current[pk].version != agreement.version)
        ]
    stale_changes = [
        amendment
        for amendment in wanted_changes.values()
        if amendment.phase != Amendment.Phase.ADOPTED
        or amendment.applied_at is not None
        or amendment.revision != changes[amendment.pk]
    ]
    if stale or stale_changes:
        return AcceptResult(stale=stale, stale_changes=stale_changes)

    tally = Tally(member)
    result = AcceptResult()
    superseded, created = [], []
    for pk in versions:
        agreement, old = in_force[pk], current.get(pk)
        if old is not None and old.version == agreement.version:
            continue
        if old is not None:
            superseded.append(old.pk)
            tally.acceptance(pk, old.version, -1)
        current[pk] = Acceptance(
            member=member, agreement=agreement, version=agreement.version, accepted_at=now
        )
        created.append(current[pk])
        tally.acceptance(pk, agreement.version, +1)
        result.accepted.append(agreement)
    # One statement for all the rows of each kind, however many agreements there are; the old
    # rows are superseded first, as the one-current-acceptance constraint requires.
    if superseded:
        Acceptance.objects.filter(pk__in=superseded).update(superseded_at=now)
    Acceptance.objects.bulk_create(created)
    already = set(
        member.advance_acceptances.filter(
            amendment__in=wanted_changes, withdrawn_at__isnull=True
        ).values_list("amendment_id", flat=True)
    )
    result.accepted_in_advance = [a for pk, a in wanted_changes.items() if pk not in already]
    AdvanceAcceptance.objects.bulk_create(
        AdvanceAcceptance(member=member, amendment=amendment, accepted_at=now)
        for amendment in result.accepted_in_advance
    )

    accepts_everything = all(
        pk in current and current[pk].version == agreement.version
        for pk, agreement in in_force.items()
    )
    if member.standing_edition != edition and accepts_everything:
        if not member.is_member:
            _enter(member, tally, now)
            result.joined = True
        tally.standing(member.standing_edition, -1)
        tally.standing(edition, +1)
        member.standing_edition = edition
    if result.accepted or result.joined or tally.deltas:
        member.save()
        tally.apply()
    if result.joined:
        members = count(MEMBERS)
        member_joined.send(sender=User, member=member, count=members)
        note_people_accepting(count=members, when=now)
    return result


@transaction.atomic
def leave(*, member, now=None):
    """Withdraw every acceptance. The rows stay, marked withdrawn, in the public record."""
    now = now or timezone.now()
    member = _lock(member)
    tally = Tally(member)
    for acceptance in member.current_acceptances():
        tally.acceptance(acceptance.agreement_id, acceptance.version, -1)
    member.current_acceptances().update(withdrawn_at=now)
    member.advance_acceptances.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    if member.is_member:
        _exit(member, tally, now)
    member.save()
    tally.apply()
    return member


@transaction.atomic
def record_action(*, member, now=None):
    """Proposing, commenting, voting and posting count for the active core."""
    now = now or timezone.now()
    member = _lock(member)
    tally = Tally(member)
    _act(member, tally, now)
    member.save(update_fields=["last_action_at"])
    tally.apply()


def record_follow(*, member, now=None):
    """Reading the site while logged in, or a feed: the member still follows the community.

    Written at most once an hour per member, so reading the news costs nothing most of the time.
    """
    now = now or timezone.now()
    if member.followed_at and now - member.followed_at < VISIT_RECORD_INTERVAL:
        return False
    with transaction.atomic():
        locked = _lock(member)
        if locked.followed_at and now - locked.followed_at < VISIT_RECORD_INTERVAL:
            return False
        tally = Tally(locked)
        if locked.is_member:
            tally.daily(DailyCount.FOLLOW, locked.followed_at, -1)
            tally.daily(DailyCount.FOLLOW, now, +1)
        locked.followed_at = now
        locked.save(update_fields=["followed_at"])
        tally.apply()
    member.followed_at = now
    return True


@transaction.atomic
def update_profile(*, member, **fields):
    """Save profile and settings; volunteering moves the volunteers count."""
    locked = _lock(member)
    was_volunteer = locked.is_volunteer
    for name, value in fields.items():
        setattr(locked, name, value)
    if not locked.is_volunteer:
        locked.volunteer_offer = ""
    locked.save()
    if locked.is_member and was_volunteer != locked.is_volunteer:
        tally = Tally(locked)
        tally.membership(VOLUNTEERS, +1 if locked.is_volunteer else -1)
        tally.apply()
    return locked


def follow(*, member, agreement=None, amendment=None, followed_member=None):
    """Follow one thing; following it again changes nothing."""
    if followed_member is not None and followed_member.pk == member.pk:
        return None
    follow_, _created = Follow.objects.get_or_create(
        member=member, agreement=agreement, amendment=amendment, followed_member=followed_member
    )
    return follow_


def unfollow(*, member, agreement=None, amendment=None, followed_member=None):
    Follow.objects.filter(
        member=member, agreement=agreement, amendment=amendment, followed_member=followed_member
    ).delete()


def edition_started(*, edition):
    """A new edition: nobody has accepted it yet, unless it asks less than the last one (a
    repeal), in which case everyone who now accepts everything in force is in good standing."""
    StandingCount.objects.get_or_create(edition=edition.number, shard=0)
    if not edition.requirements_shrank:
        return
    required = dict(Agreement.objects.in_force().values_list("id", "version"))
    members = User.objects.members()
    if required:
        matching = Q()
        for pk, version in required.items():
            matching |= Q(agreement_id=pk, version=version)
        accepting = (
            Acceptance.objects.filter(
                matching, withdrawn_at__isnull=True, superseded_at__isnull=True
            )
            .values("member")
            .annotate(n=Count("id"))
            .filter(n=len(required))
            .values("member")
        )
        members = members.filter(pk__in=accepting)
    tally = Tally()
    for previous in members.values("standing_edition").annotate(n=Count("id")):
        tally.standing(previous["standing_edition"], -previous["n"])
        tally.standing(edition.number, previous["n"])
    members.update(standing_edition=edition.number)
    tally.apply()


def carry_advance_acceptances(*, agreement, edition, amendment):
    """An announced change took effect: whoever accepted it in advance now accepts the new
    version, if they accept the version it replaces (or, for a new agreement, at once). Those
    who had accepted the previous edition in full are in good standing for the new one.

    Set-based, so the cost does not grow with a query per member.
    """
    when = agreement.effective_at
    accepting = AdvanceAcceptance.objects.filter(
        amendment=amendment,
        withdrawn_at__isnull=True,
        member__joined_at__isnull=False,
        member__left_at__isnull=True,
    ).values_list("member_id", flat=True)
    tally = Tally()
    if agreement.version == 1:
        eligible = list(accepting)
    else:
        replaced = Acceptance.objects.filter(
            agreement=agreement,
            version=agreement.version - 1,
            member_id__in=accepting,
            withdrawn_at__isnull=True,
            superseded_at__isnull=True,
        )
        eligible = list(replaced.values_list("member_id", flat=True))
        replaced.update(superseded_at=when)
        tally.acceptance(agreement.pk, agreement.version - 1, -len(eligible))
    if not eligible:
        return 0
    Acceptance.objects.bulk_create(
        Acceptance(member_id=pk, agreement=agreement, version=agreement.version, accepted_at=when)
        for pk in eligible
    )
    tally.acceptance(agreement.pk, agreement.version, len(eligible))
    previous = Edition.objects.filter(id__lt=edition.number).aggregate(n=Max("id"))["n"]
    promoted = User.objects.filter(pk__in=eligible, standing_edition=previous)
    moved = promoted.update(standing_edition=edition.number)
    tally.standing(previous, -moved)
    tally.standing(edition.number, moved)
    tally.apply()
    return len(eligible)


# -- reading the counters ----------------------------------------------------------------------


def count(name):
    return MembershipCount.objects.filter(name=name).aggregate(n=Sum("value"))["n"] or 0


def counter_totals():
    """Every count that is not zero, as the sum of its shards: `{(counter, *key): total}`.
    Rebuilding the counters from the rows must give exactly the same totals."""
    totals = {}
    for kind, (model, columns) in COUNTERS.items():
        for *key, total in (
            model.objects.values_list(*columns).annotate(total=Sum("value")).order_by()
        ):
            if total:
                totals[(kind, *key)] = total
    return totals


@transaction.atomic
def rebuild_counters():
    """Recompute every counter from the rows they count (`manage.py recount_members`)."""
    members = User.objects.members()
    MembershipCount.objects.all().delete()
    MembershipCount.objects.bulk_create(
        [
            MembershipCount(name=MEMBERS, value=members.count()),
            MembershipCount(name=FORMER, value=User.objects.filter(left_at__isnull=False).count()),
            MembershipCount(name=VOLUNTEERS, value=members.filter(is_volunteer=True).count()),
        ]
    )
    StandingCount.objects.all().delete()
    StandingCount.objects.bulk_create(
        StandingCount(edition=row["standing_edition"], value=row["n"])
        for row in members.filter(standing_edition__gt=0)
        .values("standing_edition")
        .annotate(n=Count("id"))
    )
    AcceptanceCount.objects.all().delete()
    AcceptanceCount.objects.bulk_create(
        AcceptanceCount(agreement_id=row["agreement"], version=row["version"], value=row["n"])
        for row in Acceptance.objects.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)
        .values("agreement", "version")
        .annotate(n=Count("id"))
    )
    DailyCount.objects.all().delete()
    for kind, moment in ((DailyCount.FOLLOW, "followed_at"), (DailyCount.ACTION, "last_action_at")):
        DailyCount.objects.bulk_create(
            DailyCount(kind=kind, day=row["day"], value=row["n"])
            for row in members.filter(**{f"{moment}__isnull": False})
            .annotate(day=TruncDate(moment))
            .values("day")
            .annotate(n=Count("id"))
        )
