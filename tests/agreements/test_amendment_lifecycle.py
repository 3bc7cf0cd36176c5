"""`manage.py advance` with controlled time: phases at their exact edges, tallies, effect."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import (
    AmendmentError,
    cast_vote,
    revise_amendment,
    withdraw_amendment,
)
from agreements.models import Agreement, Amendment, Procedure
from agreements.services import publish_version
from members.services import accept_agreements
from tests.concurrency import require_postgres, run_together
from tests.factories import make_agreement, make_amendment, make_member, versions_in_force

SECOND = timedelta(seconds=1)


@pytest.fixture
def garden(community):
    return make_agreement(
        title="Garden",
        body="Beds are shared.\n\nWater on Mondays.\n\nHarvest together.\n",
    )


@pytest.fixture
def members(garden):
    return [make_member(f"m{n}") for n in range(10)]


def vote_all(amendment, members, choices):
    when = amendment.discussion_ends_at + timedelta(hours=1)
    for member, choice in zip(members, choices, strict=False):
        cast_vote(amendment=amendment, member=member, choice=choice, now=when)
    amendment.refresh_from_db()


def advance(now):
    done = advance_amendments(now=now)
    return done


def test_discussion_becomes_voting_exactly_at_its_deadline(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)

    assert advance(amendment.discussion_ends_at - SECOND) == []
    amendment.refresh_from_db()
    assert amendment.phase == "discussion"
    assert advance(amendment.discussion_ends_at) == [f"#{amendment.pk} voting"]
    amendment.refresh_from_db()
    assert amendment.phase == "voting"


def test_voting_closes_exactly_at_its_deadline_and_applies_after_the_delay(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, ["support"] * 3)

    advance(amendment.voting_ends_at - SECOND)
    amendment.refresh_from_db()
    assert amendment.phase == "voting"
    advance(amendment.voting_ends_at)
    amendment.refresh_from_db()
    assert amendment.phase == "adopted"
    assert amendment.members_at_close == 10
    assert amendment.effective_at == amendment.voting_ends_at + timedelta(days=3)

    advance(amendment.effective_at - SECOND)
    garden.refresh_from_db()
    assert garden.version == 1
    advance(amendment.effective_at)
    garden.refresh_from_db()
    amendment.refresh_from_db()
    assert garden.version == 2 and garden.body.endswith("An added clause.\n")
    assert amendment.applied_at == amendment.effective_at and amendment.adopted_version == 2
    assert garden.get_version(2).amendment_id == amendment.pk
    assert garden.effective_at == amendment.effective_at


def test_advance_is_idempotent(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, ["support"] * 3)
    later = amendment.voting_ends_at + timedelta(days=4)

    first = advance(later)
    second = advance(later)

    assert first == [
        f"#{amendment.pk} voting",
        f"#{amendment.pk} adopted",
        f"#{amendment.pk} applied",
    ]
    assert second == []
    garden.refresh_from_db()
    assert garden.version == 2


@pytest.mark.parametrize(
    ("choices", "adopted"),
    [
        (["support", "support", "support"], True),  # exactly the minimum of 3 votes
        (["support", "support"], False),  # one below the quorum
        (["support", "oppose"], False),
        (["support", "oppose", "abstain", "support", "oppose"], False),  # exactly 50 % support
        (["support", "oppose", "support"], True),  # 66.67 %
        (["abstain", "abstain", "abstain"], False),  # quorum, but nobody supports
        (["support", "abstain", "abstain"], True),  # abstentions count for quorum only
    ],
)
def test_quorum_and_threshold_edges(garden, members, choices, adopted):
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, choices)

    advance(amendment.voting_ends_at)

    amendment.refresh_from_db()
    assert amendment.phase == ("adopted" if adopted else "rejected")


def test_quorum_as_a_share_of_members_in_good_standing(garden, members):
    # 70 members: 5 % is 3.5, so 4 votes are needed (more than the minimum of 3).
    many = members + [make_member(f"x{n}") for n in range(60)]
    amendment = make_amendment(author=many[0], agreement=garden)
    vote_all(amendment, many, ["support"] * 3)
    assert amendment.outcome().quorum == 4

    advance(amendment.voting_ends_at)
    amendment.refresh_from_db()
    assert amendment.phase == "rejected"

    second = make_amendment(author=many[0], agreement=garden, body="Other text.\n")
    vote_all(second, many, ["support"] * 4)
    advance(second.voting_ends_at)
    second.refresh_from_db()
    assert second.phase == "adopted"


def test_an_adopted_change_asks_members_to_accept_again_within_the_grace_period(
    client, garden, members
):
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, ["support"] * 3)

    advance(amendment.voting_ends_at + timedelta(days=3))

    members[0].refresh_from_db()
    deadline = amendment.voting_ends_at + timedelta(days=3 + 30)
    with time_machine.travel(amendment.voting_ends_at + timedelta(days=3, hours=1)):
        assert members[0].is_in_good_standing
        assert members[0].acceptance_deadline() == deadline
        client.force_login(members[0])
        page = client.get("/").content.decode()
    assert "Agreements changed since you accepted them" in page
    assert "to stay in good standing" in page
    assert f"/agreements/{garden.slug}/diff/1..2/" in page
    history = client.get(f"/agreements/{garden.slug}/history/").content.decode()
    assert f'href="/amendments/{amendment.pk}/">amendment #{amendment.pk}</a>' in history
    with time_machine.travel(deadline):
        assert not members[0].is_in_good_standing
        client.force_login(members[0])
        assert "not in good standing" in client.get("/").content.decode()


def test_a_new_agreement_and_a_repeal_take_effect(garden, members):
    new = make_amendment(
        author=members[0], kind="new", proposed_title="Bicycles", body="Ride slowly.\n"
    )
    repeal = make_amendment(author=members[0], agreement=garden, kind="repeal")
    vote_all(new, members, ["support"] * 3)
    vote_all(repeal, members, ["support"] * 3)

    advance(max(new.voting_ends_at, repeal.voting_ends_at) + timedelta(days=3))

    bicycles = Agreement.objects.get(title="Bicycles")
    assert (bicycles.origin, bicycles.version, bicycles.body) == ("own", 1, "Ride slowly.\n")
    new.refresh_from_db()
    assert new.agreement == bicycles
    garden.refresh_from_db()
    assert garden.status == "repealed"
    assert garden.body.startswith("Beds are shared.")


def test_a_borrowed_agreement_keeps_its_attribution(garden, members):
    new = make_amendment(
        author=members[0],
        kind="new",
        proposed_title="Quiet hours",
        body="Quiet after ten.\n",
        source_url="https://example.org/hillside/quiet/",
        source_version="4",
    )
    vote_all(new, members, ["support"] * 3)

    advance(new.voting_ends_at + timedelta(days=3))

    quiet = Agreement.objects.get(title="Quiet hours")
    assert (quiet.origin, quiet.source_url, quiet.source_version) == (
        "borrowed",
        "https://example.org/hillside/quiet/",
        "4",
    )


def test_an_adopted_procedure_change_governs_the_next_amendment(garden, members):
    rules = Agreement.objects.get(slug="amendments")
    assert "| Discussion period | 7 days |" in rules.body
    change = make_amendment(
        author=members[0],
        agreement=rules,
        body=rules.body.replace("7 days |", "10 days |", 1),
    )
    assert change.procedure_changes == {"discussion_days": "10"}
    assert change.entrenched and change.discussion_days == 14
    earlier = make_amendment(author=members[0], agreement=garden)
    vote_all(change, members, ["support"] * 3)

    advance(change.voting_ends_at + timedelta(days=3))
    change.refresh_from_db()

    procedure = Procedure.current()
    assert (procedure.discussion_days, procedure.version, procedure.changed_by) == (10, 2, change)
    accept_agreements(member=members[1], versions=versions_in_force())
    members[1].refresh_from_db()
    after = make_amendment(
        author=members[1], agreement=garden, body="Beds are shared.\n", now=change.effective_at
    )
    assert after.discussion_ends_at == change.effective_at + timedelta(days=10)
    assert after.procedure_version == 2
    earlier.refresh_from_db()
    assert earlier.discussion_ends_at - earlier.proposed_at == timedelta(days=7)


def test_procedure_values_are_read_only_from_the_procedure_agreements_table(garden, members):
    table_elsewhere = garden.body + "\n| Discussion period | 1 day |\n| --- | --- |\n"
    other = make_amendment(author=members[0], agreement=garden, body=table_elsewhere)
    assert other.procedure_changes is None

    rules = Agreement.objects.get(slug="amendments")
    broken = rules.body.replace("| Quorum: minimum number of votes | 3 |", "")
    with pytest.raises(AmendmentError, match="Quorum: minimum number of votes"):
        make_amendment(author=members[0], agreement=rules, body=broken)
    with pytest.raises(AmendmentError, match="Voting period"):
        make_amendment(
            author=members[0],
            agreement=rules,
            body=rules.body.replace("| Voting period | 7 days |", "| Voting period | 7 weeks |"),
        )


def test_a_stale_base_is_merged_cleanly_when_the_changes_do_not_touch(client, garden, members):
    first = make_amendment(
        author=members[0],
        agreement=garden,
        body="Beds are shared.\n\nWater on Tuesdays.\n\nHarvest together.\n",
    )
    second = make_amendment(
        author=members[1],
        agreement=garden,
        body="Beds are shared.\n\nWater on Mondays.\n\nHarvest together, then feast.\n",
    )
    vote_all(first, members, ["support"] * 3)
    vote_all(second, members, ["support"] * 3)
    end = max(first.effective_at or first.voting_ends_at, second.voting_ends_at) + timedelta(days=3)

    advance(end)

    garden.refresh_from_db()
    assert garden.version == 3
    assert (
        garden.body == "Beds are shared.\n\nWater on Tuesdays.\n\nHarvest together, then feast.\n"
    )
    second.refresh_from_db()
    assert "Merged automatically with version 2" in second.rebase_note
    assert "Merged automatically" in client.get(second.get_absolute_url()).content.decode()


def test_a_conflicting_change_goes_back_to_its_author_who_resolves_it(client, garden, members):
    first = make_amendment(
        author=members[0],
        agreement=garden,
        body="Beds are shared.\n\nWater on Tuesdays.\n\nHarvest together.\n",
    )
    second = make_amendment(
        author=members[1],
        agreement=garden,
        body="Beds are shared.\n\nWater on Fridays.\n\nHarvest together.\n",
        now=first.voting_ends_at,
    )
    vote_all(first, members, ["support"] * 3)
    advance(first.voting_ends_at + timedelta(days=3))
    first.refresh_from_db()

    second.refresh_from_db()
    assert second.phase == "needs_update"
    assert "<<<<<<< this amendment\nWater on Fridays.\n=======\nWater on Tuesdays.\n>>>>>>>" in (
        second.conflict
    )
    client.force_login(members[1])
    page = client.get(second.get_absolute_url()).content.decode()
    assert "This amendment needs an update." in page
    edit = client.get(f"/amendments/{second.pk}/edit/").content.decode()
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; this amendment" in edit

    with pytest.raises(AmendmentError, match="conflict markers"):
        revise_amendment(
            amendment=second,
            author=members[1],
            title=second.title,
            body=second.conflict,
            rationale="r",
            note="n",
        )
    resolved_at = first.effective_at + timedelta(hours=1)
    revise_amendment(
        amendment=second,
        author=members[1],
        title=second.title,
        body="Beds are shared.\n\nWater on Tuesdays and Fridays.\n\nHarvest together.\n",
        rationale="Both days.",
        note="Resolved.",
        now=resolved_at,
    )
    second.refresh_from_db()
    assert (second.phase, second.base_version, second.round, second.revision) == (
        "discussion",
        2,
        2,
        2,
    )
    assert second.discussion_ends_at == resolved_at + timedelta(days=7)
    assert second.votes_cast == 0


def test_an_open_amendment_is_rebased_when_the_agreement_changes(garden, members):
    open_one = make_amendment(
        author=members[1],
        agreement=garden,
        body="Beds are shared.\n\nWater on Mondays.\n\nHarvest together, then feast.\n",
    )
    publish_version(
        agreement=garden,
        body="Beds are shared fairly.\n\nWater on Mondays.\n\nHarvest together.\n",
        note="x",
    )

    advance(open_one.proposed_at + timedelta(hours=1))

    open_one.refresh_from_db()
    assert open_one.phase == "discussion"
    assert open_one.base_version == 2 and open_one.revision == 2
    assert (
        open_one.body
        == "Beds are shared fairly.\n\nWater on Mondays.\n\nHarvest together, then feast.\n"
    )


def test_withdrawn_amendments_are_never_advanced(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)
    withdraw_amendment(amendment=amendment, author=members[0])

    assert advance(amendment.voting_ends_at + timedelta(days=30)) == []


def test_voting_and_commenting_count_for_the_active_core(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)
    when = amendment.discussion_ends_at + timedelta(hours=2)

    cast_vote(amendment=amendment, member=members[5], choice="abstain", now=when)

    members[5].refresh_from_db()
    assert members[5].last_action_at > amendment.proposed_at


def test_the_advance_command_reports_what_it_did(garden, members):
    amendment = make_amendment(author=members[0], agreement=garden)
    out = StringIO()

    with time_machine.travel(amendment.discussion_ends_at + SECOND, tick=False):
        call_command("advance", stdout=out)

    assert out.getvalue() == f"#{amendment.pk} voting\n"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_advance_runs_apply_a_version_exactly_once():
    require_postgres()
    from tests.factories import found_test_community

    found_test_community()
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    members = [make_member(f"m{n}") for n in range(4)]
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, ["support"] * 3)
    later = amendment.voting_ends_at + timedelta(days=3)

    results, errors = run_together(*[lambda: advance_amendments(now=later)] * 5)

    assert errors == []
    garden.refresh_from_db()
    assert garden.version == 2
    assert Agreement.history.filter(id=garden.pk, version=2).count() == 1
    applied = [line for lines in results for line in lines if line.endswith("applied")]
    assert applied == [f"#{amendment.pk} applied"]
    assert Amendment.objects.get().phase == "adopted"


def test_a_change_keeps_the_summary_unless_it_proposes_a_new_one(garden, members):
    garden.summary = "How we garden."
    garden.save()
    amendment = make_amendment(author=members[0], agreement=garden)
    vote_all(amendment, members, ["support"] * 3)

    advance(amendment.voting_ends_at + timedelta(days=3))

    garden.refresh_from_db()
    assert (garden.version, garden.summary) == (2, "How we garden.")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_vote_counts_once_under_concurrency():
    require_postgres()
    from tests.factories import found_test_community

    found_test_community()
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    when = amendment.discussion_ends_at + timedelta(hours=1)

    _results, errors = run_together(
        *[lambda: cast_vote(amendment=amendment, member=alice, choice="support", now=when)] * 6
    )

    assert errors == []
    amendment.refresh_from_db()
    assert (amendment.support_count, amendment.votes.count()) == (1, 1)
