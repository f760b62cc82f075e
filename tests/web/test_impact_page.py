"""The HR page's *Impact* section shows the API's impact figures and follows the scope."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from api.auth import Role
from tests.api.conftest import Api
from tests.web.conftest import sign_in_as_demo

IMPACT = """query($scope: HealthScopeInput) {
  impactReport(scope: $scope) {
    items leftOut during { items difference mentoredGain }
    ratings { count mean } responses { answeredShare }
    sessions { attended }
    cells(first: 10) { skill { name } }
  }
}"""


def signed(v: float | None) -> str:
    return "—" if v is None else f"{'+' if v > 0 else ''}{v:.2f}"


def test_hr_sees_the_impact_figures_of_the_api(
    page: Any, demo: dict[str, dict[str, str]], api: Api
) -> None:
    hr = (demo["hr"]["personId"], Role.HR)
    report = api.ok(IMPACT, as_=hr)["impactReport"]
    assert report["items"] > 0 and report["ratings"]["count"] > 0, "the demo has mentorships"
    sign_in_as_demo(page, "hr")
    expect(page).to_have_url(re.compile(r"/app/health$"))
    tiles = page.locator("#impact .tile")
    expect(tiles).to_have_count(9)
    expect(page.locator('#impact [data-metric="sessions"] .value')).to_have_text(
        str(report["sessions"]["attended"])
    )
    expect(page.locator('#impact [data-metric="difference"] .value')).to_have_text(
        signed(report["during"]["difference"])
    )
    expect(page.locator('#impact [data-metric="mentored"] .value')).to_have_text(
        signed(report["during"]["mentoredGain"])
    )
    expect(page.locator('#impact [data-metric="rating"] .value')).to_have_text(
        f"{report['ratings']['mean']:.1f} / 5"
    )
    expect(page.locator("#impact-note")).to_contain_text(
        f"{report['during']['items']} of {report['items']} mentored focus skills compared"
    )
    expect(page.locator("#impact-note")).to_contain_text("not proof")
    expect(page.locator("#impact-cells tbody tr")).to_have_count(len(report["cells"]))

    # The scope form reaches the impact section too.
    site = api.ok("{ facets { sites } }", as_=hr)["facets"]["sites"][0]
    scoped = api.ok(IMPACT, {"scope": {"site": site}}, as_=hr)["impactReport"]
    assert scoped["items"] < report["items"]
    page.select_option("#scope-form select[name=kind]", "site")
    page.select_option("#scope-form select[name=value]", site)
    page.click("#scope-form button[type=submit]")
    expect(page.locator("#impact-note")).to_contain_text(
        f"{scoped['during']['items']} of {scoped['items']} mentored focus skills compared"
    )
