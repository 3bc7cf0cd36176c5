"""Who may do what: another member's objects, and the acts of visitors, non-members, members not in
good standing (lapsed), suspended members and former members. Each case: the exact status, and
nothing written."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from agreements.amendments.services import post_comment
from agreements.models import Amendment, Comment, Vote
from agreements.services import publish_version
from members.services import leave
from moderation.models import AppealMessage, ModerationAction, Report
from moderation.services import act, grant_power
from news.models import NewsItem
from news.services import publish_post
from tests.factories import make_agreement, make_amendment, make_member, make_user

CLAUSE = "/agreements/public-power/v/1/#p-3"


@pytest.fixture
def world(community, superuser):
    garden = make_agreement(title="Garden", body="Beds.\n\nWater.\n")
    alice = make_member("alice")
    bob = make_member("bob")
    mod = make_member("mod")
    grant_power(installer=superuser, member=mod, reason="r", clause=CLAUSE)
    amendment = make_amendment(author=alice, agreement=garden, title="Alice's")
    comment = post_comment(amendment=amendment, author=alice, body="Alice's comment.")
    post = publish_post(author=alice, title="Alice's post", body="Text.")
    return {
        "garden": garden,
        "alice": alice,
        "bob": bob,
        "mod": mod,
        "amendment": amendment,
        "comment": comment,
        "post": post,
    }


def written():
    models = (Amendment, Comment, Vote, NewsItem, Report, AppealMessage, ModerationAction)
    counts = [model.objects.count() for model in models]
    amendment = Amendment.objects.order_by("id").first()
    comment = Comment.objects.order_by("id").first()
    post = NewsItem.objects.filter(kind="post").order_by("id").first()
    return counts, amendment.revision, amendment.phase, comment.body, post.title


def acts(world):
    a, c, p = world["amendment"], world["comment"], world["post"]
    return {
        "propose": ("get", "/amendments/new/?kind=new", {}),
        "propose (post)": (
            "post",
            "/amendments/new/?kind=new",
            {"title": "T", "proposed_title": "P", "body": "B", "rationale": "R"},
        ),
        "comment": ("post", f"/amendments/{a.pk}/comments/", {"body": "Mine."}),
        "post news": ("post", "/news/new/", {"title": "T", "body": "B"}),
        "edit comment": ("post", f"/amendments/{a.pk}/comments/{c.pk}/edit/", {"body": "New"}),
        "edit post": ("post", f"/news/{p.pk}/edit/", {"title": "New", "body": "New"}),
        "revise": (
            "post",
            f"/amendments/{a.pk}/edit/",
            {
                "title": "New",
                "proposed_title": "Garden",
                "body": "X\n",
                "rationale": "R",
                "note": "n",
            },
        ),  # fmt: skip
        "withdraw": ("post", f"/amendments/{a.pk}/withdraw/", {}),
        "report": ("post", f"/moderation/report/post/{p.pk}/", {"reason": "r"}),
    }


def attempt(client, world, name):
    method, path, data = acts(world)[name]
    return getattr(client, method)(path, data)


ON_ALICES_OBJECTS = ["edit comment", "edit post", "revise", "withdraw"]


@pytest.mark.parametrize("name", ON_ALICES_OBJECTS)
def test_no_one_acts_on_another_members_objects(world, name):
    client = Client()
    client.force_login(world["bob"])
    before = written()

    response = attempt(client, world, name)

    assert response.status_code == 403
    assert written() == before


def test_no_one_changes_another_members_settings(world):
    client = Client()
    client.force_login(world["bob"])

    response = client.post("/members/alice/settings/", {"display_name": "Owned", "language": "en"})

    assert response.status_code == 403
    world["alice"].refresh_from_db()
    assert world["alice"].display_name == ""


def _visitor(world):
    return Client()


def _non_member(world):
    client = Client()
    client.force_login(make_user("stranger"))
    return client


def _lapsed(world):
    publish_version(agreement=world["garden"], body="Beds.\n\nWater twice.\n", note="Twice.")
    alice = type(world["alice"]).objects.get(pk=world["alice"].pk)
    assert alice.is_member and not alice.is_in_good_standing
    client = Client()
    client.force_login(alice)
    return client


def _suspended(world):
    act(
        moderator=world["mod"],
        act="suspend",
        target="member",
        pk=world["alice"].pk,
        reason="r",
        clause=CLAUSE,
        days=3,
    )
    client = Client()
    client.force_login(world["alice"])
    return client


def _former(world):
    leave(member=world["alice"])
    client = Client()
    client.force_login(world["alice"])
    return client


ACTORS = {
    "visitor": _visitor,
    "non-member": _non_member,
    "lapsed": _lapsed,
    "suspended": _suspended,
    "former": _former,
}
WRITING = ("propose", "propose (post)", "comment", "post news")
OWN = ("edit comment", "edit post", "revise")
# The status each actor gets for each act (visitors are sent to log in where a login is needed).
EXPECTED = {
    "visitor": {**dict.fromkeys(WRITING + OWN + ("withdraw",), 403), "report": 302},
    "non-member": dict.fromkeys(WRITING + ("report",), 403),
    "lapsed": dict.fromkeys(WRITING + OWN + ("withdraw",), 403),
    "suspended": dict.fromkeys(WRITING + OWN, 403),
    "former": dict.fromkeys(WRITING + OWN + ("withdraw", "report"), 403),
}
CASES = [
    (actor, name, status) for actor, acts_ in EXPECTED.items() for name, status in acts_.items()
]


@pytest.mark.parametrize(("actor", "name", "status"), CASES)
def test_acts_refused_to_those_without_the_right(world, actor, name, status):
    client = ACTORS[actor](world)
    before = written()

    response = attempt(client, world, name)

    assert response.status_code == status, response.content.decode()[:500]
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert written() == before


def test_a_suspended_member_still_votes_withdraws_and_reports(world):
    client = _suspended(world)
    amendment = world["amendment"]

    report = client.post(f"/moderation/report/profile/{world['bob'].pk}/", {"reason": "r"})
    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        vote = client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})
        withdraw = attempt(client, world, "withdraw")

    assert (report.status_code, vote.status_code, withdraw.status_code) == (302, 302, 302)
    assert Vote.objects.count() == 1
    assert Amendment.objects.get(pk=amendment.pk).phase == "withdrawn"


@pytest.mark.parametrize("actor", ["visitor", "non-member", "lapsed", "former"])
def test_those_without_good_standing_do_not_vote(world, actor):
    client = ACTORS[actor](world)
    amendment = world["amendment"]

    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        response = client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})

    assert response.status_code == 403
    assert not Vote.objects.exists()
