import pytest

from agreements.amendments.services import post_comment
from moderation.services import act, grant_power
from tests.factories import make_agreement, make_amendment, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CLAUSE = "/agreements/public-power/v/1/#p-3"


def test_a_hidden_comment_is_one_click_away_and_the_policy_blocks_nothing_of_ours(
    page, live_server, community, superuser
):
    garden = make_agreement(title="Garden", body="Beds.\n")
    alice, mod = make_member("alice"), make_member("mod")
    grant_power(installer=superuser, member=mod, reason="Chosen.", clause=CLAUSE)
    amendment = make_amendment(author=alice, agreement=garden, title="Water more")
    comment = post_comment(amendment=amendment, author=alice, body="A *rude* remark.")
    act(moderator=mod, act="hide", target="comment", pk=comment.pk, reason="Rude.", clause=CLAUSE)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(live_server.url + amendment.get_absolute_url())

    hidden = page.locator(f"#comment-{comment.pk}")
    assert "Hidden by @mod" in hidden.inner_text()
    assert not hidden.locator("em", has_text="rude").is_visible()
    hidden.get_by_text("Show the hidden text").click()
    assert hidden.locator("em", has_text="rude").is_visible()
    page.get_by_role("link", name="the moderation entry and its appeal").click()
    page.wait_for_url("**/moderation/*/")
    assert "Appeal" in page.locator("main").inner_text()
    assert violations == []
