"""Growth paths and HR's bench over HTTP: hand-computed answers, permissions, bad input.

The role used is *Desk Lead*: de-escalation at 4 (weight 3), SQL at 2 (weight 2), empathy at 3
(weight 1) and Zendesk at 3 (weight 1), Σ weight 7. In the taxonomy empathy is related to
de-escalation, and required lower: a prerequisite.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from api.auth import Role, Tokens
from graph import communities, people, roles, squads
from graph.model import RoleProfile, RoleRequirement, SquadMember
from graph.roles import load_role_profiles
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MODERATOR, Api

pytestmark = pytest.mark.anyio

DESK_LEAD = RoleProfile(
    "desk lead",
    "Desk Lead",
    (
        RoleRequirement("de escalation", 4, 3),
        RoleRequirement("sql", 2, 2),
        RoleRequirement("empathy", 3, 1),
        RoleRequirement("zendesk", 3, 1),
    ),
)
PATH = """query($p: ID!, $role: String) { person(id: $p) { path(role: $role) {
  role { id } readiness bucket progressSinceTarget
  gap { skill { key } currentLevel requiredLevel weight }
  steps { skill { key } currentLevel requiredLevel weight prerequisites { key }
          mentors { mentor { id } mentee { id } explanation } squad { name } community { name } }
} } }"""
BENCH = """query($role: String!, $scope: BenchScope) { benchStrength(role: $role, scope: $scope) {
  role { id } overall { readyNow readySoon further total }
  bySite { key readyNow readySoon further } byFunction { key readyNow readySoon further } } }"""


@pytest.fixture
async def paths_org(org: Store) -> Store:
    await org.write(roles.upsert_roles, [*load_role_profiles(), DESK_LEAD])
    return org


def _path(api: Api, person: str, role: str | None = None, *, as_: tuple[str, Role]) -> Any:
    return api.ok(PATH, {"p": person, "role": role}, as_=as_)["person"]["path"]


async def test_a_journey_by_hand(paths_org: Store, api: Api) -> None:
    await paths_org.write(
        communities.create_community, name="SQL club", topic_skills=["sql"], moderator_ids=["omar"]
    )
    await paths_org.write(
        squads.create_squad,
        name="Calm voices",
        focus_skills=["empathy"],
        members=[SquadMember("mia"), SquadMember("omar")],
    )
    path = _path(api, "ana", "desk lead", as_=AGENT)
    # Ana holds Zendesk at 2 only: (1 · 2/3) / 7
    assert path["readiness"] == round(2 / 3 / 7, 4) and path["bucket"] == "FURTHER"
    assert path["progressSinceTarget"] is None  # not her target
    assert [(g["skill"]["key"], g["currentLevel"], g["requiredLevel"], g["weight"])
            for g in path["gap"]] == [
        ("de escalation", 0, 4, 3), ("sql", 0, 2, 2), ("zendesk", 2, 3, 1), ("empathy", 0, 3, 1),
    ]  # fmt: skip
    # de-escalation waits for empathy; free: sql (weight 2), zendesk (gap 1), empathy (gap 3)
    steps = path["steps"]
    assert [(s["skill"]["key"], [q["key"] for q in s["prerequisites"]]) for s in steps] == [
        ("sql", []), ("zendesk", []), ("empathy", []), ("de escalation", ["empathy"]),
    ]  # fmt: skip
    sql, zendesk, empathy, calm = steps
    # Ben holds SQL at 4 but does not mentor; Omar does
    assert [m["mentor"]["id"] for m in sql["mentors"]] == ["omar"]
    assert sql["mentors"][0]["mentee"] == {"id": "ana"}
    assert sql["mentors"][0]["explanation"].startswith("Can teach you SQL (level 5; you are at 0).")
    assert sql["community"] == {"name": "SQL club"} and sql["squad"] is None
    assert zendesk["mentors"] == [] and zendesk["community"] is None
    assert [m["mentor"]["id"] for m in empathy["mentors"]] == ["mia"]
    assert empathy["squad"] == {"name": "Calm voices"}
    assert [m["mentor"]["id"] for m in calm["mentors"]] == ["mia"]
    # the explanation is mentorSuggestions' own, for the one skill
    suggested = api.ok("{ mentorSuggestions { mentor { id } explanation } }", as_=AGENT)
    mia = next(s for s in suggested["mentorSuggestions"] if s["mentor"]["id"] == "mia")
    assert calm["mentors"][0]["explanation"] == mia["explanation"]


async def test_progress_since_the_target(paths_org: Store, api: Api) -> None:
    assert _path(api, "ana", as_=AGENT) is None  # no target yet, no role asked for
    api.ok('mutation { setTargetRole(role: "Desk Lead") { id } }', as_=AGENT)
    api.ok('mutation { setSkill(skill: "zendesk", level: 3) { id } }', as_=AGENT)
    path = _path(api, "ana", as_=AGENT)
    assert path["role"] == {"id": "desk lead"}
    assert path["readiness"] == round(1 / 7, 4)
    # Zendesk was at 2 when she chose the target: (1 − 2/3) / 7 gained since
    assert path["progressSinceTarget"] == round((1 - 2 / 3) / 7, 4)
    assert [s["skill"]["key"] for s in path["steps"]] == ["sql", "empathy", "de escalation"]


async def test_paths_are_private_and_bad_roles_are_named(paths_org: Store, api: Api) -> None:
    for caller in (AGENT, MODERATOR):
        error = api.error(PATH, {"p": "ben", "role": "desk lead"}, as_=caller)
        assert error["extensions"]["code"] == "FORBIDDEN", caller
    assert _path(api, "ben", "desk lead", as_=HR)["readiness"] == round(2 / 7, 4)
    assert _path(api, "ben", "desk lead", as_=ADMIN)["gap"]
    # derived fields: a mentor suggested on one's own path shows nothing of their path
    query = """{ me { path(role: "desk lead") { steps { mentors { mentor { id
      path(role: "desk lead") { readiness } } } } } } }"""
    body = api(query, as_=AGENT)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    mentors = [m for s in body["data"]["me"]["path"]["steps"] for m in s["mentors"]]
    assert mentors and all(m["mentor"]["path"] is None for m in mentors)
    error = api.error(PATH, {"p": "ana", "role": "Desk Leed"}, as_=AGENT)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Did you mean 'Desk Lead'" in error["message"]
    error = api.error(PATH, {"p": "nobody", "role": "desk lead"}, as_=HR)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def _bench_world(org: Store) -> None:
    for person, skill, level in (
        ("mia", "sql", 2), ("mia", "zendesk", 3),  # Mia: 7/7, ready now
        ("ben", "de escalation", 3), ("ben", "zendesk", 3),  # Ben: (2.25 + 2 + 1)/7, ready soon
    ):  # fmt: skip
        await org.write(people.set_skill, person, skill, level)


async def test_bench_strength_by_hand(paths_org: Store, api: Api) -> None:
    await _bench_world(paths_org)
    bench = api.ok(BENCH, {"role": "DESK LEAD"}, as_=HR)["benchStrength"]
    assert bench["overall"] == {"readyNow": 1, "readySoon": 1, "further": 6, "total": 8}
    assert bench["bySite"] == [
        {"key": "Cebu", "readyNow": 0, "readySoon": 0, "further": 4},
        {"key": "Manila", "readyNow": 1, "readySoon": 1, "further": 2},
    ]
    assert bench["byFunction"] == [
        {"key": "chat", "readyNow": 0, "readySoon": 0, "further": 1},
        {"key": "training", "readyNow": 0, "readySoon": 0, "further": 1},
        {"key": "voice", "readyNow": 1, "readySoon": 1, "further": 4},
    ]
    cebu = api.ok(BENCH, {"role": "desk lead", "scope": {"site": "Cebu"}}, as_=ADMIN)
    assert cebu["benchStrength"]["overall"]["total"] == 4
    # the lead holds Team Lead already: off its bench
    lead = api.ok(BENCH, {"role": "team lead"}, as_=HR)["benchStrength"]
    assert lead["overall"]["total"] == 7


async def test_bench_is_hr_only_and_bad_scopes_are_named(paths_org: Store, api: Api) -> None:
    for caller in (AGENT, MODERATOR):
        for query in (
            '{ benchStrength(role: "desk lead") { overall { total } } }',
            "{ successors { lead { id } } }",
            "{ promotionTrap { readiness } }",
        ):
            assert api.error(query, as_=caller)["extensions"]["code"] == "FORBIDDEN"
    error = api.error(BENCH, {"role": "desk lead", "scope": {"site": "Manla"}}, as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Did you mean 'Manila'" in error["message"]
    error = api.error(BENCH, {"role": "desk lead", "scope": {"function": "vocie"}}, as_=HR)
    assert "Did you mean 'voice'" in error["message"]
    error = api.error(BENCH, {"role": "desk lead", "scope": {"team": "nope"}}, as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = api.error(BENCH, {"role": "Dsk Lead"}, as_=HR)
    assert error["extensions"]["code"] == "NOT_FOUND" and "Desk Lead" in error["message"]
    error = api.error("{ successors(perLead: 0) { lead { id } } }", as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = api.error("{ promotionTrap(first: 0) { readiness } }", as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_successors_and_the_promotion_trap(paths_org: Store, api: Api) -> None:
    await _bench_world(paths_org)
    await paths_org.write(people.set_skill, "omar", "coaching", 5)
    found = api.ok(
        "{ successors { lead { id } role { id } successors { person { id } readiness bucket } } }",
        as_=HR,
    )["successors"]
    # Team Lead: Σ weight 15; de-escalation (4, weight 2): Mia 2/15, Ben 2 · 3/4 / 15
    assert found == [
        {
            "lead": {"id": "lead"},
            "role": {"id": "team lead"},
            "successors": [
                {"person": {"id": "mia"}, "readiness": round(2 / 15, 4), "bucket": "FURTHER"},
                {"person": {"id": "ben"}, "readiness": round(1.5 / 15, 4), "bucket": "FURTHER"},
                {"person": {"id": "ana"}, "readiness": 0.0, "bucket": "FURTHER"},
            ],
        }
    ]
    trap = api.ok(
        """{ promotionTrap { person { id } role { id } readiness gap { skill { key } }
             coaches { mentor { id } explanation } } }""",
        as_=HR,
    )["promotionTrap"]
    # the managers (Operations Manager) and the lead hold nothing their roles need
    assert [(t["person"]["id"], t["role"]["id"], t["readiness"]) for t in trap] == [
        ("adi", "operations manager", 0.0),
        ("hana", "operations manager", 0.0),
        ("lead", "team lead", 0.0),
    ]
    lead = trap[2]
    assert len(lead["gap"]) == 8
    # Omar coaches at 5, outside her reporting line: offered for her first step, coaching
    assert [c["mentor"]["id"] for c in lead["coaches"]] == ["omar"]
    assert lead["coaches"][0]["explanation"].startswith("Can teach you Coaching (level 5")
    scoped = api.ok('{ promotionTrap(scope: {site: "Manila"}) { person { id } } }', as_=ADMIN)
    assert scoped["promotionTrap"] == [{"person": {"id": "lead"}}]


async def test_a_pipeline_programme_assigns_the_people_targeting_the_role(
    paths_org: Store, api: Api
) -> None:
    api.ok('mutation { setTargetRole(role: "Desk Lead", personId: "ana") { id } }', as_=HR)
    # Ben wants empathy, which Mia teaches, but he is not in the programme
    api.ok('mutation { addLearningGoal(skill: "empathy", personId: "ben") { id } }', as_=ADMIN)
    run = """mutation($role: String, $commit: Boolean!) {
      assignMentors(role: $role, commit: $commit) {
        mentees pairs { mentee { id } mentor { id } matchedSkills { skill { key } } }
        certificate { certified } mentorshipIds } }"""
    plain = api.ok(run, {"role": None, "commit": False}, as_=HR)["assignMentors"]
    assert plain["mentees"] > 1, "others in the organisation have goals of their own"
    found = api.ok(run, {"role": "desk lead", "commit": True}, as_=HR)["assignMentors"]
    assert found["mentees"] == 1 and found["certificate"]["certified"]
    assert [p["mentee"]["id"] for p in found["pairs"]] == ["ana"]
    gap = {"de escalation", "sql", "zendesk", "empathy"}
    assert {m["skill"]["key"] for m in found["pairs"][0]["matchedSkills"]} <= gap
    asked = api.ok(
        """query($p: ID!) { person(id: $p) { mentorships { message mentor { id } } } }""",
        {"p": "ana"},
        as_=HR,
    )["person"]["mentorships"]
    assert [m["message"] for m in asked] == ["Suggested by the Desk Lead pipeline programme."]
    error = api.error(run, {"role": "Desk Leed", "commit": False}, as_=HR)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Did you mean 'Desk Lead'" in error["message"]
    error = api.error(run, {"role": "desk lead", "commit": False}, as_=AGENT)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_bench_counts_are_snapshot_and_csv_columns_with_a_trend(
    paths_org: Store, api: Api, client: httpx.Client, tokens: Tokens
) -> None:
    snapshot = """mutation { takeHealthSnapshot { metrics(names: ["bench.desk_lead.ready_now",
      "bench.desk_lead.ready_soon"]) { name value definition } } }"""
    bench = api.ok(BENCH, {"role": "desk lead"}, as_=HR)["benchStrength"]["overall"]
    first = api.ok(snapshot, as_=HR)["takeHealthSnapshot"]["metrics"]
    assert [(m["name"], m["value"]) for m in first] == [
        ("bench.desk_lead.ready_now", bench["readyNow"]),
        ("bench.desk_lead.ready_soon", bench["readySoon"]),
    ]
    assert "at least 90 % ready" in first[0]["definition"]
    # Mia (de-escalation 5, empathy 4) learns SQL and Zendesk: ready now for Desk Lead
    for skill in ("sql", "zendesk"):
        await paths_org.write(people.set_skill, "mia", skill, 3)
    second = api.ok(snapshot, as_=HR)["takeHealthSnapshot"]["metrics"]
    assert second[0]["value"] == first[0]["value"] + 1
    history = api.ok(
        """{ networkHealthHistory { metrics(names: ["bench.desk_lead.ready_now"]) { value } } }""",
        as_=HR,
    )["networkHealthHistory"]
    assert [h["metrics"][0]["value"] for h in history] == [first[0]["value"], second[0]["value"]]
    error = api.error(
        """mutation { takeHealthSnapshot { metrics(names: ["bench.desk_lead.ready_later"]) {
          value } } }""",
        as_=HR,
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    headers = {"Authorization": f"Bearer {tokens.mint(*HR)}"}
    rows = list(csv.DictReader(io.StringIO(client.get("/health.csv", headers=headers).text)))
    found = {r["metric"]: r for r in rows}
    assert float(found["bench.desk_lead.ready_now"]["value"]) == second[0]["value"]
    assert "role profile `desk lead`" in found["bench.desk_lead.ready_now"]["definition"]
