"""Browser journeys: Playwright drives Debian's chromium against the live test server.

Without /usr/bin/chromium these tests are skipped, unless REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure: `apt-get install chromium` provides it.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} not found: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request):
    """Every journey runs twice: with JavaScript, and without it (which must work as well)."""
    return request.param


@pytest.fixture
def open_window(browser, live_server, javascript, request):
    """Opens a browser window (its own context: cookies, language) for one person in a journey;
    with `user`, that person logs in through the login form first."""
    from .pages import log_in

    contexts = []

    def open_window(*, user=None, password=None, width=1200, height=900):
        context = browser.new_context(
            locale="en-GB",
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user:
            log_in(page, live_server.url, user, password)
        return page

    yield open_window
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            os.makedirs(ARTIFACTS, exist_ok=True)
            for page in context.pages:
                path = os.path.join(ARTIFACTS, f"{request.node.name}-{number}.png")
                page.screenshot(path=path, full_page=True)
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
