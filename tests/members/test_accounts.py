import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, make_member, make_user

SIGNUP = {
    "username": "newcomer",
    "display_name": "New Comer",
    "email": "newcomer@example.org",
    "language": "en",
    "password1": "correct-horse-battery-9",
    "password2": "correct-horse-battery-9",
}


def test_signup_logs_in_and_returns_to_where_the_visitor_was_going(client, community):
    response = client.post("/accounts/signup/?next=/join/", {**SIGNUP, "next": "/join/"})

    assert response.status_code == 302
    assert response["Location"] == "/join/"
    page = client.get("/join/").content.decode()
    assert "New Comer" in page
    assert "I accept all" in page


def test_signup_sets_the_chosen_interface_language(client, community):
    response = client.post("/accounts/signup/", {**SIGNUP, "language": "ru"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Соглашения" in client.get("/").content.decode()


def test_signup_refuses_an_unsafe_next_address(client, community):
    response = client.post("/accounts/signup/", {**SIGNUP, "next": "https://evil.example/"})

    assert response["Location"] == "/join/"


@pytest.mark.parametrize("taken", ["newcomer", "NewComer", "NEWCOMER"])
def test_usernames_are_unique_whatever_their_case(client, community, taken):
    make_user("newcomer")

    response = client.post("/accounts/signup/", {**SIGNUP, "username": taken})

    page = response.content.decode()
    assert response.status_code == 200
    assert "A user with that username already exists." in page
    assert 'value="New Comer"' in page
    assert 'value="newcomer@example.org"' in page


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short."),
        ("password123", "This password is too common."),
        ("8391047562", "This password is entirely numeric."),
        ("newcomer2026", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, community, password, message):
    response = client.post(
        "/accounts/signup/", {**SIGNUP, "password1": password, "password2": password}
    )

    page = response.content.decode()
    assert message in page
    assert 'value="newcomer"' in page
    assert not client.session.get("_auth_user_id")


def test_login_accepts_the_username_in_any_case_and_logout_needs_post(client, community):
    make_user("Alice")

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").context["user"].username == "Alice"
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_login_failure_keeps_the_username_and_says_why(client, community):
    make_user("alice")

    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="alice"' in page


def test_repeated_failed_logins_lock_out_with_a_clear_message(client, community):
    make_user("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post("/accounts/login/", {"username": "alice", "password": "x"}).status_code
            == 200
        )

    locked = client.post("/accounts/login/", {"username": "ALICE", "password": "x"})

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed attempts" in page
    assert "Try again in 15 minutes." in page
    still_locked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert still_locked.status_code == 429
    make_user("bob")
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    other = elsewhere.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert other.status_code == 302


def test_password_change(client, community):
    user = make_user("alice")
    client.force_login(user)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase-7",
            "new_password2": "a-brand-new-passphrase-7",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase-7")


def test_password_reset_is_mailed_only_when_an_email_is_set(client, community):
    make_user("alice", email="alice@example.org")
    make_user("bob")

    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "reset-passphrase-2026", "new_password2": "reset-passphrase-2026"},
    )
    assert done.status_code == 302


def test_email_is_never_shown_to_anyone_but_its_owner(client, community):
    alice = make_member("alice", email="alice.secret@example.org")
    viewer = make_member("viewer")
    client.force_login(viewer)

    for path in ("/", "/community/", "/join/", "/members/alice/", "/agreements/"):
        assert "alice.secret@example.org" not in client.get(path).content.decode(), path
    client.force_login(alice)
    assert "alice.secret@example.org" in client.get("/members/alice/settings/").content.decode()


def test_only_the_owner_can_open_or_change_settings(client, community):
    make_user("alice", display_name="Alice")
    mallory = make_user("mallory")
    client.force_login(mallory)

    assert client.get("/members/alice/settings/").status_code == 403
    response = client.post("/members/alice/settings/", {"display_name": "Owned", "language": "en"})
    assert response.status_code == 403
    assert "Owned" not in client.get("/members/alice/").content.decode()


def test_settings_need_login(client, community):
    make_user("alice")

    response = client.get("/members/alice/settings/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_settings_form_keeps_input_on_error(client, community):
    alice = make_user("alice")
    client.force_login(alice)

    response = client.post(
        "/members/alice/settings/",
        {
            "display_name": "Alice A.",
            "bio": "I fix things.",
            "language": "en",
            "is_volunteer": "on",
        },
    )

    page = response.content.decode()
    assert "Say in a few words what you offer." in page
    assert "I fix things." in page
    assert 'value="Alice A."' in page


def test_profile_address_is_case_insensitive_and_canonical(client, community):
    make_member("Alice")

    response = client.get("/members/alice/")

    assert response.status_code == 301
    assert response["Location"] == "/members/Alice/"
    assert client.get("/members/nobody/").status_code == 404


def test_the_password_rules_are_a_list_in_a_block_the_field_points_to(client, community):
    page = client.get("/accounts/signup/").content.decode()

    help_block = re.search(r'<div class="help" id="id_password1_helptext">(.*?)</div>', page, re.S)
    assert help_block and "<ul>" in help_block.group(1)
    assert 'aria-describedby="id_password1_helptext"' in page
    assert not re.search(r'<p class="help"[^>]*>\s*<ul>', page)
