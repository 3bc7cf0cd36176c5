import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_signs_up_joins_and_is_a_member(page, live_server, community):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join").click()
    page.get_by_role("link", name="Sign up to join").click()

    page.get_by_label("Username").fill("newcomer")
    page.locator("#id_password1").fill("correct-horse-battery-9")
    page.get_by_label("Password confirmation").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url("**/join/")
    page.get_by_role("button", name="I accept all").click()
    expect(page.get_by_text("You are a member now. Welcome!")).to_be_visible()

    page.get_by_role("link", name="newcomer").click()
    page.wait_for_url("**/members/newcomer/")
    expect(page.get_by_text("member in good standing")).to_be_visible()
