"""Requests no browser sends: NUL characters, broken UTF-8, ids out of range, odd digits, unknown
form fields, over-long values, HEAD. Each gets an exact, deliberate answer, never a 500."""

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from agreements.models import Amendment
from tests.factories import PASSWORD, make_agreement, make_amendment, make_member, make_user


@pytest.fixture
def world(community):
    garden = make_agreement(title="Garden", body="Beds.\n\nWater.\n")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    from agreements.amendments.services import post_comment
    from news.services import publish_post

    post_comment(amendment=amendment, author=alice, body="Hi.")
    publish_post(author=alice, title="Hello", body="Text")
    return {"alice": alice, "garden": garden, "amendment": amendment}


NUL_REQUESTS = [
    "/amendments/?agreement=%00",
    "/amendments/?phase=%00",
    "/news/?agreement=%00",
    "/news/?kind=%00&before=%00",
    "/members/%00/",
    "/members/al%00ice/",
    "/agreements/%00/",
    "/moderation/?by=%00",
    "/moderation/?act=%00&target=%00",
    "/amendments/1/?paragraph=%00&after=%00",
    "/amendments/new/?kind=change&agreement=%00",
    "/admin/agreements/agreement/?status=%00",
    "/news/feed.atom?key=%00",
    "/?%00=1",
]


@pytest.mark.parametrize("path", NUL_REQUESTS)
def test_a_nul_in_an_address_is_a_plain_400(client, world, superuser, path):
    client.force_login(superuser)

    response = client.get(path)

    assert response.status_code == 400
    assert "no address can contain" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/follow/", {"agreement": "\x00"}),
        ("/follow/", {"member": "ali\x00ce"}),
        ("/follow/", {"amendment": "99999999999999999999999"}),
        ("/follow/", {"amendment": "\x00"}),
        ("/amendments/{pk}/comments/", {"body": "x\x00y"}),
        ("/amendments/{pk}/comments/", {"body": "x", "parent": "99999999999999999999"}),
        ("/amendments/{pk}/comments/", {"body": "x", "paragraph": "\x00"}),
        ("/amendments/{pk}/vote/", {"choice": "\x00"}),
        ("/join/", {"v-99999999999999999999999": "1"}),
        ("/join/", {"v-424242": "1"}),
        ("/join/", {"v-\x00": "1"}),
        ("/news/new/", {"title": "\x00", "body": "\x00"}),
        ("/members/alice/settings/", {"display_name": "\x00", "language": "en"}),
        ("/accounts/login/", {"username": "\x00", "password": "x"}),
        ("/accounts/login/", {"username": "a" * 300, "password": "x"}),
        ("/accounts/login/", {"username": "é" * 10_000, "password": "x"}),
        ("/accounts/signup/", {"username": "\x00", "password1": "x", "password2": "x"}),
        ("/i18n/setlang/", {"language": "\x00", "next": "\x00"}),
        ("/moderation/report/comment/1/", {"reason": "\x00"}),
    ],
)
def test_nul_and_out_of_range_values_in_forms_write_nothing_and_never_fail(
    client, world, path, data
):
    client.force_login(world["alice"])
    before = Amendment.objects.get().comment_count

    response = client.post(path.format(pk=world["amendment"].pk), data)

    assert response.status_code in (200, 302, 400, 403, 404), response.status_code
    assert Amendment.objects.get().comment_count == before


def test_a_nul_in_a_text_gets_an_error_next_to_the_field_and_keeps_the_text(client, world):
    client.force_login(world["alice"])

    response = client.post("/news/new/", {"title": "Fine title", "body": "Text\x00with NUL"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Null characters are not allowed." in page
    assert "Fine title" in page


@pytest.mark.parametrize(
    "path",
    [
        "/amendments/99999999999999999999/",
        "/amendments/9999999999999999999/",
        "/amendments/0/",
        "/amendments/abc/",
        "/amendments/-1/",
        "/amendments/123456789012345678/",
        "/amendments/1/revisions/1..99999999999999999999/",
        "/amendments/1/comments/99999999999999999999/edit/",
        "/amendments/99999999999999999999/feed.atom",
        "/news/99999999999999999999/",
        "/news/1e3/",
        "/agreements/garden/v/99999999999999999999/",
        "/agreements/garden/v/0/",
        "/moderation/99999999999999999999/",
        "/moderation/0/",
        "/moderation/act/comment/99999999999999999999/",
        "/moderation/act/nonsense/1/",
        "/moderation/report/nonsense/1/",
        "/members/nobody/",
    ],
)
def test_non_numeric_and_out_of_range_ids_are_404(client, world, path):
    client.force_login(world["alice"])

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "1²", "00000000001", "-1", "1.5", "  2", "9" * 40])
def test_odd_digits_in_paragraph_show_the_whole_thread(client, world, value):
    response = client.get(world["amendment"].get_absolute_url(), {"paragraph": value})

    assert response.status_code == 200
    assert "Showing comments about" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/members/%FF%FE/",
        "/agreements/%C3%28/",
        "/news/?kind=%FF",
        "/amendments/?agreement=%E2%82",
        "/moderation/?by=%C0%AF",
    ],
)
def test_invalid_utf8_in_addresses_is_answered(client, world, path):
    assert client.get(path).status_code in (200, 404)


