"""A multi-step write that fails midway leaves nothing behind; constraints give clear errors."""

from __future__ import annotations

import pytest
from neo4j import AsyncManagedTransaction

from graph import people, teams
from graph.errors import Conflict
from graph.model import Person, Team
from graph.organisation import Organisation, write_organisation
from graph.seed import generate_organisation
from graph.store import Store, run

pytestmark = pytest.mark.anyio


async def test_duplicate_id_is_a_conflict_with_a_clear_message(store: Store) -> None:
    await store.query("CREATE (:Person {id: 'p1', name: 'A'})")
    with pytest.raises(Conflict, match="duplicate a record that must be unique"):
        await store.query("CREATE (:Person {id: 'p1', name: 'B'})")
    assert await store.query("MATCH (p:Person) RETURN p.name AS name") == [{"name": "A"}]


async def test_failed_step_rolls_back_earlier_steps(store: Store) -> None:
    async def work(tx: AsyncManagedTransaction) -> None:
        await teams.upsert_teams(tx, [Team("t1", "T1", "voice", "Manila")])
        await people.write_people(tx, [Person(id="p1", name="A", team_id="t1")])
        await run(tx, "CREATE (:Person {id: 'p1'})")  # breaks the uniqueness constraint

    with pytest.raises(Conflict):
        await store.write(work)
    assert await store.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


async def test_seed_interrupted_midway_writes_nothing(store: Store) -> None:
    org = generate_organisation(people=300, seed=1)
    stages: list[str] = []

    def fail_after_people(stage: str, n: int) -> None:
        stages.append(stage)
        if stage == "mentorships":
            raise RuntimeError("simulated crash after people were written")

    with pytest.raises(RuntimeError, match="simulated crash"):
        await write_organisation(store, org, create=True, progress=fail_after_people)
    assert "people" in stages
    assert await store.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


async def test_empty_organisation_is_fine(store: Store) -> None:
    written = await write_organisation(store, Organisation())
    assert written["people"] == 0
