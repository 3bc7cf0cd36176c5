"""Occasions and their speakers: the face of the community for one appearance.

The seeds («Отсутствие лидера»): anyone may act as the speaker; the face for one particular
appearance is chosen by a simple vote, may be anyone, may be chosen every day, and can only say
what the agreements say. The standard agreement "Spreading the idea" writes this rule down.

An occasion lives through three stages, moved by `manage.py advance` at its deadlines and
computed from them on every page (`stage_at`), so the display is right before the command runs:
`nominating` (members in good standing nominate themselves with a short statement) → `voting`
(members in good standing vote for one nominee, publicly, changeable until the deadline) →
`closed` (most votes wins; a tie goes to the earliest nomination; no nominee, no speaker).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.rendering import render_markdown

MAX_DESCRIPTION = 20_000
MAX_STATEMENT = 500
MAX_QUESTION = 500
MAX_ANSWER = 5_000


class Occasion(models.Model):
    class Stage(models.TextChoices):
        NOMINATING = "nominating", _("nominations open")
        VOTING = "voting", _("voting")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (Markdown)"), max_length=MAX_DESCRIPTION)
    description_html = models.TextField(editable=False, blank=True)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"), db_index=True)
    nominations_close_at = models.DateTimeField(_("nominations close"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("announced by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NOMINATING)
    closed_at = models.DateTimeField(null=True, blank=True)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Counters, changed in the same transaction as the rows they count.
    nomination_count = models.PositiveIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    account_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("occasion")
        verbose_name_plural = _("occasions")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "nominations_close_at"], name="occasion_nominations_due"),
            models.Index(fields=["stage", "voting_closes_at"], name="occasion_voting_due"),
            models.Index(fields=["-created_at", "-id"], name="occasion_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nominations_close_at__lt=models.F("voting_closes_at"))
                & models.Q(voting_closes_at__lte=models.F("starts_at")),
                name="occasion_deadlines_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("occasions:detail", args=[self.pk])

    def stage_at(self, now=None):
        """The stage as of `now`, whether or not `advance` has run since a deadline passed."""
        now = now or timezone.now()
        if self.stage == self.Stage.CLOSED or now >= self.voting_closes_at:
            return self.Stage.CLOSED
        if now >= self.nominations_close_at:
            # With no nominee there is nothing to vote on: it closes at the nominations deadline.
            return self.Stage.VOTING if self.nomination_count else self.Stage.CLOSED
        return self.Stage.NOMINATING

    def get_stage_display_at(self, now=None):
        return self.Stage(self.stage_at(now)).label

    def has_taken_place(self, now=None):
        return (now or timezone.now()) >= self.starts_at


class Nomination(models.Model):
    """A member offers to be the speaker for one occasion, with a short statement. Public."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="nominations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations"
    )
    statement = models.CharField(_("statement"), max_length=MAX_STATEMENT)
    nominated_at = models.DateTimeField(default=timezone.now)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["nominated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occasion", "member"], name="nominated_once"),
        ]

    def __str__(self):
        return f"{self.member} for {self.occasion}"


class OccasionVote(models.Model):
    """One vote per member per occasion, for one nominee; public; changeable until voting
    closes (the database constraint is the last word on "one")."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="occasion_votes"
    )
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="votes")
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote for a speaker")
        verbose_name_plural = _("votes for speakers")
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "voter"], name="one_speaker_vote_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.voter} → {self.nomination_id}"


class OccasionFollower(models.Model):
    """Who is told what happens to an occasion: whoever announced it, nominated, voted, or
    pressed Follow."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="followers")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occasion", "member"], name="follow_occasion_once"),
        ]

    def __str__(self):
        return f"{self.member_id} follows occasion {self.occasion_id}"


class Account(models.Model):
    """After the occasion, the speaker (or any member) writes down the questions asked and the
    answers given, each answer citing the clauses it rests on. Public; kept as posted."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="accounts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="occasion_accounts"
    )
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account of an occasion")
        verbose_name_plural = _("accounts of occasions")
        ordering = ["posted_at", "id"]

    def __str__(self):
        return f"account #{self.pk} of {self.occasion}"

    def get_absolute_url(self):
        return f"{self.occasion.get_absolute_url()}#account-{self.pk}"


class Answer(models.Model):
    """One question asked and the answer given, with the clauses it cites: each citation keeps
    the agreement, the version, the clause and its words as they stood (`citations`)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    question = models.CharField(_("question"), max_length=MAX_QUESTION)
    answer = models.TextField(_("answer (Markdown)"), max_length=MAX_ANSWER)
    answer_html = models.TextField(editable=False, blank=True)
    citations = models.JSONField(default=list)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "position"], name="answer_position_once"),
        ]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.answer_html = render_markdown(self.answer)
        super().save(*args, **kwargs)
