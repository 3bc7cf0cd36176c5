"""What a reader sees, measured in chromium on the demo community: one header row, one left edge,
tables that fit a phone, a readable measure, targets big enough to hit, and paper."""

import io
import re

import pytest
from django.core.management import call_command

from .pages import HEIGHTS, choose_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def open_page(browser, demo):
    contexts = []

    def open_page(path, *, width=1280, language="en", user=None):
        context = browser.new_context(viewport={"width": width, "height": HEIGHTS[width]})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user:
            log_in(page, demo, user)
        choose_language(context, demo, language)
        page.goto(demo + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_header_keeps_its_two_rows_at_1280_px_for_a_member(open_page, language):
    """The community and the visitor's corner on one line; the sections and search on the next;
    neither wraps, whoever is logged in."""
    for user in ("anna", "boris"):  # in good standing; with changes to accept
        page = open_page("/", language=language, user=user)
        top = [box(page, part) for part in (".site-name", ".header-tools")]
        sections = [box(page, part) for part in (".site-nav", ".header-search")]
        items = [item.bounding_box()["y"] for item in page.locator(".header-tools > *").all()]
        items += [item.bounding_box()["y"] for item in page.locator(".site-nav li").all()]
        assert abs(top[0]["y"] + top[0]["height"] / 2 - top[1]["y"] - top[1]["height"] / 2) < 8
        assert abs(sections[0]["y"] + sections[0]["height"] / 2
                   - sections[1]["y"] - sections[1]["height"] / 2) < 8  # fmt: skip
        assert top[1]["height"] < 45 and sections[0]["height"] < 45, (user, language)
        assert max(b["y"] + b["height"] for b in top) <= min(b["y"] for b in sections)
        assert page.locator(".standing").count() == 1


def test_every_page_and_every_notice_start_at_the_same_left_edge(open_page):
    edges = {}
    for path in ("/agreements/", "/members/anna/", "/amendments/new/", "/join/", "/notifications/"):
        page = open_page(path, user="anna")
        edges[path] = box(page, "main h1")["x"]
    assert len(set(edges.values())) == 1, edges

    page = open_page("/agreements/garden/", user="anna")
    page.get_by_role("button", name="Follow").click()
    message, heading = box(page, ".message"), box(page, "main h1")
    assert message["x"] - 4 <= heading["x"] <= message["x"] + 20  # the message's own padding
    notice = box(page, ".standing-notice .notice")
    assert notice["x"] == message["x"]


def test_history_and_community_fit_a_phone_in_russian(open_page):
    page = open_page("/agreements/tool-library/history/", width=390, language="ru")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for cell in page.locator(".history td").all():
        assert cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 390
    line = float(page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)"))
    for moment in page.locator(".history time").all():
        assert moment.bounding_box()["height"] <= 2 * line + 1
    assert page.get_by_text("1 → 2").is_visible()

    page = open_page("/community/", width=390, language="ru")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for cell in page.locator("table td").all():
        assert cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 390


# Characters per line of each paragraph: its width over the average width of its own characters.
MEASURE = """() => [...document.querySelectorAll('.agreement-text p')].map(p => {
  const text = p.textContent, probe = document.createElement('span');
  probe.style.whiteSpace = 'nowrap';
  probe.textContent = text;
  p.appendChild(probe);
  const perChar = probe.getBoundingClientRect().width / text.length;
  probe.remove();
  return p.getBoundingClientRect().width / perChar;
})"""


@pytest.mark.parametrize("language", ["en", "ru"])
def test_agreement_texts_keep_a_measure_under_75_characters(open_page, language):
    for path in ("/", "/agreements/tool-library/"):
        page = open_page(path, language=language)
        measures = page.evaluate(MEASURE)
        assert measures and max(measures) <= 75, (path, max(measures))


def test_paragraph_links_show_their_number_and_are_big_enough_to_hit(open_page):
    for width in (390, 1280):
        page = open_page("/agreements/tool-library/", width=width)
        link = page.locator("#p-3 a.clause-link")
        assert link.inner_text() == "¶ 3"
        size = link.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24, (width, size)


def test_the_chosen_vote_is_not_drawn_like_the_focus_ring(open_page):
    page = open_page("/amendments/", user="anna")
    page.locator(".phase-voting").first.locator("xpath=..").locator("a").first.click()
    chosen = page.locator(".vote-form button[aria-pressed=true]")
    other = page.locator(".vote-form button[aria-pressed=false]").first
    style = "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.boxShadow]; }"

    assert chosen.inner_text().startswith("✓")
    outline, shadow = chosen.evaluate(style)
    assert outline == "none" and shadow != "none"
    other.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    focus_outline, focus_shadow = other.evaluate(style)
    assert focus_outline == "solid" and focus_shadow == "none"


def test_an_agreement_prints_on_one_page_with_the_community_name_and_no_web_furniture(
    open_page,
):
    page = open_page("/agreements/quiet-hours/")
    page.emulate_media(media="print")

    assert page.locator(".print-community").is_visible()
    assert page.locator(".print-community").inner_text() == "Riverside Commons"
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".print-only.cite").is_visible()
    assert not page.get_by_text("Each ¶ links to its paragraph").is_visible()
    assert not page.locator(".agreement-footer").is_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
