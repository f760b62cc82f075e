"""The agent's mentor page on the demo as ``serve --demo`` seeds it: clean console, readable cards.

The cards are checked on a phone (390 × 844): one short sentence, the per-skill bullets,
the preferences once, and nothing wider than the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from api.app import create_app
from api.auth import Role
from graph.embedded import BoltEndpoint
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from tests.api.conftest import Api, ServerThread, app_settings, store_settings_for
from tests.conftest import empty, run_aside
from tests.web.conftest import PEOPLE, SCREENSHOTS, sign_in_as_demo

PHONE = {"width": 390, "height": 844}

SUGGESTIONS = """query($id: ID) {
  mentorSuggestions(personId: $id, first: 10) {
    mentor { id name }
    matchedSkills { skill { name } }
    taughtBack { skill { name } }
    preferences { detail }
  }
}"""


async def _seed_demo(endpoint: BoltEndpoint) -> None:
    store = await Store.connect(endpoint)
    try:
        await empty(store)
        org = generate_organisation(people=PEOPLE, seed=7, programme=True)
        await write_organisation(store, org, create=True)
    finally:
        await store.close()


@pytest.fixture(scope="module")
def site(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    """The app over the demo organisation as ``serve --demo`` seeds it (a live programme)."""
    run_aside(_seed_demo(endpoint))
    app = create_app(
        app_settings(skillweave_demo_signin=True), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running:
        yield running


@pytest.fixture(params=[PHONE], ids=["phone"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    found: dict[str, int] = request.param
    return found


def test_the_mentor_page_loads_without_console_errors_or_missing_files(page: Any) -> None:
    errors: list[str] = []
    refused: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None
    )
    page.on(
        "response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("requestfailed", lambda r: refused.append(f"failed {r.url}"))
    sign_in_as_demo(page, "agent")
    expect(page.locator("#suggestions-list .suggestion").first).to_be_visible()
    expect(page.locator("#mentorship-list, #mentorships-body .empty").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert refused == []
    assert errors == []


def test_a_mentor_card_says_each_fact_once_and_fits_a_phone(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    agent = demo["agent"]
    found = api.ok(SUGGESTIONS, {"id": agent["personId"]}, as_=(agent["personId"], Role.AGENT))
    expected = found["mentorSuggestions"]
    assert expected, "the demo agent should have mentor suggestions"

    sign_in_as_demo(page, "agent")
    cards = page.locator("#suggestions-list .suggestion")
    expect(cards).to_have_count(len(expected))
    for card, suggestion in zip(cards.all(), expected, strict=True):
        text = card.inner_text()
        sentence = card.locator(".explanation")
        expect(sentence).to_have_count(1)
        assert len(sentence.inner_text()) <= 140, sentence.inner_text()
        bullets = card.locator("ul.facts > li")
        expect(bullets).to_have_count(
            len(suggestion["matchedSkills"]) + len(suggestion["taughtBack"])
        )
        for m in suggestion["matchedSkills"]:
            # each skill is named once, in its bullet
            assert text.count(m["skill"]["name"]) == 1, (m["skill"]["name"], text)
        for p in suggestion["preferences"]:
            assert text.count(p["detail"]) == 1, (p["detail"], text)

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mentor-cards-phone.png"), full_page=True)
    cards.first.screenshot(path=str(SCREENSHOTS / "mentor-card-phone.png"))
    wide = page.evaluate(
        """() => [...document.querySelectorAll('#main *')]
             .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
             .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )
    assert wide == [], f"wider than the phone's {PHONE['width']} px: {wide[:10]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
