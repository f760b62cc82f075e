"""The graph's version stamp and change log: how in-memory projections stay fresh.

Every write transaction that changes people or groups calls :func:`record_change`
with what it touched. That bumps one version number (``GraphMeta {key: 'graph'}``)
and appends a ``Change`` node, in the same transaction: a rolled-back write
leaves neither. A process holding a projection asks :func:`changes_since` for
the version it last saw, and reloads only what the changes name (or
everything, after a bulk write that touched ``ALL``).

Because every write now updates the one ``GraphMeta`` node, concurrent writes
take turns on it: the store retries the losers, which is also what keeps
capacity checks honest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.store import Tx, run

ALL = "*"
"""Put in ``people`` when a write touched too many people to list (a seed, an import)."""

KEEP_CHANGES = dt.timedelta(days=7)
"""Changes older than this are pruned; a projection further behind reloads everything."""


@dataclass(frozen=True)
class ChangeSet:
    """What changed between two versions of the graph."""

    version: int
    people: frozenset[str] = field(default_factory=frozenset)
    squads: frozenset[str] = field(default_factory=frozenset)
    communities: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False
    """True when the projection must reload everything (a bulk write, or it fell behind)."""

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.everything or self.people or self.squads or self.communities)


async def record_change(
    tx: Tx,
    *,
    people: Iterable[str] = (),
    squads: Iterable[str] = (),
    communities: Iterable[str] = (),
) -> int:
    """Bump the graph version and log what this transaction touched; returns the new version."""
    rows = await run(
        tx,
        "MERGE (meta:GraphMeta {key: 'graph'}) "
        "SET meta.version = coalesce(meta.version, 0) + 1 "
        "CREATE (:Change {version: meta.version, at: datetime(), people: $people, "
        "squads: $squads, communities: $communities}) "
        "RETURN meta.version AS version",
        people=sorted(set(people)),
        squads=sorted(set(squads)),
        communities=sorted(set(communities)),
    )
    return int(rows[0]["version"])


async def current_version(tx: Tx) -> int:
    """The graph's version now (0 before the first recorded change)."""
    rows = await run(tx, "MATCH (meta:GraphMeta {key: 'graph'}) RETURN meta.version AS version")
    return int(rows[0]["version"]) if rows and rows[0]["version"] is not None else 0


async def changes_since(tx: Tx, version: int) -> ChangeSet:
    """Everything touched after ``version``, merged into one :class:`ChangeSet`."""
    now = await current_version(tx)
    if now == version:
        return ChangeSet(version=now)
    rows = await run(
        tx,
        "MATCH (c:Change) WHERE c.version > $since "
        "RETURN c.version AS version, c.people AS people, c.squads AS squads, "
        "c.communities AS communities",
        since=version,
    )
    seen = {int(r["version"]) for r in rows}
    complete = seen >= set(range(version + 1, now + 1))
    people = {p for r in rows for p in r["people"] or ()}
    return ChangeSet(
        version=now,
        people=frozenset(people - {ALL}),
        squads=frozenset(s for r in rows for s in r["squads"] or ()),
        communities=frozenset(c for r in rows for c in r["communities"] or ()),
        everything=ALL in people or not complete,
    )


async def prune_changes(tx: Tx, *, older_than: dt.timedelta = KEEP_CHANGES) -> int:
    """Delete changes older than ``older_than``; returns how many."""
    rows = await run(
        tx,
        "MATCH (c:Change) WHERE c.at < $cutoff DELETE c RETURN count(*) AS n",
        cutoff=dt.datetime.now(dt.UTC) - older_than,
    )
    return int(rows[0]["n"]) if rows else 0
