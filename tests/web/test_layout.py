"""Every page fits a phone's width and works from the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from api.auth import Role, Tokens
from tests.web.conftest import sign_in_as_demo

PHONE = {"width": 390, "height": 844}
PAGES = [
    ("agent", "/app/mentor", "#suggestions-list .suggestion"),
    ("agent", "/app/path", "#readiness p"),
    ("moderator", "/app/squads", "#squad-list li"),
    ("hr", "/app/health", "#headline .tile"),
]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
@pytest.mark.parametrize(("role", "path", "loaded"), PAGES, ids=[p[1] for p in PAGES])
def test_each_page_fits_a_phone_without_sideways_scrolling(
    page: Any, role: str, path: str, loaded: str
) -> None:
    sign_in_as_demo(page, role)
    page.goto(path)
    expect(page.locator(loaded).first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than a phone"


def test_sign_in_and_skip_link_work_from_the_keyboard(
    page: Any, web_tokens: Tokens, demo: dict[str, dict[str, str]]
) -> None:
    page.goto("/app/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.focus("#token")
    page.keyboard.type(web_tokens.mint(demo["agent"]["personId"], Role.AGENT))
    page.keyboard.press("Tab")
    expect(page.locator("#token-form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    first = page.locator("#suggestions-list .suggestion").first
    first.get_by_role("button", name="Request as mentor").focus()
    page.keyboard.press("Enter")
    expect(first.locator("textarea[name=message]")).to_be_focused()
