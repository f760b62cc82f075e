"""Network health through HTTP: roles, scopes, background brokers, snapshots, CSV."""

from __future__ import annotations

import csv
import io
import time

import httpx
import pytest

from api.auth import Tokens
from graph import mentorships, squads
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MODERATOR, Api

pytestmark = pytest.mark.anyio

REPORT = """
query($scope: HealthScopeInput) {
  networkHealth(scope: $scope) {
    scope people heavyStatus
    metrics { name value definition }
    isolated(first: 50) { id }
    loadDistribution { active mentors }
    brokers { person { id } betweenness }
    clusterSizes
  }
}"""


async def tied_org(org: Store) -> None:
    """Mia mentors Ana; Ana, Ben and Omar share a squad. The others have no learning tie."""
    m = await org.write(
        mentorships.request_mentorship, mentor_id="mia", mentee_id="ana",
        focus_skills=["de escalation"],
    )  # fmt: skip
    await org.write(mentorships.respond_to_mentorship, m.id, accept=True)
    await org.write(
        squads.create_squad, name="SQL crew", focus_skills=["sql"],
        members=[SquadMember(p) for p in ("ana", "ben", "omar")],
    )  # fmt: skip


def metric(report: dict[str, object], name: str) -> float | None:
    values = {m["name"]: m["value"] for m in report["metrics"]}  # type: ignore[attr-defined]
    return values[name]  # type: ignore[no-any-return]


async def test_hr_sees_the_organisation_and_one_site(org: Store, api: Api) -> None:
    await tied_org(org)
    report = api.ok(REPORT, as_=HR)["networkHealth"]
    assert report["scope"] == "org" and report["people"] == 8
    isolated = sorted(p["id"] for p in report["isolated"])
    assert isolated == ["adi", "hana", "lead", "tess"]
    assert metric(report, "reach.isolated") == 4
    assert {(d["active"], d["mentors"]) for d in report["loadDistribution"]} >= {(1, 1)}
    assert all(m["definition"] for m in report["metrics"])
    cebu = api.ok(REPORT, {"scope": {"site": "Cebu"}}, as_=HR)["networkHealth"]
    assert cebu["scope"] == "site:Cebu" and cebu["people"] == 4, "omar, tess, hana and adi"


async def test_brokers_arrive_from_the_background(org: Store, api: Api) -> None:
    await tied_org(org)
    first = api.ok(REPORT, as_=ADMIN)["networkHealth"]
    assert first["heavyStatus"] in ("computing", "stale", "ready")
    deadline = time.monotonic() + 30
    report = first
    while report["heavyStatus"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
        report = api.ok(REPORT, as_=ADMIN)["networkHealth"]
    assert report["heavyStatus"] == "ready"
    # Ana is the one path between Mia and the squad: the top broker.
    assert report["brokers"][0]["person"]["id"] == "ana"
    assert sorted(report["clusterSizes"], reverse=True) == report["clusterSizes"]
    assert metric(report, "clusters.count") == len(report["clusterSizes"])


async def test_only_hr_and_admins_read_health(org: Store, api: Api) -> None:
    for who in (AGENT, MODERATOR):
        assert api.error(REPORT, as_=who)["extensions"]["code"] == "FORBIDDEN"
    error = api.error(REPORT, {"scope": {"team": "no-such-team"}}, as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


SNAPSHOT = """mutation($scope: HealthScopeInput) {
  takeHealthSnapshot(scope: $scope) { id scope version metrics { name value } } }"""
HISTORY = """query($scope: HealthScopeInput) {
  networkHealthHistory(scope: $scope) { id takenAt metrics { name value } } }"""


async def test_snapshots_make_a_history(org: Store, api: Api) -> None:
    first = api.ok(SNAPSHOT, as_=HR)["takeHealthSnapshot"]
    await tied_org(org)
    second = api.ok(SNAPSHOT, as_=HR)["takeHealthSnapshot"]
    api.ok(SNAPSHOT, {"scope": {"site": "Cebu"}}, as_=HR)
    history = api.ok(HISTORY, as_=HR)["networkHealthHistory"]
    assert [h["id"] for h in history] == [first["id"], second["id"]]
    before, after = ({m["name"]: m["value"] for m in h["metrics"]} for h in history)
    assert before["reach.isolated"] == 8 and after["reach.isolated"] == 4
    assert second["version"] > first["version"]
    assert api.error(SNAPSHOT, as_=AGENT)["extensions"]["code"] == "FORBIDDEN"


async def test_the_csv_download(org: Store, client: httpx.Client, tokens: Tokens) -> None:
    await tied_org(org)
    headers = {"Authorization": f"Bearer {tokens.mint(*HR)}"}
    response = client.get("/health.csv", params={"site": "Manila"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "health-site-Manila-" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["metric", "value", "definition"]
    values = {r["metric"]: r["value"] for r in rows}
    assert values["people"] == "4" and float(values["reach.isolated"]) == 1
    assert client.get("/health.csv").status_code == 401
    agent = {"Authorization": f"Bearer {tokens.mint(*AGENT)}"}
    assert client.get("/health.csv", headers=agent).status_code == 403


async def test_pending_requests_have_an_age_and_members_a_join_date(org: Store, api: Api) -> None:
    await tied_org(org)
    await org.write(
        mentorships.request_mentorship, mentor_id="omar", mentee_id="ben", focus_skills=["sql"]
    )
    report = api.ok(REPORT, as_=HR)["networkHealth"]
    assert metric(report, "load.pending") == metric(report, "load.pending_dated") == 1
    oldest = metric(report, "load.pending_oldest_days")
    assert oldest is not None and 0 <= oldest < 0.01, "asked just now"
    assert metric(report, "squads.joined_30d") == 3, "the SQL crew's three members"
