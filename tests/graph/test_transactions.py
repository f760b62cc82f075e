"""A multi-step write that fails midway leaves nothing behind, or, in batches, a graph
marked unfinished that no reader takes for whole; constraints give clear errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from neo4j import AsyncManagedTransaction

from graph import changes, people, teams
from graph.errors import Conflict, GraphIncomplete
from graph.model import Person, Team
from graph.organisation import Organisation, write_organisation
from graph.seed import generate_organisation
from graph.store import Store, run
from tests.conftest import empty, graph_snapshot

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


def crash_in_people_batch(k: int) -> Callable[[str, int], None]:
    """A progress callback that fails inside the ``k``-th batch of people, before it commits."""
    batches: list[int] = []

    def progress(stage: str, n: int) -> None:
        if stage == "people":
            batches.append(n)
            if len(batches) == k:
                raise RuntimeError(f"simulated crash in batch {k}")

    return progress


async def test_a_seed_interrupted_between_batches_is_refused_until_written_again(
    store: Store,
) -> None:
    org = generate_organisation(people=300, seed=1)
    with pytest.raises(RuntimeError, match="crash in batch 3"):
        await write_organisation(
            store, org, create=True, progress=crash_in_people_batch(3), batch_people=100
        )
    # two batches committed, the third rolled back
    assert await store.read(people.count_people) == 200
    unfinished = await store.read(changes.unfinished_bulk_write)
    assert unfinished is not None
    assert (unfinished.kind, unfinished.people, unfinished.written) == ("seed", 300, 200)
    # every reader of the graph refuses it: a full load and a refresh alike
    refusal = "unfinished seed: 200 of 300 people written"
    with pytest.raises(GraphIncomplete, match=refusal):
        await store.read(changes.current_version)
    with pytest.raises(GraphIncomplete, match=refusal):
        await store.read(changes.changes_since, changes.Version())
    # an import merged into half a seed would complete it: refused, nothing written
    before = await graph_snapshot(store)
    with pytest.raises(GraphIncomplete, match="`skillweave seed` starts it over"):
        await write_organisation(store, Organisation(people=org.people[250:260]))
    assert await graph_snapshot(store) == before
    # started over (the graph wiped, as `skillweave seed` does, and written again): whole
    await empty(store)
    await write_organisation(store, org, create=True, batch_people=100)
    assert await store.read(changes.unfinished_bulk_write) is None
    assert (await store.read(changes.changes_since, changes.Version())).everything
    assert await store.read(people.count_people) == 300
    assert await store.read(people.get_person, org.people[-1].id) == org.people[-1]


async def test_batches_write_what_one_transaction_writes(store: Store) -> None:
    org = generate_organisation(people=250, seed=3)
    await write_organisation(store, org, create=True)
    whole = await graph_snapshot(store)
    await empty(store)
    written = await write_organisation(store, org, create=True, batch_people=60)
    assert await graph_snapshot(store) == whole
    assert written["people"] == 250
    assert written["manager_links"] == sum(1 for p in org.people if p.manager_id)


async def test_an_import_interrupted_between_batches_completes_when_run_again(
    store: Store,
) -> None:
    org = generate_organisation(people=250, seed=3)
    await write_organisation(store, org, create=True)
    moved = [dataclasses.replace(p, title="Moved") for p in org.people]
    update = Organisation(skills=org.skills, teams=org.teams, people=moved)
    with pytest.raises(RuntimeError, match="crash in batch 2"):
        await write_organisation(store, update, progress=crash_in_people_batch(2), batch_people=100)
    with pytest.raises(GraphIncomplete, match="unfinished HRIS import: 100 of 250"):
        await store.read(changes.current_version)
    await write_organisation(store, update, batch_people=100)
    assert await store.read(changes.unfinished_bulk_write) is None
    await store.read(changes.current_version)
    assert {p.title for p in await store.read(people.get_people, [p.id for p in moved])} == {
        "Moved"
    }
