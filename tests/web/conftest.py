"""End-to-end fixtures: the real app on a seeded embedded store, driven by headless Chromium.

Chromium is Debian's package (``apt-get install -y chromium``, which ``.ci/run`` does),
driven by Playwright's Python package through ``executable_path`` — Playwright's own
browser download does not work on these machines. Each test leaves a screenshot of
its last page in ``tests/web/screenshots/`` (git-ignored) and fails on any JavaScript
error the page raised, and on anything the page's Content-Security-Policy refused (a
script, a style, a connection): a policy that breaks a page fails the test that opens it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.auth import Tokens
from graph.embedded import BoltEndpoint
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from tests.api.conftest import Api, ServerThread, app_settings, store_settings_for
from tests.conftest import empty, run_aside

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("SKILLWEAVE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PEOPLE = 240
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # the machine's network is closed: without these Chromium keeps dialling Google
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def _seed(endpoint: BoltEndpoint) -> None:
    store = await Store.connect(endpoint)
    try:
        await empty(store)
        await write_organisation(store, generate_organisation(people=PEOPLE, seed=7), create=True)
    finally:
        await store.close()


@pytest.fixture(scope="module")
def site(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    """The app with demo sign-in on, over a freshly seeded organisation (one per test module)."""
    run_aside(_seed(endpoint))  # Playwright or anyio may run a loop in this thread
    app = create_app(
        app_settings(skillweave_demo_signin=True), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running:
        yield running


@pytest.fixture(scope="module")
def web_tokens(site: ServerThread) -> Tokens:
    tokens: Tokens = site.server.config.app.state.tokens  # type: ignore[attr-defined]
    return tokens


@pytest.fixture(scope="module")
def demo(site: ServerThread) -> dict[str, dict[str, str]]:
    """The demo person of each role, as the sign-in page offers them."""
    users = httpx.get(f"{site.url}/app/demo-users").json()["users"]
    return {u["role"]: u for u in users}


@pytest.fixture(scope="module")
def api(site: ServerThread, web_tokens: Tokens) -> Iterator[Api]:
    """The API as a test checks it, next to what the browser shows."""
    with httpx.Client(base_url=site.url, timeout=60) as client:
        yield Api(client, web_tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module; Playwright's event loop ends with it, so async tests
    in later modules get theirs."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(params=[{"width": 1280, "height": 900}], ids=["laptop"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    viewport: dict[str, int] = request.param
    return viewport


@pytest.fixture
def page(
    browser: Any, site: ServerThread, viewport: dict[str, int], request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A fresh browser tab (own session storage) on the site; screenshot at the end."""
    context = browser.new_context(base_url=site.url, viewport=viewport)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    violations = watch_csp(context, tab)
    yield tab
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.\[\]-]+", "_", request.node.name)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not violations, f"Content-Security-Policy violations on the page: {violations}"


CSP_REPORT = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""
"""Turns every refusal by the page's policy into a console error (Chromium logs most itself,
"Refused to ..."; the event also covers the ones it only reports)."""


def watch_csp(context: Any, tab: Any) -> list[str]:
    """The Content-Security-Policy violations ``tab`` of ``context`` meets, as they come."""
    violations: list[str] = []
    context.add_init_script(CSP_REPORT)

    def on_console(message: Any) -> None:
        text = str(message.text)
        if "Content Security Policy" in text or text.startswith("CSP violation:"):
            violations.append(text)

    tab.on("console", on_console)
    return violations


def sign_in_as_demo(page: Any, role: str) -> None:
    """Open the sign-in page and pick the demo person of ``role``."""
    page.goto("/app/")
    page.locator(f"#demo-users button[data-role='{role}']").click()
    page.wait_for_url(re.compile(r"/app/[a-z]+$"))


def sign_in_with_token(page: Any, token: str) -> None:
    """Paste a token into the sign-in form."""
    page.goto("/app/")
    page.fill("#token", token)
    page.click("#token-form button[type=submit]")
