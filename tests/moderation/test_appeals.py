"""Every entry has a public appeal thread; another moderator decides; a reversal is logged."""

import pytest

from moderation.models import AppealMessage, ModerationAction
from moderation.services import act
from tests.factories import make_user
from tests.forms import form_in, submit

from .conftest import APPEAL_CLAUSE, MODERATION_CLAUSE


@pytest.fixture
def hidden(moderator, comment):
    return act(
        moderator=moderator,
        act="hide",
        target="comment",
        pk=comment.pk,
        reason="Mocking.",
        clause=MODERATION_CLAUSE,
    )


def test_the_author_appeals_in_public_and_another_moderator_reverses(
    client, hidden, alice, second_moderator, comment
):
    client.force_login(alice)
    appealed = submit(
        client, hidden.get_absolute_url(), containing="body", body="It was about the beds."
    )
    assert appealed.status_code == 302

    client.force_login(second_moderator)
    page = client.get(hidden.get_absolute_url()).content.decode()
    form = form_in(page, containing="decision")
    assert form.choices["decision"] == ["", "upheld", "reversed"]
    reversed_ = client.post(
        form.action,
        form.data(
            body="Reversed: it is about the beds.", decision="reversed", clause=APPEAL_CLAUSE
        ),
    )

    assert reversed_.status_code == 302
    reversal = ModerationAction.objects.get(act="reverse")
    assert (reversal.actor, reversal.reverses) == (second_moderator, hidden)
    comment.refresh_from_db()
    assert comment.hidden is None
    client.logout()
    entry = client.get(hidden.get_absolute_url()).content.decode()
    assert "It was about the beds." in entry and "Reversed: it is about the beds." in entry
    assert f"entry #{reversal.pk}" in entry
    assert "Hidden by" not in client.get(comment.amendment.get_absolute_url()).content.decode()
    assert [m.decision for m in AppealMessage.objects.order_by("id")] == ["", "reversed"]


def test_the_moderator_who_acted_cannot_decide_and_decisions_are_final(
    client, hidden, moderator, second_moderator, alice
):
    client.force_login(moderator)
    page = client.get(hidden.get_absolute_url()).content.decode()
    assert 'name="decision"' not in page
    forged = client.post(
        f"/moderation/{hidden.pk}/appeal/",
        {"body": "I reverse myself", "decision": "reversed", "clause": APPEAL_CLAUSE},
    )
    assert forged.status_code == 302  # published as a plain message: the decision is not theirs
    assert AppealMessage.objects.get().decision == ""
    assert not ModerationAction.objects.filter(act="reverse").exists()

    client.force_login(second_moderator)
    submit(
        client, hidden.get_absolute_url(), containing="decision", body="Upheld.", decision="upheld"
    )
    page = client.get(hidden.get_absolute_url()).content.decode()
    assert 'name="decision"' not in page
    hidden.refresh_from_db()
    assert hidden.comment.hidden is not None


def test_reversing_needs_a_clause(client, hidden, second_moderator):
    client.force_login(second_moderator)

    response = submit(
        client,
        hidden.get_absolute_url(),
        containing="decision",
        body="Reverse",
        decision="reversed",
    )

    assert response.status_code == 400
    assert "Name the clause that allows this act" in response.content.decode()
    assert "Reverse" in response.content.decode()
    assert not AppealMessage.objects.exists()


def test_who_may_write_in_an_appeal(client, hidden, alice, moderator, comment):
    outsider = make_user("outsider")
    client.force_login(outsider)
    assert 'action="/moderation/' not in client.get(hidden.get_absolute_url()).content.decode()
    refused = client.post(f"/moderation/{hidden.pk}/appeal/", {"body": "Let me in"})
    assert refused.status_code == 403
    client.logout()
    anonymous = client.post(f"/moderation/{hidden.pk}/appeal/", {"body": "Let me in"})
    assert anonymous.status_code == 403
    assert not AppealMessage.objects.exists()


def test_a_suspended_member_appeals_their_suspension(client, moderator, alice, second_moderator):
    suspension = act(
        moderator=moderator,
        act="suspend",
        target="member",
        pk=alice.pk,
        reason="Spam.",
        clause=MODERATION_CLAUSE,
        days=7,
    )
    client.force_login(alice)
    assert (
        submit(
            client, suspension.get_absolute_url(), containing="body", body="It was not spam."
        ).status_code
        == 302
    )

    client.force_login(second_moderator)
    submit(
        client,
        suspension.get_absolute_url(),
        containing="decision",
        body="Not spam indeed.",
        decision="reversed",
        clause=APPEAL_CLAUSE,
    )

    alice.refresh_from_db()
    assert not alice.is_suspended()


def test_a_grant_can_be_reversed_on_appeal(client, moderator, second_moderator, alice):
    from moderation.services import is_moderator

    grant = ModerationAction.objects.get(act="grant", member=moderator)
    client.force_login(alice)
    submit(client, grant.get_absolute_url(), containing="body", body="Not chosen by anyone.")
    client.force_login(second_moderator)
    submit(
        client,
        grant.get_absolute_url(),
        containing="decision",
        body="Indeed.",
        decision="reversed",
        clause=APPEAL_CLAUSE,
    )

    assert not is_moderator(moderator)
