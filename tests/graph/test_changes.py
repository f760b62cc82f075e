"""The version stamp and change log that keep projections fresh."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import changes, communities, mentorships, people, squads, teams
from graph.errors import InvalidInput
from graph.model import Person, SquadMember, Team
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store

pytestmark = pytest.mark.anyio


async def small(store: Store) -> None:
    await store.write(teams.upsert_teams, [Team("t", "T", "voice", "Manila")])
    await store.write(
        people.write_people,
        [
            Person(id=i, name=i, team_id="t", mentoring_capacity=2, open_to_mentoring=True)
            for i in "abcd"
        ],
    )


async def test_each_write_names_what_it_touched(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    start = await taxonomy_store.read(changes.current_version)
    await taxonomy_store.write(people.set_skill, "a", "sql", 3)
    request = await taxonomy_store.write(
        mentorships.request_mentorship, mentee_id="b", mentor_id="c", focus_skills=["sql"]
    )
    squad = await taxonomy_store.write(
        squads.create_squad, name="S", members=[SquadMember("a"), SquadMember("d")]
    )
    community = await taxonomy_store.write(
        communities.create_community, name="C", moderator_ids=["d"]
    )
    seen = await taxonomy_store.read(changes.changes_since, start)
    assert seen.version == changes.Version(start.epoch, start.number + 4)
    assert seen.people == {"a", "b", "c", "d"}
    assert seen.squads == {squad.id} and seen.communities == {community.id}
    assert not seen.everything
    later = await taxonomy_store.read(
        changes.changes_since, changes.Version(start.epoch, start.number + 2)
    )
    assert later.people == {"a", "d"}
    assert (await taxonomy_store.read(changes.changes_since, seen.version)).empty
    await taxonomy_store.write(mentorships.respond_to_mentorship, request.id, accept=True)
    assert (await taxonomy_store.read(changes.changes_since, seen.version)).people == {"b", "c"}


async def test_a_refused_write_records_nothing(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    start = await taxonomy_store.read(changes.current_version)
    with pytest.raises(InvalidInput):
        await taxonomy_store.write(people.set_skill, "a", "sql", 9)
    assert await taxonomy_store.read(changes.current_version) == start


async def test_bulk_writes_and_lost_history_mean_reload_everything(store: Store) -> None:
    await write_organisation(store, generate_organisation(people=30, seed=1), create=True)
    assert (await store.read(changes.changes_since, changes.Version())).everything
    version = await store.read(changes.current_version)
    await store.write(people.set_skill, "E000002", "sql", 2)
    await store.write(changes.prune_changes, older_than=dt.timedelta(seconds=-1))
    assert (await store.read(changes.changes_since, version)).everything


async def test_a_wiped_graph_is_another_epoch(store: Store) -> None:
    await store.write(teams.upsert_teams, [Team("t", "T", "voice", "Manila")])
    before = await store.read(changes.current_version)
    await store.query("MATCH (n) DETACH DELETE n")
    await store.write(teams.upsert_teams, [Team("t", "T", "voice", "Manila")])
    after = await store.read(changes.current_version)
    assert after.number == before.number and after.epoch != before.epoch
    assert (await store.read(changes.changes_since, before)).everything
