"""A moderator builds squads from a suggestion, sees bad input explained, runs communities."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from playwright.sync_api import expect

from api.auth import Role
from tests.api.conftest import Api
from tests.web.conftest import sign_in_as_demo

SITES = """{ facets { sites } }"""
POOL_PAGE = """query($filter: PeopleFilter, $after: String) {
  people(filter: $filter, first: 100, after: $after) {
    edges { node { id name skills { level skill { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SUGGEST = """query($pool: [ID!]!, $size: Int!, $count: Int!, $focus: [String!]) {
  suggestSquads(pool: $pool, size: $size, count: $count, focusSkills: $focus) {
    coverage coverageBound leftOut
    squads { members { id name } squadInput { name members { personId role } } }
  }
}"""
ACTIVE_SQUADS = """{ squads(status: ACTIVE) { id name members { role person { id } } } }"""
SQUAD_NAME = "Escalations crew"


def moderator_of(demo: dict[str, dict[str, str]]) -> tuple[str, Role]:
    return (demo["moderator"]["personId"], Role.MODERATOR)


def pool_of(api: Api, site: str, as_: tuple[str, Role]) -> list[dict[str, Any]]:
    """Everyone at ``site``, as the page pages through the directory."""
    people: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.ok(POOL_PAGE, {"filter": {"site": site}, "after": after}, as_=as_)["people"]
        people += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return people
        after = page["pageInfo"]["endCursor"]


def biggest_site(api: Api, as_: tuple[str, Role]) -> tuple[str, list[dict[str, Any]]]:
    pools = {site: pool_of(api, site, as_) for site in api.ok(SITES, as_=as_)["facets"]["sites"]}
    site = max(sorted(pools), key=lambda s: len(pools[s]))
    return site, pools[site]


def test_a_moderator_builds_and_creates_a_squad_from_a_suggestion(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    moderator = moderator_of(demo)
    site_name, pool = biggest_site(api, moderator)
    assert len(pool) >= 8, "the biggest site holds two squads of four"
    # The two skills most people at the site are strong in, so the squads can cover them.
    strong = Counter(
        s["skill"]["name"] for person in pool for s in person["skills"] if s["level"] >= 4
    )
    focus = sorted(strong, key=lambda name: (-strong[name], name))[:2]
    expected = api.ok(
        SUGGEST,
        {"pool": [p["id"] for p in pool], "size": 4, "count": 2, "focus": focus},
        as_=moderator,
    )["suggestSquads"]
    first = expected["squads"][0]
    names = [m["name"] for m in first["members"]]
    assert len(names) == 4

    sign_in_as_demo(page, "moderator")
    expect(page).to_have_url(re.compile(r"/app/squads$"))
    expect(page.locator("#signed-in-as")).to_contain_text(demo["moderator"]["name"])
    expect(page.locator("#squad-list")).not_to_contain_text("Loading")

    form = page.locator("#pool-form")
    form.get_by_label(re.compile(r"^Site")).select_option(site_name)
    form.get_by_label(re.compile(r"^Focus skills")).fill(", ".join(focus))
    form.get_by_label(re.compile(r"^Squad size")).fill("4")
    form.get_by_label(re.compile(r"^Squads")).fill("2")
    form.get_by_role("button", name="Suggest squads").click()

    cards = page.locator("#plan .squad")
    expect(cards).to_have_count(2)
    expect(page.locator("#pool-status")).to_have_text(f"{len(pool)} people in the pool.")
    expect(page.locator("#plan-summary")).to_contain_text(
        f"{expected['coverage']} of {expected['coverageBound']} focus slots covered"
    )
    expect(page.locator("#plan-summary")).to_contain_text(
        f"{len(expected['leftOut'])} people left out"
    )
    card = page.locator("#plan .squad[data-index='0']")
    expect(card.locator(".member-name")).to_have_text(names)
    expect(card.get_by_label(re.compile(r"^Name"))).to_have_value(first["squadInput"]["name"])
    # Placeholder, then everyone left out of both squads.
    add_options = card.get_by_label(re.compile(r"^Add member")).locator("option")
    expect(add_options).to_have_count(1 + len(expected["leftOut"]))

    removed = first["members"][1]
    card.get_by_role("button", name=f"Remove {removed['name']}").click()
    expect(card.locator(".member-name")).to_have_text([n for n in names if n != removed["name"]])
    # The removed person is free again: the add lists offer them.
    expect(add_options).to_have_count(2 + len(expected["leftOut"]))
    card.get_by_label(re.compile(r"^Name")).fill(SQUAD_NAME)
    card.get_by_role("button", name="Create squad").click()

    expect(page.locator("#toast")).to_have_text(f"Created squad {SQUAD_NAME}.")
    expect(card).to_have_attribute("data-created", "true")
    expect(card.locator(".status")).to_have_text("Created")
    expect(card.get_by_role("button", name="Create squad")).to_be_disabled()
    row = page.locator("#squad-list li", has_text=SQUAD_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("3 members")

    stored = api.ok(ACTIVE_SQUADS, as_=moderator)["squads"]
    mine = [q for q in stored if q["name"] == SQUAD_NAME]
    assert len(mine) == 1
    roles = {m["personId"]: m["role"] for m in first["squadInput"]["members"]}
    kept = {m["id"] for m in first["members"]} - {removed["id"]}
    assert {m["person"]["id"]: m["role"] for m in mine[0]["members"]} == {
        pid: roles[pid] for pid in kept
    }
    assert removed["id"] not in {m["person"]["id"] for m in mine[0]["members"]}


def test_a_moderator_archives_a_squad(page: Any, demo: dict[str, dict[str, str]], api: Api) -> None:
    moderator = moderator_of(demo)
    assert any(q["name"] == SQUAD_NAME for q in api.ok(ACTIVE_SQUADS, as_=moderator)["squads"])

    sign_in_as_demo(page, "moderator")
    row = page.locator("#squad-list li", has_text=SQUAD_NAME)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=f"Archive {SQUAD_NAME}").click()
    expect(page.locator("#toast")).to_have_text(f"Archived {SQUAD_NAME}.")
    expect(row).to_have_count(0)
    assert not any(q["name"] == SQUAD_NAME for q in api.ok(ACTIVE_SQUADS, as_=moderator)["squads"])


def test_bad_input_shows_the_apis_message(
    page: Any,
    demo: dict[str, dict[str, str]],
    api: Api,
) -> None:
    moderator = moderator_of(demo)
    site_name, pool = biggest_site(api, moderator)
    ids = [p["id"] for p in pool]
    too_many = api.error(SUGGEST, {"pool": ids, "size": 12, "count": 50}, as_=moderator)
    assert too_many["extensions"]["code"] == "BAD_USER_INPUT"
    assert "need 600 people" in too_many["message"]
    klingon = api.error(
        SUGGEST, {"pool": ids, "size": 4, "count": 2, "focus": ["Klingon"]}, as_=moderator
    )
    assert klingon["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Klingon" in klingon["message"]

    sign_in_as_demo(page, "moderator")
    form = page.locator("#pool-form")
    status = page.locator("#pool-status")
    form.get_by_label(re.compile(r"^Site")).select_option(site_name)
    form.get_by_label(re.compile(r"^Squad size")).fill("12")
    form.get_by_label(re.compile(r"^Squads")).fill("50")
    form.get_by_role("button", name="Suggest squads").click()
    expect(status).to_have_text(too_many["message"])
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#plan .squad")).to_have_count(0)

    form.get_by_label(re.compile(r"^Squad size")).fill("4")
    form.get_by_label(re.compile(r"^Squads")).fill("2")
    form.get_by_label(re.compile(r"^Focus skills")).fill("Klingon")
    form.get_by_role("button", name="Suggest squads").click()
    expect(status).to_have_text(klingon["message"])
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#plan .squad")).to_have_count(0)

    # Fixed, the same form works again and the error goes.
    form.get_by_label(re.compile(r"^Focus skills")).fill("")
    form.get_by_role("button", name="Suggest squads").click()
    expect(page.locator("#plan .squad")).to_have_count(2)
    expect(status).not_to_have_class(re.compile(r"\berror\b"))


def test_a_moderator_creates_a_community(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    moderator = moderator_of(demo)
    topics = [s["name"] for s in api.ok("{ skills { name } }", as_=moderator)["skills"][:2]]

    sign_in_as_demo(page, "moderator")
    expect(page.locator("#community-list")).not_to_contain_text("Loading")
    form = page.locator("#community-form")
    form.get_by_label(re.compile(r"^Name")).fill("Night owls of practice")
    form.get_by_label(re.compile(r"^Description")).fill("Swapping tips across night shifts.")
    form.get_by_label(re.compile(r"^Topics")).fill(", ".join(topics))
    form.get_by_role("button", name="Create community").click()

    expect(page.locator("#toast")).to_have_text("Created the community Night owls of practice.")
    row = page.locator("#community-list li", has_text="Night owls of practice")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"topics {', '.join(topics)}")
    expect(form.get_by_label(re.compile(r"^Name"))).to_have_value("")

    found = api.ok(
        '{ communities(search: "Night owls") { name description topicSkills { name } } }',
        as_=moderator,
    )["communities"]
    assert [c["name"] for c in found] == ["Night owls of practice"]
    assert sorted(s["name"] for s in found[0]["topicSkills"]) == sorted(topics)
