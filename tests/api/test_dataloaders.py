"""Nested fields load from the projection: a page or a profile costs one Cypher statement."""

from __future__ import annotations

import pytest

from api.auth import Role
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store, statements_sent
from tests.api.conftest import Api

pytestmark = pytest.mark.anyio

PAGE = """query($n: Int) {
  people(first: $n) {
    totalCount
    edges { node {
      id name team { name } manager { name }
      skills { level skill { name category } }
      squads { name } communities { name }
    } }
  }
}"""


PROFILE = """query($id: ID!) { person(id: $id) {
  id name activeMenteeCount team { name } manager { name }
  skills { level skill { name } } learningGoals { priority skill { name } }
  mentorships { status message requestedAt expiresAt feedback { rating }
                mentor { name } mentee { name } focusSkills { name } }
  mentors { name } mentees { name }
  squads { name purpose createdAt members { role person { name } } focusSkills { name } }
  communities { name description memberCount members { name } moderators { name } }
} }"""


def statements_for(api: Api, size: int) -> int:
    before = statements_sent.value
    data = api.ok(PAGE, {"n": size}, as_=("E000001", Role.HR))
    assert len(data["people"]["edges"]) == size
    return statements_sent.value - before


async def test_page_cost_is_constant(store: Store, api: Api) -> None:
    await write_organisation(store, generate_organisation(people=300, seed=4), create=True)
    statements_for(api, 5)  # the first read after a bulk write reloads the projection
    costs = {size: statements_for(api, size) for size in (25, 50, 100)}
    # only the version check: people, teams, managers, skills, squads and communities all come
    # from the projection, the same one statement whether the page holds 25 people or 100
    assert costs == {25: 1, 50: 1, 100: 1}, costs


async def test_a_whole_profile_costs_one_statement(store: Store, api: Api) -> None:
    org = generate_organisation(people=300, seed=4)
    await write_organisation(store, org, create=True)
    busy = max(
        org.people, key=lambda p: sum(p.id in (m.mentor_id, m.mentee_id) for m in org.mentorships)
    )
    statements_for(api, 5)  # the first read after a bulk write reloads the projection
    before = statements_sent.value
    data = api.ok(PROFILE, {"id": busy.id}, as_=("E000001", Role.HR))
    assert data["person"]["mentorships"]
    # the version check of the projection, and nothing else
    assert statements_sent.value - before == 1
