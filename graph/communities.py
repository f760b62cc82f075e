"""Communities of practice: open groups around topic skills, run by moderators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from graph import validation
from graph.changes import record_change
from graph.dialect import to_utc
from graph.errors import Conflict, NotFound
from graph.ids import new_id
from graph.locks import lock
from graph.model import Community
from graph.outbox import EventKind, emit
from graph.store import Record, Tx, run

_RETURN = """
CALL (c) { OPTIONAL MATCH (c)-[:ABOUT]->(s:Skill) RETURN collect(s.key) AS topics }
CALL (c) { OPTIONAL MATCH (p:Person)-[:IN_COMMUNITY]->(c) RETURN collect(p.id) AS members }
CALL (c) { OPTIONAL MATCH (p:Person)-[:MODERATES]->(c) RETURN collect(p.id) AS moderators }
RETURN c {.*} AS c, topics, members, moderators
"""


def community_from_record(row: Record) -> Community:
    """A :class:`Community` from a row of ``c``, ``topics``, ``members``, ``moderators``."""
    c = row["c"]
    return Community(
        id=c["id"],
        name=c["name"],
        description=c.get("description") or "",
        topic_skills=tuple(sorted(row["topics"] or ())),
        member_ids=tuple(sorted(row["members"] or ())),
        moderator_ids=tuple(sorted(row["moderators"] or ())),
        created_at=to_utc(c.get("created_at")),
    )


async def get_community(tx: Tx, id: str) -> Community | None:
    """The community with this id, with topics, members and moderators, or None."""
    rows = await run(tx, "MATCH (c:Community {id: $id})" + _RETURN, id=id)
    return community_from_record(rows[0]) if rows else None


async def _require(tx: Tx, id: str) -> Community:
    community = await get_community(tx, id)
    if community is None:
        raise NotFound(f"No community with id {id!r}.")
    return community


async def _locked(tx: Tx, id: str) -> Community:
    """The community, write-locked for the rest of ``tx`` before its members are read."""
    await lock(tx, "Community", id)
    return await _require(tx, id)


async def create_community(
    tx: Tx,
    *,
    name: str,
    description: str = "",
    topic_skills: Sequence[str] = (),
    moderator_ids: Sequence[str] = (),
    id: str | None = None,
    by: str | None = None,
) -> Community:
    """Create a community; its moderators are also its first members.

    Every moderator but ``by`` (who created it) is sent a community invitation.
    """
    name = validation.text(name, what="Community name")
    description = validation.text(
        description, what="Description", max_length=validation.MAX_TEXT_LENGTH, required=False
    )
    found = await run(
        tx,
        "OPTIONAL MATCH (p:Person) WHERE p.id IN $ids WITH collect(p.id) AS people "
        "OPTIONAL MATCH (s:Skill) WHERE s.key IN $skills RETURN people, collect(s.key) AS skills",
        ids=list(moderator_ids),
        skills=list(topic_skills),
    )
    missing = sorted(set(moderator_ids) - set(found[0]["people"]))
    if missing:
        raise NotFound(f"No person with id {', '.join(map(repr, missing))}.")
    unknown = sorted(set(topic_skills) - set(found[0]["skills"]))
    if unknown:
        raise NotFound(f"No skill {', '.join(map(repr, unknown))}.")
    community_id = id or new_id("cop")
    await run(
        tx,
        "CREATE (c:Community {id: $id, name: $name, description: $description, created_at: datetime()}) "
        "WITH c UNWIND $skills AS key MATCH (s:Skill {key: key}) CREATE (c)-[:ABOUT]->(s)",
        id=community_id,
        name=name,
        description=description,
        skills=sorted(set(topic_skills)),
    )
    await run(
        tx,
        "MATCH (c:Community {id: $id}) UNWIND $ids AS pid MATCH (p:Person {id: pid}) "
        "CREATE (p)-[:MODERATES]->(c) CREATE (p)-[:IN_COMMUNITY {joined_at: datetime()}]->(c)",
        id=community_id,
        ids=sorted(set(moderator_ids)),
    )
    await record_change(tx, people=moderator_ids, communities=[community_id])
    invited = [p for p in sorted(set(moderator_ids)) if p != by]
    await _invite(tx, invited, community_id, name, by, moderator=True)
    return await _require(tx, community_id)


async def _invite(
    tx: Tx, people: Sequence[str], community_id: str, name: str, by: str | None, *, moderator: bool
) -> None:
    payload = {
        "community_id": community_id,
        "group_name": name,
        "person_id": by,
        "role": "moderator" if moderator else "member",
    }
    await emit(tx, EventKind.COMMUNITY_INVITATION, people, payload)


async def join_community(
    tx: Tx, community_id: str, person_id: str, *, by: str | None = None
) -> Community:
    """Add a person to a community's members (once, even when joins race).

    Someone else adding them (``by``, an admin) sends them a community invitation.
    """
    community = await _locked(tx, community_id)
    if person_id in community.member_ids:
        raise Conflict(f"{person_id!r} is already a member of {community.name!r}.")
    rows = await run(
        tx,
        "MATCH (c:Community {id: $c}) MATCH (p:Person {id: $p}) "
        "CREATE (p)-[:IN_COMMUNITY {joined_at: datetime()}]->(c) RETURN count(*) AS n",
        c=community_id,
        p=person_id,
    )
    if not rows or not rows[0]["n"]:
        raise NotFound(f"No person with id {person_id!r}.")
    await record_change(tx, people=[person_id], communities=[community_id])
    if by is not None and by != person_id:
        await _invite(tx, [person_id], community_id, community.name, by, moderator=False)
    return await _require(tx, community_id)


async def leave_community(
    tx: Tx, community_id: str, person_id: str, *, now: dt.datetime | None = None
) -> Community:
    """Take a member out of a community (a moderator stops moderating too).

    Their RSVPs to the community's sessions not started yet are taken back in the same
    transaction (attendance, and RSVPs to sessions already begun, stay as history). An RSVP
    locks the community before checking membership (:mod:`graph.sessions`), so one racing
    this leave either comes first and is taken back here, or is refused.
    """
    now = now or dt.datetime.now(dt.UTC)
    community = await _locked(tx, community_id)
    if person_id not in community.member_ids:
        raise Conflict(f"{person_id!r} is not a member of {community.name!r}, so cannot leave it.")
    await run(
        tx,
        "MATCH (p:Person {id: $p})-[r:IN_COMMUNITY|MODERATES]->(:Community {id: $c}) DELETE r",
        c=community_id,
        p=person_id,
    )
    await run(
        tx,
        "MATCH (:Person {id: $p})-[g:GOING]->(s:Session)-[:HELD_IN]->(:Community {id: $c}) "
        "WHERE s.starts_at > $now DELETE g",
        c=community_id,
        p=person_id,
        now=now,
    )
    await record_change(tx, people=[person_id], communities=[community_id])
    return await _require(tx, community_id)


async def add_community_moderator(
    tx: Tx, community_id: str, person_id: str, *, by: str | None = None
) -> Community:
    """Make a person a moderator (and a member, if they were not yet).

    They are sent a community invitation unless they made themselves one (``by``).
    """
    community = await _locked(tx, community_id)
    if person_id in community.moderator_ids:
        raise Conflict(f"{person_id!r} already moderates {community.name!r}.")
    rows = await run(
        tx,
        "MATCH (c:Community {id: $c}) MATCH (p:Person {id: $p}) CREATE (p)-[:MODERATES]->(c) "
        "RETURN count(*) AS n",
        c=community_id,
        p=person_id,
    )
    if not rows or not rows[0]["n"]:
        raise NotFound(f"No person with id {person_id!r}.")
    if person_id not in community.member_ids:
        await run(
            tx,
            "MATCH (c:Community {id: $c}) MATCH (p:Person {id: $p}) "
            "CREATE (p)-[:IN_COMMUNITY {joined_at: datetime()}]->(c)",
            c=community_id,
            p=person_id,
        )
    await record_change(tx, people=[person_id], communities=[community_id])
    if person_id != by:
        await _invite(tx, [person_id], community_id, community.name, by, moderator=True)
    return await _require(tx, community_id)
