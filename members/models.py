from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core import signing
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Edition
from agreements.notes import ModerationNote

from .names import clean_display_name, skeleton

# Roles are derived from dates, per the standard agreement "Membership by acceptance".
ACTIVE_CORE_DAYS = 90
DORMANT_AFTER_DAYS = 180
# Visiting the news or a feed records "still following" at most this often per member.
VISIT_RECORD_INTERVAL = timedelta(hours=1)


def days_ago(days, today=None):
    return (today or timezone.localdate()) - timedelta(days=days)


class MemberManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique case-insensitively, so "Alice" may log in as "alice".
        return self.get(username__iexact=username)

    def members(self):
        return self.filter(joined_at__isnull=False, left_at__isnull=True)


class User(AbstractUser):
    """A person with an account. Pseudonymous by default: the username and display name are
    public, the email address is never shown to anyone but its owner.

    Membership is an act, not a record: someone is a member from the moment they accept the
    agreements in force (`joined_at`) until they leave (`left_at`). Every role is derived from
    what they did and when; none is ever assigned.
    """

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("about me"), max_length=2000, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_volunteer = models.BooleanField(_("I volunteer"), default=False)
    volunteer_offer = models.CharField(
        _("what I offer"),
        max_length=500,
        blank=True,
        help_text=_("A short text: what you are willing to do for the community."),
    )
    joined_at = models.DateTimeField(_("member since"), null=True, blank=True, editable=False)
    left_at = models.DateTimeField(_("left on"), null=True, blank=True, editable=False)
    # The newest edition (set of agreement versions in force) this member has accepted in full.
    standing_edition = models.PositiveIntegerField(default=0, editable=False)
    last_action_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Last sign of following the community: joining, reading the site while logged in, a feed.
    followed_at = models.DateTimeField(null=True, blank=True, editable=False)
    auto_follow = models.BooleanField(
        _("follow what I propose or comment on"),
        default=True,
        help_text=_("You are notified of what happens next to it."),
    )
    email_digest = models.BooleanField(
        _("send me a daily email digest of my notifications"),
        default=False,
        help_text=_("Only if you have set an email address."),
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    # What the name looks like (members/names.py): no two members' names may look alike.
    username_key = models.CharField(max_length=150, blank=True, editable=False, db_index=True)
    display_name_key = models.CharField(max_length=80, blank=True, editable=False, db_index=True)
    # Set and cleared only by public moderation acts (moderation/): until when this member may
    # not write, and the notes of acts that hid their display name or profile text.
    suspended_until = models.DateTimeField(null=True, blank=True, editable=False)
    display_name_hidden = models.JSONField(null=True, blank=True, editable=False)
    profile_hidden = models.JSONField(null=True, blank=True, editable=False)

    objects = MemberManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(Lower("username"), name="username_ci_unique"),
        ]
        indexes = [models.Index(fields=["joined_at"], name="user_joined_at")]

    def __str__(self):
        return self.public_name

    def save(self, *args, **kwargs):
        self.display_name = clean_display_name(self.display_name)
        self.username_key = skeleton(self.username)
        self.display_name_key = skeleton(self.display_name) if self.display_name else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "display_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "username_key", "display_name_key"}
        super().save(*args, **kwargs)

    @property
    def public_name(self):
        """The display name, unless a moderator hid it; the username otherwise."""
        if self.display_name and not self.display_name_hidden:
            return self.display_name
        return self.username

    @property
    def handle(self):
        return f"@{self.username}"

    @property
    def name_with_handle(self):
        """ "Anna Petrova (@anna)": wherever a name is shown in plain text (feeds, e-mail), the
        username is shown with it, so a look-alike display name cannot pass for someone else."""
        if self.public_name == self.username:
            return self.handle
        return f"{self.public_name} ({self.handle})"

    @property
    def display_name_hiding(self):
        return ModerationNote.load(self.display_name_hidden)

    @property
    def profile_hiding(self):
        return ModerationNote.load(self.profile_hidden)

    def is_suspended(self, now=None):
        """A public moderation act suspended this member's writing until a date (standard
        agreement "Power is public and accountable"); they still read, vote and appeal."""
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())

    @property
    def may_write(self):
        """In good standing and not suspended: may propose, comment, post and edit."""
        return self.is_in_good_standing and not self.is_suspended()

    def get_absolute_url(self):
        return reverse("members:profile", args=[self.username])

    # -- membership and roles ------------------------------------------------------------------

    @property
    def is_member(self):
        return self.joined_at is not None and self.left_at is None

    @property
    def is_former_member(self):
        return self.left_at is not None

    @property
    def is_in_good_standing(self):
        """Has accepted every agreement in force, or accepted the edition before a change whose
        time to accept has not run out ("How amendments are decided"): a change never silences
        anyone at once. Agreements ask this before letting someone propose, comment or vote."""
        return self.standing() in ("member", "member_to_accept")

    @property
    def has_changes_to_accept(self):
        """In good standing, but an agreement changed since: the time to accept it is running."""
        return self.standing() == "member_to_accept"

    def standing(self, editions=None):
        """ "member" (accepts the current edition), "member_to_accept" (an earlier one, still in
        its time to accept), "member_outdated" (that time has passed), or None (not a member).
        `editions` is `Edition.floor_and_current()`, when a list has read it once for all."""
        if not self.is_member:
            return None
        floor, current = editions or Edition.floor_and_current()
        if self.standing_edition >= current:
            return "member"
        if self.standing_edition > 0 and self.standing_edition >= floor:
            return "member_to_accept"
        return "member_outdated"

    def acceptance_deadline(self):
        """Until when this member stays in good standing without accepting what changed (None if
        there is nothing to accept, or if the time already ran out)."""
        if not self.is_in_good_standing:
            return None
        return Edition.grace_deadline(self.standing_edition)

    def is_active_core(self, today=None):
        """Proposed, commented, voted or posted in the last 90 days ("Membership by acceptance",
        after the seeds: the active core are those who take part in governing)."""
        return (
            self.is_member
            and self.last_action_at is not None
            and timezone.localdate(self.last_action_at) > days_ago(ACTIVE_CORE_DAYS, today)
        )

    def is_dormant(self, today=None):
        """Has shown no sign of following the community (reading it, a feed) for 180 days."""
        return (
            self.is_member
            and self.followed_at is not None
            and timezone.localdate(self.followed_at) <= days_ago(DORMANT_AFTER_DAYS, today)
        )

    def roles(self, today=None, editions=None):
        """Role keys for display, most telling first; see `ROLE_LABELS`."""
        if self.is_former_member:
            return ["former"]
        if not self.is_member:
            return []
        roles = []
        if self.is_active_core(today):
            roles.append("active_core")
        if self.is_volunteer:
            roles.append("volunteer")
        roles.append(self.standing(editions))
        if self.is_dormant(today):
            roles.append("dormant")
        return roles

    @classmethod
    def members_in_good_standing(cls, at=None):
        """How many members are in good standing at `at` (now by default): the quorum's base.

        Counted from the per-edition counters: those who accepted an edition that still confers
        good standing then. Between a voting deadline and now, only grace periods can have run
        out, and the binding floor is computed for the moment asked."""
        return (
            StandingCount.objects.filter(edition__gte=max(Edition.binding_floor(at), 1)).aggregate(
                n=models.Sum("value")
            )["n"]
            or 0
        )

    @classmethod
    def member_count(cls):
        """How many people are members now, from the counter (a community forms when enough
        people have accepted its agreements)."""
        return (
            MembershipCount.objects.filter(name="members").aggregate(n=models.Sum("value"))["n"]
            or 0
        )

    # -- following ------------------------------------------------------------------------------

    FEED_KEY_SALT = "members.feed-key"

    def feed_key(self):
        """A stable key for this member's feed reader: reading a feed with it counts as following
        the community (nothing else can be done with it, and it reveals only the member's id)."""
        return signing.Signer(salt=self.FEED_KEY_SALT).sign(str(self.pk))

    @classmethod
    def from_feed_key(cls, key):
        try:
            pk = signing.Signer(salt=cls.FEED_KEY_SALT).unsign(key or "")
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=int(pk)).first() if pk.isdigit() else None

    def is_following(self, *, agreement=None, amendment=None, member=None):
        return self.follows.filter(
            agreement=agreement, amendment=amendment, followed_member=member
        ).exists()

    def visit_thread(self, amendment, now=None, newest=None):
        """Record a visit to an amendment's thread; return the previous one (None if first),
        so the page can mark what is new since then. `newest` is when the newest comment the
        page shows was written: the visit is rewritten only when it saw something new, or
        when the stored one is older than VISIT_REFRESH, not on every reload of the page."""
        now = now or timezone.now()
        visit, created = ThreadVisit.objects.get_or_create(
            member=self, amendment=amendment, defaults={"seen_at": now}
        )
        if created:
            return None
        previous = visit.seen_at
        if (newest is not None and newest > previous) or now - previous >= VISIT_REFRESH:
            ThreadVisit.objects.filter(pk=visit.pk).update(seen_at=now)
        return previous

    # -- acceptances ---------------------------------------------------------------------------

    def current_acceptances(self):
        return self.acceptances.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)

    def accepted_version_of(self, agreement):
        """The version of `agreement` this person accepts now, or None."""
        return (
            self.current_acceptances()
            .filter(agreement=agreement)
            .values_list("version", flat=True)
            .first()
        )

    def accepted_in_advance(self, amendments):
        """Which of these announced changes this member has accepted in advance (ids)."""
        return set(
            self.advance_acceptances.filter(
                amendment__in=amendments, withdrawn_at__isnull=True
            ).values_list("amendment_id", flat=True)
        )

    def outdated_agreements(self):
        """Agreements in force whose current version this member has not accepted, each with
        `accepted_version` (None if never accepted): what the notice on every page lists."""
        if not self.is_member or self.standing_edition == Edition.floor_and_current()[1]:
            return []
        accepted = dict(self.current_acceptances().values_list("agreement_id", "version"))
        outdated = []
        for agreement in Agreement.objects.in_force().in_reading_order().defer("body", "body_html"):
            version = accepted.get(agreement.pk)
            if version != agreement.version:
                agreement.accepted_version = version
                outdated.append(agreement)
        return outdated


