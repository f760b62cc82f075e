"""Serialise check-then-write transactions by writing a node before the check.

Neo4j runs transactions at read-committed isolation, and ArcadeDB checks conflicts
only on records both transactions write. "Is this person already a member? If not,
add them" can therefore let two racing transactions both see "no" and both add. Writing
a node both of them touch, before the check, makes them conflict: Neo4j makes the
second wait for the first's lock, ArcadeDB fails it with a transient error that the
managed transaction retries; either way the second one then sees the first's write.

The rule for every state change (answering, ending or expiring a mentorship, archiving a
squad, joining, leaving, adding or removing members and moderators): **lock the record,
then read the state the change depends on, then write**, all in one transaction. Reading
first and locking later lets two callers both see the old state and both succeed.
"""

from __future__ import annotations

from typing import Literal

from graph.store import Tx, run

Lockable = Literal["Community", "Squad", "Person", "Mentorship", "Role", "Session"]


async def lock(tx: Tx, label: Lockable, id: str) -> bool:
    """Write-lock the ``label`` node with ``id`` for the rest of ``tx``; False if there is none."""
    rows = await run(
        tx,
        f"MATCH (n:{label} {{id: $id}}) SET n.lock_version = coalesce(n.lock_version, 0) + 1 "
        "RETURN count(n) AS n",
        id=id,
    )
    return bool(rows and rows[0]["n"])


async def lock_graph(tx: Tx) -> None:
    """Write-lock the graph's own record, for a rule over every record of a kind.

    "At most so many role profiles" is a check no single record carries: two transactions
    creating the last two could both see room. Both write ``GraphMeta`` first, so the
    second sees the first's role (the change log writes it at the end of every write too).
    """
    await run(
        tx,
        "MERGE (meta:GraphMeta {key: 'graph'}) "
        "SET meta.lock_version = coalesce(meta.lock_version, 0) + 1",
    )
