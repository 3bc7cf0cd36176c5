"""The public JSON API: stable shapes, ISO dates, absolute addresses, caching headers with 304s,
keyset pagination, CORS for GET."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from agreements.services import publish_version
from news.services import publish_post
from tests.factories import make_agreement, make_amendment, make_member

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
AGREEMENT_KEYS = {
    "type", "slug", "title", "summary", "status", "is_idea", "origin", "source", "version",
    "effective_at", "url", "api_url",
}  # fmt: skip


@pytest.fixture
def tools(community):
    tools = make_agreement(title="Tool library", body="Lend for a week.\n\nReturn clean.\n")
    publish_version(agreement=tools, body="Lend for two weeks.\n\nReturn clean.\n", note="Longer.")
    return tools


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def test_the_index_links_every_endpoint(client, community):
    data = get(client, "/api/").json()

    assert data["type"] == "index" and data["software"] == "soglasie"
    assert data["links"]["agreements"] == "http://testserver/api/agreements/"
    assert data["links"]["export"] == "http://testserver/api/export.tar.gz"


def test_agreements_in_force_have_a_stable_shape_with_iso_dates_and_absolute_urls(client, tools):
    data = get(client, "/api/agreements/").json()

    assert data["type"] == "agreement_list" and data["next"] is None
    assert [a["slug"] for a in data["items"]][0] == "idea"
    item = next(a for a in data["items"] if a["slug"] == tools.slug)
    assert set(item) == AGREEMENT_KEYS
    assert item["version"] == 2 and item["status"] == "in_force" and item["source"] is None
    assert ISO.match(item["effective_at"])
    assert item["url"] == f"http://testserver/agreements/{tools.slug}/"
    assert item["api_url"] == f"http://testserver/api/agreements/{tools.slug}/"


def test_one_agreement_carries_its_current_text(client, tools):
    data = get(client, f"/api/agreements/{tools.slug}/").json()

    assert set(data) >= AGREEMENT_KEYS
    assert data["body"] == "Lend for two weeks.\n\nReturn clean.\n"
    assert 'id="p-1"' in data["body_html"]
    assert data["change_note"] == "Longer."
    assert data["version_url"] == f"http://testserver/agreements/{tools.slug}/v/2/"
    assert data["history_url"] == f"http://testserver/api/agreements/{tools.slug}/history/"


def test_any_version_and_the_history(client, tools):
    first = get(client, f"/api/agreements/{tools.slug}/v/1/").json()
    history = get(client, f"/api/agreements/{tools.slug}/history/").json()

    assert first["type"] == "agreement_version"
    assert (first["version"], first["is_current"]) == (1, False)
    assert first["body"] == "Lend for a week.\n\nReturn clean.\n"
    assert first["agreement"]["version"] == 2
    assert [v["version"] for v in history["items"]] == [1, 2]
    assert history["items"][1]["change_note"] == "Longer."
    assert "body" not in history["items"][0]


def test_history_pages_by_version_number(client, tools):
    for n in range(3, 6):
        publish_version(agreement=tools, body=f"Version {n}.\n", note=f"v{n}")

    first = get(client, f"/api/agreements/{tools.slug}/history/?limit=2").json()
    second = get(client, first["next"]).json()
    third = get(client, second["next"]).json()

    assert [v["version"] for v in first["items"] + second["items"] + third["items"]] == [
        1, 2, 3, 4, 5,
    ]  # fmt: skip
    assert third["next"] is None


def test_unknown_things_are_404_in_json(client, community):
    for url in ("/api/agreements/nope/", "/api/agreements/idea/v/9/", "/api/amendments/999/"):
        response = get(client, url)
        assert response.status_code == 404
        assert response.json()["type"] == "error"
    assert get(client, "/api/amendments/?phase=nonsense").status_code == 400


def test_amendments_with_phase_and_tally_page_by_keyset(client, tools):
    alice = make_member("alice")
    now = timezone.now()
    for n in range(5):
        make_amendment(author=alice, agreement=tools, now=now - timedelta(hours=n), title=f"A{n}")

    first = get(client, "/api/amendments/?limit=2").json()
    pages = [first]
    while pages[-1]["next"]:
        pages.append(get(client, pages[-1]["next"]).json())

    titles = [a["title"] for page in pages for a in page["items"]]
    assert titles == ["A0", "A1", "A2", "A3", "A4"]
    item = first["items"][0]
    assert item["phase"] == "discussion" and item["kind"] == "change"
    assert item["tally"] == {
        "support": 0, "oppose": 0, "abstain": 0, "votes": 0, "quorum": 3,
        "has_quorum": False, "support_percent": None, "threshold_percent": 50.0,
    }  # fmt: skip
    assert item["author"] == {
        "username": "alice", "display_name": "alice", "url": "http://testserver/members/alice/",
    }  # fmt: skip
    assert ISO.match(item["discussion_ends_at"])
    detail = get(client, item["api_url"]).json()
    assert detail["rationale"] == "Because it helps." and detail["procedure"]["voting_days"] == 7
    only = get(client, f"/api/amendments/?agreement={tools.slug}&phase=discussion").json()
    assert len(only["items"]) == 5


def test_news_pages_and_procedure_and_community_counts(client, tools):
    alice = make_member("alice")
    publish_post(author=alice, title="Hello", body="We meet *Saturday*.")

    news = get(client, "/api/news/?limit=1").json()
    procedure = get(client, "/api/procedure/").json()
    counts = get(client, "/api/community/").json()

    assert news["items"][0]["title"] == "Hello" and news["items"][0]["kind"] == "post"
    assert news["items"][0]["body_html"] == "<p>We meet <em>Saturday</em>.</p>"
    assert news["next"].startswith("http://testserver/api/news/?limit=1&cursor=")
    assert procedure["quorum_minimum"] == 3
    assert procedure["set_by"] == "http://testserver/api/agreements/amendments/"
    assert counts["name"] == "Test Commons"
    assert counts["counts"]["members"] == 1 and counts["counts"]["in_good_standing"] == 1


def test_etag_gives_304_until_the_agreement_changes(client, tools):
    url = f"/api/agreements/{tools.slug}/"
    first = get(client, url)

    again = get(client, url, if_none_match=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]

    publish_version(agreement=tools, body="Lend for a month.\n", note="Even longer.")
    changed = get(client, url, if_none_match=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_last_modified_gives_304_to_if_modified_since(client, tools):
    url = f"/api/agreements/{tools.slug}/v/1/"
    first = get(client, url)
    # The agreement as it is now (version 2 took effect after the fixture's copy was made; the
    # two used to agree only when both fell within the same second).
    tools.refresh_from_db()
    assert first["Last-Modified"] == http_date(tools.effective_at.timestamp())

    again = get(client, url, if_modified_since=first["Last-Modified"])

    assert again.status_code == 304
    assert first["Cache-Control"] == "public, max-age=60"


def test_lists_answer_304_too(client, tools):
    for url in ("/api/agreements/", "/api/amendments/", "/api/news/", "/api/community/"):
        etag = get(client, url)["ETag"]
        assert get(client, url, if_none_match=etag).status_code == 304, url


def test_cors_preflight_and_only_reading(client, community):
    preflight = client.options("/api/agreements/")
    posted = client.post("/api/agreements/", {})

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight
    assert posted.status_code == 405


def test_the_api_does_not_depend_on_the_visitors_language(client, tools):
    english = get(client, "/api/news/").content
    client.cookies["django_language"] = "ru"

    assert get(client, "/api/news/").content == english
