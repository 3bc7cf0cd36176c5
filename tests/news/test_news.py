"""News: events written once as things happen, posts, the news page and its pagination."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import cast_vote, withdraw_amendment
from agreements.models import Agreement
from agreements.services import publish_version, repeal_agreement
from members.services import accept_agreements
from news.models import NewsItem
from news.receivers import is_milestone
from news.selectors import PAGE_SIZE, make_cursor
from tests.factories import (
    make_agreement,
    make_amendment,
    make_member,
    make_user,
    versions_in_force,
)


def events(**filters):
    return list(NewsItem.objects.filter(kind="event", **filters).values_list("event", flat=True))


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body="Beds are shared.\n\nWater on Mondays.\n")


@pytest.fixture
def voters(garden):
    return [make_member(f"v{n}") for n in range(3)]


def test_founding_is_one_event(community):
    assert events() == ["founded"]
    assert NewsItem.objects.get().headline == "The community “Test Commons” was founded"


def test_every_amendment_event_is_written_once_even_when_advance_runs_twice(garden, voters):
    adopted = make_amendment(author=voters[0], agreement=garden)
    rejected = make_amendment(author=voters[0], agreement=garden, body="Other.\n")
    withdrawn = make_amendment(author=voters[0], agreement=garden, body="Third.\n")
    withdraw_amendment(amendment=withdrawn, author=voters[0])
    when = adopted.discussion_ends_at + timedelta(hours=1)
    for voter in voters:
        cast_vote(amendment=adopted, member=voter, choice="support", now=when)
    later = adopted.voting_ends_at + timedelta(days=3)

    advance_amendments(now=later)
    advance_amendments(now=later)

    assert sorted(events(amendment=adopted)) == ["adopted", "new_version", "proposed", "voting"]
    assert sorted(events(amendment=rejected)) == ["proposed", "rejected", "voting"]
    # It rewrote the same text as the one before it, so the two collided when it was proposed.
    assert sorted(events(amendment=withdrawn)) == ["collision", "proposed", "withdrawn"]
    version = NewsItem.objects.get(event="new_version")
    assert version.headline == "Version 2 in force: Garden"
    assert version.target_url() == f"/agreements/{garden.slug}/diff/1..2/"
    garden.refresh_from_db()
    assert version.published_at == garden.get_version(2).effective_at


def test_events_carry_the_time_of_what_they_report(garden, voters):
    amendment = make_amendment(author=voters[0], agreement=garden)

    advance_amendments(now=amendment.discussion_ends_at + timedelta(days=2))

    assert NewsItem.objects.get(event="voting").published_at == amendment.discussion_ends_at


def test_needs_update_repeal_new_agreement_and_borrowed_proposal_events(garden, voters):
    conflicting = make_amendment(
        author=voters[1], agreement=garden, body="Beds are shared.\n\nWater on Fridays.\n"
    )
    borrowed = make_amendment(
        author=voters[0],
        kind="new",
        proposed_title="Quiet",
        body="Quiet at night.\n",
        source_url="https://example.org/quiet/",
    )
    publish_version(agreement=garden, body="Beds are shared.\n\nWater on Sundays.\n", note="x")
    advance_amendments(now=conflicting.proposed_at + timedelta(minutes=1))
    repeal_agreement(agreement=garden, note="Gone.")
    new = make_agreement(title="Bikes")

    assert "needs_update" in events(amendment=conflicting)
    assert events(amendment=borrowed) == ["borrowed_proposed"]
    assert events(agreement=garden, event="repealed") == ["repealed"]
    assert events(agreement=new) == ["new_agreement"]


def test_membership_milestones_at_powers_of_ten(community):
    assert [n for n in range(1, 10001) if is_milestone(n)] == [10, 100, 1000, 10000]
    for n in range(10):
        make_member(f"m{n}")

    milestone = NewsItem.objects.get(event="milestone")
    assert milestone.headline == "The community has 10 members"
    make_member("eleventh")
    assert NewsItem.objects.filter(event="milestone").count() == 1


def test_a_member_posts_and_edits_with_history(client, community):
    alice = make_member("alice")
    client.force_login(alice)

    response = client.post("/news/new/", {"title": "Seed swap", "body": "Bring *seeds*."})

    post = NewsItem.objects.get(kind="post")
    assert response["Location"] == f"/news/{post.pk}/"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<em>seeds</em>" in page
    client.post(f"/news/{post.pk}/edit/", {"title": "Seed swap on Sunday", "body": "Sunday."})
    post.refresh_from_db()
    assert post.title == "Seed swap on Sunday" and post.edited_at
    assert post.history.count() == 2
    assert "Bring <em>seeds</em>." in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "Text"}, "This field is required."),
        ({"title": "T", "body": "x" * 20_001}, "at most 20000 characters"),
    ],
)
def test_bad_posts_are_refused_and_keep_the_text(client, community, data, message):
    client.force_login(make_member("alice"))

    response = client.post("/news/new/", data)

    page = response.content.decode()
    assert message in page
    assert data["body"][:50] in page
    assert not NewsItem.objects.filter(kind="post").exists()


def test_posts_are_sanitised(client, community):
    client.force_login(make_member("alice"))

    client.post("/news/new/", {"title": "<b>Hi</b>", "body": "<script>alert(1)</script>"})

    post = NewsItem.objects.get(kind="post")
    assert "<script" not in post.body_html
    page = client.get(post.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Hi&lt;/b&gt;" in page and "<script>alert" not in page


def test_non_members_cannot_post_and_only_authors_edit(client, community):
    client.force_login(make_user("outsider"))
    refused = client.post("/news/new/", {"title": "Hi", "body": "Text"})
    assert refused.status_code == 403
    assert "Only members in good standing may post news." in refused.content.decode()
    author = make_member("alice")
    client.force_login(author)
    client.post("/news/new/", {"title": "Mine", "body": "Text"})
    post = NewsItem.objects.get(kind="post")
    client.force_login(make_member("bob"))

    assert client.post(f"/news/{post.pk}/edit/", {"title": "X", "body": "Y"}).status_code == 403


def test_news_page_is_newest_first_with_filters(client, garden, voters):
    amendment = make_amendment(author=voters[0], agreement=garden, title="Water more")
    client.force_login(voters[0])
    client.post("/news/new/", {"title": "A post", "body": "Text"})

    page = client.get("/news/").content.decode()
    posts = client.get("/news/?kind=post").content.decode()
    about_garden = client.get(f"/news/?agreement={garden.slug}").content.decode()

    assert page.index("A post") < page.index("Amendment proposed: Water more")
    assert "Amendment proposed" not in posts and "A post" in posts
    assert "Amendment proposed: Water more" in about_garden and "A post" not in about_garden
    assert f'href="/amendments/{amendment.pk}/"' in about_garden


def test_keyset_pagination_across_equal_timestamps(client, community):
    author = make_member("alice")
    moment = timezone.now().replace(microsecond=0)
    NewsItem.objects.bulk_create(
        NewsItem(kind="post", title=f"Post {n:03}", author=author, published_at=moment)
        for n in range(PAGE_SIZE * 2 + 5)
    )

    seen, cursor = [], ""
    while True:
        response = client.get(
            "/news/", {"kind": "post", "before": cursor} if cursor else {"kind": "post"}
        )
        page = response.context["page"]
        seen += [item.pk for item in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    posts = NewsItem.objects.filter(kind="post")
    assert len(seen) == len(set(seen)) == posts.count()
    assert seen == list(posts.order_by("-published_at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "1-",
        "-1-5",
        "99999999999999999999-1",
        "1732611234000000-99999999999999999999",
        "<script>",
    ],
)
def test_malformed_or_forged_cursors_give_the_first_page(client, community, cursor):
    response = client.get("/news/", {"before": cursor})

    assert response.status_code == 200
    assert response.context["page"].is_first


def test_a_forged_but_well_formed_cursor_just_pages_from_there(client, community):
    item = NewsItem.objects.get()
    response = client.get("/news/", {"before": make_cursor(item, "published_at")})

    assert response.status_code == 200
    assert list(response.context["page"].items) == []


def test_home_shows_the_latest_five(client, community):
    author = make_member("alice")
    for n in range(7):
        NewsItem.objects.create(kind="post", title=f"Post number {n}", author=author)

    page = client.get("/").content.decode()

    assert "Post number 6" in page and "Post number 2" in page and "Post number 1" not in page


def test_visiting_the_news_records_following_at_most_once_an_hour(client, community):
    alice = make_member("alice", now=timezone.now() - timedelta(days=200))
    client.force_login(alice)
    assert alice.is_dormant()

    client.get("/news/")
    alice.refresh_from_db()
    first = alice.followed_at
    assert not alice.is_dormant()
    client.get("/news/")
    alice.refresh_from_db()
    assert alice.followed_at == first
    with time_machine.travel(first + timedelta(minutes=61)):
        client.get("/news/")
    alice.refresh_from_db()
    assert alice.followed_at > first


def test_new_since_your_last_visit_markers(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    client.get("/news/")
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        NewsItem.objects.create(kind="post", title="Fresh news", author=make_member("bob"))
        page = client.get("/news/").content.decode()

    fresh = page.index("Fresh news")
    assert "new-marker" in page[page.rindex("<li", 0, fresh) : fresh]
    founded = page.index("was founded")
    assert "new-marker" not in page[page.rindex("<li", 0, founded) : founded]


def test_the_last_visit_line_ends_with_one_period(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    client.get("/news/")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        page = client.get("/news/").content.decode()

    line = page[page.index("since your last visit") :]
    line = line[: line.index("</p>")]
    assert re.search(r", \d{1,2}:\d\d\.$", line), line
    assert ".." not in line


def test_news_page_query_count_is_constant(client, community, django_assert_max_num_queries):
    author = make_member("alice")
    for n in range(30):
        NewsItem.objects.create(kind="post", title=f"P{n}", author=author)
    client.force_login(author)

    with django_assert_max_num_queries(9):
        assert client.get("/news/").status_code == 200


def test_unknown_news_item_is_404(client, community):
    assert client.get("/news/999999/").status_code == 404
    assert client.get("/news/999999/edit/").status_code == 404


def test_re_accepting_does_not_fake_a_milestone(community):
    members = [make_member(f"m{n}") for n in range(10)]
    agreement = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=agreement, body="Changed.", note="x")
    accept_agreements(member=members[0], versions=versions_in_force())

    assert NewsItem.objects.filter(event="milestone").count() == 1
