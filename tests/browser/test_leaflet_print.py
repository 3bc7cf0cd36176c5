"""A leaflet printed by a browser: one sheet of the chosen paper, with a QR code that leads to
the page. Chromium prints it to PDF; the PDF is rendered to an image and the code read back."""

import pytest

from tests.factories import make_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4 = (595, 842)
A5 = (420, 595)


def printed(page, url):
    import pypdfium2
    import zxingcpp

    page.goto(url)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".leaflet-controls").is_hidden()
    pdf = pypdfium2.PdfDocument(page.pdf(prefer_css_page_size=True, print_background=True))
    sheets = [tuple(round(side) for side in pdf[n].get_size()) for n in range(len(pdf))]
    image = pdf[0].render(scale=3).to_pil()
    return sheets, [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_idea_leaflet_prints_on_one_a4_sheet_with_a_qr_code_to_the_site(
    page, live_server, community
):
    sheets, codes = printed(page, f"{live_server.url}/leaflet/?size=a4&strips=1")

    assert sheets == [A4]
    assert codes == [f"{live_server.url}/"]


def test_an_agreement_leaflet_prints_on_a5_with_a_qr_code_to_the_agreement(
    page, live_server, community
):
    tools = make_agreement(
        title="Tool library",
        summary="How we lend tools.",
        body="\n\n".join(f"Clause {n}: members lend tools to each other." for n in range(9)),
    )

    sheets, codes = printed(page, f"{live_server.url}/agreements/{tools.slug}/leaflet/?size=a5")

    assert sheets == [A5]
    assert codes == [f"{live_server.url}/agreements/{tools.slug}/"]
