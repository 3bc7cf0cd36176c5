import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_and_an_agreement_opens_from_it(page, live_server, community):
    page.goto(live_server.url + "/")

    assert page.locator("h1").first.inner_text() == "Our idea"
    page.get_by_role("link", name="Rule by public agreements").first.click()

    page.wait_for_url("**/agreements/public-agreements/")
    assert page.locator("h1").inner_text() == "Rule by public agreements"
    assert page.locator(".clause").count() >= 3
    assert (
        page.locator("#p-1 a.clause-link")
        .get_attribute("href")
        .endswith("/agreements/public-agreements/v/1/#p-1")
    )
