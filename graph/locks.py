"""Serialise check-then-write transactions by writing a node before the check.

Neo4j runs transactions at read-committed isolation, and ArcadeDB checks conflicts
only on records both transactions write. "Is this person already a member? If not,
add them" can therefore let two racing transactions both see "no" and both add. Writing
a node both of them touch, before the check, makes them conflict: Neo4j makes the
second wait for the first's lock, ArcadeDB fails it with a transient error that the
managed transaction retries; either way the second one then sees the first's write.
"""

from __future__ import annotations

from typing import Literal

from graph.store import Tx, run

Lockable = Literal["Community", "Squad", "Person"]


async def lock(tx: Tx, label: Lockable, id: str) -> bool:
    """Write-lock the ``label`` node with ``id`` for the rest of ``tx``; False if there is none."""
    rows = await run(
        tx,
        f"MATCH (n:{label} {{id: $id}}) SET n.lock_version = coalesce(n.lock_version, 0) + 1 "
        "RETURN count(n) AS n",
        id=id,
    )
    return bool(rows and rows[0]["n"])
