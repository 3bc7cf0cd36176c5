"""Amendments that collide are found as soon as they are proposed or revised, shown side by side,
marked in the lists, and their authors told; when one takes effect the others follow."""

from datetime import timedelta

import pytest

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import cast_vote, revise_amendment, withdraw_amendment
from agreements.models import Amendment, Collision
from members.services import follow
from news.models import NewsItem, Notification
from tests.factories import make_agreement, make_amendment, make_member
from tests.forms import submit

GARDEN = "Beds are shared.\n\nWater on Mondays.\n\nHarvest together.\n\nCompost in the corner.\n"


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body=GARDEN)


@pytest.fixture
def people(garden):
    return [make_member(name) for name in ("anna", "boris", "chen", "dana", "emil")]


def reworded(index, new, text=GARDEN):
    paragraphs = text.strip().split("\n\n")
    paragraphs[index] = new
    return "\n\n".join(paragraphs) + "\n"


def propose(client, author, agreement, body, title):
    """Propose a change through the form as rendered."""
    client.force_login(author)
    response = submit(
        client,
        f"/amendments/new/?kind=change&agreement={agreement.slug}",
        containing="Publish the proposal",
        button="Publish the proposal",
        fill={"title": title, "rationale": "Because.", "body": body},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Amendment.objects.get(title=title)


def test_two_changes_to_the_same_paragraph_collide_and_both_authors_are_told(
    client, garden, people
):
    anna, boris = people[:2]
    tuesdays = propose(client, anna, garden, reworded(1, "Water on Tuesdays."), "Tuesdays")
    fridays = propose(client, boris, garden, reworded(1, "Water on Fridays."), "Fridays")

    assert Collision.objects.filter(amendment=tuesdays, other=fridays).count() == 1
    page = client.get(tuesdays.get_absolute_url()).content.decode()
    assert 'id="collisions"' in page and "Collides with 1 other amendment" in page
    assert f"#{fridays.pk} Fridays" in page
    assert "Both change paragraph 2 of" in page
    # Side by side: each wording against the base, as a word diff.
    assert "<del>Mondays</del><ins>Tuesdays</ins>" in page
    assert "<del>Mondays</del><ins>Fridays</ins>" in page
    assert "Tuesdays" in client.get(fridays.get_absolute_url()).content.decode()

    listing = client.get(f"/amendments/?agreement={garden.slug}").content.decode()
    assert listing.count("collides with another amendment") == 2
    assert (
        "collides with another amendment" in client.get(garden.get_absolute_url()).content.decode()
    )

    told = set(
        Notification.objects.filter(item__event=NewsItem.Event.COLLISION).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"anna", "boris"}
    event = NewsItem.objects.get(event=NewsItem.Event.COLLISION)
    assert event.target_url() == f"{fridays.get_absolute_url()}#collisions"
    assert f"collides with amendment #{tuesdays.pk}" in event.headline


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (reworded(1, "Water on Tuesdays."), reworded(2, "Harvest together, then feast.")),
        (reworded(1, "Water on Tuesdays."), reworded(1, "Water on Tuesdays.")),
        (
            "Beds are shared.\n\nHarvest together.\n\nCompost in the corner.\n\n"
            "Water on Mondays.\n",
            reworded(3, "Compost behind the shed."),
        ),
        (GARDEN + "\nA new last clause.\n", reworded(3, "Compost behind the shed.")),
    ],
    ids=["neighbouring paragraphs", "the same change", "moved text", "added after a changed one"],
)
def test_changes_to_different_paragraphs_do_not_collide(client, garden, people, first, second):
    one = propose(client, people[0], garden, first, "One")
    two = propose(client, people[1], garden, second, "Two")

    assert not Collision.objects.exists()
    assert 'id="collisions"' not in client.get(one.get_absolute_url()).content.decode()
    assert "collides with" not in client.get("/amendments/").content.decode()
    assert not NewsItem.objects.filter(event=NewsItem.Event.COLLISION).exists()
    assert two.pk


def test_moving_a_paragraph_the_other_changes_collides(client, garden, people):
    moved = "Beds are shared.\n\nHarvest together.\n\nCompost in the corner.\n\nWater on Mondays.\n"
    one = propose(client, people[0], garden, moved, "Move watering last")
    two = propose(client, people[1], garden, reworded(1, "Water on Fridays."), "Fridays")

    assert Collision.objects.filter(amendment=one, other=two).exists()


