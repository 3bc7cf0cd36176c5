"""Anonymous pages kept whole in the cache and answered 304, made stale by every public write;
never a member's page, never one that sets a cookie (config/pagecache.py)."""

from contextlib import suppress
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agreements.amendments.services import post_comment
from agreements.models import Comment
from agreements.services import publish_version
from config.pagecache import GENERATION_KEY, current_generation
from members.models import ThreadVisit
from news.services import publish_post
from tests.factories import make_agreement, make_amendment, make_member


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body="Beds are shared.\n\nWater in the evening.")


@pytest.fixture
def alice(community):
    return make_member("alice", display_name="Alice Gardener")


def _fetch(client, path, **headers):
    response = client.get(path, headers=headers)
    return response, response.content.decode()


def test_an_anonymous_page_is_kept_until_a_comment_is_posted(client, garden, alice):
    amendment = make_amendment(author=alice, agreement=garden)
    first, _ = _fetch(client, amendment.get_absolute_url())
    again, _ = _fetch(client, amendment.get_absolute_url())
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")

    member = Client()
    member.force_login(alice)
    member.post(f"/amendments/{amendment.pk}/comments/", {"body": "Rain barrels too?"})

    after, page = _fetch(client, amendment.get_absolute_url())
    assert after["X-Page-Cache"] == "miss"
    assert "Rain barrels too?" in page


