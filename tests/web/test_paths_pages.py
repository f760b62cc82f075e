"""Growth paths on the pages: the agent's "My path" and HR's bench on "Network health".

The seeded organisation has the shipped role profiles and some target roles. The agent picks a
target, sees the API's readiness, steps and mentors, and asks a mentor from a step; HR sees
bench strength per site and function, the successors and the promotion trap, as the API
answers them. Both pages load with no console error and no 4xx answer, and fit a phone.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from api.auth import Role
from tests.api.conftest import Api
from tests.web.conftest import SCREENSHOTS, sign_in_as_demo

PHONE = {"width": 390, "height": 844}

PATH = """query($p: ID!, $role: String) { person(id: $p) {
  targetRole { role { id } }
  path(role: $role) {
    role { id name } readiness bucket
    steps { skill { key name } currentLevel requiredLevel mentors { mentor { id name } } }
  } } }"""
ROLES = "{ roles { id name jobRole } }"
MENTORSHIPS = """query($p: ID) { mentorships(personId: $p) {
  status mentor { id } focusSkills { key } } }"""
BENCH = """query($role: String!, $scope: BenchScope) { benchStrength(role: $role, scope: $scope) {
  role { name } overall { readyNow readySoon further total }
  bySite { key readyNow readySoon further } byFunction { key readyNow readySoon further } } }"""
SUCCESSORS = """{ successors(first: 11) {
  lead { id name } successors { readiness person { id name } } } }"""
TRAP = (
    """{ promotionTrap(first: 11) { person { id name } readiness coaches { mentor { name } } } }"""
)


def watch(page: Any) -> tuple[list[str], list[str]]:
    """Console errors and answers of 400 or more (or failed requests) on ``page``, as they come."""
    errors: list[str] = []
    refused: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None
    )
    page.on(
        "response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("requestfailed", lambda r: refused.append(f"failed {r.url}: {r.failure}"))
    return errors, refused


def nothing_wider_than(page: Any, width: int, within: str = "#main") -> None:
    """Nothing in ``within`` sticks out of the screen, and the page does not scroll sideways."""
    wide = page.evaluate(
        """(within) => [...document.querySelectorAll(within.split(",").map((s) => `${s} *`).join(","))]
             .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
             .map((e) => `${e.closest('[id]')?.id} ${e.tagName}.${e.getAttribute('class')} `
                       + Math.round(e.getBoundingClientRect().right))""",
        within,
    )
    assert wide == [], f"wider than the phone's {width} px: {wide[:10]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def shown_percent(value: float) -> str:
    return f"{value * 100:.1f}%"


# ---------------------------------------------------------------- the agent's path


def a_role_with_mentors(api: Api, agent: tuple[str, Role]) -> dict[str, Any]:
    """The first role (by name) the agent falls short of with a mentor on some step."""
    for role in api.ok(ROLES, as_=agent)["roles"]:
        path = api.ok(PATH, {"p": agent[0], "role": role["id"]}, as_=agent)["person"]["path"]
        if any(step["mentors"] for step in path["steps"]):
            return path
    raise AssertionError("no role with a mentor on its path for the demo agent")


def test_an_agent_picks_a_target_sees_the_path_and_asks_a_mentor_from_a_step(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    agent = (demo["agent"]["personId"], Role.AGENT)
    errors, refused = watch(page)
    before = api.ok(PATH, {"p": agent[0]}, as_=agent)["person"]
    chosen = a_role_with_mentors(api, agent)
    role = chosen["role"]

    sign_in_as_demo(page, "agent")
    page.wait_for_load_state("networkidle")  # leaving mid-call would cancel the mentor page's calls
    page.click("#nav a[href='/app/path']")
    if before["targetRole"] is None:
        expect(page.locator("#no-target")).to_be_visible()
    select = page.locator("#target-form select[name=role]")
    expect(select).to_be_enabled()
    select.select_option(role["id"])
    expect(page.locator("#target-status")).to_have_text(f"Target set: {role['name']}.")

    after = api.ok(PATH, {"p": agent[0]}, as_=agent)["person"]
    assert after["targetRole"] == {"role": {"id": role["id"]}}
    path = after["path"]
    assert path["readiness"] == chosen["readiness"]
    bar = page.get_by_role("progressbar", name=f"Readiness for {role['name']}")
    expect(bar).to_be_visible()
    assert float(bar.get_attribute("aria-valuenow")) == pytest.approx(
        path["readiness"] * 100, abs=0.051
    )
    expect(page.locator("#readiness-percent")).to_have_text(shown_percent(path["readiness"]))
    bucket = {"READY_NOW": "Ready now", "READY_SOON": "Ready soon", "FURTHER": "Further to go"}
    expect(page.locator("#bucket")).to_have_text(bucket[path["bucket"]])
    expect(page.locator("#progress")).to_be_visible()  # it is the target now

    steps = page.locator("#steps > li.step")
    expect(steps).to_have_count(len(path["steps"]))
    assert [s.get_attribute("data-skill") for s in steps.all()] == [
        s["skill"]["key"] for s in path["steps"]
    ]
    for shown, step in zip(steps.all(), path["steps"], strict=True):
        expect(shown.locator("h3")).to_contain_text(step["skill"]["name"])
        expect(shown.locator(".levels .required")).to_have_text(f"level {step['requiredLevel']}")
        expect(shown.locator(".mentor-name")).to_have_text(
            [m["mentor"]["name"] for m in step["mentors"]]
        )
        expect(shown.locator(".explanation")).to_have_count(len(step["mentors"]))

    index, step = next((i, s) for i, s in enumerate(path["steps"]) if s["mentors"])
    mentor = step["mentors"][0]["mentor"]
    item = steps.nth(index).locator(f"li.path-mentor[data-mentor-id='{mentor['id']}']")
    item.get_by_role("button", name="Request").click()
    expect(item.locator(".request-status")).to_have_text(
        f"Request sent to {mentor['name']} for {step['skill']['name']}."
    )
    expect(item.get_by_role("button", name="Request")).to_be_disabled()
    asked = api.ok(MENTORSHIPS, {"p": agent[0]}, as_=agent)["mentorships"]
    assert {
        "status": "REQUESTED",
        "mentor": {"id": mentor["id"]},
        "focusSkills": [{"key": step["skill"]["key"]}],
    } in asked

    # past the pending-request limit the API's code and message show beside the button
    asked_ids = {mentor["id"]}
    for other in page.locator("li.path-mentor").all():
        mentor_id = other.get_attribute("data-mentor-id")
        if mentor_id in asked_ids:
            continue
        asked_ids.add(mentor_id)
        other.get_by_role("button", name="Request").click()
        expect(other.locator(".request-status.ok, .request-status.error")).to_be_visible()
        if other.locator(".request-status.error").count():
            expect(other.locator(".request-status")).to_contain_text(
                "CONFLICT: You already have 3 requests waiting for an answer (the limit is 3)"
            )
            expect(other.get_by_role("button", name="Request")).to_be_enabled()
            break
    else:
        raise AssertionError("the pending-request limit was never reached")

    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "path-agent-laptop.png"), full_page=True)
    assert refused == []
    assert errors == []


def test_a_role_the_agent_already_meets_says_so(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    agent = (demo["agent"]["personId"], Role.AGENT)
    held = api.ok(
        "query($p: ID!) { person(id: $p) { skills { level skill { key } } } }",
        {"p": agent[0]},
        as_=(agent[0], Role.HR),
    )["person"]["skills"][0]
    api.ok(
        "mutation($input: RoleInput!) { saveRole(input: $input) { id } }",
        {
            "input": {
                "name": "Path Test Met",
                "requirements": [{"skill": held["skill"]["key"], "level": held["level"]}],
            }
        },
        as_=(demo["hr"]["personId"], Role.HR),
    )
    sign_in_as_demo(page, "agent")
    page.goto("/app/path")
    page.locator("#target-form select[name=role]").select_option("path test met")
    expect(page.locator("#no-gap")).to_contain_text("nothing left to grow")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#bucket")).to_have_text("Ready now")
    # clearing the target empties the page again
    page.locator("#target-form select[name=role]").select_option("")
    expect(page.locator("#no-target")).to_be_visible()
    assert api.ok(PATH, {"p": agent[0]}, as_=agent)["person"]["targetRole"] is None


# ---------------------------------------------------------------- HR's bench


def test_hr_sees_bench_strength_successors_and_the_promotion_trap(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    hr = (demo["hr"]["personId"], Role.HR)
    errors, refused = watch(page)
    bench = api.ok(BENCH, {"role": "team lead"}, as_=hr)["benchStrength"]
    successors = api.ok(SUCCESSORS, as_=hr)["successors"]
    trap = api.ok(TRAP, as_=hr)["promotionTrap"]
    assert len(bench["bySite"]) > 1 and successors and trap

    sign_in_as_demo(page, "hr")
    expect(page.locator("#bench-form select[name=role]")).to_have_value("team lead")
    o = bench["overall"]
    expect(page.locator("#bench-overall")).to_have_text(
        f"{o['total']:,} people in scope who are not Team Lead yet: {o['readyNow']:,} ready now, "
        f"{o['readySoon']:,} ready soon, {o['further']:,} further."
    )
    for chart, rows in (
        ("chart-bench-site", bench["bySite"]),
        ("chart-bench-function", bench["byFunction"]),
    ):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
        drawn = page.evaluate(
            f"document.getElementById('{chart}').data.map((t) => [t.name, t.x, t.y])"
        )
        keys = [r["key"] for r in rows]
        assert drawn == [
            ["Ready now", keys, [r["readyNow"] for r in rows]],
            ["Ready soon", keys, [r["readySoon"] for r in rows]],
            ["Further", keys, [r["further"] for r in rows]],
        ]
    ticks = page.locator("#chart-bench-site .xtick text").all_text_contents()
    assert ticks == [r["key"] for r in bench["bySite"]]

    leads = page.locator("#successors tbody tr")
    expect(leads).to_have_count(min(10, len(successors)))
    for row, s in zip(leads.all(), successors[:10], strict=True):
        assert row.get_attribute("data-lead") == s["lead"]["id"]
        expect(row.locator("th")).to_contain_text(s["lead"]["name"])
        expect(row.locator("li .readiness")).to_have_text(
            [shown_percent(c["readiness"]) for c in s["successors"]]
        )
        for c in s["successors"]:
            expect(row.locator(f"li[data-person='{c['person']['id']}']")).to_contain_text(
                c["person"]["name"]
            )
    trapped = page.locator("#promotion-trap tbody tr")
    expect(trapped).to_have_count(min(10, len(trap)))
    for row, t in zip(trapped.all(), trap[:10], strict=True):
        assert row.get_attribute("data-person") == t["person"]["id"]
        expect(row.locator("td.readiness")).to_have_text(shown_percent(t["readiness"]))
        expect(row.locator("td.coaches li")).to_have_text(
            [c["mentor"]["name"] for c in t["coaches"]]
        )
    if len(trap) > 10:
        page.click("#trap-more")
        # the next page follows on
        expect(trapped.nth(10)).to_have_attribute("data-person", trap[10]["person"]["id"])

    # another role redraws the bench
    other = api.ok(BENCH, {"role": "senior agent"}, as_=hr)["benchStrength"]
    page.select_option("#bench-form select[name=role]", "senior agent")
    expect(page.locator("#bench-overall")).to_contain_text(
        f"{other['overall']['total']:,} people in scope who are not Senior Agent yet"
    )

    # the page's scope selector narrows the bench to one site
    site = bench["bySite"][0]["key"]
    scoped = api.ok(BENCH, {"role": "senior agent", "scope": {"site": site}}, as_=hr)
    page.select_option("#scope-form select[name=kind]", "site")
    page.select_option("#scope-form select[name=value]", site)
    page.click("#scope-form button[type=submit]")
    expect(page.locator("#bench-overall")).to_contain_text(
        f"{scoped['benchStrength']['overall']['total']:,} people in scope"
    )
    page.wait_for_function(
        f"document.getElementById('chart-bench-site').data[0].x.join() === {site!r}"
    )
    page.wait_for_load_state("networkidle")
    page.locator("#bench").screenshot(path=str(SCREENSHOTS / "bench-hr-laptop.png"))
    assert refused == []
    assert errors == []


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_my_path_and_the_bench_fit_a_phone(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    agent = (demo["agent"]["personId"], Role.AGENT)
    role = a_role_with_mentors(api, agent)["role"]
    api.ok("mutation($r: String) { setTargetRole(role: $r) { id } }", {"r": role["id"]}, as_=agent)
    sign_in_as_demo(page, "agent")
    page.goto("/app/path")
    expect(page.locator("#steps .path-mentor").first).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "path-agent-phone.png"), full_page=True)
    nothing_wider_than(page, PHONE["width"])

    page.evaluate("sessionStorage.clear()")
    sign_in_as_demo(page, "hr")
    expect(page.locator("#chart-bench-site .main-svg").first).to_be_visible()
    expect(page.locator("#successors tbody tr").first).to_be_visible()
    expect(page.locator("#promotion-trap tbody tr").first).to_be_visible()
    page.locator("#bench").screenshot(path=str(SCREENSHOTS / "bench-hr-phone.png"))
    page.screenshot(path=str(SCREENSHOTS / "health-bench-hr-phone.png"), full_page=True)
    nothing_wider_than(page, PHONE["width"], "#bench, .bench-tables")
