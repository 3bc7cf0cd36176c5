"""Login throttling per username (from every address) and per client address (over every
username), with the client address read correctly behind the configured proxies only; and
per-member and per-address rate limits with a clear message and the time to wait."""

import uuid

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from agreements.models import Amendment, Comment
from config.ratelimit import client_address
from members.models import User
from news.models import NewsItem
from tests.factories import PASSWORD, make_agreement, make_amendment, make_member, make_user


def login(address, username, password="wrong", forwarded=None):  # noqa: S107
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client(**headers).post("/accounts/login/", {"username": username, "password": password})


def test_one_username_is_throttled_across_all_addresses(community):
    make_user("alice")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(f"198.51.100.{n}", "alice")

    locked = login("203.0.113.50", "alice", PASSWORD)

    assert locked.status_code == 429
    assert "Try again in 15 minutes." in locked.content.decode()


def test_one_address_is_throttled_across_all_usernames(community):
    names = [make_user(f"user{n}").username for n in range(8)]
    for name in names[: settings.AXES_FAILURE_LIMIT - 1]:
        assert login("198.51.100.7", name).status_code == 200
    assert login("198.51.100.7", names[settings.AXES_FAILURE_LIMIT - 1]).status_code == 429

    locked = login("198.51.100.7", names[-1], PASSWORD)

    assert locked.status_code == 429
    assert login("203.0.113.8", names[-1], PASSWORD).status_code == 302


def test_without_a_configured_proxy_a_forged_forwarded_header_is_ignored(community, settings):
    settings.TRUSTED_PROXIES = 0
    make_user("alice")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login("198.51.100.9", f"nobody{n}", forwarded=f"192.0.2.{n}")

    assert login("198.51.100.9", "alice", PASSWORD, forwarded="192.0.2.200").status_code == 429


def test_behind_one_proxy_each_client_is_counted_apart(community, settings):
    settings.TRUSTED_PROXIES = 1
    make_user("alice")
    make_user("bob")
    proxy = "10.0.0.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(proxy, f"nobody{n}", forwarded="evil-forged, 192.0.2.66")

    # The attacker is locked out; someone else behind the same proxy is not.
    assert login(proxy, "alice", PASSWORD, forwarded="192.0.2.66").status_code == 429
    assert login(proxy, "bob", PASSWORD, forwarded="203.0.113.1").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "1.2.3.4", "198.51.100.1"),
        (1, "10.0.0.1", "1.2.3.4", "1.2.3.4"),
        (1, "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (2, "10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.1", "1.2.3.4"),
        (2, "10.0.0.2", "1.2.3.4", "10.0.0.2"),
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


@pytest.fixture
def limited(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "comment": (2, 3600),
        "propose": (1, 86400),
        "post": (1, 86400),
        "signup": (2, 3600),
    }


def test_comments_are_limited_per_member_with_the_time_to_wait(client, community, limited):
    garden = make_agreement(title="Garden", body="Beds.\n")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    client.force_login(alice)

    for body in ("One", "Two"):
        assert (
            client.post(f"/amendments/{amendment.pk}/comments/", {"body": body}).status_code == 302
        )
    third = client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Three, kept"})

    assert third.status_code == 429
    page = third.content.decode()
    assert "You have reached the limit for comments: at most 2 in 1\xa0hour." in page
    assert "Please wait" in page and "Three, kept" in page
    assert Comment.objects.count() == 2
    other = make_member("bob")
    client.force_login(other)
    assert client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Bob"}).status_code == 302


def test_proposals_and_posts_are_limited_per_member(client, community, limited):
    alice = make_member("alice")
    client.force_login(alice)
    proposal = {"title": "T", "proposed_title": "P", "body": "B", "rationale": "R"}

    first = client.post("/amendments/new/?kind=new", proposal)
    second = client.post("/amendments/new/?kind=new", {**proposal, "title": "Second"})
    post = client.post("/news/new/", {"title": "T", "body": "B"})
    post2 = client.post("/news/new/", {"title": "Kept title", "body": "B"})

    assert (first.status_code, second.status_code) == (302, 429)
    assert "limit for new amendments" in second.content.decode()
    assert Amendment.objects.count() == 1
    assert (post.status_code, post2.status_code) == (302, 429)
    assert "Kept title" in post2.content.decode()
    assert NewsItem.objects.filter(kind="post").count() == 1


def test_signups_are_limited_per_address(community, limited):
    def signup(address, username):
        return Client(REMOTE_ADDR=address).post(
            "/accounts/signup/",
            {"username": username, "password1": "a-long-pass-99", "password2": "a-long-pass-99",
             "language": "en"},
        )  # fmt: skip

    assert signup("198.51.100.1", "one").status_code == 302
    assert signup("198.51.100.1", "two").status_code == 302
    third = signup("198.51.100.1", "three")
    elsewhere = signup("203.0.113.1", "four")

    assert third.status_code == 429
    assert "limit for new accounts from one address" in third.content.decode()
    assert elsewhere.status_code == 302
    assert sorted(User.objects.values_list("username", flat=True)) == ["four", "one", "two"]


def test_rate_limits_work_with_redis_too(community, settings, limited):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            # Never flushed (the server may be shared): a prefix of its own, keys that expire;
            # the override ends inside the test, before the suite clears its own cache.
            "KEY_PREFIX": f"soglasie-test-{uuid.uuid4()}",
        }
    }
    alice = make_member("alice")
    client = Client()
    client.force_login(alice)
    proposal = {"title": "T", "proposed_title": "P", "body": "B", "rationale": "R"}

    with override_settings(CACHES=redis_cache):
        first = client.post("/amendments/new/?kind=new", proposal)
        second = client.post("/amendments/new/?kind=new", proposal)

    assert (first.status_code, second.status_code) == (302, 429)
