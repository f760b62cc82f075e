"""Role profiles and people's target roles.

A role (``Role {id, name, job_role}``) requires skills, each at a level and with a weight
(``(Role)-[:REQUIRES {level, weight}]->(Skill)``). People hold their current role through
their job role (a Team Lead's ``role`` is ``team_lead``) and may choose a target role
(``(Person)-[:TARGETS {since}]->(Role)``). The roles Skillweave ships with are in
``graph/data/roles.json``, named with the taxonomy's skills.

A role edit names the role in the change log, and each process reloads that role alone;
setting a target names only the person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from graph import validation
from graph.changes import record_change
from graph.errors import Conflict, InvalidInput, NotFound
from graph.locks import lock, lock_graph
from graph.model import MAX_WEIGHT, MIN_WEIGHT, JobRole, RoleProfile, RoleRequirement
from graph.skills import skill_key
from graph.store import Tx, run

MAX_REQUIREMENTS = 30
"""Skills one role may require."""
MAX_ROLES = 40
"""Role profiles an organisation may have (eight ship): each adds columns to every health
snapshot, and the API's query cost counts on a bound."""


def role_id(name: str) -> str:
    """The id of a role named ``name``: its normalised name (``"Team Lead"`` → ``"team lead"``)."""
    return skill_key(name)


def load_role_profiles() -> tuple[RoleProfile, ...]:
    """The roles Skillweave ships with (``graph/data/roles.json``), skills by key."""
    raw = json.loads(resources.files("graph").joinpath("data/roles.json").read_text("utf-8"))
    return tuple(
        RoleProfile(
            id=role_id(r["name"]),
            name=r["name"],
            job_role=JobRole(r["job_role"]) if r["job_role"] else None,
            requires=tuple(
                RoleRequirement(skill_key(skill), level, weight)
                for skill, level, weight in r["requires"]
            ),
        )
        for r in raw["roles"]
    )


def checked(role: RoleProfile) -> RoleProfile:
    """``role`` with a clean name and id, or :class:`InvalidInput` saying what is wrong."""
    name = validation.single_line(role.name, what="Role name")
    if not role.requires:
        raise InvalidInput(f"Role {name!r} must require at least one skill.")
    if len(role.requires) > MAX_REQUIREMENTS:
        raise InvalidInput(f"A role may require at most {MAX_REQUIREMENTS} skills.")
    seen: set[str] = set()
    for r in role.requires:
        validation.level(r.level, skill=r.skill)
        if isinstance(r.weight, bool) or not MIN_WEIGHT <= r.weight <= MAX_WEIGHT:
            raise InvalidInput(
                f"Weight for {r.skill} must be a whole number from {MIN_WEIGHT} to {MAX_WEIGHT}, "
                f"not {r.weight!r}."
            )
        if r.skill in seen:
            raise InvalidInput(f"Role {name!r} names {r.skill} twice.")
        seen.add(r.skill)
    return RoleProfile(role_id(name), name, tuple(role.requires), role.job_role)


def _row(role: RoleProfile) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "job_role": role.job_role.value if role.job_role else None,
        "requires": [
            {"skill": r.skill, "level": r.level, "weight": r.weight} for r in role.requires
        ],
    }


_WRITE_ROLES = """
UNWIND $rows AS row
MERGE (r:Role {id: row.id}) SET r.name = row.name, r.job_role = row.job_role
WITH r, row
CALL (r) { MATCH (r)-[old:REQUIRES]->(:Skill) DELETE old RETURN count(*) AS dropped }
CALL (r, row) {
  UNWIND row.requires AS q MATCH (s:Skill {key: q.skill})
  CREATE (r)-[:REQUIRES {level: q.level, weight: q.weight}]->(s) RETURN count(*) AS required }
RETURN count(r) AS roles, sum(required) AS required
"""


async def upsert_roles(tx: Tx, roles: Iterable[RoleProfile]) -> int:
    """Create or replace roles by id (the seed's bulk path); returns how many."""
    rows = [_row(checked(r)) for r in roles]
    if not rows:
        return 0
    found = await run(tx, _WRITE_ROLES, rows=rows)
    await record_change(tx, roles=[r["id"] for r in rows])
    return int(found[0]["roles"]) if found else 0


