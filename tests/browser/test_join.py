"""Journey (a): a newcomer reads the idea, signs up, joins, is shown as a member and what to do
next."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_reads_the_idea_signs_up_joins_and_is_shown_what_to_do_next(
    open_window, live_server, community
):
    page = open_window()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our idea")
    expect(page.get_by_text("We unite to keep a garden, lend tools")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join").click()
    expect(page.locator("summary", has_text="Rule by public agreements")).to_be_visible()
    page.get_by_role("link", name="Sign up to join").click()

    page.get_by_label("Username").press_sequentially("newcomer")
    page.locator("#id_password1").press_sequentially("correct-horse-battery-9")
    page.get_by_label("Password confirmation").press_sequentially("correct-horse-battery-9")
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url("**/join/")
    page.get_by_role("button", name="I accept all").click()
    expect(page.get_by_text("You are a member now. Welcome!")).to_be_visible()
    header = page.locator(".site-header")
    expect(header.locator(".standing")).to_have_text("✓ member, in good standing")
    expect(header.get_by_role("link", name="Join")).to_have_count(0)

    steps = page.get_by_role("region", name="What to do next")
    expect(steps).to_be_visible()
    steps.get_by_role("link", name="Read the news").click()
    page.wait_for_url("**/news/")
    expect(page.get_by_role("heading", level=1)).to_have_text("News")

    page.get_by_role("link", name="newcomer").click()
    page.wait_for_url("**/members/newcomer/")
    expect(page.get_by_text("member in good standing")).to_be_visible()
