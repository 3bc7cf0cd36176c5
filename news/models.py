"""News: what members post, and what the site reports by itself, as it happens.

Events are written in the same transaction as what they report (news/receivers.py), so one exists
exactly when the thing happened; a unique `event_key` makes a second report of the same thing
impossible, whoever asks twice.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Amendment, Comment
from agreements.notes import ModerationNote
from agreements.rendering import render_markdown
from occasions.models import Occasion

MAX_POST_LENGTH = Comment.MAX_LENGTH


class NewsItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("post")
        EVENT = "event", _("event")

    class Event(models.TextChoices):
        FOUNDED = "founded", _("community founded")
        PROPOSED = "proposed", _("amendment proposed")
        BORROWED_PROPOSED = "borrowed_proposed", _("borrowed agreement proposed")
        VOTING = "voting", _("voting opened")
        ADOPTED = "adopted", _("amendment adopted")
        REJECTED = "rejected", _("amendment rejected")
        WITHDRAWN = "withdrawn", _("amendment withdrawn")
        NEEDS_UPDATE = "needs_update", _("amendment needs an update")
        RESUMED = "resumed", _("amendment back in discussion")
        NEW_VERSION = "new_version", _("new version in force")
        NEW_AGREEMENT = "new_agreement", _("new agreement in force")
        REPEALED = "repealed", _("agreement repealed")
        MILESTONE = "milestone", _("membership milestone")
        FORMED = "formed", _("community formed")
        REBASED = "rebased", _("amendment merged with a new version")
        COLLISION = "collision", _("amendments collide")
        OCCASION = "occasion", _("occasion announced")
        SPEAKER_VOTE = "speaker_vote", _("vote for a speaker opened")
        SPEAKER_CHOSEN = "speaker_chosen", _("speaker chosen")
        NO_SPEAKER = "no_speaker", _("no speaker")
        ACCOUNT = "account", _("account of an occasion")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices, blank=True)
    # For a post, its title; for an event, what it is about (a title at that moment), so the
    # item reads the same later even if that thing is renamed.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=MAX_POST_LENGTH, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="news_items",
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="news_items"
    )
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="news_items"
    )
    occasion = models.ForeignKey(
        Occasion, null=True, blank=True, on_delete=models.PROTECT, related_name="news_items"
    )
    version = models.PositiveIntegerField(null=True, blank=True)
    number = models.PositiveBigIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # How many times its author edited the post; every earlier text is a public version.
    edit_count = models.PositiveIntegerField(default=0)
    event_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)
    # The note of the public moderation act that hid this post (agreements/notes.py), or null.
    hidden = models.JSONField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        verbose_name=_("news item version"), excluded_fields=["event_key", "hidden"]
    )

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="news_newest"),
            models.Index(fields=["kind", "-published_at", "-id"], name="news_newest_by_kind"),
            models.Index(fields=["agreement", "-published_at", "-id"], name="news_by_agreement"),
            models.Index(fields=["amendment", "-published_at", "-id"], name="news_by_amendment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="post", event="")
                | models.Q(kind="event") & ~models.Q(event=""),
                name="posts_are_not_events",
            )
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body) if self.body else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:item", args=[self.pk])

    @property
    def is_post(self):
        return self.kind == self.Kind.POST

    @cached_property
    def hiding(self):
        """The note of the moderation act that hid this post, or None."""
        return ModerationNote.load(self.hidden)

    @property
    def headline(self):
        """The title as a reader sees it, in the reader's language. A hidden post, or an event
        about a hidden amendment, is named without the hidden words."""
        if self.is_post:
            if self.hidden:
                return _("Post #%(number)s (hidden by a moderator)") % {"number": self.pk}
            return self.title
        title = self.title
        if self.amendment_id and self.event in AMENDMENT_EVENTS and self.amendment.hidden:
            title = self.amendment.public_title
        template = HEADLINES.get(self.event, "%(title)s")
        return str(template) % {"title": title, "version": self.version, "number": self.number}

    def target_url(self):
        """Where the event points: the thing it is about."""
        if self.occasion_id:
            anchor = "#accounts" if self.event == self.Event.ACCOUNT else ""
            return reverse("occasions:detail", args=[self.occasion_id]) + anchor
        if self.event == self.Event.NEW_VERSION and self.agreement and self.version:
            if self.version > 1:
                return reverse(
                    "agreements:diff", args=[self.agreement.slug, self.version - 1, self.version]
                )
            return reverse("agreements:version", args=[self.agreement.slug, self.version])
        if self.event in (self.Event.NEW_AGREEMENT, self.Event.REPEALED) and self.agreement_id:
            return self.agreement.get_absolute_url()
        if self.event == self.Event.COLLISION and self.amendment_id:
            return reverse("amendments:detail", args=[self.amendment_id]) + "#collisions"
        if self.amendment_id:
            return reverse("amendments:detail", args=[self.amendment_id])
        if self.agreement_id:
            return self.agreement.get_absolute_url()
        if self.event in (self.Event.MILESTONE, self.Event.FORMED):
            return reverse("community")
        return self.get_absolute_url()


# Events whose title is the title of an amendment (the others name an agreement or a number).
AMENDMENT_EVENTS = {
    NewsItem.Event.PROPOSED,
    NewsItem.Event.BORROWED_PROPOSED,
    NewsItem.Event.VOTING,
    NewsItem.Event.ADOPTED,
    NewsItem.Event.REJECTED,
    NewsItem.Event.WITHDRAWN,
    NewsItem.Event.NEEDS_UPDATE,
    NewsItem.Event.RESUMED,
}

HEADLINES = {
    NewsItem.Event.FOUNDED: pgettext_lazy("news", "The community “%(title)s” was founded"),
    NewsItem.Event.PROPOSED: pgettext_lazy("news", "Amendment proposed: %(title)s"),
    NewsItem.Event.BORROWED_PROPOSED: pgettext_lazy(
        "news", "Borrowed agreement proposed: %(title)s"
    ),
    NewsItem.Event.VOTING: pgettext_lazy("news", "Voting opened: %(title)s"),
    NewsItem.Event.ADOPTED: pgettext_lazy("news", "Amendment adopted: %(title)s"),
    NewsItem.Event.REJECTED: pgettext_lazy("news", "Amendment rejected: %(title)s"),
    NewsItem.Event.WITHDRAWN: pgettext_lazy("news", "Amendment withdrawn: %(title)s"),
    NewsItem.Event.NEEDS_UPDATE: pgettext_lazy("news", "Amendment needs an update: %(title)s"),
    NewsItem.Event.RESUMED: pgettext_lazy(
        "news", "Amendment updated, discussion restarts: %(title)s"
    ),
    NewsItem.Event.NEW_VERSION: pgettext_lazy("news", "Version %(version)s in force: %(title)s"),
    NewsItem.Event.NEW_AGREEMENT: pgettext_lazy("news", "New agreement in force: %(title)s"),
    NewsItem.Event.REPEALED: pgettext_lazy("news", "Agreement repealed: %(title)s"),
    NewsItem.Event.MILESTONE: pgettext_lazy("news", "The community has %(number)s members"),
    NewsItem.Event.FORMED: pgettext_lazy(
        "news", "The community “%(title)s” has formed: %(number)s people accept its agreements"
    ),
    NewsItem.Event.REBASED: pgettext_lazy(
        "news", "Amendment merged with version %(version)s in force: %(title)s"
    ),
    NewsItem.Event.COLLISION: pgettext_lazy(
        "news", "Amendment collides with amendment #%(number)s: %(title)s"
    ),
    NewsItem.Event.OCCASION: pgettext_lazy(
        "news", "Occasion announced, nominate a speaker: %(title)s"
    ),
    NewsItem.Event.SPEAKER_VOTE: pgettext_lazy("news", "Choose the speaker for: %(title)s"),
    NewsItem.Event.SPEAKER_CHOSEN: pgettext_lazy("news", "Speaker chosen for: %(title)s"),
    NewsItem.Event.NO_SPEAKER: pgettext_lazy("news", "No speaker for: %(title)s"),
    NewsItem.Event.ACCOUNT: pgettext_lazy("news", "Account of the occasion: %(title)s"),
}


class Notification(models.Model):
    """Something a member follows happened: an event, a post, or a comment in a thread."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    item = models.ForeignKey(
        NewsItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_newest"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | models.Q(comment__isnull=False),
                name="notification_is_about_something",
            ),
            models.UniqueConstraint(
                fields=["recipient", "item"],
                condition=models.Q(item__isnull=False),
                name="notify_item_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=models.Q(comment__isnull=False),
                name="notify_comment_once",
            ),
        ]

    def __str__(self):
        return f"to {self.recipient_id}: {self.item_id or self.comment_id}"
