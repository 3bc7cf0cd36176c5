"""Journey (e): with the keyboard only, the join form and the comment form are reached and sent."""

import pytest
from playwright.sync_api import expect

from agreements.models import Comment
from tests.factories import PASSWORD, make_agreement, make_amendment, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, target, limit=60):
    """Press Tab until `target` has the focus, as a keyboard user would; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline != "none", "the focus must be visible"
            return
    pytest.fail(f"{target} cannot be reached with Tab")


def test_the_join_and_comment_forms_work_from_the_keyboard(open_window, live_server, community):
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    amendment = make_amendment(author=make_member("bob"), agreement=garden, title="Water more")
    make_user("newcomer")
    page = open_window()

    page.goto(live_server.url + "/accounts/login/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("newcomer")
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/join/")
    tab_to(page, page.get_by_role("button", name="I accept all"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are a member now. Welcome!")).to_be_visible()

    page.goto(live_server.url + amendment.get_absolute_url())
    tab_to(page, page.get_by_label("Your comment (Markdown)"))
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, page.get_by_role("button", name="Post the comment"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Typed without a mouse.")).to_be_visible()
    assert Comment.objects.get().author.username == "newcomer"
