import importlib

from django.apps import apps

from agreements.models import Agreement
from agreements.rendering import count_clauses, render_markdown
from tests.factories import make_agreement


def test_every_top_level_block_is_a_numbered_clause_linking_to_its_permanent_address():
    html = render_markdown(
        "# Title\n\nFirst paragraph.\n\n- one\n- two\n\n> quoted\n\n```\ncode\n```",
        anchor_base="/agreements/idea/v/3/",
    )

    for number in range(1, 6):
        assert f'<div class="clause" id="p-{number}">' in html
        assert f'href="/agreements/idea/v/3/#p-{number}"' in html
    assert count_clauses(html) == 5
    assert 'id="p-6"' not in html


def test_clause_numbers_follow_document_order_only():
    first = render_markdown("A.\n\nB.\n\nC.", anchor_base="/x/")
    assert first.index('id="p-1"') < first.index(">A.<") < first.index('id="p-2"')
    assert first.index('id="p-3"') < first.index(">C.<")


def test_comments_and_posts_get_no_clauses():
    html = render_markdown("Just a comment.\n\nTwo paragraphs.")

    assert "clause" not in html
    assert html.count("<p>") == 2


def test_allowed_markdown_survives_sanitising():
    html = render_markdown(
        '## Heading\n\n*em* **strong** `code` [link](https://example.org "t")\n\n'
        "1. one\n2. two\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n---\n\n> quote",
        anchor_base="/a/",
    )

    for fragment in (
        "<h2>Heading</h2>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<ol>",
        "<table>",
        '<th align="left">a</th>',
        '<td align="right">2</td>',
        "<hr>",
        "<blockquote>",
    ):
        assert fragment in html


def test_links_are_marked_nofollow_noopener():
    html = render_markdown("[site](https://example.org) and <https://example.net>")

    assert html.count('rel="nofollow noopener"') == 2
    assert 'href="https://example.org"' in html


def test_empty_text_renders_to_nothing():
    assert render_markdown("", anchor_base="/a/") == ""
    assert render_markdown(None) == ""


def test_clause_links_show_their_number_which_is_their_name(community):
    html = render_markdown("One.\n\nTwo.", anchor_base="/agreements/x/v/1/")

    assert '<a class="clause-link" href="/agreements/x/v/1/#p-2">¶ 2</a>' in html
    assert "aria-label" not in html


def test_stored_clause_links_are_rewritten_to_show_their_number(community):
    migration = importlib.import_module("agreements.migrations.0011_clause_links_show_their_number")
    agreement = make_agreement(title="Garden", body="Beds are shared.")
    old = '<div class="clause" id="p-1"><a aria-label="§ 1" class="clause-link" href="/v/1/#p-1">'
    Agreement.objects.filter(pk=agreement.pk).update(body_html=old + "¶</a><p>Beds.</p></div>")

    migration.show_numbers(apps, None)

    assert Agreement.objects.get(pk=agreement.pk).body_html == (
        '<div class="clause" id="p-1"><a class="clause-link" href="/v/1/#p-1">¶ 1</a>'
        "<p>Beds.</p></div>"
    )
