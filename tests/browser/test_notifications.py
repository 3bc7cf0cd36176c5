import pytest
from playwright.sync_api import expect

from agreements.amendments.services import post_comment
from tests.browser.test_amendment_journey import log_in
from tests.factories import make_agreement, make_amendment, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_follower_is_notified_of_a_new_comment(browser, live_server, community):
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    make_member("alice")
    bob = make_member("bob")
    amendment = make_amendment(author=bob, agreement=garden, title="Water more")

    page = log_in(browser, live_server, "alice")
    page.goto(live_server.url + amendment.get_absolute_url())
    page.get_by_role("button", name="Follow").click()
    following = page.get_by_role("button", name="Following — stop")
    expect(following).to_have_attribute("aria-pressed", "true")

    post_comment(amendment=amendment, author=bob, body="Mornings are better.")

    page.goto(live_server.url + "/")
    badge = page.locator(".notifications-link .count-badge")
    expect(badge).to_have_text("1")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="bob commented on “Water more”").click()
    expect(page.get_by_text("Mornings are better.")).to_be_visible()
