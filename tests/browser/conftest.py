"""
Browser journeys: the real site under gunicorn with production settings,
driven by Debian's headless Chromium through Playwright.
"""

import os
import shutil
import warnings
from pathlib import Path

import pytest

from tests.servers import MANAGE, Gunicorn, prepare_site, site_environment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if CHROMIUM is None:
        skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
        for item in items:
            if "browser" in item.nodeid:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site with the seeded content, served by gunicorn on a loopback port."""
    folder = tmp_path_factory.mktemp("site")
    env = site_environment(folder)
    prepare_site(env)
    server = Gunicorn(env, folder / "gunicorn.log")
    # Journeys keep screenshots of what they check here (BROWSER_SCREENSHOTS names a folder to keep them in).
    screenshots = Path(os.environ.get("BROWSER_SCREENSHOTS") or folder / "screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    yield {"url": server.url, "env": env, "manage": MANAGE, "screenshots": screenshots}
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """
    Chromium for the journeys of one module. Playwright's event loop runs while
    it is open, and Django refuses database calls under a running loop, so it
    closes before the tests of the next module (the journeys run first: see
    tests/conftest.py).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def keep_screenshot(page, path):
    """
    A screenshot of the page for the artefacts, once it has loaded. It is
    never the test's verdict: Chromium on a loaded machine may refuse one
    ("Unable to capture screenshot"), and the journey's checks stand without it.
    """
    from playwright.sync_api import Error

    page.wait_for_load_state("load")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Error as error:
        warnings.warn(f"No screenshot {path.name}: {error.message}", stacklevel=2)


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
