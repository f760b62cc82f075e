"""Learning squads: small cross-functional groups a moderator forms around focus skills."""

from __future__ import annotations

from collections.abc import Sequence

from graph import validation
from graph.changes import record_change
from graph.dialect import to_utc
from graph.errors import Conflict, InvalidInput, NotFound
from graph.ids import new_id
from graph.locks import lock
from graph.model import Squad, SquadMember, SquadRole, SquadStatus
from graph.outbox import EventKind, emit
from graph.store import Record, Tx, run

MIN_SQUAD_SIZE = 2
MAX_SQUAD_SIZE = 12

_RETURN = """
CALL (q) { OPTIONAL MATCH (q)-[:FOCUSES_ON]->(s:Skill) RETURN collect(s.key) AS focus }
CALL (q) { OPTIONAL MATCH (p:Person)-[r:IN_SQUAD]->(q)
       RETURN collect(CASE WHEN p IS NULL THEN NULL ELSE {id: p.id, role: r.role} END) AS members }
RETURN q {.*} AS q, focus, members
"""


def squad_from_record(row: Record) -> Squad:
    """A :class:`Squad` from a row of ``q``, ``focus`` and ``members``."""
    q = row["q"]
    members = sorted((m for m in row["members"] or () if m), key=lambda m: m["id"])
    return Squad(
        id=q["id"],
        name=q["name"],
        purpose=q.get("purpose") or "",
        status=SquadStatus(q["status"]),
        focus_skills=tuple(sorted(row["focus"] or ())),
        members=tuple(SquadMember(m["id"], SquadRole(m["role"])) for m in members),
        created_at=to_utc(q.get("created_at")),
    )


async def get_squad(tx: Tx, id: str) -> Squad | None:
    """The squad with this id, with members and focus skills, or None."""
    rows = await run(tx, "MATCH (q:Squad {id: $id})" + _RETURN, id=id)
    return squad_from_record(rows[0]) if rows else None


