"""Every form that changes something refuses a POST without its CSRF token, or with a forged one:
nothing is written. The founding form included (it is answered from a middleware). The language
switch alone needs none: it only sets the visitor's language cookie (tests/test_page_cache.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agreements.models import Community
from moderation.models import AppealMessage, ModerationAction, Report
from moderation.services import act, grant_power
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
    installer = get_user_model().objects.create_superuser(username="installer", password=PASSWORD)
    bob = make_member("bob")
    grant_power(installer=installer, member=bob, reason="r", clause=CLAUSE)
    entry = act(moderator=bob, act="hide", target="post", pk=post.pk, reason="r", clause=CLAUSE)
    report = Report.objects.create(reporter=bob, target="comment", comment=comment, reason="r")
    return {
        "alice": alice,
        "bob": bob,
        "garden": garden,
        "amendment": amendment,
        "comment": comment,
        "post": post,
        "entry": entry,
        "report": report,
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
    ("/moderation/act/comment/{comment.pk}/", {"act": "hide:comment", "reason": "r"}),
    ("/moderation/act/member/{bob.pk}/", {"act": "suspend:member", "days": "3"}),
    ("/moderation/report/comment/{comment.pk}/", {"reason": "r"}),
    ("/moderation/{entry.pk}/appeal/", {"body": "r"}),
    ("/moderation/reports/{report.pk}/dismiss/", {"note": "r"}),
]
CLAUSE = "/agreements/public-power/v/1/#p-3"


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_a_post_without_the_csrf_token_is_refused(world, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    path = path.format(**world)
    data = {key: value.format(**world) for key, value in data.items()}

    response = client.post(path, data)

    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_a_post_with_a_forged_csrf_token_is_refused_and_writes_nothing(world, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    client.get("/")  # a real CSRF cookie; the attacker cannot read it, so posts another token
    before = _counts()
    path = path.format(**world)
    data = {key: value.format(**world) for key, value in data.items()}

    response = client.post(path, {**data, "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    assert _counts() == before


def _counts():
    from agreements.models import Amendment, Comment, Vote
    from news.models import NewsItem

    models = [Amendment, Comment, Vote, NewsItem, ModerationAction, AppealMessage, Report]
    return [model.objects.count() for model in models]


def test_a_cross_site_post_cannot_found_the_site(db, django_user_model):
    installer = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(installer)
    founding = {
        "name": "Attackers",
        "idea_title": "Owned",
        "idea_body": "Text of the attacker.",
        "language": "en",
    }

    missing = client.post("/", founding)
    client.get("/")
    forged = client.post("/", {**founding, "csrfmiddlewaretoken": "y" * 64})

    assert (missing.status_code, forged.status_code) == (403, 403)
    assert not Community.objects.exists()
    # With the token the page gives, the installer founds it.
    from tests.forms import form_in

    form = form_in(client.get("/").content.decode(), containing="idea_body")
    done = client.post("/", form.data(name="Real", idea_title="Ours", idea_body="Our idea."))
    assert done.status_code == 302
    assert Community.current().name == "Real"
