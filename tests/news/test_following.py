"""Following, notifications to followers only, unread counts, digests."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from agreements.amendments.services import post_comment
from agreements.services import publish_version
from members.models import Follow
from news.models import Notification
from news.services import send_digests
from tests.factories import make_agreement, make_amendment, make_member
from tests.html_checks import buttons


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body="Beds are shared.\n")


def test_follow_and_unfollow_an_agreement_an_amendment_and_a_member(client, garden):
    alice, bob = make_member("alice"), make_member("bob")
    amendment = make_amendment(author=bob, agreement=garden)
    client.force_login(alice)

    for field, value in (
        ("agreement", garden.slug),
        ("amendment", amendment.pk),
        ("member", "bob"),
    ):
        response = client.post("/follow/", {field: value, "next": "/news/"})
        assert response["Location"] == "/news/"
        client.post("/follow/", {field: value})  # following twice changes nothing
    assert Follow.objects.filter(member=alice).count() == 3
    for url in (garden.get_absolute_url(), amendment.get_absolute_url(), "/members/bob/"):
        page = client.get(url).content.decode()
        [button] = [b for b in buttons(page) if "toggle" in b.get("class", "")]
        assert (button["aria-pressed"], button["text"]) == ("true", "✓ Following — stop")

    client.post("/follow/", {"agreement": garden.slug, "action": "unfollow"})
    assert not Follow.objects.filter(member=alice, agreement=garden).exists()
    page = client.get(garden.get_absolute_url()).content.decode()
    [button] = [b for b in buttons(page) if "toggle" in b.get("class", "")]
    assert (button["aria-pressed"], button["text"]) == ("false", "Follow")
    assert client.post("/follow/", {"agreement": "nope"}).status_code == 404
    assert client.post("/follow/", {}).status_code == 404


def test_following_needs_login(client, garden):
    response = client.post("/follow/", {"agreement": garden.slug})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_proposing_and_commenting_follow_automatically_unless_turned_off(garden):
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    carol.auto_follow = False
    carol.save()
    amendment = make_amendment(author=alice, agreement=garden)

    post_comment(amendment=amendment, author=bob, body="Yes.")
    post_comment(amendment=amendment, author=carol, body="No.")

    followers = set(
        Follow.objects.filter(amendment=amendment).values_list("member__username", flat=True)
    )
    assert followers == {"alice", "bob"}


def test_notifications_go_to_followers_only_and_never_to_the_actor(client, garden):
    alice, bob, carol, dave = (make_member(n) for n in ("alice", "bob", "carol", "dave"))
    Follow.objects.create(member=carol, agreement=garden)
    Follow.objects.create(member=dave, followed_member=alice)
    amendment = make_amendment(author=alice, agreement=garden, title="Water more")

    post_comment(amendment=amendment, author=bob, body="Agreed.")

    def got(member):
        return list(
            Notification.objects.filter(recipient=member).values_list(
                "item__event", "comment__body"
            )
        )

    assert got(alice) == [(None, "Agreed.")]  # she follows her own proposal; not her own event
    assert got(bob) == []  # he wrote the comment
    assert got(carol) == [("proposed", None)]  # follows the agreement: hears of the proposal
    assert got(dave) == [("proposed", None)]  # follows alice


def test_unread_count_in_the_header_and_marking_read(client, garden):
    alice, bob = make_member("alice"), make_member("bob")
    amendment = make_amendment(author=alice, agreement=garden)
    for n in range(3):
        post_comment(amendment=amendment, author=bob, body=f"Comment {n}")
    client.force_login(alice)

    page = client.get("/").content.decode()
    assert 'class="count-badge" aria-label="3 unread">3</span>' in page
    listing = client.get("/notifications/").content.decode()
    assert listing.count("bob commented on") == 3

    client.post("/notifications/read/")

    assert "count-badge" not in client.get("/").content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_notifications_page_needs_login(client, community):
    assert client.get("/notifications/").status_code == 302


def test_new_comments_are_marked_since_the_last_visit_to_the_thread(client, garden):
    alice, bob = make_member("alice"), make_member("bob")
    amendment = make_amendment(author=alice, agreement=garden)
    post_comment(amendment=amendment, author=bob, body="Before.")
    client.force_login(alice)
    client.get(amendment.get_absolute_url())
    post_comment(
        amendment=amendment, author=bob, body="After.", now=timezone.now() + timedelta(seconds=5)
    )

    page = client.get(amendment.get_absolute_url()).content.decode()

    after = page.index("After.")
    before = page.index("Before.")
    assert "new-marker" in page[page.rindex('<article class="comment', 0, after) : after]
    assert "new-marker" not in page[page.rindex('<article class="comment', 0, before) : before]


def test_daily_digest_for_those_who_asked(garden):
    alice = make_member("alice", email="alice@example.org", email_digest=True)
    make_member("nodigest", email="no@example.org")
    make_member("noemail", email_digest=True)
    Follow.objects.create(member=alice, agreement=garden)
    publish_version(agreement=garden, body="Beds are shared fairly.\n", note="Fairer.")

    assert send_digests() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "Version 2 in force: Garden" in message.body
    assert f"/agreements/{garden.slug}/diff/1..2/" in message.body
    assert send_digests() == 0, "nothing new since the last digest"


def test_digest_is_in_the_members_language(garden):
    alice = make_member("alice", email="a@example.org", email_digest=True, language="ru")
    Follow.objects.create(member=alice, agreement=garden)
    publish_version(agreement=garden, body="Changed.\n", note="x")

    call_command("send_digests")

    body = mail.outbox[0].body
    assert body.startswith("Здравствуйте, alice!")
    assert "Действует версия 2: Garden" in body


def test_settings_ask_for_an_email_before_a_digest(client, community):
    alice = make_member("alice")
    client.force_login(alice)

    response = client.post(
        "/members/alice/settings/", {"language": "en", "email_digest": "on", "auto_follow": "on"}
    )

    assert "A digest needs an email address to go to." in response.content.decode()
