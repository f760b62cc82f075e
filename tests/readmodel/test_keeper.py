"""The read model follows the store through the change log, without full reloads."""

from __future__ import annotations

import gc

import pytest

from graph import communities, mentorships, people, roles, squads
from graph.export import export_graph
from graph.model import JobRole, RoleProfile, RoleRequirement, SquadMember
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel
from readmodel.views import REGISTERED

pytestmark = pytest.mark.anyio


async def test_incremental_refresh_equals_a_full_rebuild(store: Store) -> None:
    org = generate_organisation(people=150, seed=3)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store)
    first = await keeper.current()
    assert sorted(first.people) == sorted(p.id for p in org.people)
    assert keeper.full_loads == 1
    for spec in REGISTERED:
        first.view(spec)  # every view is kept in step from here on
    population = first.population  # the health index, refreshed with the model
    before = population.snapshot()

    a, b, c, d = (p.id for p in org.people[10:14])
    await store.query(
        "MATCH (p:Person) WHERE p.id IN [$c, $d] SET p.open_to_mentoring = true, p.mentoring_capacity = 3",
        c=c,
        d=d,
    )
    await store.write(people.set_skill, a, "sql", 5)
    await store.write(people.remove_learning_goal, b, org.people[11].goals[0].skill)
    request = await store.write(
        mentorships.request_mentorship, mentee_id=a, mentor_id=c, focus_skills=["sql"]
    )
    await store.write(mentorships.respond_to_mentorship, request.id, accept=True)
    squad = await store.write(squads.create_squad, name="New", focus_skills=["sql"],
                              members=[SquadMember(a), SquadMember(d)])  # fmt: skip
    await store.write(squads.archive_squad, squad.id)
    community = org.communities[0]
    outsider = next(p.id for p in org.people if p.id not in community.member_ids)
    await store.write(communities.join_community, community.id, outsider)
    await store.write(people.update_profile, d, {"shift": "night", "mentoring_capacity": 1})

    refreshed = await keeper.current()
    assert keeper.full_loads == 1 and keeper.partial_loads == 1
    rebuilt = ReadModel.build(await store.read(export_graph))
    assert refreshed.differences(rebuilt) == []
    assert refreshed.people[a].skills["sql"] == 5
    assert refreshed.mentorships[request.id].status == "active"
    assert refreshed.squads[squad.id].status == "archived"
    assert refreshed.version == rebuilt.version

    assert refreshed.population is population, "refreshed in place, not rebuilt"
    anew = rebuilt.population
    assert list(population.people.items()) == list(anew.people.items())
    assert population.mentorships == anew.mentorships
    assert population.groups == anew.groups
    assert population.people[a].skills["sql"] == 5 and before.people[a].skills.get("sql") != 5
    assert any(m.id == request.id for m in population.mentorships)
    assert all(m.id != request.id for m in before.mentorships), "a snapshot stays as it was"

    # nothing changed: no reload at all
    await keeper.current()
    assert (keeper.full_loads, keeper.partial_loads) == (1, 1)


async def test_a_bulk_write_reloads_everything(store: Store) -> None:
    keeper = ReadModelKeeper(store)
    await write_organisation(store, generate_organisation(people=20, seed=1), create=True)
    await keeper.current()
    await write_organisation(store, generate_organisation(people=20, seed=1).__class__())
    await keeper.current()
    assert keeper.full_loads == 2


async def test_a_frozen_model_is_left_out_of_garbage_collections(store: Store) -> None:
    org = generate_organisation(people=60, seed=4)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store, freeze_heap=True)
    try:
        first = await keeper.current()
        walked = {id(o) for o in gc.get_objects()}
        assert id(first.people) not in walked
        assert gc.get_freeze_count() > len(first.people)

        # a bulk write reloads everything: the new model is frozen in turn
        await write_organisation(store, type(org)())
        second = await keeper.current()
        assert keeper.full_loads == 2 and second is not first
        assert id(second.people) not in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()

    plain = ReadModelKeeper(store)
    loaded = await plain.current()
    assert id(loaded.people) in {id(o) for o in gc.get_objects()}


async def test_a_role_edit_reloads_that_role_alone(store: Store) -> None:
    await write_organisation(store, generate_organisation(people=120, seed=5), create=True)
    keeper = ReadModelKeeper(store)
    model = await keeper.current()
    team_lead = model.roles["team lead"]
    edited = RoleProfile(
        "",
        "Team Lead",
        (RoleRequirement("coaching", 5, 3), RoleRequirement("sql", 2, 1)),
        JobRole.TEAM_LEAD,
    )
    await store.write(roles.save_role, edited)
    await store.write(
        roles.save_role, RoleProfile("", "Peer Coach", (RoleRequirement("sql", 3, 2),))
    )
    await store.write(roles.delete_role, "knowledge manager")
    model = await keeper.current()
    assert (keeper.full_loads, keeper.partial_loads) == (1, 1), "no whole reload for a role"
    assert model.roles["team lead"] != team_lead
    assert model.roles["team lead"].requires == (("coaching", 5, 3), ("sql", 2, 1))
    assert "peer coach" in model.roles and "knowledge manager" not in model.roles
    fresh = ReadModel.build(await store.read(export_graph))
    assert model.differences(fresh) == []


async def test_the_exports_fast_rows_equal_the_drivers_own(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads rows without ``Record.data()`` (graph.store.run_values); the same
    organisation read through the driver's conversion must give the same records."""
    import graph.export
    from graph.store import run

    await write_organisation(store, generate_organisation(people=150, seed=4), create=True)
    fast = await store.read(export_graph)
    monkeypatch.setattr(graph.export, "run_values", run)
    plain = await store.read(export_graph)
    assert fast.people and fast.mentorships and any(p.history for p in fast.people)
    assert fast == plain


async def test_a_full_load_builds_the_views_asked_for_before_it_is_served(store: Store) -> None:
    from readmodel.matching import MENTOR_INDEX, POPULATION, PROFILES

    await write_organisation(store, generate_organisation(people=60, seed=3), create=True)
    lazy = await ReadModelKeeper(store).current()
    assert lazy.built_views() == []  # built on first use only
    warm = (PROFILES, MENTOR_INDEX, POPULATION)
    keeper = ReadModelKeeper(store, warm=warm)
    model = await keeper.current()
    assert {spec for spec, _ in model.built_views()} == set(warm)
    await store.write(people.set_skill, next(iter(model.people)), "sql", 5)
    after = await keeper.current(fresh=True)
    assert keeper.partial_loads == 1 and {spec for spec, _ in after.built_views()} == set(warm)
    assert after.differences(ReadModel.build(await store.read(export_graph))) == []