def test_invalid_utf8_in_a_form_is_answered(client, world):
    client.force_login(world["alice"])

    response = client.post(
        f"/amendments/{world['amendment'].pk}/comments/",
        data=b"body=%FF%FE%C3%28",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code in (302, 400)


def test_a_borrowed_source_address_longer_than_its_column_is_refused_next_to_the_field(
    client, world
):
    client.force_login(world["alice"])
    url = "https://example.org/" + "x" * 200

    response = client.post(
        "/amendments/new/?kind=new",
        {"title": "T", "proposed_title": "P", "body": "B", "rationale": "R", "source_url": url},
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    assert Amendment.objects.count() == 1


def _get_pages(world):
    amendment = world["amendment"]
    return [
        "/",
        "/agreements/",
        "/agreements/garden/",
        "/agreements/garden/v/1/",
        "/agreements/garden/history/",
        "/agreements/garden/diff/1..1/",
        "/agreements/garden.md",
        "/agreements/garden/feed.atom",
        "/amendments/",
        amendment.get_absolute_url(),
        f"/amendments/{amendment.pk}/feed.atom",
        "/amendments/new/?kind=new",
        "/news/",
        "/news/feed.atom",
        "/join/",
        "/community/",
        "/members/alice/",
        "/members/alice/settings/",
        "/notifications/",
        "/moderation/",
        "/moderation/feed.atom",
        "/moderation/reports/mine/",
        f"/moderation/report/comment/{amendment.comments.get().pk}/",
        "/accounts/password/",
    ]


ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


def test_head_is_answered_wherever_get_is(client, world):
    for path in ANONYMOUS_PAGES:
        assert (client.get(path).status_code, client.head(path).status_code) == (200, 200), path
    client.force_login(world["alice"])

    for path in _get_pages(world):
        get, head = client.get(path), client.head(path)
        assert get.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b"", path


def test_no_view_refuses_head_while_it_answers_get():
    """A guard on the code itself: `require_GET` refuses HEAD (monitors read the 405 as "down"),
    so views use `require_safe`, and every method list that has GET has HEAD."""
    import re
    from pathlib import Path

    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "require_GET" in source:
            offenders.append(f"{path}: require_GET")
        for methods in re.findall(r"require_http_methods\((\[[^\]]*\])\)", source):
            if '"GET"' in methods and '"HEAD"' not in methods:
                offenders.append(f"{path}: {methods}")
    assert offenders == []


def test_every_response_carries_a_strict_content_security_policy(client, world):
    for path in ("/", "/news/feed.atom", "/agreements/garden.md", "/nowhere/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_no_template_needs_inline_script_or_style(client, world):
    """What the policy forbids, no page of ours uses."""
    from tests.html_checks import page_problems

    client.force_login(world["alice"])
    for path in _get_pages(world):
        response = client.get(path)
        if response["Content-Type"].startswith("text/html"):
            assert page_problems(response.content.decode()) == [], path


@pytest.fixture
def failing(settings, monkeypatch):
    """A request whose view fails, as the test client lets the 500 page through."""
    settings.DEBUG = False

    def client_with(error):
        from news import views

        def broken(*args, **kwargs):
            raise error

        monkeypatch.setattr(views.selectors, "news_page", broken)
        return Client(raise_request_exception=False)

    return client_with


def test_a_failing_page_says_truthfully_that_the_text_was_probably_not_saved(world, failing):
    client = failing(RuntimeError("bug"))

    response = client.get("/news/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "If you were sending a text, it was probably not saved." in page
    assert "Nothing you wrote is lost" not in page
    assert "Если вы отправляли текст, скорее всего, он не сохранён." in page


def test_a_database_outage_is_a_503_saying_nothing_was_saved(world, failing):
    client = failing(OperationalError("could not connect to server"))

    response = client.get("/news/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "what you just sent was not saved" in response.content.decode()


def test_production_settings_set_database_timeouts(db):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor == "postgresql":
        assert options["connect_timeout"] == 5
        assert "statement_timeout=30000" in options["options"]
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "30s"
    else:
        assert options["timeout"] == 20


def test_a_login_with_a_huge_username_is_refused_like_any_other(client, world):
    from axes.models import AccessAttempt

    make_user("bob")

    response = client.post("/accounts/login/", {"username": "b" * 5000, "password": PASSWORD})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "b" * 160, "counted, within django-axes' column"
