"""Amendments: the only way an agreement changes, decided in the open under a published procedure.

Lifecycle (standard agreement "How amendments are decided"): `discussion` (the author may
edit; every edit is a kept revision) → `voting` (text frozen; members in good standing vote) →
tallied when voting closes: `adopted` if quorum and threshold are met, else `rejected` → an
adopted amendment is applied at `effective_at`. The author may withdraw before voting closes.
When the agreement changed meanwhile and the change cannot be merged, the amendment goes to
`needs_update` until its author resolves it, which starts a new discussion.

The stored `phase` moves in `manage.py advance`; `phase_at(now)` computes it from the deadlines,
so every page is right even before the command runs.
"""

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import procedure as procedure_text
from ..notes import ModerationNote
from ..rendering import count_clauses, render_markdown
from .agreement import MAX_TEXT_LENGTH, Agreement

MAX_RATIONALE_LENGTH = 20_000

# Every value the procedure sets, in the order its table lists them (agreements/procedure.py).
PROCEDURE_FIELDS = procedure_text.FIELDS


class Procedure(models.Model):
    """The parameters of decision-making, in force for every new amendment.

    One row, versioned by django-simple-history. Its values are read from the table in the text of
    the agreement it is bound to, the standard agreement "How amendments are decided", whenever a
    new version of that text takes effect (agreements/procedure.py): the text is the one source.
    """

    discussion_days = models.PositiveSmallIntegerField(
        _("discussion (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    voting_days = models.PositiveSmallIntegerField(
        _("voting (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    quorum_percent = models.DecimalField(
        _("quorum (per cent of members in good standing)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    quorum_minimum = models.PositiveIntegerField(
        _("quorum (minimum number of votes)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    threshold_percent = models.DecimalField(
        _("approval threshold (per cent support, more than)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("50")), MaxValueValidator(Decimal("99.99"))],
    )
    effect_delay_days = models.PositiveSmallIntegerField(
        _("delay before effect (days)"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    grace_days = models.PositiveSmallIntegerField(
        _("time to accept a change (days)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
    )
    entrenched_threshold_percent = models.DecimalField(
        _("entrenched texts: approval threshold (per cent support, more than)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("66.66"),
        validators=[MinValueValidator(Decimal("50")), MaxValueValidator(Decimal("99.99"))],
    )
    entrenched_discussion_factor = models.PositiveSmallIntegerField(
        _("entrenched texts: discussion period multiplied by"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    # How long a grant of moderation power lasts before it lapses by itself (standard agreement
    # "Power is public and accountable": every grant is limited in time).
    moderator_term_days = models.PositiveSmallIntegerField(
        _("moderator power lasts (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # Choosing a speaker for an occasion (occasions/): the default periods for nominations and
    # for the vote. A face may be chosen every day, so one day is the shortest.
    occasion_nomination_days = models.PositiveSmallIntegerField(
        _("speakers: nominations (days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    occasion_voting_days = models.PositiveSmallIntegerField(
        _("speakers: voting (days)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(verbose_name=_("procedure version"))

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedure")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="procedure_is_a_singleton")
        ]

    def __str__(self):
        return f"procedure v{self.version}"

    @classmethod
    def current(cls):
        """The procedure in force; created from the installation's defaults the first time."""
        procedure = cls.objects.select_related("agreement").filter(pk=1).first()
        if procedure is None:
            defaults = getattr(settings, "PROCEDURE_DEFAULTS", {})
            procedure, _created = cls.objects.get_or_create(pk=1, defaults=defaults)
        return procedure

    def values(self):
        return {name: getattr(self, name) for name in PROCEDURE_FIELDS}


@dataclass(frozen=True)
class Outcome:
    """The result of a vote under an amendment's procedure."""

    votes: int
    quorum: int
    support_share: Decimal | None

    threshold: Decimal

    @property
    def has_quorum(self):
        return self.votes >= self.quorum

    @property
    def passes_threshold(self):
        return self.support_share is not None and self.support_share > self.threshold

    @property
    def adopted(self):
        return self.has_quorum and self.passes_threshold


class AmendmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(phase__in=Amendment.OPEN_PHASES)

    def closing_soon(self, now=None):
        """Open for discussion or votes, nearest deadline first."""
        now = now or timezone.now()
        return (
            self.filter(phase__in=[Amendment.Phase.DISCUSSION, Amendment.Phase.VOTING])
            .filter(voting_ends_at__gt=now)
            .annotate(
                next_deadline=models.Case(
                    models.When(discussion_ends_at__gt=now, then="discussion_ends_at"),
                    default="voting_ends_at",
                )
            )
            .order_by("next_deadline", "id")
        )


class Amendment(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("new agreement")
        CHANGE = "change", _("change")
        REPEAL = "repeal", _("repeal")

    class Phase(models.TextChoices):
        DISCUSSION = "discussion", _("discussion")
        VOTING = "voting", _("voting")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        NEEDS_UPDATE = "needs_update", _("needs update")

    OPEN_PHASES = (Phase.DISCUSSION, Phase.VOTING, Phase.NEEDS_UPDATE)
    CLOSED_PHASES = (Phase.ADOPTED, Phase.REJECTED, Phase.WITHDRAWN)

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    base_version = models.PositiveIntegerField(_("base version"), null=True, blank=True)
    title = models.CharField(_("title of the amendment"), max_length=200)
    proposed_title = models.CharField(_("title of the agreement"), max_length=200, blank=True)
    proposed_summary = models.CharField(_("summary of the agreement"), max_length=300, blank=True)
    body = models.TextField(_("proposed text (Markdown)"), max_length=MAX_TEXT_LENGTH, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    rationale = models.TextField(_("rationale (Markdown)"), max_length=MAX_RATIONALE_LENGTH)
    rationale_html = models.TextField(editable=False, blank=True)
    source_url = models.URLField(_("borrowed from (address)"), blank=True)
    source_version = models.CharField(_("version at the source"), max_length=40, blank=True)
    procedure_changes = models.JSONField(_("new procedure values"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.DISCUSSION
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # A new round starts when an amendment that needed an update is resolved: new deadlines,
    # new votes; earlier votes stay recorded under their round.
    round = models.PositiveIntegerField(default=1)
    revision_note = models.CharField(_("what this revision changed"), max_length=300, blank=True)

    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    discussion_ends_at = models.DateTimeField(_("discussion ends"))
    voting_ends_at = models.DateTimeField(_("voting ends"))
    decided_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(_("takes effect"), null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # The procedure this amendment is decided under, fixed when its discussion (re)starts.
    procedure_version = models.PositiveIntegerField(default=1)
    discussion_days = models.PositiveSmallIntegerField()
    voting_days = models.PositiveSmallIntegerField()
    quorum_percent = models.DecimalField(max_digits=5, decimal_places=2)
    quorum_minimum = models.PositiveIntegerField()
    threshold_percent = models.DecimalField(max_digits=5, decimal_places=2)
    effect_delay_days = models.PositiveSmallIntegerField()
    grace_days = models.PositiveSmallIntegerField(default=0)
    # A change to the idea or to the procedure itself: a higher bar and a longer discussion.
    entrenched = models.BooleanField(default=False)

    # The tally as voting closed, written once by the closer (advancing.py). While voting is open
    # the tally is counted from the votes themselves (`tally`): no row that every vote updates.
    final_support = models.PositiveIntegerField(default=0)
    final_oppose = models.PositiveIntegerField(default=0)
    final_abstain = models.PositiveIntegerField(default=0)
    members_at_close = models.PositiveIntegerField(null=True, blank=True)
    adopted_version = models.PositiveIntegerField(null=True, blank=True)

    rebase_note = models.CharField(max_length=300, blank=True)
    conflict = models.TextField(blank=True)

    # Notes of public moderation acts (agreements/notes.py): set and cleared only by the
    # moderation log, never by an edit, so they are not part of the revisions.
    hidden = models.JSONField(null=True, blank=True, editable=False)
    thread_locked = models.JSONField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        verbose_name=_("amendment revision"),
        excluded_fields=[
            "final_support",
            "final_oppose",
            "final_abstain",
            "hidden",
            "thread_locked",
        ],
    )
    objects = AmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["phase", "discussion_ends_at"], name="amendment_discussion_due"),
            models.Index(fields=["phase", "voting_ends_at"], name="amendment_voting_due"),
            models.Index(fields=["phase", "effective_at"], name="amendment_effect_due"),
            models.Index(fields=["phase", "-withdrawn_at", "-id"], name="amendment_withdrawn"),
            models.Index(fields=["phase", "-voting_ends_at", "-id"], name="amendment_decided"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="new") | models.Q(agreement__isnull=False),
                name="change_and_repeal_name_their_agreement",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("amendments:detail", args=[self.pk])

    @cached_property
    def hiding(self):
        """The note of the moderation act that hid this amendment's words, or None."""
        return ModerationNote.load(self.hidden)

    @cached_property
    def lock(self):
        """The note of the moderation act that locked this amendment's thread, or None."""
        return ModerationNote.load(self.thread_locked)

    @property
    def public_title(self):
        """The title wherever lists and feeds show it: a hidden amendment is named by number."""
        if self.hidden:
            return _("Amendment #%(number)s (hidden by a moderator)") % {"number": self.pk}
        return self.title

    def render(self):
        """Render the proposed text and rationale once, when they are saved. Clause links are
        relative (`#p-3`): they are shown only on this amendment's own page."""
        self.body_html = render_markdown(self.body, anchor_base="")
        self.rationale_html = render_markdown(self.rationale)

    def get_revision(self, number):
        """The historical record that introduced revision `number`, or None."""
        if not 1 <= number <= self.revision:
            return None
        return self.history.filter(revision=number).order_by("history_date", "history_id").first()

    @property
    def clause_count(self):
        return count_clauses(self.body_html)

    # -- phase, computed from the deadlines ----------------------------------------------------

    def phase_at(self, now=None):
        """The phase as of `now`, whether or not `advance` has run since a deadline passed."""
        now = now or timezone.now()
        phase = self.phase
        if phase == self.Phase.DISCUSSION and now >= self.discussion_ends_at:
            phase = self.Phase.VOTING
        if phase == self.Phase.VOTING and now >= self.voting_ends_at:
            phase = self.Phase.ADOPTED if self.outcome(now=now).adopted else self.Phase.REJECTED
        return phase

    @cached_property
    def current_phase(self):
        # Cached: lists show the phase several times per row, and between a voting deadline and
        # the next `advance` computing it reads the member count.
        return self.phase_at()

    def get_current_phase_display(self):
        return self.Phase(self.current_phase).label

    def is_open_for_votes(self, now=None):
        return self.phase_at(now) == self.Phase.VOTING and self.phase in (
            self.Phase.DISCUSSION,
            self.Phase.VOTING,
        )

    def is_editable(self, now=None):
        return self.phase_at(now) in (self.Phase.DISCUSSION, self.Phase.NEEDS_UPDATE)

    def is_open_for_comments(self, now=None):
        """Comments are written, and edited, while the amendment is open and its thread is not
        locked by a public moderation act."""
        return self.phase_at(now) in self.OPEN_PHASES and not self.thread_locked

    def can_be_withdrawn(self, now=None):
        return self.phase_at(now) in self.OPEN_PHASES

    @property
    def planned_effective_at(self):
        return self.effective_at or self.voting_ends_at + timedelta(days=self.effect_delay_days)

    # -- the tally -----------------------------------------------------------------------------

    @cached_property
    def tally(self):
        """Votes of this round by choice. Once voting has closed, the final tally the closer
        wrote; before, counted from the votes (one indexed GROUP BY), so it is exact at every
        moment without a counter that every vote would have to update."""
        if self.decided_at is not None:
            return {
                Vote.Choice.SUPPORT: self.final_support,
                Vote.Choice.OPPOSE: self.final_oppose,
                Vote.Choice.ABSTAIN: self.final_abstain,
            }
        counted = dict.fromkeys(Vote.Choice.values, 0)
        counted.update(
            Vote.objects.filter(amendment=self, round=self.round)
            .values_list("choice")
            .annotate(models.Count("id"))
            .order_by()
        )
        return counted

    @cached_property
    def comment_count(self):
        """Counted from the comments (an index-only count on the thread's index), not kept in a
        column that every comment would update."""
        return self.comments.count()

    def forget_tally(self):
        self.__dict__.pop("tally", None)

    def refresh_from_db(self, *args, **kwargs):
        self.forget_tally()
        self.__dict__.pop("comment_count", None)
        super().refresh_from_db(*args, **kwargs)

    @classmethod
    def count_for_list(cls, amendments):
        """Fill in the tallies and comment counts of a list of amendments in two queries, not
        two per amendment."""
        open_ = {a.pk: a for a in amendments if a.decided_at is None}
        counts = {(a.pk, a.round): dict.fromkeys(Vote.Choice.values, 0) for a in open_.values()}
        for pk, round_, choice, n in (
            Vote.objects.filter(amendment__in=open_)
            .values_list("amendment", "round", "choice")
            .annotate(models.Count("id"))
            .order_by()
        ):
            if (pk, round_) in counts:
                counts[pk, round_][choice] = n
        for amendment in open_.values():
            amendment.tally = counts[amendment.pk, amendment.round]
        comments = dict(
            Comment.objects.filter(amendment__in=amendments)
            .values_list("amendment")
            .annotate(models.Count("id"))
            .order_by()
        )
        for amendment in amendments:
            amendment.comment_count = comments.get(amendment.pk, 0)
        return amendments

    @property
    def support_count(self):
        return self.tally[Vote.Choice.SUPPORT]

    @property
    def oppose_count(self):
        return self.tally[Vote.Choice.OPPOSE]

    @property
    def abstain_count(self):
        return self.tally[Vote.Choice.ABSTAIN]

    def keep_final_tally(self):
        """Write down the tally as voting closes (the caller holds the row lock that keeps any
        further vote out, services.cast_vote)."""
        tally = self.tally
        self.final_support = tally[Vote.Choice.SUPPORT]
        self.final_oppose = tally[Vote.Choice.OPPOSE]
        self.final_abstain = tally[Vote.Choice.ABSTAIN]

    @property
    def votes_cast(self):
        return self.support_count + self.oppose_count + self.abstain_count

    def outcome(self, members=None, now=None):
        """Quorum and threshold, as the procedure this amendment is decided under defines them.

        Quorum: votes of every kind reach both the minimum and the share of members in good
        standing (at the close, or now while voting is open). Threshold: support is *more* than
        the threshold share of support + oppose; abstentions count for quorum only.
        """
        if members is None:
            members = self.members_at_close
        if members is None:
            closed = (now or timezone.now()) >= self.voting_ends_at
            members = members_in_good_standing(at=self.voting_ends_at if closed else None)
        share_quorum = math.ceil(Decimal(members) * self.quorum_percent / 100)
        decisive = self.support_count + self.oppose_count
        return Outcome(
            votes=self.votes_cast,
            quorum=max(self.quorum_minimum, share_quorum),
            support_share=(
                (Decimal(self.support_count) * 100 / decisive).quantize(Decimal("0.01"))
                if decisive
                else None
            ),
            threshold=self.threshold_percent,
        )


def members_in_good_standing(at=None):
    # Asked of the user model (members/), which keeps the count, so agreements imports nothing.
    from django.contrib.auth import get_user_model

    return get_user_model().members_in_good_standing(at=at)


class Vote(models.Model):
    """One vote per member per amendment and round; public; changeable until voting closes."""

    class Choice(models.TextChoices):
        SUPPORT = "support", _("support")
        OPPOSE = "oppose", _("oppose")
        ABSTAIN = "abstain", _("abstain")

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    round = models.PositiveIntegerField(default=1)
    # The revision voted on: the text is frozen during voting, so every vote of a round names the
    # same revision, and the page can say which wording each vote was about.
    revision = models.PositiveIntegerField(default=1)
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "round", "member"], name="one_vote_per_member"
            )
        ]
        indexes = [
            models.Index(fields=["member", "-changed_at"], name="vote_by_member"),
            # The open tally is counted from this index alone (an index-only scan): on
            # PostgreSQL about 5 ms for 20 000 votes, 27 ms for 100 000, on a loaded machine.
            models.Index(fields=["amendment", "round", "choice"], name="vote_tally"),
        ]

    def __str__(self):
        return f"{self.member} {self.choice} #{self.amendment_id}"


class Comment(models.Model):
    """A comment in an amendment's public thread; one level of replies; optionally anchored to a
    clause of the revision it was written on. Editable by its author, every edit kept."""

    MAX_LENGTH = 20_000

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    paragraph = models.PositiveIntegerField(_("paragraph"), null=True, blank=True)
    revision = models.PositiveIntegerField()
    body = models.TextField(_("comment (Markdown)"), max_length=MAX_LENGTH)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # How many times its author edited it; every earlier text is a public version (history).
    edit_count = models.PositiveIntegerField(default=0)
    hidden = models.JSONField(null=True, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("comment version"), excluded_fields=["hidden"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["amendment", "created_at"], name="comment_thread"),
            models.Index(
                fields=["amendment", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="comment_thread_top_level",
            ),
        ]

    def __str__(self):
        return f"comment #{self.pk} on #{self.amendment_id}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.amendment.get_absolute_url()}#comment-{self.pk}"

    def versions_url(self):
        return reverse("amendments:comment_versions", args=[self.amendment_id, self.pk])

    @cached_property
    def hiding(self):
        """The note of the moderation act that hid this comment, or None."""
        return ModerationNote.load(self.hidden)