async def create_squad(
    tx: Tx,
    *,
    name: str,
    purpose: str = "",
    focus_skills: Sequence[str] = (),
    members: Sequence[SquadMember] = (),
    id: str | None = None,
    by: str | None = None,
) -> Squad:
    """Create a squad with its members and focus skills, all or nothing.

    Every member but ``by`` (who formed it) is sent a squad invitation.

    Raises:
        InvalidInput: empty name, too few or too many members, a person twice.
        NotFound: a member or focus skill does not exist.
    """
    name = validation.text(name, what="Squad name")
    purpose = validation.text(
        purpose, what="Purpose", max_length=validation.MAX_TEXT_LENGTH, required=False
    )
    ids = [m.person_id for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A person is listed twice among the squad's members.")
    if not MIN_SQUAD_SIZE <= len(ids) <= MAX_SQUAD_SIZE:
        raise InvalidInput(
            f"A squad has {MIN_SQUAD_SIZE} to {MAX_SQUAD_SIZE} members; {len(ids)} were given."
        )
    found = await run(
        tx,
        "OPTIONAL MATCH (p:Person) WHERE p.id IN $ids WITH collect(p.id) AS people "
        "OPTIONAL MATCH (s:Skill) WHERE s.key IN $skills RETURN people, collect(s.key) AS skills",
        ids=ids,
        skills=list(focus_skills),
    )
    missing = sorted(set(ids) - set(found[0]["people"]))
    if missing:
        raise NotFound(f"No person with id {', '.join(map(repr, missing))}.")
    unknown = sorted(set(focus_skills) - set(found[0]["skills"]))
    if unknown:
        raise NotFound(f"No skill {', '.join(map(repr, unknown))}.")
    squad_id = id or new_id("sqd")
    await run(
        tx,
        "CREATE (q:Squad {id: $id, name: $name, purpose: $purpose, status: 'active', created_at: datetime()}) "
        "WITH q UNWIND $members AS m MATCH (p:Person {id: m.id}) "
        "CREATE (p)-[:IN_SQUAD {role: m.role, joined_at: datetime()}]->(q)",
        id=squad_id,
        name=name,
        purpose=purpose,
        members=[{"id": m.person_id, "role": m.role.value} for m in members],
    )
    await run(
        tx,
        "MATCH (q:Squad {id: $id}) UNWIND $skills AS key MATCH (s:Skill {key: key}) "
        "CREATE (q)-[:FOCUSES_ON]->(s)",
        id=squad_id,
        skills=sorted(set(focus_skills)),
    )
    await record_change(tx, people=ids, squads=[squad_id])
    await _invite(tx, [i for i in ids if i != by], squad_id, name, by)
    squad = await get_squad(tx, squad_id)
    assert squad is not None
    return squad


async def _invite(tx: Tx, people: Sequence[str], squad_id: str, name: str, by: str | None) -> None:
    payload = {"squad_id": squad_id, "group_name": name, "person_id": by}
    await emit(tx, EventKind.SQUAD_INVITATION, people, payload)


async def _active_squad(tx: Tx, id: str) -> Squad:
    """The squad, write-locked for the rest of ``tx`` before its state is read (graph/locks)."""
    await lock(tx, "Squad", id)
    squad = await get_squad(tx, id)
    if squad is None:
        raise NotFound(f"No squad with id {id!r}.")
    if squad.status is SquadStatus.ARCHIVED:
        raise Conflict(f"The squad {squad.name!r} is archived and cannot change.")
    return squad


async def add_squad_member(
    tx: Tx,
    squad_id: str,
    person_id: str,
    role: SquadRole = SquadRole.MEMBER,
    *,
    by: str | None = None,
) -> Squad:
    """Add a person to an active squad that has room (once, even when adds race).

    The person is sent a squad invitation unless they added themselves (``by``).
    """
    squad = await _active_squad(tx, squad_id)
    if any(m.person_id == person_id for m in squad.members):
        raise Conflict(f"{person_id!r} is already in the squad {squad.name!r}.")
    if len(squad.members) >= MAX_SQUAD_SIZE:
        raise Conflict(f"The squad {squad.name!r} is full ({MAX_SQUAD_SIZE} members).")
    rows = await run(
        tx,
        "MATCH (q:Squad {id: $squad}) MATCH (p:Person {id: $person}) "
        "CREATE (p)-[:IN_SQUAD {role: $role, joined_at: datetime()}]->(q) RETURN count(*) AS n",
        squad=squad_id,
        person=person_id,
        role=role.value,
    )
    if not rows or not rows[0]["n"]:
        raise NotFound(f"No person with id {person_id!r}.")
    await record_change(tx, people=[person_id], squads=[squad_id])
    if person_id != by:
        await _invite(tx, [person_id], squad_id, squad.name, by)
    updated = await get_squad(tx, squad_id)
    assert updated is not None
    return updated


async def remove_squad_member(tx: Tx, squad_id: str, person_id: str) -> Squad:
    """Take a member out of an active squad, keeping it at the minimum size."""
    squad = await _active_squad(tx, squad_id)
    if all(m.person_id != person_id for m in squad.members):
        raise NotFound(f"{person_id!r} is not a member of the squad {squad.name!r}.")
    if len(squad.members) <= MIN_SQUAD_SIZE:
        raise Conflict(
            f"The squad {squad.name!r} would drop below {MIN_SQUAD_SIZE} members; archive it instead."
        )
    await run(
        tx,
        "MATCH (:Person {id: $person})-[r:IN_SQUAD]->(:Squad {id: $squad}) DELETE r",
        squad=squad_id,
        person=person_id,
    )
    await record_change(tx, people=[person_id], squads=[squad_id])
    updated = await get_squad(tx, squad_id)
    assert updated is not None
    return updated


async def archive_squad(tx: Tx, squad_id: str) -> Squad:
    """Archive an active squad; archived squads refuse further changes."""
    squad = await _active_squad(tx, squad_id)
    await run(
        tx,
        "MATCH (q:Squad {id: $id}) SET q.status = 'archived', q.archived_at = datetime()",
        id=squad_id,
    )
    await record_change(tx, people=[m.person_id for m in squad.members], squads=[squad_id])
    updated = await get_squad(tx, squad_id)
    assert updated is not None
    return updated
