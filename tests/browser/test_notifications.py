"""Journey (c): a member follows an amendment and sees a notification of what happened there."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_agreement, make_amendment, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_follows_an_amendment_and_is_notified_of_a_comment(
    open_window, live_server, community
):
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    make_member("alice")
    amendment = make_amendment(author=make_member("bob"), agreement=garden, title="Water more")
    alice, bob = (open_window(user=name, password=PASSWORD) for name in ("alice", "bob"))

    alice.goto(live_server.url + amendment.get_absolute_url())
    follow = alice.get_by_role("button", name="Follow")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(alice.get_by_text("You follow this now")).to_be_visible()
    following = alice.get_by_role("button", name="Following — stop")
    expect(following).to_have_attribute("aria-pressed", "true")

    bob.goto(live_server.url + amendment.get_absolute_url())
    bob.get_by_label("Your comment (Markdown)").press_sequentially("Mornings are better.")
    bob.get_by_role("button", name="Post the comment").click()
    expect(bob.get_by_text("Mornings are better.")).to_be_visible()

    alice.goto(live_server.url + "/")
    expect(alice.locator(".notifications-link .count-badge")).to_have_text("1")
    alice.get_by_role("link", name="Notifications").click()
    alice.get_by_role("link", name="bob commented on “Water more”").click()
    expect(alice.get_by_text("Mornings are better.")).to_be_visible()
