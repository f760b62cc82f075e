"""The impact report through HTTP on the real store: figures, scope, CSV, and who may read it."""

from __future__ import annotations

import csv
import dataclasses
import io
import time

import httpx
import pytest

from api.auth import Tokens
from graph import mentorships, people
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MODERATOR, Api, small_org

pytestmark = pytest.mark.anyio

IMPACT = """
query($scope: HealthScopeInput) {
  impactReport(scope: $scope) {
    scope items leftOut afterDays minComparison cellCount
    during { items mentoredGain comparisonGain difference }
    after { items mentoredGain }
    cells { skill { key } function startLevel items comparable during { difference } }
    ratings { count mean distribution }
    responses { requests answered expired pending answeredShare medianHours p90Hours }
  }
}"""


async def mentored_org(org: Store) -> None:
    """Mia mentors Ana on de-escalation; Ana goes from not holding it to level 2 during it,
    and rates it 4. Five colleagues of Ana's (voice, wanting de-escalation, never mentored
    on it) stay at 0. Ben asks Omar for SQL and is declined."""
    ana = small_org()[1]
    await org.write(
        people.write_people,
        [dataclasses.replace(ana, id=f"peer{i}", name=f"Peer {i}", manager_id=None) for i in range(5)],
    )  # fmt: skip
    m = await org.write(
        mentorships.request_mentorship, mentor_id="mia", mentee_id="ana",
        focus_skills=["de escalation"],
    )  # fmt: skip
    await org.write(mentorships.respond_to_mentorship, m.id, accept=True)
    await org.write(people.set_skill, "ana", "de escalation", 2)
    await org.write(mentorships.end_mentorship, m.id, by="ana", rating=4)
    declined = await org.write(
        mentorships.request_mentorship, mentor_id="omar", mentee_id="ben", focus_skills=["sql"]
    )
    await org.write(mentorships.respond_to_mentorship, declined.id, accept=False)


async def test_hr_reads_the_impact_of_mentoring(org: Store, api: Api) -> None:
    await mentored_org(org)
    report = api.ok(IMPACT, as_=HR)["impactReport"]
    assert report["scope"] == "org" and report["afterDays"] == 90
    # One item (Ana, de-escalation): 0 at the start, 2 at the end: gain 2. Her five peers
    # were at 0 then and are still: comparison 0, difference 2. Too recent for "after".
    assert (report["items"], report["leftOut"], report["cellCount"]) == (1, 0, 1)
    assert report["during"] == {
        "items": 1, "mentoredGain": 2.0, "comparisonGain": 0.0, "difference": 2.0,
    }  # fmt: skip
    assert report["after"] == {"items": 0, "mentoredGain": None}
    cell = report["cells"][0]
    assert cell["skill"]["key"] == "de escalation" and cell["function"] == "voice"
    assert (cell["startLevel"], cell["items"], cell["comparable"]) == (0, 1, 5)
    assert report["ratings"] == {"count": 1, "mean": 4.0, "distribution": [0, 0, 0, 1, 0]}
    answers = report["responses"]
    assert (answers["requests"], answers["answered"], answers["expired"]) == (2, 2, 0)
    assert answers["answeredShare"] == 1.0
    assert 0 <= answers["medianHours"] < 0.1, "answered just after asking"
    cebu = api.ok(IMPACT, {"scope": {"site": "Cebu"}}, as_=ADMIN)["impactReport"]
    assert cebu["scope"] == "site:Cebu" and cebu["items"] == 0 and cebu["ratings"]["count"] == 0
    assert cebu["during"]["mentoredGain"] is None and cebu["responses"]["medianHours"] is None


async def test_too_few_comparable_people_leave_the_item_out(org: Store, api: Api) -> None:
    m = await org.write(
        mentorships.request_mentorship, mentor_id="mia", mentee_id="ana",
        focus_skills=["de escalation"],
    )  # fmt: skip
    await org.write(mentorships.respond_to_mentorship, m.id, accept=True)
    report = api.ok(IMPACT, as_=HR)["impactReport"]
    assert (report["items"], report["leftOut"], report["during"]["items"]) == (1, 1, 0)
    assert report["cells"] == [] and report["during"]["difference"] is None


async def test_only_hr_and_admins_read_impact(org: Store, api: Api) -> None:
    for who in (AGENT, MODERATOR):
        assert api.error(IMPACT, as_=who)["extensions"]["code"] == "FORBIDDEN"
    error = api.error(IMPACT, {"scope": {"site": "Atlantis"}}, as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_impact_columns_in_metrics_and_csv(
    org: Store, api: Api, client: httpx.Client, tokens: Tokens
) -> None:
    await mentored_org(org)
    query = (
        '{ networkHealth { metrics(names: ["impact.items", "impact.difference"]) { name value } } }'
    )
    report = api.ok(query, as_=HR)["networkHealth"]
    # the light report does not wait for the impact: it arrives from the background
    deadline = time.monotonic() + 20
    while report["metrics"][0]["value"] is None:
        assert time.monotonic() < deadline, "the impact never arrived"
        time.sleep(0.2)
        report = api.ok(query, as_=HR)["networkHealth"]
    assert [(m["name"], m["value"]) for m in report["metrics"]] == [
        ("impact.items", 1.0),
        ("impact.difference", 2.0),
    ]
    headers = {"Authorization": f"Bearer {tokens.mint(*HR)}"}
    response = client.get("/health.csv", headers=headers)
    assert response.status_code == 200, response.text
    values = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(response.text))}
    assert values["impact.rating_mean"] == "4.0" and values["impact.compared"] == "1"
    assert values["impact.after_difference"] == "", "nothing ended 90 days ago: empty"