async def save_role(tx: Tx, role: RoleProfile) -> RoleProfile:
    """Create a role, or replace the name, job role and requirements of the one with its id.

    Every skill must exist (the API resolves names first, with "did you mean").
    """
    role = checked(role)
    await lock_graph(tx)
    if not await lock(tx, "Role", role.id):
        rows = await run(tx, "MATCH (r:Role) RETURN count(r) AS n")
        if int(rows[0]["n"]) >= MAX_ROLES:
            raise Conflict(
                f"There are already {MAX_ROLES} role profiles, the most there may be: "
                "delete one first."
            )
    keys = [r.skill for r in role.requires]
    rows = await run(
        tx, "MATCH (s:Skill) WHERE s.key IN $keys RETURN s.key AS key", keys=sorted(keys)
    )
    missing = sorted(set(keys) - {r["key"] for r in rows})
    if missing:
        raise InvalidInput(f"Unknown skills: {', '.join(missing)}.")
    if role.job_role is not None:
        taken = await run(
            tx,
            "MATCH (r:Role {job_role: $job}) WHERE r.id <> $id RETURN r.name AS name",
            job=role.job_role.value,
            id=role.id,
        )
        if taken:
            raise Conflict(
                f"Job role {role.job_role.value!r} already belongs to the role {taken[0]['name']!r}."
            )
    await run(tx, _WRITE_ROLES, rows=[_row(role)])
    await record_change(tx, roles=[role.id])
    return role


async def delete_role(tx: Tx, id: str) -> None:
    """Delete a role nobody holds or targets; a role in use raises :class:`Conflict`."""
    if not await lock(tx, "Role", id):
        raise NotFound(f"No role {id!r}.")
    rows = await run(
        tx,
        "MATCH (r:Role {id: $id}) "
        "RETURN r.job_role AS job, size([(p:Person)-[:TARGETS]->(r) WHERE p.left_at IS NULL | p.id])"
        " AS targeting",
        id=id,
    )
    holders = await run(
        tx,
        "MATCH (p:Person) WHERE p.role = $job AND p.left_at IS NULL RETURN count(p) AS n",
        job=rows[0]["job"],
    )
    targeting, holding = int(rows[0]["targeting"]), int(holders[0]["n"])
    if targeting or holding:
        raise Conflict(
            f"Role {id!r} is in use: {holding} people hold it and {targeting} target it. "
            "Move their targets to another role (and their job roles) first."
        )
    await run(tx, "MATCH (r:Role {id: $id}) DETACH DELETE r", id=id)
    await record_change(tx, roles=[id])


async def set_target_role(tx: Tx, person_id: str, role: str | None) -> bool:
    """Set (or, with ``None``, clear) the role a person grows towards; True if it changed.

    Setting the role already targeted keeps its date: progress counts from the first time.
    The role is locked too, so a racing :func:`delete_role` either sees the target or
    happens first (and then this one finds no role).
    """
    if not await lock(tx, "Person", person_id):
        raise NotFound(f"No person with id {person_id!r}.")
    if role is not None and not await lock(tx, "Role", role):
        raise NotFound(f"No role {role!r}.")
    rows = await run(
        tx,
        "MATCH (p:Person {id: $person}) RETURN [(p)-[:TARGETS]->(r:Role) | r.id] AS targets",
        person=person_id,
    )
    if rows[0]["targets"] == ([] if role is None else [role]):
        return False
    await run(tx, "MATCH (:Person {id: $person})-[t:TARGETS]->(:Role) DELETE t", person=person_id)
    if role is not None:
        created = await run(
            tx,
            "MATCH (p:Person {id: $person}) MATCH (r:Role {id: $role}) "
            "CREATE (p)-[:TARGETS {since: datetime()}]->(r) RETURN count(*) AS n",
            person=person_id,
            role=role,
        )
        # On Neo4j a delete that commits while this waited for the role's lock leaves the
        # lock taken on a deleted node: the role is found no more, and nothing is written.
        if not created or not created[0]["n"]:
            raise NotFound(f"No role {role!r}.")
    await record_change(tx, people=[person_id])
    return True
