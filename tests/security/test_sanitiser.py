"""Hostile Markdown must never reach a page as markup: no script, no event handler, no dangerous
URL, no tag outside the allowlist. Each input is checked on the stored HTML, structurally, and on
the agreement page that serves it."""

import pytest

from agreements.rendering import render_markdown
from tests.factories import make_agreement
from tests.html_checks import attribute_text, problems

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">raw link</a>',
    '<div onmouseover="alert(1)">hover</div>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<svg/onload=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="https://evil.example"><input name=x></form>',
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!-- <script>alert(1)</script> -->",
    '[ref][1]\n\n[1]: javascript:alert(1) "title"',
    '<https://ok.example/"onmouseover="alert(1)>',
    "**bold <script>alert(1)</script>** _x_",
    "> <script>alert(1)</script>\n> quoted",
    "- item <img src=x onerror=alert(1)>\n- item 2",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "```html\n<script>alert(1)</script>\n```",
    "<textarea><script>alert(1)</script></textarea>",
    '[x](https://ok.example/ "title" onclick=alert(1))',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<base href=javascript:alert(1)//>",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source):
    html = render_markdown(source, anchor_base="/agreements/x/v/1/")

    assert problems(html) == []
    assert "<script" not in html.lower()
    attributes = "".join(attribute_text(html).split())
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert scheme not in attributes


def test_suite_has_at_least_25_hostile_inputs():
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_text_never_reaches_the_agreement_page_as_markup(client, community, source):
    agreement = make_agreement(body=f"Honest clause.\n\n{source}")

    response = client.get(agreement.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<div class="agreement-text" lang="en">')
    end = page.index('<footer class="agreement-footer">', start)
    shown = page[start:end]
    assert problems(shown) == []
    assert "javascript:" not in attribute_text(shown)
    assert "Honest clause." in shown


def test_raw_html_is_shown_as_text_not_dropped():
    html = render_markdown("Use <b>bold</b> like this.")

    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html