def test_a_revision_can_end_a_collision_and_a_new_one_is_told_once(garden, people):
    anna, boris = people[:2]
    one = make_amendment(author=anna, agreement=garden, body=reworded(1, "Water on Tuesdays."))
    two = make_amendment(author=boris, agreement=garden, body=reworded(1, "Water on Fridays."))
    assert Collision.objects.count() == 1

    revise_amendment(
        amendment=two,
        author=boris,
        title=two.title,
        body=reworded(3, "Compost behind the shed."),
        rationale="Leave watering to anna.",
        note="Only the compost.",
    )
    assert not Collision.objects.exists()

    revise_amendment(
        amendment=two,
        author=boris,
        title=two.title,
        body=reworded(1, "Water on Sundays."),
        rationale="Sundays after all.",
        note="Back to watering.",
    )
    assert Collision.objects.count() == 1
    assert NewsItem.objects.filter(event=NewsItem.Event.COLLISION).count() == 2

    withdraw_amendment(amendment=one, author=anna)
    assert not Collision.objects.exists()


def test_when_one_takes_effect_the_others_are_rebased_or_sent_back_and_followers_told(
    garden, people
):
    """The rebase cascade: of the other pending changes, one in discussion that changes other
    paragraphs is merged onto the new version at once, one that collides goes back to its
    author, and one already in voting keeps its frozen text until it takes effect."""
    anna, boris, chen, dana, emil = people
    adopted = make_amendment(author=anna, agreement=garden, body=reworded(1, "Water on Tuesdays."))
    frozen = make_amendment(
        author=emil, agreement=garden, body=reworded(0, "Beds are shared fairly.")
    )
    when = adopted.discussion_ends_at + timedelta(hours=1)
    for voter in people:
        cast_vote(amendment=adopted, member=voter, choice="support", now=when)
        cast_vote(amendment=frozen, member=voter, choice="support", now=when)
    # Proposed once the first two are adopted: still in discussion when they take effect.
    later = adopted.voting_ends_at + timedelta(days=1)
    clean = make_amendment(
        author=boris, agreement=garden, body=reworded(2, "Harvest together, then feast."), now=later
    )
    colliding = make_amendment(
        author=chen, agreement=garden, body=reworded(1, "Water on Fridays."), now=later
    )
    rival = make_amendment(
        author=dana, agreement=garden, body=reworded(2, "Harvest together, then rest."), now=later
    )
    follow(member=dana, amendment=clean)
    assert Collision.objects.filter(amendment=adopted, other=colliding).exists()
    assert Collision.objects.get(amendment=clean, other=rival).base_version == 1
    adopted.refresh_from_db()

    advance_amendments(
        now=adopted.voting_ends_at + timedelta(days=adopted.effect_delay_days, minutes=1)
    )

    garden.refresh_from_db()
    for amendment in (adopted, frozen, clean, colliding):
        amendment.refresh_from_db()
    # The adopted change is version 2; the frozen one, merged at its effect, version 3.
    assert adopted.applied_at is not None and adopted.adopted_version == 2
    assert frozen.base_version == 1 and frozen.applied_at is not None
    assert frozen.adopted_version == 3 and "Merged automatically" in frozen.rebase_note
    assert clean.phase == "discussion" and clean.base_version == 3
    assert clean.body == reworded(2, "Harvest together, then feast.", text=garden.body)
    assert colliding.phase == "needs_update" and "<<<<<<<" in colliding.conflict
    rebased = NewsItem.objects.filter(event=NewsItem.Event.REBASED, amendment=clean)
    assert sorted(rebased.values_list("version", flat=True)) == [2, 3]
    rebased = rebased.get(version=3)
    assert Notification.objects.filter(recipient=dana, item=rebased).exists()
    assert Notification.objects.filter(
        recipient=chen, item__event=NewsItem.Event.NEEDS_UPDATE, item__amendment=colliding
    ).exists()
    # The colliding one waits for its author; the two rebased ones are compared again, on the
    # version now in force, and still collide.
    assert list(Collision.objects.values_list("amendment", "other", "base_version")) == [
        (clean.pk, rival.pk, 3)
    ]
