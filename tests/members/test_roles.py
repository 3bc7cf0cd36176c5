import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements.models import Agreement
from agreements.services import publish_version
from members.models import User
from members.selectors import role_counts
from members.services import (
    accept_agreements,
    counter_totals,
    leave,
    rebuild_counters,
    record_action,
    record_follow,
)
from news.services import publish_post
from tests.factories import make_amendment, make_member, make_user, versions_in_force

NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize(("days", "active"), [(0, True), (89, True), (90, False), (200, False)])
def test_active_core_means_taking_part_within_90_days(client, community, days, active):
    with time_machine.travel(NOW, tick=False):
        alice = make_member("alice", now=NOW - timedelta(days=400))
        publish_post(author=alice, title="Hello", body="We met.", now=NOW - timedelta(days=days))
        record_follow(member=alice, now=NOW)
        alice.refresh_from_db()

        assert ("active_core" in alice.roles()) is active
        assert role_counts().active_core == (1 if active else 0)
        assert ("active core" in client.get("/members/alice/").content.decode()) is active


@pytest.mark.parametrize(("days", "dormant"), [(0, False), (179, False), (180, True)])
def test_dormant_means_no_sign_of_following_for_180_days(client, community, days, dormant):
    with time_machine.travel(NOW, tick=False):
        alice = make_member("alice", now=NOW - timedelta(days=400))
        record_follow(member=alice, now=NOW - timedelta(days=days))
        alice.refresh_from_db()

        assert alice.is_dormant() is dormant
        assert role_counts().dormant == (1 if dormant else 0)
        assert ("dormant" in client.get("/members/alice/").content.decode()) is dormant


def test_a_new_member_is_not_dormant_and_not_yet_in_the_active_core(client, community):
    alice = make_member("alice")

    assert alice.roles() == ["member"]
    assert role_counts().active_core == 0
    assert "active core" not in client.get("/members/alice/").content.decode()


@pytest.mark.parametrize("kind", ["propose", "comment", "vote", "post"])
def test_each_way_of_taking_part_puts_a_member_in_the_active_core(community, kind):
    from agreements.amendments.services import cast_vote, post_comment

    alice, bob = make_member("alice"), make_member("bob")
    rules = Agreement.objects.get(slug="public-agreements")
    amendment = make_amendment(author=bob, agreement=rules)
    if kind == "propose":
        make_amendment(author=alice, agreement=rules)
    elif kind == "comment":
        post_comment(amendment=amendment, author=alice, body="Good.")
    elif kind == "vote":
        cast_vote(
            amendment=amendment,
            member=alice,
            choice="support",
            now=amendment.discussion_ends_at + timedelta(minutes=1),
        )
    else:
        publish_post(author=alice, title="Hello", body="We met.")

    alice.refresh_from_db()
    assert "active_core" in alice.roles()
    assert role_counts().active_core == 2  # bob proposed


@pytest.mark.parametrize(
    "path", ["/agreements/", "/agreements/idea/", "/amendments/", "/news/", "/agreements/idea/v/1/"]
)
def test_reading_the_site_while_logged_in_is_following(client, community, path):
    with time_machine.travel(NOW, tick=False):
        alice = make_member("alice", now=NOW - timedelta(days=200))
        assert alice.is_dormant()
        client.force_login(alice)

        assert client.get(path).status_code == 200

        alice.refresh_from_db()
        assert not alice.is_dormant()
        assert alice.followed_at == NOW
        assert role_counts().dormant == 0


def test_following_is_recorded_at_most_once_an_hour(community, django_assert_num_queries):
    alice = make_member("alice", now=NOW - timedelta(days=10))

    assert record_follow(member=alice, now=NOW)
    with django_assert_num_queries(0):
        assert not record_follow(member=alice, now=NOW + timedelta(minutes=59))
    assert record_follow(member=alice, now=NOW + timedelta(minutes=61))
    alice.refresh_from_db()
    assert alice.followed_at == NOW + timedelta(minutes=61)


def test_volunteering_is_declared_in_settings_and_counted(client, community):
    alice = make_member("alice")
    client.force_login(alice)

    client.post(
        "/members/alice/settings/",
        {"language": "en", "is_volunteer": "on", "volunteer_offer": "I sharpen tools."},
    )

    assert role_counts().volunteers == 1
    profile = client.get("/members/alice/").content.decode()
    assert "volunteer" in profile and "I sharpen tools." in profile
    client.post("/members/alice/settings/", {"language": "en"})
    assert role_counts().volunteers == 0
    alice.refresh_from_db()
    assert alice.volunteer_offer == ""


def test_volunteers_who_leave_are_no_longer_counted(community):
    alice = make_member("alice")
    from members.services import update_profile

    update_profile(member=alice, is_volunteer=True, volunteer_offer="Bikes.")
    leave(member=alice)

    assert role_counts().volunteers == 0


def counters():
    return counter_totals()


def test_counters_kept_act_by_act_equal_counters_rebuilt_from_rows(community):
    rng = random.Random(7)
    users = [make_user(f"u{n}") for n in range(12)]
    rules = Agreement.objects.get(slug="public-agreements")
    for step in range(100):
        user = rng.choice(users)
        user.refresh_from_db()
        when = NOW - timedelta(days=rng.randint(0, 300))
        roll = rng.random()
        if roll < 0.45:
            accept_agreements(member=user, versions=versions_in_force(), complete=True, now=when)
        elif roll < 0.6:
            leave(member=user, now=when)
        elif roll < 0.75:
            record_follow(member=user, now=when)
        elif roll < 0.8:
            publish_version(agreement=rules, body=f"Wording {step}.", note="x")
        elif roll < 0.9:
            # What voting, commenting and proposing do to the counters.
            record_action(member=user, now=when)
        else:
            agreement = rng.choice(list(Agreement.objects.in_force()))
            accept_agreements(member=user, versions={agreement.pk: agreement.version}, now=when)
    incremental = counters()
    # A shard may go below zero (its member left after a rebuild), never a whole count.
    assert all(total > 0 for total in incremental.values()), incremental

    rebuild_counters()

    assert counters() == incremental
    assert User.member_count() == User.objects.members().count()


def test_recount_members_says_which_kept_counts_were_wrong_and_fixes_them(community):
    from io import StringIO

    from django.core.management import call_command

    from members.models import MembershipCount

    make_member("alice")
    make_member("boris")
    call_command("recount_members", stdout=StringIO())
    MembershipCount.objects.filter(name="members").update(value=7)
    out = StringIO()

    call_command("recount_members", stdout=out)

    assert "3-membership members: kept 7, counted 2" in out.getvalue()
    assert "(1 differed from the rows)" in out.getvalue()
    assert User.member_count() == 2
    out = StringIO()
    call_command("recount_members", stdout=out)
    assert "(0 differed from the rows)" in out.getvalue()