def test_a_vote_makes_the_kept_amendment_page_stale(client, garden, alice):
    amendment = make_amendment(author=alice, agreement=garden)
    bob = make_member("bob")
    with time_machine.travel(amendment.discussion_ends_at + timedelta(minutes=1), tick=False):
        _fetch(client, amendment.get_absolute_url())
        assert _fetch(client, amendment.get_absolute_url())[0]["X-Page-Cache"] == "hit"

        voter = Client()
        voter.force_login(bob)
        voter.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})

        response, page = _fetch(client, amendment.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "bob" in page


def test_news_and_a_new_version_make_the_kept_pages_stale(client, garden, alice):
    _fetch(client, "/news/")
    _fetch(client, garden.get_absolute_url())
    assert _fetch(client, "/news/")[0]["X-Page-Cache"] == "hit"

    publish_post(author=alice, title="Seed swap on Sunday", body="Bring seeds.")
    # What an adoption ends with: the agreement's new version.
    publish_version(agreement=garden, body="Beds are shared by all.", note="Adopted.")

    assert "Seed swap on Sunday" in _fetch(client, "/news/")[1]
    response, page = _fetch(client, garden.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Beds are shared by all." in page


def test_a_member_never_gets_a_kept_page_and_never_leaks_into_one(client, garden, alice):
    member = Client()
    member.force_login(alice)
    for _ in range(2):
        response, page = _fetch(member, "/agreements/")
        assert "X-Page-Cache" not in response
        assert "Alice Gardener" in page

    _response, anonymous = _fetch(client, "/agreements/")
    assert "Alice Gardener" not in anonymous
    assert "Log in" in anonymous
    # A member's visit does not serve them the anonymous page either.
    assert "Alice Gardener" in _fetch(member, "/agreements/")[1]


def test_each_language_is_kept_apart(client, garden):
    assert "Agreements" in _fetch(client, "/agreements/")[1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    response, page = _fetch(client, "/agreements/")

    assert response["X-Page-Cache"] == "miss"
    assert '<html lang="ru">' in page


def test_a_page_that_sets_a_cookie_is_not_kept(client, community):
    # The sign-up form carries a CSRF token: its cookie is the visitor's own.
    first, _ = _fetch(client, "/accounts/signup/")
    assert settings.CSRF_COOKIE_NAME in first.cookies
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in _fetch(Client(), "/accounts/signup/")[0]


@pytest.mark.parametrize(
    "path",
    ["/", "/agreements/", "{agreement}", "{history}", "/amendments/", "{amendment}", "/news/"],
)
def test_no_public_page_sets_a_cookie_for_an_anonymous_visitor(client, garden, alice, path):
    amendment = make_amendment(author=alice, agreement=garden)
    path = path.format(
        agreement=garden.get_absolute_url(),
        history=f"/agreements/{garden.slug}/history/",
        amendment=amendment.get_absolute_url(),
    )

    response = client.get(path)

    assert response.status_code == 200
    assert not response.cookies, path
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["{agreement}", "{version}", "{diff}", "{history}", "{feed}"])
def test_a_visitor_who_has_the_page_gets_304_until_it_changes(garden, path):
    publish_version(agreement=garden, body="Beds are shared.", note="Shorter.")
    path = path.format(
        agreement=garden.get_absolute_url(),
        version=f"/agreements/{garden.slug}/v/1/",
        diff=f"/agreements/{garden.slug}/diff/1..2/",
        history=f"/agreements/{garden.slug}/history/",
        feed=f"/agreements/{garden.slug}/feed.atom",
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = Client().get(path)
        etag, modified = first["ETag"], first["Last-Modified"]
        for client in (Client(), Client()):  # the miss that renders, then the kept page
            assert client.get(path, headers={"if-none-match": etag}).status_code == 304
            assert client.get(path, headers={"if-modified-since": modified}).status_code == 304

    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        publish_version(agreement=garden, body="Beds are shared by all.", note="Clearer.")
        assert Client().get(path, headers={"if-none-match": etag}).status_code == 200
        assert Client().get(path, headers={"if-modified-since": modified}).status_code == 200


def test_a_member_always_gets_the_whole_page(garden, alice):
    member = Client()
    member.force_login(alice)

    response = member.get(garden.get_absolute_url())

    assert "ETag" not in response
    assert member.get(garden.get_absolute_url(), headers={"if-none-match": "*"}).status_code == 200


def test_the_language_switch_needs_no_token_and_stays_on_this_site(community):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/news/"})
    assert response.status_code == 302
    assert response["Location"] == "/news/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    elsewhere = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/"
    assert client.get("/i18n/setlang/").status_code == 405


def test_the_history_is_paged_twenty_versions_at_a_time(client, garden):
    for n in range(2, 26):
        publish_version(agreement=garden, body=f"Text {n}.", note=f"Change {n}.")

    page = client.get(f"/agreements/{garden.slug}/history/").content.decode()
    assert "Version 25<" in page and "Version 6<" in page and "Version 5<" not in page
    assert 'href="?before=6" rel="next"' in page
    assert '<option value="25" selected>' in page and '<option value="24" selected>' in page

    older = client.get(f"/agreements/{garden.slug}/history/?before=6").content.decode()
    assert "Version 5<" in older and "Version 1<" in older and "Version 6<" not in older
    assert 'rel="next"' not in older and 'href="?">' in older
    assert client.get(f"/agreements/{garden.slug}/history/?before=x").status_code == 200


def test_a_reply_is_written_in_the_one_form_without_javascript(garden, alice):
    amendment = make_amendment(author=alice, agreement=garden)
    top = post_comment(amendment=amendment, author=alice, body="Who waters in August?")
    bob = make_member("bob")
    client = Client()
    client.force_login(bob)

    page = client.get(amendment.get_absolute_url()).content.decode()
    assert page.count("<form") == page.count('<form method="post"') + 3  # search, language
    assert f'href="?reply={top.pk}#comment-form"' in page
    form = client.get(f"{amendment.get_absolute_url()}?reply={top.pk}").content.decode()
    assert "Reply to Alice Gardener" in form
    assert f'name="parent" value="{top.pk}"' in form

    client.post(f"/amendments/{amendment.pk}/comments/", {"body": "I do.", "parent": top.pk})

    assert Comment.objects.get(body="I do.").parent == top
    # A reply to nothing of this amendment is an ordinary comment form.
    assert "Reply to" not in client.get(f"{amendment.get_absolute_url()}?reply=x").content.decode()


def test_a_reload_does_not_rewrite_the_thread_visit(garden, alice):
    amendment = make_amendment(author=alice, agreement=garden)
    post_comment(amendment=amendment, author=alice, body="First.")
    client = Client()
    client.force_login(alice)
    client.get(amendment.get_absolute_url())
    seen = ThreadVisit.objects.get().seen_at

    client.get(amendment.get_absolute_url())
    assert ThreadVisit.objects.get().seen_at == seen

    post_comment(amendment=amendment, author=make_member("bob"), body="Second.")
    client.get(amendment.get_absolute_url())
    assert ThreadVisit.objects.get().seen_at > seen


def test_the_cached_template_loader_is_used(community):
    from django.template import engines

    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


def test_a_commit_outside_any_request_moves_the_generation_once_committed(transactional_db, alice):
    # As `advance` or a shell writes: no request ends to publish the change, the commit does,
    # even after a savepoint that wrote was rolled back.
    before = current_generation()
    with transaction.atomic():
        with suppress(RuntimeError), transaction.atomic():
            publish_post(author=alice, title="Withdrawn at once", body="x")
            raise RuntimeError
        publish_post(author=alice, title="Seed swap", body="Bring seeds.")
        assert cache.get(GENERATION_KEY) == before, "not before the commit"

    assert cache.get(GENERATION_KEY) != before
