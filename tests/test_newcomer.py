"""The newcomer's path (agree → follow → spread), and no button that leads to "Not allowed"."""

import re
from collections import deque

import pytest
from django.core.management import call_command

from members.models import User
from tests.forms import form_data, forms_on

SIGNUP = {
    "username": "newcomer",
    "display_name": "",
    "email": "",
    "language": "en",
    "password1": "correct-horse-battery-9",
    "password2": "correct-horse-battery-9",
}


def test_sign_up_then_join_then_the_three_things_a_member_does(client, community):
    signup = client.get("/accounts/signup/").content.decode()
    assert "Join: read the agreements in force and accept them." in signup
    _action, fields = form_data(signup, containing="username")
    fields.update(SIGNUP)

    response = client.post("/accounts/signup/", fields, follow=True)

    join = response.content.decode()
    assert response.redirect_chain[-1][0] == "/join/"
    assert "Next step: read the agreements in force below and accept them" in join
    _action, fields = form_data(join, containing="complete")
    client.post("/join/", fields)
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.is_in_good_standing

    page = client.get("/join/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)[0]
    assert ">Join<" not in nav and "and join" not in page
    assert "What a member does" in page
    assert f"/news/feed.atom?key={newcomer.feed_key()}" in page
    assert 'href="/news/"' in page and 'href="/leaflet/"' in page
    assert 'href="/#share-idea"' in page and 'href="/amendments/"' in page
    home = client.get("/").content.decode()
    assert 'href="/join/">Join</a>' not in home


def crawl(client, limit=400):
    """Every page reachable by links from the home page (within `limit`), with its HTML."""
    skip = re.compile(r"^/(admin|static|i18n|api)/|\.atom|\.md$|^/accounts/logout/")
    seen, queue, pages = {"/"}, deque(["/"]), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code not in (403, 500), f"{url} answers {response.status_code}"
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        page = response.content.decode()
        pages[url] = page
        for href in re.findall(r'href="(/[^"#]*)', page):
            href = href.replace("&amp;", "&")
            if href not in seen and not skip.search(href):
                seen.add(href)
                queue.append(href)
    return pages


def post_actions(page, url="(this page)"):
    main = page.split('<main id="main"', 1)[1]
    return {form.action for form in forms_on(main, url.split("?")[0]) if form.method == "post"}


MEMBER_ONLY = re.compile(r"^/moderation/(report/\w+/\d+|\d+/appeal)/$")
AUTHOR_ONLY = re.compile(r"^/amendments/\d+/(comments/\d+/edit|edit|withdraw)/$")
# Following an occasion is following, as on the other pages (occasions keep their own followers).
OCCASION_FOLLOW = re.compile(r"^/occasions/\d+/follow/$")


@pytest.fixture
def demo(db):
    call_command("seed_demo")


def test_anonymous_visitors_meet_no_action_that_would_refuse_them(client, demo):
    pages = crawl(client)

    assert len(pages) > 60
    for url, page in pages.items():
        if not url.startswith("/accounts/"):  # logging in and signing up are for visitors
            assert post_actions(page) == set(), url
    agreement = pages["/agreements/tool-library/"]
    assert "sign up</a> and accept the agreements in force" in agreement
    assert "Propose a change" not in agreement
    assert "To follow, <a" in agreement
    voting = next(
        p
        for u, p in pages.items()
        if u.startswith("/amendments/") and "Voting ends" in p and "To vote" in p
    )
    assert "vote-form" not in voting and "To vote, <a" in voting


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("emil", {"/follow/", "/join/"}),  # former member: may follow and join again
        ("dana", {"/follow/", "/join/", "/join/leave/"}),  # her time to accept ran out
    ],
)
def test_members_not_in_good_standing_see_what_to_do_first(client, demo, username, allowed):
    client.force_login(User.objects.get(username=username))

    pages = crawl(client, limit=250)

    for url, page in pages.items():
        if not url.startswith("/accounts/"):
            own = {f"/members/{username}/settings/", "/notifications/read/"}
            # An author may still edit or withdraw their own (links shown to the author only).
            actions = {
                "/follow/" if OCCASION_FOLLOW.match(a) else a
                for a in post_actions(page, url)
                if not AUTHOR_ONLY.match(a)
            }
            if username == "dana":  # still a member: any member may report and appeal
                actions = {a for a in actions if not MEMBER_ONLY.match(a)}
            assert actions <= allowed | own, url
    assert "To propose amendments, first" in pages["/amendments/"]
