"""A member behind on a changed agreement follows the banner and accepts again in one press, in
a real browser, with JavaScript and without."""

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement
from agreements.services import publish_version
from members.models import User
from tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_banner_leads_to_a_one_press_acceptance(browser, live_server, community, javascript):
    make_member("boris")
    for slug in ("membership", "idea"):
        agreement = Agreement.objects.get(slug=slug)
        publish_version(agreement=agreement, body=agreement.body + "\n\nA new clause.\n", note="x")
    context = browser.new_context(locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("boris")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    banner = page.get_by_role("complementary", name="Agreements changed since you accepted them")
    expect(banner).to_be_visible()
    banner.get_by_role("link", name="Review and accept the new versions").click()
    expect(
        page.get_by_text("What changed from version 1 (yours) to version 2 (in force)")
    ).to_have_count(2)
    page.get_by_role("button", name="Accept all 2 new versions").click()

    expect(page.get_by_text("Accepted:")).to_be_visible()
    expect(page.get_by_text("You are a member in good standing")).to_be_visible()
    expect(
        page.get_by_role("complementary", name="Agreements changed since you accepted them")
    ).to_have_count(0)
    assert User.objects.get(username="boris").is_in_good_standing
    context.close()
