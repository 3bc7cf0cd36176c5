"""Journey (d): a visitor reads the news, opens the Atom feed, switches to Russian and back."""

import pytest
from playwright.sync_api import expect

from news.services import publish_post
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_the_news_opens_the_feed_and_switches_language(
    open_window, live_server, community, javascript
):
    publish_post(
        author=make_member("alice"), title="Seed swap", body="Bring **seeds** on Saturday."
    )
    page = open_window()
    page.goto(live_server.url + "/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="News").click()
    page.wait_for_url("**/news/")
    page.get_by_role("link", name="Seed swap").click()
    expect(page.locator(".post-body strong")).to_have_text("seeds")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="News").click()
    feed_link = page.locator("main").get_by_role("link", name="Atom feed")
    with page.expect_response(lambda r: r.url.endswith("/news/feed.atom")) as feed:
        feed_link.click()
    assert feed.value.headers["content-type"].startswith("application/atom+xml")
    assert "<title>Seed swap</title>" in feed.value.text()
    page.go_back()
    page.wait_for_url("**/news/")

    switcher = page.get_by_label("Language")
    if javascript:
        # Moving through the options with the keyboard does not switch the page by itself.
        switcher.focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(300)
        expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher.select_option("ru")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Новости")
    assert page.url.endswith("/news/")

    page.get_by_label("Язык").select_option("en")
    page.get_by_role("button", name="Сменить").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("News")
