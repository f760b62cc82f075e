"""Nested fields load through DataLoaders: a bigger page costs no more Cypher statements."""

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


def statements_for(api: Api, size: int) -> int:
    before = statements_sent.value
    data = api.ok(PAGE, {"n": size}, as_=("E000001", Role.HR))
    assert len(data["people"]["edges"]) == size
    return statements_sent.value - before


async def test_page_cost_is_constant(store: Store, api: Api) -> None:
    await write_organisation(store, generate_organisation(people=300, seed=4), create=True)
    statements_for(api, 5)  # the first read after a bulk write reloads the projection
    costs = {size: statements_for(api, size) for size in (25, 50, 100)}
    # the version check, then squads and communities of the page (people, teams, managers
    # and skills come from the projection): the same few whether it holds 25 people or 100
    assert len(set(costs.values())) == 1, costs
    assert costs[100] <= 6
