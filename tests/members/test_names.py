"""Names that cannot impersonate: single-script usernames, normalised display names, no look-alike
of another member's name, and the @username beside every name shown."""

import pytest

from agreements.amendments.services import cast_vote, post_comment
from members.models import User
from tests.factories import make_agreement, make_amendment, make_member, make_user
from tests.forms import submit

SIGNUP = {"password1": "a-long-pass-99", "password2": "a-long-pass-99", "language": "en"}


def signup(client, **fields):
    return submit(client, "/accounts/signup/", containing="password1", **{**SIGNUP, **fields})


@pytest.mark.parametrize("username", ["аnna", "annа", "pаypal", "adminΑ"])
def test_a_username_mixing_scripts_is_refused(client, community, username):
    response = signup(client, username=username)

    assert response.status_code == 200
    assert "A username must be written in one script" in response.content.decode()
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize("username", ["anna", "Анна", "Ἀθηνᾶ", "anna_2026", "a.b-c"])
def test_single_script_usernames_are_welcome(client, community, username):
    assert signup(client, username=username).status_code == 302


@pytest.mark.parametrize(
    ("taken", "lookalike"), [("ace", "асе"), ("bill", "biII"), ("mary", "rnary"), ("olga", "0lga")]
)
def test_a_username_that_looks_like_another_is_refused(client, community, taken, lookalike):
    make_user(taken)

    response = signup(client, username=lookalike)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"can be mistaken for the name of another member (@{taken})" in page or (
        "A username must be written in one script" in page
    )
    assert not User.objects.filter(username=lookalike).exists()


def test_a_display_name_is_normalised(client, community):
    alice = make_user("alice")
    client.force_login(alice)

    submit(
        client,
        "/members/alice/settings/",
        containing="bio",
        display_name="  Ａlice\u200b \u202eecilA\u202c  the\u00a0Great ",
    )

    alice.refresh_from_db()
    assert alice.display_name == "Alice ecilA the Great"


@pytest.mark.parametrize(
    "name", ["Anna Petrova", "anna petrova", "Аnna Реtrova", "ANNA PETROVA", "anna"]
)
def test_a_display_name_may_not_look_like_another_members_name(client, community, name):
    make_user("anna", display_name="Anna Petrova")
    mallory = make_user("mallory")
    client.force_login(mallory)

    response = submit(client, "/members/mallory/settings/", containing="bio", display_name=name)

    assert response.status_code == 200
    assert "can be mistaken for the name of another member (@anna)" in response.content.decode()
    mallory.refresh_from_db()
    assert mallory.display_name == ""


def test_a_member_may_use_a_display_name_like_their_own_username(client, community):
    anna = make_user("anna")
    client.force_login(anna)

    assert (
        submit(client, "/members/anna/settings/", containing="bio", display_name="ANNA").status_code
        == 302
    )


def test_signing_up_with_a_look_alike_display_name_is_refused(client, community):
    make_user("anna", display_name="Anna Petrova")

    response = signup(client, username="mallory", display_name="Anna Petrova")

    assert "can be mistaken for the name of another member (@anna)" in response.content.decode()
    assert not User.objects.filter(username="mallory").exists()


def test_the_username_is_shown_beside_every_name(client, community):
    garden = make_agreement(title="Garden", body="Beds.\n")
    anna = make_member("anna", display_name="Anna Petrova")
    make_member("real", display_name="Real Person")
    amendment = make_amendment(author=anna, agreement=garden, title="Water")
    post_comment(amendment=amendment, author=anna, body="Hello.")
    from datetime import timedelta

    import time_machine

    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1)):
        cast_vote(amendment=amendment, member=anna, choice="support")
        page = client.get(amendment.get_absolute_url()).content.decode()
    feed = client.get(f"/amendments/{amendment.pk}/feed.atom").content.decode()
    agreement_feed = client.get("/agreements/garden/feed.atom").content.decode()
    listing = client.get("/amendments/").content.decode()

    assert (
        page.count('Anna Petrova</a> <span class="handle">@anna</span>') >= 3
    )  # by, comment, vote
    assert "Comment by Anna Petrova (@anna)" in feed
    assert "<name>Anna Petrova (@anna)</name>" in feed
    assert "<name>Anna Petrova (@anna)</name>" in agreement_feed
    assert "by Anna Petrova (@anna)" in listing
