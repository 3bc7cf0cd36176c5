"""Votes: one upsert each, the tally counted from the votes while open and written down at the
close; under real concurrency (PostgreSQL) no vote is lost, doubled or left out of the close."""

import random
from collections import Counter
from datetime import timedelta

import pytest

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import AmendmentError, cast_vote
from agreements.models import Amendment, Vote
from tests.concurrency import require_postgres, run_together
from tests.factories import found_test_community, make_agreement, make_amendment, make_member


def garden_amendment(voters):
    found_test_community()
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    members = [make_member(f"m{n}") for n in range(voters)]
    amendment = make_amendment(author=members[0], agreement=garden)
    return amendment, members


def tally(amendment):
    amendment = Amendment.objects.get(pk=amendment.pk)
    return (amendment.support_count, amendment.oppose_count, amendment.abstain_count)


@pytest.mark.django_db
def test_a_vote_is_kept_once_and_changed_in_place():
    amendment, (alice, boris) = garden_amendment(2)
    opened = amendment.discussion_ends_at + timedelta(hours=1)

    assert cast_vote(amendment=amendment, member=alice, choice="support", now=opened)
    assert not cast_vote(
        amendment=amendment, member=alice, choice="support", now=opened + timedelta(hours=1)
    )
    assert cast_vote(amendment=amendment, member=boris, choice="support", now=opened)
    assert cast_vote(
        amendment=amendment, member=boris, choice="abstain", now=opened + timedelta(hours=2)
    )

    assert tally(amendment) == (1, 0, 1)
    alices, boriss = Vote.objects.get(member=alice), Vote.objects.get(member=boris)
    # Repeating a choice changes nothing; changing it keeps when the vote was first cast and
    # the revision voted on.
    assert alices.changed_at == alices.cast_at == opened
    assert (boriss.cast_at, boriss.changed_at) == (opened, opened + timedelta(hours=2))
    assert boriss.revision == amendment.revision


@pytest.mark.django_db
def test_the_close_writes_down_the_tally_and_refuses_later_votes():
    amendment, members = garden_amendment(4)
    opened = amendment.discussion_ends_at + timedelta(hours=1)
    for member, choice in zip(members, ["support", "support", "oppose", "abstain"], strict=True):
        cast_vote(amendment=amendment, member=member, choice=choice, now=opened)

    advance_amendments(now=amendment.voting_ends_at)

    amendment = Amendment.objects.get(pk=amendment.pk)
    assert (amendment.final_support, amendment.final_oppose, amendment.final_abstain) == (2, 1, 1)
    with pytest.raises(AmendmentError):
        cast_vote(amendment=amendment, member=members[2], choice="support")
    assert tally(amendment) == (2, 1, 1)


@pytest.mark.django_db
def test_the_tally_at_every_moment_and_at_the_close_equals_the_votes_recounted():
    rng = random.Random(13)
    amendment, members = garden_amendment(8)
    moment = amendment.discussion_ends_at
    for _step in range(40):
        moment += timedelta(minutes=rng.randint(1, 60))
        cast_vote(
            amendment=amendment,
            member=rng.choice(members),
            choice=rng.choice(Vote.Choice.values),
            now=moment,
        )
        recounted = Counter(amendment.votes.values_list("choice", flat=True))
        assert tally(amendment) == tuple(recounted[c] for c in ("support", "oppose", "abstain"))

    advance_amendments(now=amendment.voting_ends_at)

    amendment = Amendment.objects.get(pk=amendment.pk)
    assert (amendment.final_support, amendment.final_oppose, amendment.final_abstain) == tuple(
        recounted[c] for c in ("support", "oppose", "abstain")
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_of_many_members_are_all_counted():
    require_postgres()
    amendment, members = garden_amendment(12)
    opened = amendment.discussion_ends_at + timedelta(hours=1)
    choices = ["support", "oppose", "abstain"]

    _results, errors = run_together(
        *[
            lambda n=n, member=member: cast_vote(
                amendment=amendment, member=member, choice=choices[n % 3], now=opened
            )
            for n, member in enumerate(members)
        ]
    )

    assert errors == []
    assert tally(amendment) == (4, 4, 4)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_member_voting_twice_at_once_with_different_choices_has_one_vote():
    require_postgres()
    amendment, (alice,) = garden_amendment(1)
    opened = amendment.discussion_ends_at + timedelta(hours=1)

    _results, errors = run_together(
        *[
            lambda choice=choice: cast_vote(
                amendment=amendment, member=alice, choice=choice, now=opened
            )
            for choice in ["support", "oppose"] * 4
        ]
    )

    assert errors == []
    assert sum(tally(amendment)) == 1
    assert Vote.objects.filter(member=alice).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_every_vote_acknowledged_before_the_close_is_in_the_final_tally():
    """Votes still in flight when the deadline passes race the closer: each is either counted
    in the final tally or refused, never stored but left out of the decision."""
    require_postgres()
    amendment, members = garden_amendment(10)
    before_deadline = amendment.voting_ends_at - timedelta(seconds=1)
    Amendment.objects.filter(pk=amendment.pk).update(phase=Amendment.Phase.VOTING)

    def vote(member):
        try:
            return cast_vote(
                amendment=amendment, member=member, choice="support", now=before_deadline
            )
        except AmendmentError:
            return False

    results, errors = run_together(
        *[lambda member=member: vote(member) for member in members],
        lambda: advance_amendments(now=amendment.voting_ends_at) and None,
    )

    assert errors == []
    acknowledged = sum(1 for result in results if result is True)
    amendment = Amendment.objects.get(pk=amendment.pk)
    assert amendment.decided_at is not None
    assert amendment.final_support == acknowledged == amendment.votes.count()