ROLE_LABELS = {
    "active_core": _("active core"),
    "volunteer": _("volunteer"),
    "member": _("member in good standing"),
    "member_to_accept": _("member in good standing, with changes to accept"),
    "member_outdated": _("member who has not accepted the changes"),
    "dormant": _("dormant"),
    "former": _("former member"),
}


# How stale a stored thread visit may be before a visit that saw nothing new rewrites it.
VISIT_REFRESH = timedelta(minutes=5)


class Acceptance(models.Model):
    """A member accepted one version of one agreement. Rows are never deleted or rewritten:
    accepting a newer version supersedes the row, leaving withdraws it, and both stay public."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acceptances"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            # A double submit, or two tabs, can never make two current acceptances.
            models.UniqueConstraint(
                fields=["member", "agreement"],
                condition=models.Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="one_current_acceptance",
            ),
        ]
        indexes = [models.Index(fields=["member", "-accepted_at"], name="acceptance_by_member")]

    def __str__(self):
        return f"{self.member} accepted {self.agreement} v{self.version}"

    @property
    def is_current(self):
        return self.withdrawn_at is None and self.superseded_at is None


class AdvanceAcceptance(models.Model):
    """A member accepted, before it takes effect, a change adopted by amendment.

    Changes are announced before they bind; whoever reads one may accept it at once. When the
    amendment takes effect, the acceptance becomes an `Acceptance` of the new version for those
    who then accept the version it replaces (members/services.carry_advance_acceptances). Public,
    like every acceptance; withdrawn when the member leaves.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advance_acceptances"
    )
    amendment = models.ForeignKey(
        "agreements.Amendment", on_delete=models.PROTECT, related_name="advance_acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("acceptance in advance")
        verbose_name_plural = _("acceptances in advance")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "amendment"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="accept_a_change_once",
            ),
        ]
        indexes = [models.Index(fields=["amendment", "member"], name="advance_by_amendment")]

    def __str__(self):
        return f"{self.member} accepted #{self.amendment_id} in advance"


