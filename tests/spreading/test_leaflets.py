"""Leaflets, share links and the tags a repost reads."""

import html
import re

import pytest

from tests.factories import make_agreement, make_amendment, make_member

BODY = "\n\n".join(f"Clause number {n}." for n in range(1, 7)) + "\n"


@pytest.fixture
def tools(community):
    return make_agreement(title="Tool library", summary="How we lend tools.", body=BODY)


def test_the_idea_leaflet_has_the_whole_idea_the_address_and_a_qr_code(client, community):
    page = client.get("/leaflet/").content.decode()

    assert "We unite to keep a garden, lend tools and meet every month." in page
    assert "Join us by accepting these agreements." in page
    assert 'class="qr-code"' in page and "<title>QR code: http://testserver/</title>" in page
    assert '<p class="leaflet-address">testserver</p>' in page
    assert 'class="leaflet-sheet size-a4"' in page
    assert "leaflet-strips" not in page


def test_a5_with_tear_off_strips(client, community):
    page = client.get("/leaflet/?size=a5&strips=1").content.decode()

    assert 'class="leaflet-sheet size-a5"' in page
    strips = re.search(r'<ul class="leaflet-strips".*?</ul>', page, re.S)[0]
    assert strips.count("<li>testserver</li>") == 6
    assert 'name="size" value="a5" checked' in page


def test_an_unknown_size_falls_back_to_a4(client, community):
    assert 'size-a4"' in client.get("/leaflet/?size=letter").content.decode()


def test_an_agreement_leaflet_has_its_summary_first_clauses_and_where_to_read_the_rest(
    client, tools
):
    page = client.get(f"/agreements/{tools.slug}/leaflet/").content.decode()

    assert "How we lend tools." in page
    assert "Clause number 3." in page and "Clause number 4." not in page
    assert f"Read the rest at testserver/agreements/{tools.slug}" in page
    assert f"<title>QR code: http://testserver/agreements/{tools.slug}/</title>" in page


def test_a_short_agreement_is_printed_whole_without_read_the_rest(client, community):
    short = make_agreement(title="Short", body="One.\n\nTwo.\n")

    page = client.get(f"/agreements/{short.slug}/leaflet/").content.decode()

    assert "Two." in page and "Read the rest" not in page


def test_leaflets_only_for_agreements_in_force(client, tools):
    from agreements.services import repeal_agreement

    repeal_agreement(agreement=tools, note="Gone.")

    assert client.get(f"/agreements/{tools.slug}/leaflet/").status_code == 404
    assert client.get("/agreements/nothing/leaflet/").status_code == 404


def test_the_qr_code_encodes_the_address_it_says(client, tools):
    """Decoded from the SVG drawn on the page (the browser test decodes the printed PDF)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image, ImageDraw

    page = client.get(f"/agreements/{tools.slug}/leaflet/").content.decode()
    svg = re.search(r'<svg[^>]*class="qr-code".*?</svg>', page, re.S)[0]
    path = html.unescape(re.search(r' d="([^"]+)"', svg)[1])
    image = Image.new("L", (400, 400), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    scale = 8
    for token in re.finditer(r"([Mm])(-?[\d.]+) (-?[\d.]+)|h(-?[\d.]+)", path):
        if token[1] == "M":
            x, y = float(token[2]), float(token[3])
        elif token[1] == "m":
            x, y = x + float(token[2]), y + float(token[3])
        else:
            length = float(token[4])
            draw.rectangle(
                [x * scale, (y - 0.5) * scale, (x + length) * scale - 1, (y + 0.5) * scale - 1],
                fill=0,
            )
            x += length

    decoded = [code.text for code in zxingcpp.read_barcodes(image)]

    assert decoded == [f"http://testserver/agreements/{tools.slug}/"]


def test_share_links_and_open_graph_tags_on_an_agreement(client, tools):
    page = client.get(tools.get_absolute_url()).content.decode()

    assert '<meta property="og:title" content="Tool library">' in page
    assert '<meta property="og:description" content="How we lend tools.">' in page
    assert f'<meta property="og:url" content="http://testserver/agreements/{tools.slug}/">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert f'value="http://testserver/agreements/{tools.slug}/" readonly' in page
    quoted = f"http%3A//testserver/agreements/{tools.slug}/"
    assert f"https://t.me/share/url?url={quoted}&amp;text=Tool%20library" in page
    assert f"https://vk.com/share.php?url={quoted}" in page
    assert "mailto:?subject=Tool%20library&amp;body=" in page
    assert f'href="/agreements/{tools.slug}/leaflet/"' in page
    assert "<script" not in page.replace('<script src="/static/js/site.js" defer></script>', "")


def test_share_links_on_an_amendment_a_news_item_and_the_idea(client, tools):
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=tools, title="Longer loans")
    from news.services import publish_post

    post = publish_post(author=alice, title="Seed swap", body="Bring *seeds*.")

    for url, title in (
        (amendment.get_absolute_url(), "Longer loans"),
        (post.get_absolute_url(), "Seed swap"),
        ("/", "Our idea"),
    ):
        page = client.get(url).content.decode()
        assert f'<meta property="og:title" content="{title}">' in page, url
        assert 'class="share-links"' in page, url
    assert (
        '<meta property="og:description" content="Bring seeds.">'
        in client.get(post.get_absolute_url()).content.decode()
    )
