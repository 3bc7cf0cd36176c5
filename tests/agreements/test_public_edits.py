"""Nothing is rewritten in secret: every edit of a comment or a post keeps the earlier text in
public, and only members in good standing edit, only while the discussion is open."""

from datetime import timedelta

import pytest
import time_machine

from agreements.amendments.services import NotAllowed, post_comment, revise_amendment
from agreements.models import Comment
from news.services import publish_post
from tests.factories import make_agreement, make_amendment, make_member
from tests.forms import submit


@pytest.fixture
def thread(community):
    garden = make_agreement(title="Garden", body="Beds.\n\nWater.\n")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden, title="Water more")
    comment = post_comment(amendment=amendment, author=alice, body="First words.")
    return alice, amendment, comment


def edit(client, comment, body):
    return submit(
        client,
        f"/amendments/{comment.amendment_id}/comments/{comment.pk}/edit/",
        containing="body",
        body=body,
    )


def test_every_edit_of_a_comment_stays_public(client, thread):
    alice, amendment, comment = thread
    client.force_login(alice)

    edit(client, comment, "Second words.")
    edit(client, comment, "Third words.")
    client.logout()

    page = client.get(amendment.get_absolute_url()).content.decode()
    versions = client.get(f"/amendments/{amendment.pk}/comments/{comment.pk}/versions/")
    text = versions.content.decode()
    assert "Third words." in page
    assert f'href="/amendments/{amendment.pk}/comments/{comment.pk}/versions/"' in page
    assert "edited 2×: see earlier versions" in page
    assert versions.status_code == 200
    assert text.index("Third words.") < text.index("Second words.") < text.index("First words.")
    assert "first version" in text and "current version" in text


def test_saving_the_same_text_is_not_an_edit(client, thread):
    alice, _amendment, comment = thread
    client.force_login(alice)

    edit(client, comment, "First words.")

    comment.refresh_from_db()
    assert comment.edit_count == 0 and comment.edited_at is None


def test_a_comment_is_not_edited_after_the_discussion_closed(client, thread):
    alice, amendment, comment = thread

    with time_machine.travel(amendment.voting_ends_at + timedelta(days=1)):
        client.force_login(alice)
        page = client.get(amendment.get_absolute_url()).content.decode()
        response = client.post(
            f"/amendments/{amendment.pk}/comments/{comment.pk}/edit/", {"body": "Rewritten"}
        )
        followed = client.get(response["Location"])

    assert f"/comments/{comment.pk}/edit/" not in page
    assert response.status_code == 302
    assert "can no longer be edited" in followed.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First words."


def test_a_comment_is_not_edited_by_its_author_after_leaving(client, thread):
    from members.services import leave

    alice, amendment, comment = thread
    leave(member=alice)
    client.force_login(alice)

    response = client.post(
        f"/amendments/{amendment.pk}/comments/{comment.pk}/edit/", {"body": "Rewritten"}
    )

    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "First words."


def test_every_edit_of_a_post_stays_public(client, community):
    alice = make_member("alice")
    post = publish_post(author=alice, title="Meeting", body="On Saturday.")
    client.force_login(alice)

    for n, body in enumerate(("On Sunday.", "On Monday."), start=1):
        submit(client, f"/news/{post.pk}/edit/", containing="body", title=f"Meeting {n}", body=body)
    client.logout()

    page = client.get(post.get_absolute_url()).content.decode()
    listing = client.get("/news/").content.decode()
    assert "edited 2×: see earlier versions" in page
    versions = page.split('id="versions"')[1]
    for text in ("On Saturday.", "On Sunday.", "On Monday.", "Meeting 1", "Meeting"):
        assert text in versions
    assert "edited 2×" in listing


def test_resolving_an_amendment_needs_good_standing(thread):
    from agreements.services import publish_version

    alice, amendment, _comment = thread
    publish_version(agreement=amendment.agreement, body="Beds.\n\nWater daily.\n", note="Daily.")
    alice.refresh_from_db()

    with pytest.raises(NotAllowed, match="Only members in good standing"):
        revise_amendment(
            amendment=amendment,
            author=alice,
            title="Water more",
            body="Beds.\n\nWater always.\n",
            rationale="r",
            note="n",
        )
