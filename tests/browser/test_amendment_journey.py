"""Journey (b): a member proposes a change with a preview, another comments on a paragraph and
votes, time passes, the version takes effect, and a third member follows the banner to the diff
since their version and re-accepts in one press. Only time is moved by hand (and `advance`, which
cron runs every minute, is run when it would be)."""

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from agreements.amendments.advancing import advance_amendments
from agreements.models import Agreement, Amendment
from tests.factories import PASSWORD, make_agreement, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_change_is_proposed_discussed_voted_takes_effect_and_is_accepted_again(
    open_window, live_server, community, settings
):
    settings.SESSION_COOKIE_AGE = 90 * 24 * 3600  # the story spans weeks
    tools = make_agreement(
        title="Tool library", body="**Loans.** Tools are lent for a week.\n\nReturn them clean."
    )
    for name in ("alice", "bob", "carol"):
        make_member(name)
    alice, bob, carol = (open_window(user=n, password=PASSWORD) for n in ("alice", "bob", "carol"))

    alice.goto(live_server.url + tools.get_absolute_url())
    alice.get_by_role("link", name="Propose a change").click()
    alice.get_by_label("Title of the amendment").press_sequentially("Longer loans")
    text = alice.get_by_label("Full proposed text (Markdown)")
    text.fill(text.input_value().replace("a week", "two weeks"))
    alice.get_by_label("Rationale (Markdown)").press_sequentially("A week is too short.")
    alice.get_by_role("button", name="Preview").click()
    preview = alice.locator(".preview .diff:not(.diff-markdown)")
    expect(preview.locator("strong")).to_have_text("Loans.")
    expect(preview.locator("del")).to_have_text("a week")
    expect(preview.locator("ins")).to_have_text("two weeks")
    alice.get_by_role("button", name="Publish the proposal").click()
    alice.wait_for_url("**/amendments/*/")
    amendment = Amendment.objects.get()

    bob.goto(live_server.url + amendment.get_absolute_url())
    bob.get_by_label("Your comment (Markdown)").press_sequentially("Two weeks is **right**.")
    bob.get_by_label("About paragraph").select_option(label="¶ 1")
    bob.get_by_role("button", name="Post the comment").click()
    comment = bob.locator(".comment").first
    expect(comment.locator(".comment-body strong")).to_have_text("right")
    expect(comment.get_by_text("about ¶ 1")).to_be_visible()

    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        for voter in (bob, alice, carol):
            voter.goto(live_server.url + amendment.get_absolute_url())
            voter.get_by_role("button", name="Support").click()
            expect(voter.get_by_text("Your vote is recorded.")).to_be_visible()
        chosen = bob.locator(".vote-form button[aria-pressed=true]")
        bob.reload()
        expect(chosen).to_have_text("✓ Support your vote")

    with time_machine.travel(amendment.voting_ends_at + timedelta(minutes=1)):
        advance_amendments()
    amendment.refresh_from_db()
    with time_machine.travel(amendment.effective_at + timedelta(minutes=1)):
        advance_amendments()
        carol.goto(live_server.url + "/")
        banner = carol.get_by_role(
            "complementary", name="Agreements changed since you accepted them"
        )
        expect(carol.locator(".site-header .standing")).to_contain_text("changes to accept")
        banner.get_by_role("link", name="Tool library: what changed from version 1 to 2").click()
        carol.wait_for_url(f"**{tools.diff_url(1, 2)}")
        expect(carol.locator(".diff:not(.diff-markdown) ins")).to_have_text("two weeks")
        carol.get_by_role("button", name="Accept version 2").click()

        expect(carol.get_by_text("Accepted: Tool library.")).to_be_visible()
        expect(carol.locator(".standing-notice")).to_have_count(0)
        expect(carol.locator(".site-header .standing")).to_have_text("✓ member, in good standing")

    assert Agreement.objects.get(pk=tools.pk).version == 2
