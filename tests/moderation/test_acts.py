"""Moderators' acts: public, reasoned, citing a clause; nothing is deleted, everything readable."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from django.utils.formats import date_format

from agreements.models import Amendment, Comment
from moderation.models import ModerationAction, Report
from news.services import publish_post
from tests.factories import make_amendment, make_member
from tests.forms import submit

from .conftest import MODERATION_CLAUSE


def hide(client, kind, pk, **changes):
    fields = {"reason": "It mocks a member.", "clause": MODERATION_CLAUSE, **changes}
    return submit(client, f"/moderation/act/{kind}/{pk}/", containing="reason", **fields)


def test_a_moderator_hides_a_comment_which_stays_readable_behind_one_click(
    client, moderator, comment
):
    client.force_login(moderator)

    response = hide(client, "comment", comment.pk, act="hide:comment")

    entry = ModerationAction.objects.get(act="hide")
    assert response["Location"] == entry.get_absolute_url()
    comment.refresh_from_db()
    assert Comment.objects.filter(pk=comment.pk).exists(), "nothing is deleted"
    assert comment.body == "Tuesdays are *too dry*."
    client.logout()
    page = client.get(comment.amendment.get_absolute_url()).content.decode()
    date = date_format(timezone.localtime(entry.created_at), "DATE_FORMAT")
    assert f"Hidden by @mod on {date}:" in page
    assert "It mocks a member." in page
    assert f'<a href="{MODERATION_CLAUSE}">Power is public and accountable, § 3 (v1)</a>' in page
    assert f'<a href="{entry.get_absolute_url()}">' in page
    hidden = page.split('<details class="hidden-original">', 1)[1].split("</details>", 1)[0]
    assert "Show the hidden text" in hidden and "<em>too dry</em>" in hidden
    entry_page = client.get(entry.get_absolute_url()).content.decode()
    assert "<em>too dry</em>" in entry_page and "@alice" in entry_page
    feed = client.get(f"/amendments/{comment.amendment_id}/feed.atom").content.decode()
    assert "too dry" not in feed and "Hidden by @mod" in feed


def test_restoring_is_an_act_of_its_own(client, moderator, comment):
    client.force_login(moderator)
    hide(client, "comment", comment.pk, act="hide:comment")

    hide(client, "comment", comment.pk, act="restore:comment", reason="Misread it.")

    comment.refresh_from_db()
    assert comment.hidden is None
    acts = ModerationAction.objects.exclude(act="grant").order_by("id")
    assert list(acts.values_list("act", flat=True)) == ["hide", "restore"]


def test_an_act_without_reason_or_with_a_clause_that_does_not_exist_is_refused_keeping_input(
    client, moderator, comment
):
    client.force_login(moderator)

    no_reason = hide(client, "comment", comment.pk, act="hide:comment", reason="")
    bad_clause = hide(
        client,
        "comment",
        comment.pk,
        act="hide:comment",
        reason="Kept reason",
        clause="/agreements/public-power/v/1/#p-999",
    )
    not_a_link = hide(
        client, "comment", comment.pk, act="hide:comment", reason="r", clause="section five"
    )

    assert "This field is required." in no_reason.content.decode()
    page = bad_clause.content.decode()
    assert "has no paragraph 999" in page
    assert "Kept reason" in page
    assert "Cite a paragraph by its permanent link" in not_a_link.content.decode()
    assert not ModerationAction.objects.exclude(act="grant").exists()
    comment.refresh_from_db()
    assert comment.hidden is None


def test_members_without_power_cannot_act(client, alice, comment, garden):
    bob = make_member("bob")
    client.force_login(bob)

    assert client.get(f"/moderation/act/comment/{comment.pk}/").status_code == 403
    response = client.post(
        f"/moderation/act/comment/{comment.pk}/",
        {"act": "hide:comment", "reason": "r", "clause": MODERATION_CLAUSE},
    )

    assert response.status_code == 403
    assert not ModerationAction.objects.exists()


def test_no_one_acts_on_their_own_content(client, moderator, amendment):
    from agreements.amendments.services import post_comment

    own = post_comment(amendment=amendment, author=moderator, body="Mine.")
    client.force_login(moderator)

    response = hide(client, "comment", own.pk, act="hide:comment")

    assert response.status_code == 403
    assert not ModerationAction.objects.exclude(act="grant").exists()


def test_a_locked_thread_takes_no_comment_and_says_why(client, moderator, amendment, alice):
    client.force_login(moderator)
    hide(client, "amendment", amendment.pk, act="lock:thread", reason="Heated; pausing.")

    client.force_login(alice)
    page = client.get(amendment.get_absolute_url()).content.decode()
    response = client.post(f"/amendments/{amendment.pk}/comments/", {"body": "More!"})

    assert "Locked by @mod on" in page and "Heated; pausing." in page
    assert 'id="comment-form"' not in page
    assert response.status_code == 400
    assert "Locked by @mod on" in response.content.decode()
    assert not Comment.objects.filter(body="More!").exists()

    client.force_login(moderator)
    hide(client, "amendment", amendment.pk, act="unlock:thread", reason="Calm again.")
    client.force_login(alice)
    assert (
        client.post(f"/amendments/{amendment.pk}/comments/", {"body": "More!"}).status_code == 302
    )


def test_a_hidden_amendment_is_named_by_number_everywhere_its_words_were(
    client, moderator, amendment
):
    client.force_login(moderator)
    hide(client, "amendment", amendment.pk, act="hide:amendment")
    client.logout()

    pages = {
        "list": client.get("/amendments/").content.decode(),
        "detail": client.get(amendment.get_absolute_url()).content.decode(),
        "news": client.get("/news/").content.decode(),
        "feed": client.get("/news/feed.atom").content.decode(),
        "agreement feed": client.get("/agreements/garden/feed.atom").content.decode(),
    }

    label = f"Amendment #{amendment.pk} (hidden by a moderator)"
    for name, page in pages.items():
        assert label in page, name
    for name in ("list", "news", "feed", "agreement feed"):
        assert "Water more" not in pages[name], name
    detail = pages["detail"]
    assert "Show the hidden title" in detail and "Water more" in detail.split("hidden-original")[1]


def test_a_suspended_member_reads_and_votes_but_does_not_write_and_sees_why_and_until_when(
    client, moderator, alice, amendment, garden
):
    client.force_login(moderator)
    hide(client, "member", alice.pk, act="suspend:member", days="3", reason="Spam in threads.")
    entry = ModerationAction.objects.get(act="suspend")
    assert entry.ends_at == entry.created_at + timedelta(days=3)

    client.force_login(alice)
    home = client.get("/").content.decode()
    comment = client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Hi"})
    propose = client.get(f"/amendments/new/?kind=change&agreement={garden.slug}")
    post = client.post("/news/new/", {"title": "T", "body": "B"})

    assert "Your writing is suspended until" in home
    assert "Spam in threads." in home and entry.get_absolute_url() in home
    assert comment.status_code == 403
    assert "Your writing is suspended until" in comment.content.decode()
    assert propose.status_code == 403 and post.status_code == 403
    assert not Comment.objects.filter(body="Hi").exists()
    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        voted = client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})
        assert voted.status_code == 302
    assert Amendment.objects.get(pk=amendment.pk).support_count == 1
    with time_machine.travel(entry.ends_at + timedelta(minutes=1)):
        assert "Your writing is suspended" not in client.get("/").content.decode()
        assert client.post(
            f"/amendments/{amendment.pk}/comments/", {"body": "Back"}
        ).status_code in (
            302,
            400,  # the discussion may have closed by then; never refused as suspended
        )


def test_lifting_a_suspension(client, moderator, alice):
    client.force_login(moderator)
    hide(client, "member", alice.pk, act="suspend:member", days="30")
    hide(client, "member", alice.pk, act="lift:member", reason="Apologised.")

    alice.refresh_from_db()
    assert not alice.is_suspended()


def test_a_suspension_needs_its_number_of_days(client, moderator, alice):
    client.force_login(moderator)

    response = hide(client, "member", alice.pk, act="suspend:member", days="")

    assert "Say for how many days." in response.content.decode()
    alice.refresh_from_db()
    assert alice.suspended_until is None


def test_hiding_a_display_name_leaves_the_username_everywhere(client, moderator, alice, comment):
    client.force_login(moderator)
    hide(client, "member", alice.pk, act="hide:display_name", reason="Impersonates a neighbour.")
    client.logout()

    thread = client.get(comment.amendment.get_absolute_url()).content.decode()
    profile = client.get("/members/alice/").content.decode()

    assert "Alice A." not in thread
    assert ">@alice</a>" in thread
    assert "<h1>alice</h1>" in profile
    assert "Impersonates a neighbour." in profile
    assert "Alice A." in profile.split("Show the hidden display name")[1]


def test_hiding_profile_text_and_a_post(client, moderator, alice):
    from members.services import update_profile

    update_profile(member=alice, bio="Buy my watches at evil.example")
    post = publish_post(author=alice, title="Cheap watches", body="Buy now.")
    client.force_login(moderator)
    hide(client, "member", alice.pk, act="hide:profile", reason="Advertising.")
    hide(client, "post", post.pk, act="hide:post", reason="Advertising.")
    client.logout()

    profile = client.get("/members/alice/").content.decode()
    item = client.get(post.get_absolute_url()).content.decode()
    news = client.get("/news/").content.decode()
    feed = client.get("/news/feed.atom").content.decode()

    assert "Advertising." in profile
    assert "Buy my watches" in profile.split("Show the hidden profile text")[1]
    assert f"Post #{post.pk} (hidden by a moderator)" in item
    assert "Buy now." in item.split("Show the hidden post")[1]
    assert "Cheap watches" not in news and "Cheap watches" not in feed
    assert "Buy now." not in feed


def test_a_hidden_comment_or_post_cannot_be_edited_by_its_author(client, moderator, alice, comment):
    post = publish_post(author=alice, title="T", body="B")
    client.force_login(moderator)
    hide(client, "comment", comment.pk, act="hide:comment")
    hide(client, "post", post.pk, act="hide:post")
    client.force_login(alice)

    edit_comment = client.post(
        f"/amendments/{comment.amendment_id}/comments/{comment.pk}/edit/", {"body": "Rewritten"}
    )
    edit_post = client.post(f"/news/{post.pk}/edit/", {"title": "T2", "body": "Rewritten"})

    assert edit_comment.status_code == 302 and edit_post.status_code == 403
    comment.refresh_from_db()
    post.refresh_from_db()
    assert comment.body == "Tuesdays are *too dry*." and post.body == "B"


def test_acting_on_what_was_reported_answers_every_report_about_it(
    client, moderator, alice, comment, garden
):
    bob, carol = make_member("bob"), make_member("carol")
    reports = [
        Report.objects.create(reporter=reporter, target="comment", comment=comment, reason="Rude.")
        for reporter in (bob, carol)
    ]
    other = Report.objects.create(
        reporter=bob, target="profile", member=alice, reason="Something else."
    )
    client.force_login(moderator)

    queue = client.get("/moderation/reports/").content.decode()
    assert f'href="/moderation/act/comment/{comment.pk}/"' in queue
    hide(client, "comment", comment.pk, act="hide:comment", reason="Rude.")

    for report in reports:
        report.refresh_from_db()
        assert report.outcome == "acted" and report.action.act == "hide"
    other.refresh_from_db()
    assert other.outcome == ""


def test_the_moderation_links_show_only_to_those_who_may_use_them(
    client, moderator, alice, comment
):
    url = comment.amendment.get_absolute_url()
    act = f"/moderation/act/comment/{comment.pk}/"
    report = f"/moderation/report/comment/{comment.pk}/"

    anonymous = client.get(url).content.decode()
    client.force_login(alice)
    author = client.get(url).content.decode()
    client.force_login(moderator)
    mod = client.get(url).content.decode()

    assert act not in anonymous and report not in anonymous
    assert act not in author and report not in author
    assert act in mod and report in mod


def test_an_amendment_by_someone_else_can_be_hidden_even_while_voting(
    client, moderator, alice, garden
):
    amendment = make_amendment(author=alice, agreement=garden, title="Another")
    client.force_login(moderator)
    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        hide(client, "amendment", amendment.pk, act="hide:amendment")
        page = client.get(amendment.get_absolute_url()).content.decode()
    assert "Votes" in page and 'name="choice"' in page, "hiding words never stops the decision"
