"""Joining and accepting again, through the forms exactly as the pages render them.

Every test here reads the form from the page (tests/forms.py) and posts what a browser would:
the bug that once made re-accepting always fail passed every test that built its own POST.
"""

from datetime import timedelta

import pytest
import time_machine

from agreements.amendments.advancing import advance_amendments
from agreements.models import Agreement, Amendment, Edition
from agreements.services import publish_version
from members.models import Acceptance, AdvanceAcceptance, User
from members.selectors import role_counts
from tests.factories import make_amendment, make_member, make_user
from tests.forms import find_form, submit
from tests.members.test_roles import counters

JOIN = "/join/"


def in_force():
    return dict(Agreement.objects.in_force().values_list("id", "version"))


def accepted(member):
    return dict(member.current_acceptances().values_list("agreement_id", "version"))


def change(slug, text="A clause added later."):
    agreement = Agreement.objects.get(slug=slug)
    return publish_version(agreement=agreement, body=f"{agreement.body}\n\n{text}\n", note="x")


def test_a_newcomer_joins_with_the_form_as_rendered(client, community):
    client.force_login(make_user("alice"))

    response = submit(client, JOIN, action=JOIN, containing="")

    assert response.status_code == 302
    alice = User.objects.get(username="alice")
    assert alice.is_member and alice.is_in_good_standing
    assert accepted(alice) == in_force()


@pytest.mark.parametrize("how_many", [1, 2, "all"])
def test_a_member_behind_accepts_again_in_one_press(client, community, how_many):
    alice = make_member("alice")
    slugs = [a.slug for a in Agreement.objects.in_force()]
    for slug in slugs if how_many == "all" else slugs[:how_many]:
        change(slug)
    alice.refresh_from_db()
    assert not alice.is_in_good_standing  # changes made outside an amendment bind at once
    client.force_login(alice)

    response = submit(client, JOIN, action=JOIN, button="Accept")

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_in_good_standing
    assert alice.standing_edition == Edition.current_number()
    assert accepted(alice) == in_force()
    assert "Agreements changed since" not in client.get("/").content.decode()
    assert counters_are_right()


def test_the_banner_leads_to_a_one_press_acceptance(client, community):
    alice = make_member("alice")
    change("membership")
    client.force_login(alice)

    home = client.get("/").content.decode()
    assert "Agreements changed since you accepted them" in home
    assert 'href="/join/"' in home
    page = client.get(JOIN).content.decode()
    assert "What changed from version 1 (yours) to version 2 (in force)" in page
    client.post(JOIN, find_form(page, url=JOIN, action=JOIN).data())

    alice.refresh_from_db()
    assert alice.is_in_good_standing and accepted(alice) == in_force()


def test_a_version_that_changed_while_reading_is_refused_and_shown(client, community):
    alice = make_member("alice")
    change("membership")
    client.force_login(alice)
    form = find_form(client.get(JOIN).content.decode(), url=JOIN, action=JOIN)
    change("membership", "Yet another clause.")  # version 3 while the page was open

    response = client.post(JOIN, form.data())

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was accepted: an agreement changed while you were reading." in page
    assert "Changed while you were reading" in page
    assert "What changed from version 2 (yours) to version 3 (in force)" in page
    alice.refresh_from_db()
    membership = Agreement.objects.get(slug="membership")
    assert accepted(alice)[membership.pk] == 1
    # The page now shows the latest version; accepting it works.
    client.post(JOIN, find_form(page, url=JOIN, action=JOIN).data())
    alice.refresh_from_db()
    assert alice.is_in_good_standing


def test_an_agreement_added_while_reading_is_refused_and_shown(client, community):
    alice = make_user("alice")
    client.force_login(alice)
    form = find_form(client.get(JOIN).content.decode(), url=JOIN, action=JOIN)
    from tests.factories import make_agreement

    make_agreement(title="Late arrival")

    page = client.post(JOIN, form.data()).content.decode()

    assert "Late arrival" in page and "Changed while you were reading" in page
    assert not Acceptance.objects.filter(member=alice).exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"v-999999": "1"},  # an agreement that does not exist
        {"v-abc": "1"},
        {"v-1": "²"},
        {"v-1": "-1"},
        {"v-1": "99999999999999"},
        {"c-999999": "1"},  # a change that does not exist
        {},
    ],
)
def test_a_forged_or_damaged_form_accepts_nothing_and_says_why(client, community, forged):
    alice = make_user("alice")
    client.force_login(alice)
    form = find_form(client.get(JOIN).content.decode(), url=JOIN, action=JOIN)
    data = form.data() if forged else {"complete": "1"}
    data.update({key: [value] for key, value in forged.items()})

    response = client.post(JOIN, data, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Nothing was accepted" in page
        or "The form was damaged" in page
        or "There was nothing to accept" in page
    )
    assert not Acceptance.objects.filter(member=alice).exists()
    assert not AdvanceAcceptance.objects.filter(member=alice).exists()


def test_an_old_version_or_a_partial_form_is_stale(client, community):
    alice = make_member("alice")
    change("membership")
    change("idea")
    client.force_login(alice)
    membership = Agreement.objects.get(slug="membership")

    # Only one of the two changes, claiming to complete the set: the other is shown again.
    page = client.post(
        JOIN, {"complete": "1", f"v-{membership.pk}": str(membership.version)}
    ).content.decode()
    assert "Changed while you were reading" in page
    # An old version of the one posted: refused.
    page = client.post(JOIN, {"complete": "1", f"v-{membership.pk}": "1"}).content.decode()
    assert "Changed while you were reading" in page
    alice.refresh_from_db()
    assert accepted(alice)[membership.pk] == 1


