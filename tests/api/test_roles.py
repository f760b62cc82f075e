"""Role profiles and target roles over HTTP: who may do what, and bad input."""

from __future__ import annotations

import pytest

from graph import roles
from graph.roles import load_role_profiles
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, Api

pytestmark = pytest.mark.anyio

SAVE = """mutation($input: RoleInput!) { saveRole(input: $input) {
  id name jobRole requirements { skill { key } level weight } } }"""
TARGET = """mutation($role: String, $p: ID) { setTargetRole(role: $role, personId: $p) {
  id targetRole { role { id } since } } }"""


@pytest.fixture
async def roles_org(org: Store) -> Store:
    await org.write(roles.upsert_roles, load_role_profiles())
    return org


async def test_everyone_reads_the_bundled_roles(roles_org: Store, api: Api) -> None:
    found = api.ok("{ roles { name jobRole } }", as_=AGENT)["roles"]
    assert len(found) == 8 and {"name": "Team Lead", "jobRole": "TEAM_LEAD"} in found
    lead = api.ok('{ role(name: "TEAM LEAD") { requirements { skill { key } level weight } } }',
                  as_=AGENT)["role"]  # fmt: skip
    assert lead["requirements"][0] == {"skill": {"key": "coaching"}, "level": 4, "weight": 3}
    error = api.error('{ role(name: "Team Leed") { id } }', as_=AGENT)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Did you mean 'Team Lead'" in error["message"]
    # the lead's current role comes from her job role
    me = api.ok('{ person(id: "lead") { currentRole { id } } }', as_=AGENT)["person"]
    assert me["currentRole"] == {"id": "team lead"}


async def test_hr_saves_roles_agents_may_not(roles_org: Store, api: Api) -> None:
    role = {"name": "Peer Coach", "requirements": [
        {"skill": "coaching", "level": 3, "weight": 2}, {"skill": "EMPATHY", "level": 4}]}  # fmt: skip
    assert api.error(SAVE, {"input": role}, as_=AGENT)["extensions"]["code"] == "FORBIDDEN"
    saved = api.ok(SAVE, {"input": role}, as_=HR)["saveRole"]
    assert saved == {
        "id": "peer coach",
        "name": "Peer Coach",
        "jobRole": None,
        "requirements": [
            {"skill": {"key": "coaching"}, "level": 3, "weight": 2},
            {"skill": {"key": "empathy"}, "level": 4, "weight": 1},
        ],
    }
    assert len(api.ok("{ roles { id } }", as_=AGENT)["roles"]) == 9


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ([{"skill": "Coachng", "level": 3}], "Did you mean 'Coaching'"),
        ([{"skill": "coaching", "level": 7}], "from 1 to 5"),
        ([{"skill": "coaching", "level": 3, "weight": 9}], "Weight"),
        ([], "at least one skill"),
    ],
)
async def test_bad_roles_get_bad_user_input(
    roles_org: Store, api: Api, requirements: list[dict[str, object]], message: str
) -> None:
    error = api.error(SAVE, {"input": {"name": "X", "requirements": requirements}}, as_=ADMIN)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_a_job_role_cannot_belong_to_two_roles(roles_org: Store, api: Api) -> None:
    role = {
        "name": "Lead 2",
        "jobRole": "TEAM_LEAD",
        "requirements": [{"skill": "sql", "level": 2}],
    }
    assert api.error(SAVE, {"input": role}, as_=HR)["extensions"]["code"] == "CONFLICT"


async def test_target_roles_and_roles_in_use(roles_org: Store, api: Api) -> None:
    mine = api.ok(TARGET, {"role": "team lead"}, as_=AGENT)["setTargetRole"]
    assert mine["targetRole"]["role"] == {"id": "team lead"} and mine["targetRole"]["since"]
    # someone else's target: HR may, an agent may not set or read it
    assert (
        api.error(TARGET, {"role": "qa analyst", "p": "ben"}, as_=AGENT)["extensions"]["code"]
        == "FORBIDDEN"
    )
    api.ok(TARGET, {"role": "qa analyst", "p": "ben"}, as_=HR)
    error = api.error('{ person(id: "ben") { targetRole { since } } }', as_=AGENT)
    assert error["extensions"]["code"] == "FORBIDDEN"
    ben = api.ok('{ person(id: "ben") { targetRole { role { name } } } }', as_=HR)["person"]
    assert ben["targetRole"] == {"role": {"name": "QA Analyst"}}
    # unknown role, unknown person
    error = api.error(TARGET, {"role": "Astronaut"}, as_=AGENT)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (
        api.error(TARGET, {"role": "trainer", "p": "nobody"}, as_=HR)["extensions"]["code"]
        == "NOT_FOUND"
    )
    # a role in use cannot vanish: targeted, or held as a job role
    error = api.error('mutation { deleteRole(name: "QA Analyst") }', as_=HR)
    assert error["extensions"]["code"] == "CONFLICT" and "1 target it" in error["message"]
    error = api.error('mutation { deleteRole(name: "Team Lead") }', as_=HR)
    assert error["extensions"]["code"] == "CONFLICT"
    assert (
        api.error('mutation { deleteRole(name: "Site Leader") }', as_=AGENT)["extensions"]["code"]
        == "FORBIDDEN"
    )
    assert api.ok('mutation { deleteRole(name: "Site Leader") }', as_=HR)["deleteRole"] is True
    # clearing a target
    cleared = api.ok(TARGET, {"role": None}, as_=AGENT)["setTargetRole"]
    assert cleared["targetRole"] is None


async def test_skill_history_shows_who_changed_a_level(roles_org: Store, api: Api) -> None:
    api.ok('mutation { setSkill(skill: "sql", level: 3) { id } }', as_=AGENT)
    api.ok('mutation { setSkill(personId: "ana", skill: "sql", level: 4) { id } }', as_=ADMIN)
    query = '{ person(id: "ana") { skillHistory { skill { key } level source } } }'
    found = api.ok(query, as_=AGENT)["person"]["skillHistory"]
    assert [h for h in found if h["skill"]["key"] == "sql"] == [
        {"skill": {"key": "sql"}, "level": 3, "source": "profile"},
        {"skill": {"key": "sql"}, "level": 4, "source": "admin"},
    ]
    assert (
        api.error('{ person(id: "ben") { skillHistory { level } } }', as_=AGENT)["extensions"][
            "code"
        ]
        == "FORBIDDEN"
    )
    assert api.ok('{ person(id: "ben") { skillHistory { level } } }', as_=HR)["person"]
