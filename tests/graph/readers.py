"""Store reads only the tests need: an oracle for the read model, built on the store's readers.

The service reads squads and communities in lists from its projection
(:mod:`api.directory`); these read them from the store, one :func:`graph.squads.get_squad`
or :func:`graph.communities.get_community` per record, so a test can check the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.communities import get_community
from graph.model import Community, Squad, SquadStatus
from graph.squads import get_squad
from graph.store import Tx, run


async def _squads(tx: Tx, ids: Sequence[str]) -> list[Squad]:
    found = [await get_squad(tx, id) for id in ids]
    return [squad for squad in found if squad is not None]


async def _communities(tx: Tx, ids: Sequence[str]) -> list[Community]:
    found = [await get_community(tx, id) for id in ids]
    return [community for community in found if community is not None]


async def list_squads(tx: Tx, *, status: SquadStatus | None = None) -> list[Squad]:
    """Squads, newest first, optionally of one status."""
    rows = await run(
        tx,
        "MATCH (q:Squad) WHERE $status IS NULL OR q.status = $status "
        "WITH q ORDER BY q.created_at DESC, q.id RETURN q.id AS id",
        status=status.value if status else None,
    )
    return await _squads(tx, [r["id"] for r in rows])


async def squads_of_people(tx: Tx, person_ids: Sequence[str]) -> dict[str, list[Squad]]:
    """Each person's squads, by id."""
    rows = await run(
        tx,
        "UNWIND $ids AS pid MATCH (:Person {id: pid})-[:IN_SQUAD]->(q:Squad) "
        "RETURN pid, q.id AS id ORDER BY id",
        ids=list(person_ids),
    )
    return {
        pid: await _squads(tx, [r["id"] for r in rows if r["pid"] == pid]) for pid in person_ids
    }


async def list_communities(tx: Tx, *, search: str | None = None) -> list[Community]:
    """Communities whose name or description contains ``search`` (any case), by name."""
    rows = await run(
        tx,
        "MATCH (c:Community) WHERE $search IS NULL OR toLower(c.name) CONTAINS $search "
        "OR toLower(coalesce(c.description, '')) CONTAINS $search "
        "WITH c ORDER BY c.name RETURN c.id AS id",
        search=search.strip().lower() if search and search.strip() else None,
    )
    return await _communities(tx, [r["id"] for r in rows])


async def communities_of_people(tx: Tx, person_ids: Sequence[str]) -> dict[str, list[Community]]:
    """Each person's communities, by id."""
    rows = await run(
        tx,
        "UNWIND $ids AS pid MATCH (:Person {id: pid})-[:IN_COMMUNITY]->(c:Community) "
        "RETURN pid, c.id AS id ORDER BY id",
        ids=list(person_ids),
    )
    return {
        pid: await _communities(tx, [r["id"] for r in rows if r["pid"] == pid])
        for pid in person_ids
    }
