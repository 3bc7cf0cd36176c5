"""The Atom feed of occasions: each one as announced, updated when its speaker is chosen and
when an account is published."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from agreements.models import Community
from members.models import User
from members.services import record_follow

from .models import Occasion

FEED_LENGTH = 50


class OccasionFeed(Feed):
    feed_type = Atom1Feed
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        # A member's feed reader, recognised by their personal key, counts as following.
        member = User.from_feed_key(request.GET.get("key"))
        if member is not None:
            record_follow(member=member)
        return super().__call__(request, *args, **kwargs)

    def title(self):
        community = Community.current()
        return _("%(community)s: occasions and speakers") % {
            "community": community.name if community else "Soglasie"
        }

    def link(self):
        return reverse("occasions:list")

    def subtitle(self):
        return _("Where the community is represented, and who speaks for it, chosen by vote.")

    def items(self):
        return Occasion.objects.select_related("created_by", "speaker").order_by(
            "-created_at", "-id"
        )[:FEED_LENGTH]

    def item_guid(self, occasion):
        return f"{settings.SITE_URL}{occasion.get_absolute_url()}"

    def item_title(self, occasion):
        return occasion.title

    def item_link(self, occasion):
        return occasion.get_absolute_url()

    def item_pubdate(self, occasion):
        return occasion.created_at

    def item_updateddate(self, occasion):
        return occasion.closed_at or occasion.created_at

    def item_author_name(self, occasion):
        return occasion.created_by.public_name

    def item_description(self, occasion):
        when = escape(occasion.starts_at.isoformat(timespec="minutes"))
        lines = [f"<p>{escape(occasion.place)} · <time>{when}</time></p>"]
        if occasion.closed_at:
            if occasion.speaker:
                lines.append(
                    "<p>"
                    + escape(_("Speaker: %(name)s") % {"name": occasion.speaker.public_name})
                    + "</p>"
                )
            else:
                lines.append("<p>" + escape(_("No speaker: nobody was nominated.")) + "</p>")
        return "".join(lines) + occasion.description_html
