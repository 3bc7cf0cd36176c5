"""`advance` when the agreement changes, is repealed or is re-created under an amendment, and when
a move fails: every transition, and no single amendment can jam the rest."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from agreements.amendments import advancing
from agreements.amendments.advancing import AdvanceFailed, advance_amendments
from agreements.amendments.services import AmendmentError, revise_amendment
from agreements.models import Agreement, Amendment
from agreements.services import publish_version, repeal_agreement
from news.models import Notification
from tests.agreements.test_amendment_lifecycle import vote_all
from tests.factories import make_agreement, make_amendment, make_member

GARDEN = "Beds are shared.\n\nWater on Mondays.\n\nHarvest together.\n"


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body=GARDEN)


@pytest.fixture
def members(garden):
    return [make_member(f"m{n}") for n in range(5)]


def reload(*amendments):
    for amendment in amendments:
        amendment.refresh_from_db()


def adopt(amendment, members):
    """Votes enough to adopt; returns when it takes effect."""
    vote_all(amendment, members, ["support"] * 3)
    advance_amendments(now=amendment.voting_ends_at)
    amendment.refresh_from_db()
    assert amendment.phase == "adopted"
    return amendment.effective_at


def test_a_change_whose_agreement_was_repealed_first_goes_back_and_jams_nothing(garden, members):
    change = make_amendment(author=members[0], agreement=garden)
    repeal = make_amendment(author=members[1], agreement=garden, kind="repeal")
    later = make_amendment(author=members[2], kind="new", proposed_title="Bikes", body="Ride.\n")
    vote_all(later, members, ["support"] * 3)
    adopt(change, members)
    adopt(repeal, members)
    repeal_agreement(agreement=garden, note="repealed first")  # before the change takes effect

    done = advance_amendments(now=later.voting_ends_at + timedelta(days=3))

    reload(change, repeal, later)
    assert change.phase == "needs_update"
    assert "repealed" in change.conflict
    assert later.applied_at is not None  # the one after it still took effect
    assert f"#{change.pk} needs update" in done
    assert advance_amendments(now=later.voting_ends_at + timedelta(days=3)) == []
    # Its author can only withdraw it now.
    with pytest.raises(AmendmentError, match="repealed"):
        revise_amendment(
            amendment=change,
            author=members[0],
            title="x",
            body="y",
            rationale="z",
            note="n",
        )


def test_a_discussion_on_a_repealed_agreement_goes_back_to_its_author(garden, members):
    open_one = make_amendment(author=members[0], agreement=garden)
    repeal_agreement(agreement=garden, note="gone")

    advance_amendments(now=open_one.proposed_at + timedelta(hours=1))

    open_one.refresh_from_db()
    assert open_one.phase == "needs_update"


def test_a_recreated_agreement_is_a_new_one_and_old_amendments_stay_with_the_old(garden, members):
    repeal = make_amendment(author=members[1], agreement=garden, kind="repeal")
    effect = adopt(repeal, members)
    # Proposed while the repeal was announced, still in discussion when it takes effect.
    old_change = make_amendment(author=members[0], agreement=garden, now=effect - timedelta(days=1))
    advance_amendments(now=effect)
    again = make_amendment(
        author=members[1], kind="new", proposed_title="Garden", body=GARDEN, now=effect
    )
    advance_amendments(now=adopt(again, members))

    reload(old_change, again)
    recreated = again.agreement
    assert recreated.title == "Garden" and recreated.slug != garden.slug
    assert old_change.agreement_id == garden.pk and old_change.phase == "needs_update"
    assert Agreement.objects.get(pk=garden.pk).status == "repealed"


def test_a_voting_text_is_frozen_and_merged_only_when_it_takes_effect(client, garden, members):
    voting = make_amendment(
        author=members[0],
        agreement=garden,
        body="Beds are shared.\n\nWater on Mondays.\n\nHarvest together, then feast.\n",
    )
    advance_amendments(now=voting.discussion_ends_at)
    vote_all(voting, members, ["support"] * 3)
    frozen = (voting.body, voting.revision, voting.base_version)
    publish_version(
        agreement=garden,
        body="Beds are shared fairly.\n\nWater on Mondays.\n\nHarvest together.\n",
        note="meanwhile",
    )

    advance_amendments(now=voting.discussion_ends_at + timedelta(hours=2))
    voting.refresh_from_db()
    assert (voting.body, voting.revision, voting.base_version) == frozen
    with pytest.raises(AmendmentError, match="frozen"):
        revise_amendment(
            amendment=voting, author=members[0], title="t", body="b", rationale="r", note="n"
        )
    assert set(voting.votes.values_list("revision", flat=True)) == {voting.revision}

    advance_amendments(now=voting.voting_ends_at + timedelta(days=3))

    voting.refresh_from_db()
    garden.refresh_from_db()
    assert voting.applied_at is not None and garden.version == 3
    assert garden.body == (
        "Beds are shared fairly.\n\nWater on Mondays.\n\nHarvest together, then feast.\n"
    )
    assert "Merged automatically with version 2" in voting.rebase_note
    page = client.get(voting.get_absolute_url()).content.decode()
    assert "every vote in this round is cast on revision 1" in page


def test_a_conflict_at_effect_sends_it_back_and_tells_its_voters(garden, members):
    voting = make_amendment(
        author=members[0],
        agreement=garden,
        body="Beds are shared.\n\nWater on Tuesdays.\n\nHarvest together.\n",
    )
    effect = adopt(voting, members)
    publish_version(
        agreement=garden,
        body="Beds are shared.\n\nWater on Fridays.\n\nHarvest together.\n",
        note="meanwhile",
    )

    advance_amendments(now=effect)

    voting.refresh_from_db()
    assert voting.phase == "needs_update" and "<<<<<<<" in voting.conflict
    told = set(
        Notification.objects.filter(item__amendment=voting, item__event="needs_update").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"m1", "m2"} <= told  # voters who never followed it


def test_a_long_title_and_a_long_revision_note_fit_every_column(client, garden, members):
    title = "T" * Amendment._meta.get_field("title").max_length
    amendment = make_amendment(author=members[0], agreement=garden, title=title)
    client.force_login(members[0])
    page = client.get(f"/amendments/{amendment.pk}/edit/").content.decode()
    from tests.forms import find_form

    form = find_form(
        page, url=f"/amendments/{amendment.pk}/edit/", containing="What this revision changes"
    )
    response = client.post(
        f"/amendments/{amendment.pk}/edit/",
        form.data(
            fill={
                "note": "N" * Amendment._meta.get_field("revision_note").max_length,
                "body": GARDEN + "\nOne more.\n",
            },
            button="Save the revision",
        ),
    )
    assert response.status_code == 302

    advance_amendments(now=adopt(amendment, members))

    garden.refresh_from_db()
    assert garden.version == 2
    record = garden.get_version(2)
    assert record.change_note == title
    assert record.history_change_reason == f"amendment #{amendment.pk}"


def test_one_failing_amendment_does_not_hold_back_the_others(garden, members, monkeypatch):
    first = make_amendment(author=members[0], agreement=garden)
    second = make_amendment(author=members[1], kind="new", proposed_title="Bikes", body="Ride.\n")
    real_apply = advancing.STEPS[2]

    def broken_for_first(pk, now):
        if pk == first.pk:
            raise RuntimeError("disk on fire")
        return real_apply(pk, now)

    monkeypatch.setitem(advancing.STEPS, 2, broken_for_first)
    adopt(first, members)
    adopt(second, members)
    when = max(first.effective_at, second.effective_at)

    with pytest.raises(AdvanceFailed) as failure:
        advance_amendments(now=when)

    assert failure.value.failed == [f"#{first.pk}: RuntimeError: disk on fire"]
    reload(first, second)
    assert first.applied_at is None and second.applied_at is not None

    # The command says which failed and exits non-zero; the next healthy run catches up.
    err = StringIO()
    with time_machine.travel(when), pytest.raises(CommandError, match=f"#{first.pk}"):
        call_command("advance", stdout=StringIO(), stderr=err)
    assert f"#{first.pk}" in err.getvalue()
    monkeypatch.setitem(advancing.STEPS, 2, real_apply)
    assert advance_amendments(now=when) == [f"#{first.pk} applied"]
    reload(first)
    assert first.applied_at == first.effective_at


def test_a_late_run_makes_the_same_history_as_a_punctual_one(garden, members):
    """An amendment still in discussion when a version took effect is rebased as of that
    moment, even if `advance` runs only much later."""
    adopted = make_amendment(
        author=members[0],
        agreement=garden,
        body="Beds are shared fairly.\n\nWater on Mondays.\n\nHarvest together.\n",
    )
    effect = adopt(adopted, members)
    discussing = make_amendment(
        author=members[1],
        agreement=garden,
        body="Beds are shared.\n\nWater on Mondays.\n\nHarvest together, then feast.\n",
        now=effect - timedelta(days=1),
    )
    assert discussing.discussion_ends_at > effect

    advance_amendments(now=discussing.discussion_ends_at + timedelta(days=1))

    discussing.refresh_from_db()
    assert discussing.phase == "voting"
    assert discussing.base_version == 2 and discussing.revision == 2
    assert discussing.body.startswith("Beds are shared fairly.")
