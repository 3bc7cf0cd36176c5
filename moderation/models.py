"""Power used in the open: the public moderation log, grants of moderator power, appeals, reports.

Standard agreement "Power is public and accountable": power exists only where an agreement
creates it, and every use of it is a public entry — who acted, on what, which act, why, under
which clause, when. Entries are never changed or deleted; undoing an act is an entry of its own.
Hidden content is not deleted either: it stays in its row, readable behind one click, and its
text at the moment it was hidden is kept in the entry.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Amendment, Comment
from agreements.notes import ModerationNote
from news.models import NewsItem

MAX_REASON_LENGTH = 2000
MAX_APPEAL_LENGTH = 5000
MAX_REPORT_LENGTH = 1000


class ModerationAction(models.Model):
    """One entry of the public moderation log."""

    class Act(models.TextChoices):
        HIDE = "hide", _("hide")
        RESTORE = "restore", _("restore")
        LOCK = "lock", _("lock the thread")
        UNLOCK = "unlock", _("unlock the thread")
        SUSPEND = "suspend", _("suspend writing")
        LIFT = "lift", _("lift the suspension")
        GRANT = "grant", _("grant moderator power")
        REVOKE = "revoke", _("revoke moderator power")
        LAPSE = "lapse", _("moderator power lapsed")
        REVERSE = "reverse", _("reverse on appeal")
        INSTALLER = "installer", _("installer's change")

    class Target(models.TextChoices):
        COMMENT = "comment", _("comment")
        AMENDMENT = "amendment", _("amendment")
        POST = "post", _("news post")
        DISPLAY_NAME = "display_name", _("display name")
        PROFILE = "profile", _("profile text")
        THREAD = "thread", _("discussion thread")
        MEMBER = "member", _("member")
        ENTRY = "entry", _("moderation entry")
        COMMUNITY = "community", _("community")

    # Acts that limit someone or give power: the ones an appeal can reverse.
    REVERSIBLE = (Act.HIDE, Act.LOCK, Act.SUSPEND, Act.GRANT)

    # Null only for what the site does by itself: a grant lapsing at the end of its term.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_acts",
    )
    act = models.CharField(_("act"), max_length=16, choices=Act.choices)
    target = models.CharField(_("on what"), max_length=16, choices=Target.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        NewsItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_concerning",
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    reason = models.TextField(_("reason"), max_length=MAX_REASON_LENGTH)
    # The clause invoked, as a permanent citation: /agreements/<slug>/v/<n>/#p-<k>.
    clause_url = models.CharField(_("clause invoked"), max_length=300, blank=True)
    clause_label = models.CharField(max_length=300, blank=True)
    # The text as it was when hidden (or, for an installer's change, what it was before).
    original = models.TextField(blank=True)
    original_html = models.TextField(blank=True)
    # For an installer's change: what it became.
    changed_to = models.TextField(blank=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="moderation_newest"),
            models.Index(fields=["act", "-created_at", "-id"], name="moderation_by_act"),
            models.Index(fields=["target", "-created_at", "-id"], name="moderation_by_target"),
            models.Index(fields=["actor", "-created_at", "-id"], name="moderation_by_actor"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.act} {self.target}"

    def get_absolute_url(self):
        return reverse("moderation:entry", args=[self.pk])

    @property
    def is_reversible(self):
        return self.act in self.REVERSIBLE

    def note(self):
        """The note this act leaves on what it touched (agreements/notes.py)."""
        return ModerationNote(
            entry_url=self.get_absolute_url(),
            moderator=self.actor.username if self.actor else "",
            at=self.created_at,
            reason=self.reason,
            clause_url=self.clause_url,
            clause=self.clause_label,
        )

    def subject_url(self):
        """Where the thing acted on is shown."""
        if self.comment_id:
            return self.comment.get_absolute_url()
        if self.amendment_id:
            url = self.amendment.get_absolute_url()
            return f"{url}#comments" if self.target == self.Target.THREAD else url
        if self.post_id:
            return self.post.get_absolute_url()
        if self.member_id:
            return self.member.get_absolute_url()
        if self.reverses_id:
            return self.reverses.get_absolute_url()
        return reverse("home")


class ModeratorGrant(models.Model):
    """Moderator power held by one member, from a public grant until its end: the end of the term
    the procedure set, an earlier revocation, or a reversal on appeal."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderator_grants"
    )
    granted_by = models.OneToOneField(
        ModerationAction, on_delete=models.PROTECT, related_name="grant"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        ModerationAction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("moderator grant")
        verbose_name_plural = _("moderator grants")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_grant_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="grant_has_a_term"
            ),
        ]
        indexes = [
            models.Index(
                fields=["ends_at"], condition=models.Q(ended_at__isnull=True), name="grant_open"
            )
        ]

    def __str__(self):
        return f"{self.member} until {self.ends_at:%Y-%m-%d}"

    def is_active(self, now=None):
        return self.ended_at is None and self.ends_at > (now or timezone.now())


class AppealMessage(models.Model):
    """A message in the public appeal thread of a moderation entry. A moderator other than the
    one who acted may answer with a decision: upheld, or reversed (a logged act of its own)."""

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("upheld")
        REVERSED = "reversed", _("reversed")

    action = models.ForeignKey(
        ModerationAction, on_delete=models.PROTECT, related_name="appeal_messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeal_messages"
    )
    body = models.TextField(_("message (Markdown)"), max_length=MAX_APPEAL_LENGTH)
    body_html = models.TextField(editable=False)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    reversal = models.OneToOneField(
        ModerationAction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appeal message")
        verbose_name_plural = _("appeal messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["action", "created_at"], name="appeal_thread")]

    def __str__(self):
        return f"appeal message #{self.pk} on #{self.action_id}"


class Report(models.Model):
    """A member asks the moderators to look at something. The queue is for moderators; the
    reporter sees what came of it."""

    class Target(models.TextChoices):
        COMMENT = "comment", _("comment")
        AMENDMENT = "amendment", _("amendment")
        POST = "post", _("news post")
        PROFILE = "profile", _("profile")

    class Outcome(models.TextChoices):
        ACTED = "acted", _("a moderator acted")
        DISMISSED = "dismissed", _("dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    target = models.CharField(max_length=16, choices=Target.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        NewsItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports_about",
    )
    reason = models.TextField(_("what is wrong"), max_length=MAX_REPORT_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(max_length=MAX_REASON_LENGTH, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.ForeignKey(
        ModerationAction, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(resolved_at__isnull=True),
                name="report_queue",
            ),
            models.Index(fields=["reporter", "-created_at"], name="report_by_reporter"),
        ]

    def __str__(self):
        return f"report #{self.pk} on {self.target}"

    def subject(self):
        return self.comment or self.amendment or self.post or self.member

    def subject_url(self):
        subject = self.subject()
        return subject.get_absolute_url() if subject else reverse("home")