# -- counters ----------------------------------------------------------------------------------
# Counts shown on public pages never come from COUNT(*) over members or acceptances: they are kept
# in these rows, changed in the same transaction as what they count (services.Tally), and can be
# rebuilt from the rows with `manage.py recount_members`.
#
# Each count is split into up to COUNTER_SHARDS rows, and an act writes only the shard of its
# member (services.Tally): two members joining at once then update different rows instead of
# waiting for each other on one. A count is the SUM of its shards; a single shard may be
# negative (a rebuild puts everything on shard 0, a later leave subtracts from the member's own).

COUNTER_SHARDS = 16


class MembershipCount(models.Model):
    """A named count: `members` (current), `former`, `volunteers` (members who volunteer)."""

    name = models.CharField(max_length=32)
    shard = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "shard"], name="one_membership_count_shard")
        ]

    def __str__(self):
        return f"{self.name}[{self.shard}]={self.value}"


class StandingCount(models.Model):
    """How many current members have accepted every version of an edition in full."""

    edition = models.PositiveIntegerField()
    shard = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "shard"], name="one_standing_count_shard")
        ]

    def __str__(self):
        return f"edition {self.edition}[{self.shard}]: {self.value}"


class AcceptanceCount(models.Model):
    """How many current members accept exactly this version of this agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    shard = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version", "shard"], name="one_count_shard_per_version"
            )
        ]

    def __str__(self):
        return f"{self.agreement_id} v{self.version}[{self.shard}]: {self.value}"


class DailyCount(models.Model):
    """How many current members had their last action (`action`) or last sign of following
    (`follow`) on `day`. Summing the last 90 or 180 days gives the active core and, by
    difference, the dormant members, without scanning the members."""

    ACTION = "action"
    FOLLOW = "follow"

    kind = models.CharField(max_length=8, choices=[(ACTION, ACTION), (FOLLOW, FOLLOW)])
    day = models.DateField()
    shard = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "day", "shard"], name="one_count_shard_per_day")
        ]

    def __str__(self):
        return f"{self.kind} {self.day}[{self.shard}]: {self.value}"


class Follow(models.Model):
    """A member follows an agreement, an amendment or another member, to be notified."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    amendment = models.ForeignKey(
        "agreements.Amendment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    followed_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(agreement__isnull=False, amendment=None, followed_member=None)
                    | models.Q(agreement=None, amendment__isnull=False, followed_member=None)
                    | models.Q(agreement=None, amendment=None, followed_member__isnull=False)
                ),
                name="follow_exactly_one_thing",
            ),
            models.UniqueConstraint(
                fields=["member", "agreement"],
                condition=models.Q(agreement__isnull=False),
                name="follow_agreement_once",
            ),
            models.UniqueConstraint(
                fields=["member", "amendment"],
                condition=models.Q(amendment__isnull=False),
                name="follow_amendment_once",
            ),
            models.UniqueConstraint(
                fields=["member", "followed_member"],
                condition=models.Q(followed_member__isnull=False),
                name="follow_member_once",
            ),
        ]

    def __str__(self):
        return f"{self.member} follows {self.agreement or self.amendment or self.followed_member}"


class ThreadVisit(models.Model):
    """When a member last opened an amendment's thread: marks what is new since."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amendment = models.ForeignKey(
        "agreements.Amendment", on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "amendment"], name="one_visit_per_thread")
        ]

    def __str__(self):
        return f"{self.member_id} saw #{self.amendment_id} at {self.seen_at}"
