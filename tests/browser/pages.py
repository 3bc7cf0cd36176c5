"""Every type of page a person meets, in one list, on the demo community (`seed_demo`).

`test_accessibility.py` runs axe-core on each at 390 px and 1280 px in English and Russian, and
`make screenshots` photographs the same pages into docs/screenshots/. A new page type is one line
here: its name (the screenshot's file name), its address (a callable when it depends on the
data), and who looks at it (a demo username, or None for a visitor).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from agreements.models import Agreement, Amendment, Comment
from members.demo import DEMO_PASSWORD
from news.models import NewsItem

WIDTHS = (390, 1280)
LANGUAGES = ("en", "ru")
HEIGHTS = {390: 844, 1280: 800}


@dataclass(frozen=True)
class PageType:
    name: str
    path: str | Callable[[], str]
    user: str | None = None
    status: int = 200

    def url(self):
        return self.path() if callable(self.path) else self.path


def _amendment(phase, **filters):
    return Amendment.objects.filter(phase=phase, **filters).order_by("-pk").first()


def _amendment_url(phase, suffix="", **filters):
    return lambda: f"{_amendment(phase, **filters).get_absolute_url()}{suffix}"


def _comment_edit_url():
    comment = Comment.objects.filter(author__username="anna").order_by("-pk").first()
    return f"/amendments/{comment.amendment_id}/comments/{comment.pk}/edit/"


def _post_url():
    return NewsItem.objects.filter(kind="post").order_by("-pk").first().get_absolute_url()


def _event_url():
    return NewsItem.objects.filter(kind="event").order_by("-pk").first().get_absolute_url()


def _moderation_entry_url():
    from moderation.models import ModerationAction

    return f"/moderation/{ModerationAction.objects.filter(act='hide').order_by('pk').first().pk}/"


def _comment_versions_url():
    comment = Comment.objects.order_by("-pk").first()
    return f"/amendments/{comment.amendment_id}/comments/{comment.pk}/versions/"


def _occasion_url(*, closed):
    from occasions.models import Occasion

    occasions = Occasion.objects.filter(closed_at__isnull=not closed).order_by("-pk")
    return f"/occasions/{occasions.first().pk}/"


def _founding_day():
    from agreements.models import Community

    return (Community.current().founded_at + timedelta(days=30)).date().isoformat()


def _latest_diff_url():
    library = Agreement.objects.get(slug="tool-library")
    return library.diff_url(1, library.version)


PAGE_TYPES = [
    PageType("home", "/"),
    PageType("home-member", "/", user="anna"),
    PageType("agreements", "/agreements/"),
    PageType("agreement", "/agreements/tool-library/"),
    PageType("agreement-to-accept-again", "/agreements/tool-library/", user="boris"),
    PageType("agreement-procedure", "/agreements/amendments/"),
    PageType("version", "/agreements/tool-library/v/1/"),
    PageType("history", "/agreements/tool-library/history/"),
    PageType("diff", _latest_diff_url),
    PageType("amendments", "/amendments/"),
    PageType("amendments-of-one-agreement", "/amendments/?agreement=idea"),
    PageType("amendment-discussion", _amendment_url("discussion"), user="anna"),
    PageType("amendment-voting", _amendment_url("voting"), user="anna"),
    PageType("amendment-adopted", _amendment_url("adopted", kind="change")),
    PageType("amendment-needs-update", _amendment_url("needs_update")),
    PageType("amendment-revisions", _amendment_url("voting", "revisions/1..1/")),
    PageType("propose-change", "/amendments/new/?kind=change&agreement=tool-library", user="anna"),
    PageType("propose-new", "/amendments/new/", user="anna"),
    PageType(
        "amendment-edit",
        _amendment_url("discussion", "edit/", author__username="anna"),
        user="anna",
    ),  # fmt: skip
    PageType(
        "withdraw", _amendment_url("discussion", "withdraw/", author__username="anna"), user="anna"
    ),  # fmt: skip
    PageType("comment-edit", _comment_edit_url, user="anna"),
    PageType("news", "/news/", user="anna"),
    PageType("news-post", _post_url),
    PageType("news-event", _event_url),
    PageType("write-post", "/news/new/", user="anna"),
    PageType("notifications", "/notifications/", user="anna"),
    PageType("join", "/join/"),
    PageType("join-changes", "/join/", user="boris"),
    PageType("leave", "/join/leave/", user="anna"),
    PageType("community", "/community/"),
    PageType("profile", "/members/anna/"),
    PageType("settings", "/members/anna/settings/", user="anna"),
    PageType("signup", "/accounts/signup/"),
    PageType("login", "/accounts/login/"),
    PageType("password-reset", "/accounts/password/reset/"),
    PageType("password-change", "/accounts/password/", user="anna"),
    PageType("members", "/members/"),
    PageType("search", "/search/?q=tool"),
    PageType("leaflet", "/leaflet/"),
    PageType("agreement-leaflet", "/agreements/tool-library/leaflet/"),
    PageType("agreement-source", "/agreements/quiet-hours/source/"),
    PageType("borrow", "/amendments/borrow/", user="anna"),
    PageType("moderation-log", "/moderation/"),
    PageType("moderation-entry", lambda: _moderation_entry_url()),
    PageType("moderation-reports", "/moderation/reports/", user="fatima"),
    PageType("moderation-my-reports", "/moderation/reports/mine/", user="gleb"),
    PageType(
        "report", lambda: f"/moderation/report/amendment/{_amendment('voting').pk}/", user="gleb"
    ),
    PageType("comment-versions", lambda: _comment_versions_url()),
    PageType("occasions", "/occasions/"),
    PageType("occasion-closed", lambda: _occasion_url(closed=True)),
    PageType("occasion-open", lambda: _occasion_url(closed=False), user="anna"),
    PageType("occasion-account", lambda: _occasion_url(closed=True) + "account/", user="anna"),
    PageType("announce-occasion", "/occasions/new/", user="anna"),
    PageType("agreements-as-of", lambda: f"/agreements/?as_of={_founding_day()}"),
    PageType("not-allowed", "/amendments/new/", status=403),
    PageType("not-found", "/agreements/no-such-agreement/", status=404),
]


def log_in(page, base_url, username, password=None):
    """Log in through the form, as a person does (demo accounts share one password)."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password or DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose_language(context, base_url, language):
    """What the language switcher leaves behind: the language cookie."""
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