# -- announced changes, accepted in advance, and the time to accept -----------------------------


@pytest.fixture
def adopted(community):
    """Three members; an amendment to "Membership" adopted and waiting the delay before effect."""
    people = [make_member(name) for name in ("anna", "boris", "chen")]
    membership = Agreement.objects.get(slug="membership")
    amendment = make_amendment(author=people[0], agreement=membership)
    from agreements.amendments.services import cast_vote

    for person in people:
        cast_vote(
            amendment=amendment,
            member=person,
            choice="support",
            now=amendment.discussion_ends_at + timedelta(minutes=1),
        )
    advance_amendments(now=amendment.voting_ends_at)
    amendment.refresh_from_db()
    assert amendment.phase == Amendment.Phase.ADOPTED and amendment.applied_at is None
    return amendment, people


def test_an_adopted_change_is_announced_before_it_binds(client, adopted):
    amendment, (anna, *_rest) = adopted
    with time_machine.travel(amendment.voting_ends_at + timedelta(hours=1)):
        client.force_login(anna)
        home = client.get("/").content.decode()
        join = client.get(JOIN).content.decode()
        agreement = client.get("/agreements/membership/").content.decode()

    assert "Changes adopted, coming into force" in home
    assert "“Membership by acceptance” changes on" in home
    assert "What will change against version 1 in force:" in join
    assert "An added clause." in join
    assert "What will change against version 1" in agreement
    assert "Accept this change in advance" in agreement


def test_accepting_in_advance_carries_over_when_the_change_takes_effect(client, adopted):
    amendment, (anna, boris, chen) = adopted
    with time_machine.travel(amendment.voting_ends_at + timedelta(hours=1)):
        client.force_login(anna)
        response = submit(client, JOIN, action=JOIN, button="Accept in advance")
        assert response.status_code == 302
        assert AdvanceAcceptance.objects.filter(member=anna, amendment=amendment).exists()
        # Pressing again accepts nothing twice; the button is gone.
        assert "Accept in advance" not in client.get(JOIN).content.decode()

    advance_amendments(now=amendment.effective_at)

    anna.refresh_from_db()
    boris.refresh_from_db()
    membership = Agreement.objects.get(slug="membership")
    assert membership.version == 2
    assert accepted(anna)[membership.pk] == 2
    assert anna.standing_edition == Edition.current_number()
    # boris did not accept in advance: still in good standing while his time runs.
    assert accepted(boris)[membership.pk] == 1
    assert boris.is_in_good_standing and boris.has_changes_to_accept
    assert boris.acceptance_deadline() == amendment.effective_at + timedelta(days=30)
    counts = role_counts()
    assert (counts.in_good_standing, counts.with_changes_to_accept) == (3, 2)
    assert counters_are_right()


def test_unchecking_the_announced_change_leaves_it_for_later(client, adopted):
    amendment, (anna, *_rest) = adopted
    checkbox = f"c-{amendment.pk}"
    change("idea")  # a change in force now, so the form also has something to accept
    with time_machine.travel(amendment.voting_ends_at + timedelta(hours=1)):
        client.force_login(anna)
        submit(client, JOIN, action=JOIN, button="Accept", uncheck=[checkbox])

    anna.refresh_from_db()
    assert anna.is_in_good_standing
    assert not AdvanceAcceptance.objects.filter(member=anna).exists()


def test_after_the_time_to_accept_a_member_is_listed_as_not_having_accepted(client, adopted):
    amendment, (anna, boris, chen) = adopted
    advance_amendments(now=amendment.effective_at)
    deadline = amendment.effective_at + timedelta(days=30)

    with time_machine.travel(deadline - timedelta(seconds=1)):
        assert User.objects.get(pk=boris.pk).is_in_good_standing
        assert role_counts().in_good_standing == 3
    with time_machine.travel(deadline):
        boris = User.objects.get(pk=boris.pk)
        assert not boris.is_in_good_standing
        assert "member_outdated" in boris.roles()
        counts = role_counts()
        assert (counts.members, counts.in_good_standing, counts.not_accepted_changes) == (3, 0, 3)
        client.force_login(boris)
        assert "member who has not accepted the changes" in (
            client.get("/members/boris/").content.decode()
        )
        # One press brings him back.
        submit(client, JOIN, action=JOIN, button="Accept")
        boris.refresh_from_db()
        assert boris.is_in_good_standing
        assert role_counts().in_good_standing == 1


def test_the_quorum_counts_members_in_their_grace_period(adopted):
    amendment, (anna, boris, chen) = adopted
    advance_amendments(now=amendment.effective_at)
    membership = Agreement.objects.get(slug="membership")
    later = make_amendment(author=anna, agreement=membership, now=amendment.effective_at)

    advance_amendments(now=later.voting_ends_at)

    later.refresh_from_db()
    # Voting closed within the 30 days: all three were in good standing at the close.
    assert later.members_at_close == 3


def counters_are_right():
    kept = counters()
    from members.services import rebuild_counters

    rebuild_counters()
    return counters() == kept
