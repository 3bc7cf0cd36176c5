"""The public moderation log as an Atom feed: every use of power reaches feed readers too. The
hidden text itself is not in the feed; the entry's page shows it behind one click."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from news.feeds import FEED_LENGTH, AtomFeed, Entry

from . import selectors
from .describe import describe


class LogFeed(AtomFeed):
    def title(self):
        return _("%(community)s: moderation log") % {"community": self._community()}

    def link(self):
        return reverse("moderation:log")

    def subtitle(self):
        return _("Every use of power in the community, newest first.")

    def items(self):
        return [_entry(action) for action in selectors.latest(FEED_LENGTH)]


def _entry(action):
    url = action.get_absolute_url()
    reason = escape(action.reason).replace("\n", "<br>")
    clause = ""
    if action.clause_url:
        href = escape(settings.SITE_URL + action.clause_url)
        clause = f' — <a href="{href}">{escape(action.clause_label)}</a>'
    return Entry(
        guid=f"{settings.SITE_URL}{url}",
        title=describe(action),
        link=url,
        published=action.created_at,
        description=f"<p>{reason}{clause}</p>",
        author=action.actor.name_with_handle if action.actor else _("the site"),
    )
