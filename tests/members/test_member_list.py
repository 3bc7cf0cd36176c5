"""The public list of members: who, since when, in which roles; filtered and paged."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements.services import publish_version
from members.models import User
from members.selectors import LIST_ROLES, MEMBERS_PER_PAGE
from members.services import leave, record_follow, update_profile
from tests.factories import make_member, make_user
from tests.members.test_roles import NOW


def listed(client, query=""):
    names, url = [], f"/members/{query}"
    while url:
        page = client.get(url).content.decode()
        names += re.findall(r'<span class="small">@([\w.@+-]+)</span>', page)
        more = re.search(r'<a href="(\?[^"]*before=[^"]+)" rel="next">', page)
        url = f"/members/{more[1].replace('&amp;', '&')}" if more else None
    return names


@pytest.fixture
def population(community):
    """Members of every kind, some at the edges of the 90- and 180-day windows."""
    with time_machine.travel(NOW, tick=False):
        people = {
            "core": make_member("core", now=NOW - timedelta(days=89)),
            "lapsed": make_member("lapsed", now=NOW - timedelta(days=90)),
            "sleeper": make_member("sleeper", now=NOW - timedelta(days=400)),
            "awake": make_member("awake", now=NOW - timedelta(days=400)),
            "helper": make_member("helper", now=NOW - timedelta(days=5)),
            "leaver": make_member("leaver", now=NOW - timedelta(days=30)),
            "behind": make_member("behind", now=NOW - timedelta(days=3)),
        }
        make_user("visitor")
        record_follow(member=people["sleeper"], now=NOW - timedelta(days=180))
        record_follow(member=people["awake"], now=NOW - timedelta(days=179))
        update_profile(member=people["helper"], is_volunteer=True, volunteer_offer="Repairs.")
        leave(member=people["leaver"], now=NOW - timedelta(days=1))
        from agreements.models import Agreement
        from members.services import accept_agreements
        from tests.factories import versions_in_force

        idea = Agreement.objects.get(is_idea=True)
        publish_version(agreement=idea, body=idea.body + "\nAnd we meet.\n", note="More.")
        for name in ("core", "lapsed", "sleeper", "awake", "helper"):
            accept_agreements(member=people[name], versions=versions_in_force(), now=NOW)
    return people


@pytest.mark.parametrize("role", ["", *LIST_ROLES])
def test_each_role_lists_exactly_who_has_it(client, population, role):
    with time_machine.travel(NOW, tick=False):
        expected = {
            user.username
            for user in User.objects.all()
            if (user.roles() if role else user.is_member) and (not role or role in user.roles())
        }

        names = listed(client, f"?role={role}" if role else "")

    assert sorted(names) == sorted(expected)
    assert len(names) == len(set(names))


def test_the_list_shows_name_since_roles_and_standing(client, population):
    with time_machine.travel(NOW, tick=False):
        page = client.get("/members/").content.decode()

    assert '<a href="/members/helper/">helper</a>' in page
    assert "volunteer" in page and "member in good standing" in page
    assert "member who has not accepted the changes" in page  # "behind": not the new idea
    assert "visitor" not in page and "leaver" not in page
    former = client.get("/members/?role=former").content.decode()
    assert "@leaver" in former and "former member" in former and "left on" in former
    assert "Former member: left on" in client.get("/members/leaver/").content.decode()


def test_the_list_is_keyset_paged_newest_first(client, community):
    start = timezone.now() - timedelta(days=100)
    for n in range(MEMBERS_PER_PAGE + 5):
        make_member(f"m{n:03d}", now=start + timedelta(hours=n))

    names = listed(client)

    assert names == [f"m{n:03d}" for n in reversed(range(MEMBERS_PER_PAGE + 5))]


def test_an_unknown_role_is_not_found_and_a_bad_cursor_is_the_first_page(client, community):
    make_member("alice")

    assert client.get("/members/?role=admin").status_code == 404
    assert "@alice" in client.get("/members/?before=nonsense").content.decode()


def test_the_community_page_links_each_count_to_its_list(client, community):
    page = client.get("/community/").content.decode()

    assert 'href="/members/?role=active_core"' in page
    assert 'href="/members/?role=former"' in page
