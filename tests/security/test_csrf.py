"""Every form that changes something refuses a POST without its CSRF token."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_agreement, make_amendment, make_member


@pytest.fixture
def world(community):
    garden = make_agreement(title="Garden", body="Beds.\n")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    from agreements.amendments.services import post_comment
    from news.services import publish_post

    comment = post_comment(amendment=amendment, author=alice, body="Hi.")
    post = publish_post(author=alice, title="Hello", body="Text")
    return {
        "alice": alice,
        "garden": garden,
        "amendment": amendment,
        "comment": comment,
        "post": post,
    }


FORMS = [
    ("/", {"name": "X"}),
    (
        "/accounts/signup/",
        {"username": "x", "password1": "a-b-c-d-e-f", "password2": "a-b-c-d-e-f"},
    ),
    ("/accounts/login/", {"username": "alice", "password": PASSWORD}),
    ("/accounts/logout/", {}),
    ("/accounts/password/", {"old_password": PASSWORD}),
    ("/accounts/password/reset/", {"email": "alice@example.org"}),
    ("/join/", {"v-1": "1"}),
    ("/join/leave/", {}),
    ("/members/alice/settings/", {"display_name": "X", "language": "en"}),
    ("/i18n/setlang/", {"language": "ru"}),
    ("/follow/", {"agreement": "{garden.slug}"}),
    ("/amendments/new/", {"title": "X", "body": "Y", "rationale": "Z"}),
    ("/amendments/{amendment.pk}/vote/", {"choice": "support"}),
    ("/amendments/{amendment.pk}/comments/", {"body": "Hi"}),
    ("/amendments/{amendment.pk}/comments/{comment.pk}/edit/", {"body": "Hi"}),
    ("/amendments/{amendment.pk}/edit/", {"title": "X"}),
    ("/amendments/{amendment.pk}/withdraw/", {}),
    ("/news/new/", {"title": "X", "body": "Y"}),
    ("/news/{post.pk}/edit/", {"title": "X", "body": "Y"}),
    ("/notifications/read/", {}),
]


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_a_post_without_the_csrf_token_is_refused(world, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    path = path.format(**world)
    data = {key: value.format(**world) for key, value in data.items()}

    response = client.post(path, data)

    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
