"""HR's dashboard shows the API's numbers, follows the scope, snapshots, downloads CSV."""

from __future__ import annotations

import math
import re
import time
from typing import Any

import httpx
from playwright.sync_api import expect

from api.auth import Role, Tokens
from tests.api.conftest import Api
from tests.web.conftest import sign_in_as_demo

REPORT = """query($scope: HealthScopeInput) {
  networkHealth(scope: $scope) {
    people heavyStatus metrics { name value }
    loadDistribution { active mentors }
    atRiskSkills(first: 100) { name }
    brokers(first: 10) { person { name } }
    clusterMap { clusters { index } links { a } }
  }
}"""

PERCENT = {
    "reach.isolated_share",
    "reach.goal_coverage",
    "load.utilisation",
    "ties.cross_team_share",
    "reciprocity.share",
}


def shown(name: str, value: float | None) -> str:
    """How a headline number is printed on the page."""
    if value is None or math.isnan(value):
        return "—"
    if name in PERCENT:
        return f"{value * 100:.1f}%"
    return f"{round(value):,}"


def report_when_ready(api: Api, hr: tuple[str, Role], scope: Any = None) -> Any:
    """The report once brokers and clusters are computed (they run in the background)."""
    deadline = time.monotonic() + 60
    while True:
        report = api.ok(REPORT, {"scope": scope}, as_=hr)["networkHealth"]
        if report["heavyStatus"] == "ready" or time.monotonic() > deadline:
            return report
        time.sleep(0.5)


def assert_headline_equals(page: Any, report: Any) -> None:
    values = {m["name"]: m["value"] for m in report["metrics"]}
    values["people"] = report["people"]
    tiles = page.locator("#headline .tile")
    expect(tiles).to_have_count(10)
    for i in range(tiles.count()):
        tile = tiles.nth(i)
        name = tile.get_attribute("data-metric")
        expect(tile.locator(".value")).to_have_text(shown(name, values[name]))


def test_hr_sees_the_apis_numbers_in_tiles_charts_and_tables(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    hr = (demo["hr"]["personId"], Role.HR)
    report = report_when_ready(api, hr)
    assert report["heavyStatus"] == "ready"

    sign_in_as_demo(page, "hr")
    expect(page).to_have_url(re.compile(r"/app/health$"))
    assert_headline_equals(page, report)

    risky = len(report["atRiskSkills"])
    assert risky > 12, "the seeded organisation has a long list, shown 12 at first"
    expect(page.locator("#at-risk tbody th")).to_have_count(12)
    page.get_by_role("button", name=f"Show all {risky}").click()
    expect(page.locator("#at-risk tbody th")).to_have_count(risky)
    assert set(page.locator("#at-risk tbody th").all_inner_texts()) == {
        s["name"] for s in report["atRiskSkills"]
    }
    expect(page.locator("#brokers tbody th")).to_have_text(
        [b["person"]["name"] for b in report["brokers"]]
    )
    load = page.evaluate("document.getElementById('chart-load').data[0].y")
    assert load == [level["mentors"] for level in report["loadDistribution"]]
    dots = page.evaluate(
        "(() => { const d = document.getElementById('chart-clusters').data; "
        "return d[d.length - 1].x.length; })()"
    )
    assert dots == len(report["clusterMap"]["clusters"]) > 0
    expect(page.locator("#chart-reach .plot-container")).to_be_visible()


def test_the_scope_selector_shows_one_sites_numbers(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    hr = (demo["hr"]["personId"], Role.HR)
    site = api.ok("{ facets { sites } }", as_=hr)["facets"]["sites"][0]
    report = report_when_ready(api, hr, {"site": site})

    sign_in_as_demo(page, "hr")
    page.select_option("#scope-form select[name=kind]", "site")
    page.select_option("#scope-form select[name=value]", site)
    page.click("#scope-form button[type=submit]")
    expect(page.locator("#as-of")).to_contain_text(f"Site: {site} · computed")
    assert_headline_equals(page, report)
    expect(page.locator("#reach-title")).to_have_text(f"Reach by team in {site}")


def test_a_snapshot_starts_the_history_and_the_csv_matches_the_api(
    page: Any, demo: dict[str, dict[str, str]], site: Any, web_tokens: Tokens, tmp_path: Any
) -> None:
    sign_in_as_demo(page, "hr")
    expect(page.locator("#headline .tile")).to_have_count(10)
    expect(page.locator("#chart-history")).to_contain_text("No snapshots yet")
    page.click("#snapshot")
    expect(page.locator("#toast")).to_contain_text("Snapshot stored")
    expect(page.locator("#chart-history .plot-container")).to_be_visible()
    expect(page.locator("#headline .trend").first).to_be_visible()
    expect(page.locator("#as-of")).to_contain_text("trends since the snapshot")

    with page.expect_download() as download:
        page.click("#csv")
    saved = tmp_path / "health.csv"
    download.value.save_as(saved)
    token = web_tokens.mint(demo["hr"]["personId"], Role.HR)
    expected = httpx.get(f"{site.url}/health.csv", headers={"Authorization": f"Bearer {token}"})
    header = saved.read_text().splitlines()[0]
    assert header == expected.text.splitlines()[0]
    assert download.value.suggested_filename == "network-health-org.csv"


def test_an_agent_cannot_see_the_dashboard(page: Any, demo: dict[str, dict[str, str]]) -> None:
    sign_in_as_demo(page, "agent")
    page.goto("/app/health")
    expect(page.locator("#headline .error")).to_contain_text("may not read network health")
    expect(page.locator("#nav")).not_to_contain_text("Network health")


def test_a_store_outage_shows_a_banner_not_a_blank_page(
    page: Any, demo: dict[str, dict[str, str]]
) -> None:
    sign_in_as_demo(page, "hr")
    expect(page.locator("#headline .tile")).to_have_count(10)
    outage = {
        "data": None,
        "errors": [
            {
                "message": "The skills graph store is not answering; retry later.",
                "extensions": {"code": "UNAVAILABLE"},
            }
        ],
    }
    page.route("**/graphql", lambda route: route.fulfill(json=outage))
    page.reload()
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner")).to_contain_text("not answering")
    expect(page.locator("#banner button")).to_have_text("Retry")
    expect(page.locator("h1")).to_have_text("Network health")
    page.unroute("**/graphql")
    page.locator("#banner button").click()
    expect(page.locator("#headline .tile")).to_have_count(10)
    expect(page.locator("#banner")).to_be_hidden()
