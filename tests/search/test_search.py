"""Search over the agreements in force, amendments, comments and news."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from agreements.amendments.services import post_comment
from agreements.services import publish_version, repeal_agreement
from news.services import publish_post
from search.indexing import clauses, language_of
from search.models import Entry
from tests.factories import make_agreement, make_amendment, make_member


def results(client, query, **params):
    page = client.get("/search/", {"q": query, **params}).content.decode()
    return page, re.findall(r'<a class="search-title" href="([^"]+)">', page)


@pytest.fixture
def garden(community):
    return make_agreement(
        title="Community garden",
        body="Beds are shared by all members.\n\nCompost goes to the bins by the shed.\n\n"
        "Watering follows the rota.\n",
    )


def test_an_agreement_result_links_to_its_paragraph_in_the_version(client, garden):
    page, links = results(client, "compost")

    assert f"/agreements/{garden.slug}/v/1/#p-2" in links
    assert "Community garden, ¶ 2" in page
    assert "<mark>" in page and "ompost</mark>" in page


def test_only_the_text_in_force_is_found(client, garden):
    publish_version(
        agreement=garden, body="Beds are shared.\n\nMulch goes to the bins.\n", note="x"
    )

    assert results(client, "compost")[1] == []
    assert results(client, "mulch")[1] == [f"/agreements/{garden.slug}/v/2/#p-2"]
    repeal_agreement(agreement=garden, note="Gone.")
    assert results(client, "mulch")[1] == []


def test_amendments_comments_and_news_are_found_and_filtered_by_kind(client, garden):
    alice = make_member("alice")
    amendment = make_amendment(
        author=alice, agreement=garden, title="Rainwater barrels", rationale="Collect rain."
    )
    comment = post_comment(amendment=amendment, author=alice, body="Barrels leak in winter.")
    post = publish_post(author=alice, title="Barrel workshop", body="Bring a barrel.")

    _page, links = results(client, "barrel")

    assert f"/amendments/{amendment.pk}/" in links
    assert f"/amendments/{amendment.pk}/#comment-{comment.pk}" in links
    assert f"/news/{post.pk}/" in links
    assert results(client, "barrel", kind="comment")[1] == [
        f"/amendments/{amendment.pk}/#comment-{comment.pk}"
    ]


def test_snippets_are_escaped_and_only_highlights_are_markup(client, garden):
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    post_comment(
        amendment=amendment,
        author=alice,
        body="Use `<script>alert(1)</script>` and <b>bold</b> hornets\ue000 here.",
    )

    page, _links = results(client, "hornets")

    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S)[1]
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "alert(1)" in snippet  # shown as text (escaped), or the tags dropped by ts_headline
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_an_empty_or_overlong_query_is_harmless(client, garden):
    assert "result" not in results(client, "")[0].split("<main", 1)[1].split("</form>", 1)[1]
    page, _links = results(client, "x" * 5000)
    assert 'maxlength="200"' in page


def test_the_header_has_a_search_box(client, community):
    page = client.get("/").content.decode()

    assert '<form class="header-search" method="get" action="/search/" role="search">' in page


def test_rebuilding_the_index_gives_the_same_entries(community, garden):
    alice = make_member("alice")
    post_comment(amendment=make_amendment(author=alice, agreement=garden), author=alice, body="Hi")
    kept = sorted(Entry.objects.values_list("kind", "title", "document", "paragraph"))

    call_command("rebuild_search_index", stdout=None)

    assert sorted(Entry.objects.values_list("kind", "title", "document", "paragraph")) == kept


def test_clauses_are_numbered_as_the_page_numbers_them(garden):
    assert [n for n, _text in clauses(garden.body_html)] == [1, 2, 3]
    assert clauses(garden.body_html)[1][1] == "Compost goes to the bins by the shed."


def test_each_text_is_matched_in_its_own_language():
    assert language_of("Участники делятся семенами.") == "ru"
    assert language_of("Members share seeds.") == "en"
    assert language_of("2026", default="ru") == "ru"


# -- full-text search on PostgreSQL -------------------------------------------------------------


def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL; SQLite uses the substring fallback")


def test_english_words_are_stemmed_and_ranked(client, community):
    require_postgres()
    once = make_agreement(
        title="Rules", body="Members sometimes meet in the garden of the school on a long day.\n"
    )
    often = make_agreement(title="Gardens", body="Gardening: our gardens and the garden shed.\n")

    _page, links = results(client, "gardens")

    ours = [link for link in links if link.startswith("/agreements/")]
    assert ours[:2] == [f"/agreements/{often.slug}/v/1/#p-1", f"/agreements/{once.slug}/v/1/#p-1"]


def test_russian_words_are_stemmed_and_ranked(client, community):
    require_postgres()
    once = make_agreement(
        title="Правила", body="Иногда участники встречаются у сада школы в долгий летний день.\n"
    )
    often = make_agreement(title="Сады", body="Садами занимаемся вместе: сад, саду, о саде.\n")

    page, links = results(client, "сады")

    ours = [link for link in links if link.startswith("/agreements/")]
    assert ours[:2] == [f"/agreements/{often.slug}/v/1/#p-1", f"/agreements/{once.slug}/v/1/#p-1"]
    assert "<mark>сада</mark>" in page


def test_a_russian_comment_in_an_english_community_is_found_with_russian_rules(client, garden):
    require_postgres()
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)
    comment = post_comment(amendment=amendment, author=alice, body="Предлагаю поливать грядки.")

    _page, links = results(client, "грядка")

    assert links == [f"/amendments/{amendment.pk}/#comment-{comment.pk}"]
    assert Entry.objects.get(comment=comment).language == "ru"


def test_the_full_text_indexes_are_used(garden):
    require_postgres()
    from django.test.utils import CaptureQueriesContext

    from search.queries import search

    with CaptureQueriesContext(connection) as captured:
        search("compost")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "search_entry_english" in plan and "search_entry_russian" in plan
