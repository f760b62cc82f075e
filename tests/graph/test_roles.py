"""Role profiles and target roles in the store: validation, in-use refusals, the export."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import people, roles, teams
from graph.embedded import BoltEndpoint
from graph.errors import Conflict, InvalidInput, NotFound
from graph.export import export_graph
from graph.model import JobRole, Person, RoleProfile, RoleRequirement, SkillLevel, Team
from graph.roles import load_role_profiles, role_id
from graph.skills import SkillCatalog, load_taxonomy
from graph.store import Store

pytestmark = pytest.mark.anyio

TEAM = Team("voice-1", "Voice 1", "voice", "Manila")
COACH = RoleProfile(
    "peer coach",
    "Peer Coach",
    (RoleRequirement("coaching", 3, 2), RoleRequirement("empathy", 4, 1)),
)


def test_bundled_roles_name_real_skills() -> None:
    found = load_role_profiles()
    names = {r.name for r in found}
    assert {
        "Senior Agent", "Team Lead", "QA Analyst", "Trainer", "WFM Analyst",
        "Operations Manager", "Knowledge Manager", "Site Leader",
    } <= names  # fmt: skip
    catalog = SkillCatalog(load_taxonomy().skills)
    assert all(catalog.skills.get(q.skill) for r in found for q in r.requires)
    lead = next(r for r in found if r.name == "Team Lead")
    assert lead.job_role is JobRole.TEAM_LEAD
    assert {"coaching", "giving feedback", "de escalation", "kpi reporting", "scheduling"} <= {
        q.skill for q in lead.requires
    }


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (RoleProfile("x", " ", (RoleRequirement("coaching", 3),)), "must not be empty"),
        (RoleProfile("x", "X", ()), "at least one skill"),
        (RoleProfile("x", "X", (RoleRequirement("coaching", 6),)), "from 1 to 5"),
        (RoleProfile("x", "X", (RoleRequirement("coaching", 3, 0),)), "Weight"),
        (
            RoleProfile("x", "X", (RoleRequirement("coaching", 3), RoleRequirement("coaching", 2))),
            "twice",
        ),
    ],
)
def test_bad_roles_are_refused(role: RoleProfile, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        roles.checked(role)


async def test_save_replace_and_export(taxonomy_store: Store) -> None:
    saved = await taxonomy_store.write(roles.save_role, COACH)
    assert saved.id == role_id("Peer Coach") == "peer coach"
    changed = RoleProfile("peer coach", "Peer Coach", (RoleRequirement("mentoring", 4, 3),))
    await taxonomy_store.write(roles.save_role, changed)
    data = await taxonomy_store.read(export_graph)
    assert data.roles["peer coach"].requires == (("mentoring", 4, 3),)
    with pytest.raises(InvalidInput, match="Unknown skills: no such skill"):
        bad = RoleProfile("x", "X", (RoleRequirement("no such skill", 3),))
        await taxonomy_store.write(roles.save_role, bad)


async def test_a_job_role_belongs_to_one_role(taxonomy_store: Store) -> None:
    await taxonomy_store.write(
        roles.save_role, RoleProfile("a", "Lead A", COACH.requires, JobRole.TEAM_LEAD)
    )
    with pytest.raises(Conflict, match="already belongs"):
        await taxonomy_store.write(
            roles.save_role, RoleProfile("b", "Lead B", COACH.requires, JobRole.TEAM_LEAD)
        )


async def test_targets_and_a_role_in_use(taxonomy_store: Store) -> None:
    await taxonomy_store.write(teams.upsert_teams, [TEAM])
    await taxonomy_store.write(
        people.write_people,
        [
            Person(id="ana", name="Ana", team_id=TEAM.id),
            Person(id="ben", name="Ben", team_id=TEAM.id),
        ],
    )
    await taxonomy_store.write(roles.save_role, COACH)
    assert await taxonomy_store.write(roles.set_target_role, "ana", "peer coach")
    first = (await taxonomy_store.read(export_graph, people=["ana"])).people[0]
    assert first.target_role == "peer coach" and first.target_since is not None
    # the same target again keeps its date
    assert not await taxonomy_store.write(roles.set_target_role, "ana", "peer coach")
    again = (await taxonomy_store.read(export_graph, people=["ana"])).people[0]
    assert again.target_since == first.target_since
    with pytest.raises(Conflict, match="1 target it"):
        await taxonomy_store.write(roles.delete_role, "peer coach")
    with pytest.raises(NotFound):
        await taxonomy_store.write(roles.set_target_role, "ana", "astronaut")
    with pytest.raises(NotFound):
        await taxonomy_store.write(roles.set_target_role, "nobody", "peer coach")
    assert await taxonomy_store.write(roles.set_target_role, "ana", None)
    await taxonomy_store.write(roles.delete_role, "peer coach")
    assert "peer coach" not in (await taxonomy_store.read(export_graph)).roles
    with pytest.raises(NotFound):
        await taxonomy_store.write(roles.delete_role, "peer coach")


async def test_a_held_role_cannot_vanish(taxonomy_store: Store) -> None:
    await taxonomy_store.write(teams.upsert_teams, [TEAM])
    await taxonomy_store.write(
        people.write_people, [Person(id="lea", name="Lea", role=JobRole.TEAM_LEAD, team_id=TEAM.id)]
    )
    await taxonomy_store.write(roles.upsert_roles, load_role_profiles())
    with pytest.raises(Conflict, match="1 people hold it"):
        await taxonomy_store.write(roles.delete_role, "team lead")


async def test_every_level_change_is_in_the_history(taxonomy_store: Store) -> None:
    await taxonomy_store.write(teams.upsert_teams, [TEAM])
    ana = Person(id="ana", name="Ana", team_id=TEAM.id, skills=(SkillLevel("sql", 2),))
    await taxonomy_store.write(people.write_people, [ana])
    await taxonomy_store.write(people.write_people, [ana])  # the same again: no change
    await taxonomy_store.write(people.set_skill, "ana", "sql", 3)
    await taxonomy_store.write(people.set_skill, "ana", "sql", 3)  # unchanged
    await taxonomy_store.write(people.set_skill, "ana", "empathy", 4, "admin")
    await taxonomy_store.write(people.remove_skill, "ana", "empathy")
    record = (await taxonomy_store.read(export_graph, people=["ana"])).people[0]
    assert [(c.skill, c.level, c.source) for c in record.history] == [
        ("sql", 2, "import"),
        ("sql", 3, "profile"),
        ("empathy", 4, "admin"),
        ("empathy", 0, "profile"),
    ]
    assert all(a.at <= b.at for a, b in zip(record.history, record.history[1:], strict=False))


async def test_there_are_at_most_max_roles_and_replacing_one_still_works(
    taxonomy_store: Store,
) -> None:
    await taxonomy_store.write(roles.upsert_roles, load_role_profiles())
    need = (RoleRequirement("sql", 2, 1),)
    for i in range(roles.MAX_ROLES - len(load_role_profiles())):
        await taxonomy_store.write(roles.save_role, RoleProfile("", f"Extra {i}", need))
    with pytest.raises(Conflict, match="delete one first"):
        await taxonomy_store.write(roles.save_role, RoleProfile("", "One Too Many", need))
    replaced = await taxonomy_store.write(roles.save_role, RoleProfile("", "Extra 0", need * 1))
    assert replaced.id == "extra 0"


async def _two_at_once(store: Store, other: Store, first: Any, second: Any) -> list[Any]:
    """Run two writes at the same instant on two connections; their results or errors."""
    return list(
        await asyncio.gather(store.write(*first), other.write(*second), return_exceptions=True)
    )


async def test_choosing_a_target_races_deleting_the_role_and_nothing_dangles(
    taxonomy_store: Store, endpoint: BoltEndpoint
) -> None:
    await taxonomy_store.write(people.write_people, [Person(id="ana", name="Ana", team_id=None)])
    other = await Store.connect(endpoint)
    try:
        for round_ in range(8):
            coach = RoleProfile("", f"Peer Coach {round_}", (RoleRequirement("sql", 3, 2),))
            saved = await taxonomy_store.write(roles.save_role, coach)
            chose, deleted = await _two_at_once(
                taxonomy_store,
                other,
                (roles.set_target_role, "ana", saved.id),
                (roles.delete_role, saved.id),
            )
            rows = await taxonomy_store.query(
                "MATCH (r:Role {id: $id}) RETURN [(p:Person)-[:TARGETS]->(r) | p.id] AS who",
                id=saved.id,
            )
            if isinstance(deleted, Conflict):  # the target came first: the role stays, chosen
                assert chose is True and rows == [{"who": ["ana"]}]
            else:  # the delete came first: the choice finds no role
                assert deleted is None and isinstance(chose, NotFound) and rows == []
            await taxonomy_store.write(roles.set_target_role, "ana", None)
    finally:
        await other.close()


async def test_two_new_roles_racing_for_the_last_place_one_wins(
    taxonomy_store: Store, endpoint: BoltEndpoint
) -> None:
    need = (RoleRequirement("sql", 2, 1),)
    for i in range(roles.MAX_ROLES - 1):
        await taxonomy_store.write(roles.save_role, RoleProfile("", f"Role {i}", need))
    other = await Store.connect(endpoint)
    try:
        found = await _two_at_once(
            taxonomy_store,
            other,
            (roles.save_role, RoleProfile("", "Last A", need)),
            (roles.save_role, RoleProfile("", "Last B", need)),
        )
    finally:
        await other.close()
    assert sorted(type(f).__name__ for f in found) == ["Conflict", "RoleProfile"]
    rows = await taxonomy_store.query("MATCH (r:Role) RETURN count(r) AS n")
    assert rows == [{"n": roles.MAX_ROLES}]
