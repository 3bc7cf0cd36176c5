"""Atom feeds parse, have unique ids, dates and absolute links, and are discoverable."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import cast_vote, post_comment
from tests.factories import make_agreement, make_amendment, make_member

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output, under test
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text and root.find(f"{ATOM}updated").text
    entries = root.findall(f"{ATOM}entry")
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    for entry in entries:
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    return entries


@pytest.fixture
def story(community):
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    members = [make_member(f"m{n}") for n in range(3)]
    amendment = make_amendment(author=members[0], agreement=garden, title="Water more")
    post_comment(amendment=amendment, author=members[1], body="Yes, *please*.")
    when = amendment.discussion_ends_at + timedelta(hours=1)
    for member in members:
        cast_vote(amendment=amendment, member=member, choice="support", now=when)
    advance_amendments(now=amendment.voting_ends_at + timedelta(days=3))
    return garden, amendment


def test_news_feed(client, story):
    entries = parse(client.get("/news/feed.atom"))

    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Version 2 in force: Garden" in titles
    assert "Amendment proposed: Water more" in titles
    assert titles[-1] == "The community “Test Commons” was founded"


def test_agreement_feed_has_its_versions_and_amendments(client, story):
    garden, amendment = story

    entries = parse(client.get(f"/agreements/{garden.slug}/feed.atom"))

    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Version 1 in force" in titles and "Version 2 in force" in titles
    assert "Amendment: Water more (adopted)" in titles


def test_amendment_feed_has_its_phase_changes_and_comments(client, story):
    _garden, amendment = story

    entries = parse(client.get(f"/amendments/{amendment.pk}/feed.atom"))

    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Comment by @m1" in titles
    assert {"Amendment proposed: Water more", "Voting opened: Water more",
            "Amendment adopted: Water more"} <= set(titles)  # fmt: skip


@pytest.mark.parametrize("path", ["/agreements/nope/feed.atom", "/amendments/99999/feed.atom"])
def test_feeds_for_unknown_objects_are_404(client, community, path):
    assert client.get(path).status_code == 404


def test_feeds_are_linked_for_autodiscovery(client, story):
    garden, amendment = story

    for path, feed in (
        ("/", "/news/feed.atom"),
        (garden.get_absolute_url(), f"/agreements/{garden.slug}/feed.atom"),
        (amendment.get_absolute_url(), f"/amendments/{amendment.pk}/feed.atom"),
    ):
        page = client.get(path).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in page
        assert f'href="{feed}"' in page


def test_a_feed_read_with_a_personal_key_counts_as_following(client, community):
    alice = make_member("alice", now=timezone.now() - timedelta(days=300))
    assert alice.is_dormant()

    client.get("/news/feed.atom", {"key": alice.feed_key()})
    client.get("/news/feed.atom", {"key": "forged"})

    alice.refresh_from_db()
    assert not alice.is_dormant()


def test_the_personal_feed_address_is_on_the_settings_page(client, community):
    alice = make_member("alice")
    client.force_login(alice)

    page = client.get("/members/alice/settings/").content.decode()

    assert f"/news/feed.atom?key={alice.feed_key()}" in page
