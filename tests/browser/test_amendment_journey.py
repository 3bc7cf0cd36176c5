from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import cast_vote
from agreements.models import Agreement, Amendment
from tests.factories import PASSWORD, make_agreement, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, username):
    context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    return page


def test_a_change_is_proposed_discussed_voted_and_comes_into_force(
    browser, live_server, community, settings
):
    settings.SESSION_COOKIE_AGE = 90 * 24 * 3600  # the story spans more than two weeks
    tools = make_agreement(
        title="Tool library", body="Tools are lent for a week.\n\nReturn them clean."
    )
    alice, bob, carol, dave = (make_member(name) for name in ("alice", "bob", "carol", "dave"))

    author = log_in(browser, live_server, "alice")
    author.goto(live_server.url + tools.get_absolute_url())
    author.get_by_role("link", name="Propose a change").click()
    author.get_by_label("Title of the amendment").fill("Longer loans")
    text = author.get_by_label("Full proposed text (Markdown)")
    text.fill(text.input_value().replace("a week", "two weeks"))
    author.get_by_label("Rationale (Markdown)").fill("A week is too short.")
    author.get_by_role("button", name="Preview").click()
    assert author.locator(".preview ins").first.inner_text() == "two weeks"
    author.get_by_role("button", name="Publish the proposal").click()
    author.wait_for_url("**/amendments/*/")
    amendment = Amendment.objects.get()

    reader = log_in(browser, live_server, "bob")
    reader.goto(live_server.url + amendment.get_absolute_url())
    reader.get_by_label("Your comment (Markdown)").fill("Two weeks is **right**.")
    reader.get_by_role("button", name="Post the comment").click()
    assert reader.locator(".comment-body strong").inner_text() == "right"

    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        reader.reload()
        reader.get_by_role("button", name="Support").click()
        expect(reader.get_by_text("Your vote is recorded.")).to_be_visible()
        for member in (carol, dave):
            cast_vote(amendment=amendment, member=member, choice="support")

    with time_machine.travel(amendment.voting_ends_at + timedelta(days=3, minutes=1)):
        advance_amendments()
        author.goto(live_server.url + tools.get_absolute_url())
        assert "Tools are lent for two weeks." in author.locator(".agreement-text").inner_text()
        expect(author.get_by_text("Agreements changed since you accepted them")).to_be_visible()
        author.get_by_role("link", name="Tool library: what changed from version 1 to 2").click()
        author.get_by_role("button", name="Accept version 2").click()
        expect(author.get_by_text("Accepted: Tool library.")).to_be_visible()
        author.goto(live_server.url + tools.get_absolute_url())
        expect(author.get_by_text("You accept this agreement (version 2).")).to_be_visible()

    assert Agreement.objects.get(pk=tools.pk).version == 2
