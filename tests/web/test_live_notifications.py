"""A mentor's open page shows a new request and the unread badge without a reload."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from api.auth import Role, Tokens
from tests.api.conftest import Api
from tests.web.conftest import sign_in_with_token

MENTORS = """{ people(filter: {openToMentoring: true}, first: 50) {
  edges { node { id name skills { skill { key } } } } } }"""
REQUEST = """mutation($mentor: ID!, $skills: [String!]!) {
  requestMentorship(mentorId: $mentor, focusSkills: $skills, message: "Could we meet on Tuesday?") { id }
}"""
MENTORSHIPS = "query($id: ID) { mentorships(personId: $id) { id status } }"


def test_a_mentor_sees_a_request_arrive_without_reloading(
    page: Any, demo: dict[str, dict[str, str]], api: Api, web_tokens: Tokens
) -> None:
    agent = demo["agent"]
    as_agent = (agent["personId"], Role.AGENT)
    mentors = [
        e["node"] for e in api.ok(MENTORS, as_=as_agent)["people"]["edges"]
        if e["node"]["id"] != agent["personId"] and e["node"]["skills"]
    ]  # fmt: skip
    busy = {m["id"] for m in api.ok(MENTORSHIPS, {"id": agent["personId"]}, as_=as_agent)[
        "mentorships"]}  # fmt: skip
    mentor = next(
        m for m in mentors
        if not busy & {x["id"] for x in api.ok(MENTORSHIPS, {"id": m["id"]},
                                               as_=(m["id"], Role.HR))["mentorships"]}
    )  # fmt: skip

    sign_in_with_token(page, web_tokens.mint(mentor["id"], Role.AGENT))
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    badge = page.locator("#notifications-badge")
    expect(badge).to_have_attribute("data-unread", re.compile(r"^\d+$"))
    before = int(badge.get_attribute("data-unread") or 0)
    expect(page.locator("#mentorships-body")).not_to_have_attribute("aria-busy", "true")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(500)  # the socket has subscribed

    created = api.ok(
        REQUEST,
        {"mentor": mentor["id"], "skills": [mentor["skills"][0]["skill"]["key"]]},
        as_=as_agent,
    )["requestMentorship"]

    row = page.locator(f"#mentorship-list li[data-mentorship-id='{created['id']}']")
    expect(row).to_contain_text(f"Mentoring {agent['name']}", timeout=5_000)
    expect(row).to_have_attribute("data-status", "REQUESTED")
    expect(badge).to_have_attribute("data-unread", str(before + 1))
    expect(page.locator("#toast")).to_contain_text(f"{agent['name']} asked you to be their mentor")
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"

    # the badge marks everything read
    badge.click()
    expect(badge).to_have_attribute("data-unread", "0")
    inbox = api.ok("{ notifications { unreadCount } }", as_=(mentor["id"], Role.AGENT))
    assert inbox["notifications"]["unreadCount"] == 0
