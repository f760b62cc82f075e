"""A lapsed request's next pick on *Find a mentor*: one click requests them; the mentor who
let it lapse sees their own response rate."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from api.auth import Role, Tokens
from api.requests_sweep import sweep_requests
from graph.embedded import BoltEndpoint
from graph.store import Store
from readmodel.keeper import ReadModelKeeper
from tests.api.conftest import Api, app_settings
from tests.conftest import run_aside
from tests.web.conftest import sign_in_as_demo, sign_in_with_token

SUGGESTED = """query($id: ID) { mentorSuggestions(personId: $id, first: 3) {
  mentor { id name } matchedSkills { skill { key } } } }"""
REQUEST = """mutation($mentor: ID!, $skills: [String!]!) {
  requestMentorship(mentorId: $mentor, focusSkills: $skills) { id } }"""


async def _expire_and_sweep(endpoint: BoltEndpoint) -> None:
    store = await Store.connect(endpoint)
    try:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        await sweep_requests(store, ReadModelKeeper(store), None, app_settings(), now=later)
    finally:
        await store.close()


def test_the_mentee_requests_the_next_pick_with_one_click(
    page: Any, demo: dict[str, dict[str, str]], api: Api, endpoint: BoltEndpoint, web_tokens: Tokens
) -> None:
    agent = demo["agent"]
    me = (agent["personId"], Role.AGENT)
    [first, *_] = api.ok(SUGGESTED, {"id": agent["personId"]}, as_=me)["mentorSuggestions"]
    skills = [m["skill"]["key"] for m in first["matchedSkills"]][:5]
    api.ok(REQUEST, {"mentor": first["mentor"]["id"], "skills": skills}, as_=me)
    run_aside(_expire_and_sweep(endpoint))

    sign_in_as_demo(page, "agent")
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    row = page.locator("#next-picks li").first
    expect(row).to_contain_text("Next pick:")
    picked = row.get_attribute("data-next-pick")
    assert picked and picked != first["mentor"]["id"]
    row.get_by_role("button", name="Request").click()
    expect(page.locator("#toast")).to_contain_text("Request sent to")
    expect(page.locator("#mentorship-list li[data-status=REQUESTED]")).to_have_count(1)
    expect(page.locator("#next-picks")).to_have_count(0)

    sign_in_with_token(page, web_tokens.mint(first["mentor"]["id"], Role.AGENT))
    expect(page).to_have_url(re.compile(r"/app/mentor$"))
    expect(page.locator("#response-rate")).to_contain_text("You answered")
