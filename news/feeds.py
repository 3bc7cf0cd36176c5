"""Atom feeds: all news, one agreement (its versions and amendments), one amendment (its phase
changes and comments). Every entry has a unique id, an updated date and an absolute link."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from agreements.models import Agreement, Amendment, Community
from agreements.models.agreement import change_note_text
from members.models import User
from members.services import record_follow

from .models import NewsItem

FEED_LENGTH = 50


def _record_reader(request):
    """A member's feed reader, recognised by their personal key, counts as following."""
    member = User.from_feed_key(request.GET.get("key"))
    if member is not None:
        record_follow(member=member)


class AtomFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        _record_reader(request)
        return super().__call__(request, *args, **kwargs)

    def _community(self):
        community = Community.current()
        return community.name if community else "Soglasie"

    def item_guid(self, item):
        return item.guid

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.published

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_author_name(self, item):
        return item.author


class Entry:
    def __init__(self, *, guid, title, link, published, updated=None, description="", author=None):
        self.guid = guid
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated or published
        self.description = description
        self.author = author


def hidden_summary(note):
    """What a feed says in place of hidden content: the moderation note, escaped (summaries are
    read as HTML). The hidden text is one click away on the site, not in feed readers."""
    text = _("Hidden by @%(moderator)s on %(date)s: %(reason)s — %(clause)s") % {
        "moderator": note.moderator,
        "date": date_format(note.at, "DATE_FORMAT"),
        "reason": note.reason,
        "clause": note.clause,
    }
    return f'<p>{escape(text)} <a href="{escape(settings.SITE_URL + note.entry_url)}">#</a></p>'


def _news_entry(item):
    return Entry(
        guid=f"{settings.SITE_URL}{item.get_absolute_url()}",
        title=item.headline,
        link=item.target_url() if not item.is_post else item.get_absolute_url(),
        published=item.published_at,
        updated=item.edited_at or item.published_at,
        description=hidden_summary(item.hiding) if item.hidden else item.body_html,
        author=item.author.name_with_handle if item.author else None,
    )


class NewsFeed(AtomFeed):
    def title(self):
        return _("%(community)s: news") % {"community": self._community()}

    def link(self):
        return reverse("news:list")

    def subtitle(self):
        return _("Everything that happens in the community, newest first.")

    def items(self):
        items = NewsItem.objects.select_related("author", "agreement", "amendment").order_by(
            "-published_at", "-id"
        )[:FEED_LENGTH]
        return [_news_entry(item) for item in items]


class AgreementFeed(AtomFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Agreement, slug=slug)

    def title(self, agreement):
        return _("%(title)s: versions and amendments") % {"title": agreement.title}

    def link(self, agreement):
        return agreement.get_absolute_url()

    def items(self, agreement):
        entries = [
            Entry(
                guid=f"{settings.SITE_URL}{agreement.version_url(record.version)}",
                title=_("Version %(number)s in force") % {"number": record.version},
                link=agreement.version_url(record.version),
                published=record.effective_at,
                # A summary of type "html" is read as HTML: the plain-text note is escaped.
                description=escape(change_note_text(record)),
            )
            for record in agreement.versions()
        ]
        entries += [
            Entry(
                guid=f"{settings.SITE_URL}{amendment.get_absolute_url()}",
                title=_("Amendment: %(title)s (%(phase)s)")
                % {"title": amendment.public_title, "phase": amendment.get_current_phase_display()},
                link=amendment.get_absolute_url(),
                published=amendment.proposed_at,
                updated=max(
                    filter(
                        None, [amendment.proposed_at, amendment.decided_at, amendment.applied_at]
                    )
                ),
                description=hidden_summary(amendment.hiding)
                if amendment.hidden
                else amendment.rationale_html,
                author=amendment.author.name_with_handle,
            )
            for amendment in agreement.amendments.select_related("author").order_by("-proposed_at")[
                :FEED_LENGTH
            ]
        ]
        return sorted(entries, key=lambda e: e.updated, reverse=True)[:FEED_LENGTH]


class AmendmentFeed(AtomFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Amendment, pk=pk)

    def title(self, amendment):
        return _("Amendment: %(title)s") % {"title": amendment.public_title}

    def link(self, amendment):
        return amendment.get_absolute_url()

    def items(self, amendment):
        entries = [
            _news_entry(item)
            for item in amendment.news_items.select_related("author", "amendment").order_by(
                "-published_at"
            )
        ]
        entries += [
            Entry(
                guid=f"{settings.SITE_URL}{comment.get_absolute_url()}",
                title=_("Comment by %(name)s") % {"name": comment.author.name_with_handle},
                link=comment.get_absolute_url(),
                published=comment.created_at,
                updated=comment.edited_at or comment.created_at,
                description=hidden_summary(comment.hiding) if comment.hidden else comment.body_html,
                author=comment.author.name_with_handle,
            )
            for comment in amendment.comments.select_related("author").order_by("-created_at")[
                :FEED_LENGTH
            ]
        ]
        return sorted(entries, key=lambda e: e.updated, reverse=True)[:FEED_LENGTH]
