"""axe-core finds nothing on any page type, at phone and desktop width, in English and Russian.

With SCREENSHOTS_DIR set (`make screenshots`), the same visit also photographs every page into
that folder as a small palette PNG, so the pictures in docs/ are of the pages this test checks.
"""

import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.core.management import call_command

from .pages import HEIGHTS, LANGUAGES, PAGE_TYPES, WIDTHS, choose_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")

# Every rule axe runs by default (WCAG 2.0-2.2 A and AA, and its best practices), violations only.
AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def test_no_page_type_has_any_accessibility_violation(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    problems = []
    for width in WIDTHS:
        for language in LANGUAGES:
            problems += _check_every_page(browser, live_server.url, width, language)
    if problems:
        pytest.fail("axe-core found:\n" + "\n".join(problems), pytrace=False)


def _check_every_page(browser, base_url, width, language):
    problems, contexts = [], {}
    try:
        for page_type in PAGE_TYPES:
            if page_type.user not in contexts:
                contexts[page_type.user] = _context(browser, base_url, width, language, page_type)
            page = contexts[page_type.user].pages[0]
            where = f"{page_type.name} ({language}, {width} px)"
            response = page.goto(base_url + page_type.url())
            if response.status != page_type.status:
                problems.append(f"{where}: HTTP {response.status}, expected {page_type.status}")
            if SCREENSHOTS_DIR:
                name = f"{page_type.name}-{language}-{width}.png"
                _photograph(page, Path(SCREENSHOTS_DIR) / name)
            for violation in page.evaluate(AXE_RUN):
                problems.append(
                    f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"at {' | '.join(violation['targets'])}"
                )
    finally:
        for context in contexts.values():
            context.close()
    return problems


def _context(browser, base_url, width, language, page_type):
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHTS[width]}, locale="en-GB"
    )
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if page_type.user:
        log_in(page, base_url, page_type.user)
    # After logging in: logging in sets the member's own language.
    choose_language(context, base_url, language)
    return context


def _photograph(page, path):
    """The first screen of the page, reduced to a 64-colour palette (tens of KB, not hundreds)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="initial")))
    image.convert("RGB").quantize(colors=64, dither=Image.Dither.NONE).save(path, optimize=True)
