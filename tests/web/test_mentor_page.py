"""An agent finds a mentor and sends a request; the mentor accepts; a bad token is refused."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from api.auth import Role, Tokens
from tests.api.conftest import Api
from tests.web.conftest import sign_in_as_demo, sign_in_with_token

SUGGESTED = (
    """query($id: ID) { mentorSuggestions(personId: $id, first: 10) { mentor { id name } } }"""
)
MENTORSHIPS = """query($id: ID) {
  mentorships(personId: $id) { id status mentor { id } mentee { id } focusSkills { key } message }
}"""


def test_an_agent_sees_the_same_suggestions_as_the_api_and_requests_a_mentor(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    agent = demo["agent"]
    expected = api.ok(SUGGESTED, {"id": agent["personId"]}, as_=(agent["personId"], Role.AGENT))
    names = [s["mentor"]["name"] for s in expected["mentorSuggestions"]]
    assert names, "the seeded demo agent should have mentor suggestions"

    sign_in_as_demo(page, "agent")
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    expect(page.locator("#signed-in-as")).to_contain_text(agent["name"])
    cards = page.locator("#suggestions-list .suggestion")
    expect(cards).to_have_count(len(names))
    expect(page.locator("#suggestions-list .mentor-name")).to_have_text(names)
    expect(cards.first.locator(".explanation")).not_to_be_empty()

    first = cards.first
    first.get_by_role("button", name="Request as mentor").click()
    first.locator("textarea[name=message]").fill("Could you show me how you handle escalations?")
    first.get_by_role("button", name="Send request").click()
    expect(page.locator("#toast")).to_contain_text(f"Request sent to {names[0]}")
    row = page.locator("#mentorship-list li[data-status=REQUESTED]")
    expect(row).to_contain_text(f"Mentored by {names[0]}")

    stored = api.ok(MENTORSHIPS, {"id": agent["personId"]}, as_=(agent["personId"], Role.AGENT))
    requested = [m for m in stored["mentorships"] if m["status"] == "REQUESTED"]
    assert len(requested) == 1
    assert requested[0]["mentor"]["id"] == expected["mentorSuggestions"][0]["mentor"]["id"]
    assert requested[0]["message"] == "Could you show me how you handle escalations?"
    assert requested[0]["focusSkills"], "the matched skills are sent as the focus"


def test_the_mentor_accepts_the_request(
    page: Any, demo: dict[str, dict[str, str]], api: Api, web_tokens: Tokens
) -> None:
    agent = demo["agent"]
    pending = [
        m
        for m in api.ok(MENTORSHIPS, {"id": agent["personId"]}, as_=(agent["personId"], Role.HR))[
            "mentorships"
        ]
        if m["status"] == "REQUESTED"
    ]
    assert pending, "runs after the request above"
    mentor_id = pending[0]["mentor"]["id"]

    sign_in_with_token(page, web_tokens.mint(mentor_id, Role.AGENT))
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    row = page.locator(f"#mentorship-list li[data-mentorship-id='{pending[0]['id']}']")
    expect(row).to_contain_text(f"Mentoring {agent['name']}")
    row.get_by_role("button", name="Accept").click()
    expect(page.locator("#toast")).to_contain_text(f"You now mentor {agent['name']}")
    expect(row).to_have_attribute("data-status", "ACTIVE")

    after = api.ok(MENTORSHIPS, {"id": mentor_id}, as_=(mentor_id, Role.AGENT))
    assert {m["id"]: m["status"] for m in after["mentorships"]}[pending[0]["id"]] == "ACTIVE"


def test_a_bad_token_is_refused_and_an_expired_one_sends_the_user_back(
    page: Any, web_tokens: Tokens, demo: dict[str, dict[str, str]]
) -> None:
    import datetime as dt

    forged = Tokens(
        "another-secret-of-at-least-32-characters!!",
        issuer="skillweave",
        audience="skillweave-api",
        lifetime=dt.timedelta(hours=1),
    )
    sign_in_with_token(page, forged.mint(demo["agent"]["personId"], Role.AGENT))
    expect(page.locator("#signin-error")).to_contain_text("The token was refused")
    expect(page).to_have_url(re.compile(r"/app/$"))

    sign_in_with_token(page, "not a token")
    expect(page.locator("#signin-error")).to_contain_text("not a Skillweave token")

    # No page works without a token: straight back to sign-in.
    page.goto("/app/mentor")
    expect(page).to_have_url(re.compile(r"/app/\?reason="))
    expect(page.locator("#reason")).to_contain_text("Sign in to continue")

    # A session whose token runs out mid-way returns to sign-in with the reason.
    short = web_tokens.mint(demo["agent"]["personId"], Role.AGENT, lifetime=dt.timedelta(seconds=3))
    sign_in_with_token(page, short)
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    page.wait_for_timeout(3500)
    page.reload()
    expect(page.locator("#reason")).to_contain_text("expired")
    assert page.evaluate("sessionStorage.getItem('skillweave.token')") is None
