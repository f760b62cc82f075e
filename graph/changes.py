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
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.store import Tx, run

ALL = "*"
"""Put in ``people`` when a write touched too many people to list (a seed, an import)."""

KEEP_CHANGES = dt.timedelta(days=7)
"""Changes older than this are pruned; a projection further behind reloads everything."""


@dataclass(frozen=True, order=True)
class Version:
    """Where the graph is: an epoch (new when the graph is wiped) and a counter within it."""

    epoch: str = ""
    number: int = 0


@dataclass(frozen=True)
class ChangeSet:
    """What changed between two versions of the graph."""

    version: Version
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
        "MERGE (meta:GraphMeta {key: 'graph'}) ON CREATE SET meta.epoch = $epoch "
        "SET meta.version = coalesce(meta.version, 0) + 1 "
        "CREATE (:Change {version: meta.version, at: datetime(), people: $people, "
        "squads: $squads, communities: $communities}) "
        "RETURN meta.version AS version",
        people=sorted(set(people)),
        squads=sorted(set(squads)),
        communities=sorted(set(communities)),
        epoch=uuid.uuid4().hex,
    )
    return int(rows[0]["version"])


async def current_version(tx: Tx) -> Version:
    """The graph's version now (an empty epoch and 0 before the first recorded change)."""
    rows = await run(
        tx,
        "MATCH (meta:GraphMeta {key: 'graph'}) RETURN meta.epoch AS epoch, meta.version AS version",
    )
    if not rows or rows[0]["version"] is None:
        return Version()
    return Version(str(rows[0]["epoch"] or ""), int(rows[0]["version"]))


async def changes_since(tx: Tx, version: Version) -> ChangeSet:
    """Everything touched after ``version``, merged into one :class:`ChangeSet`.

    Another epoch (the graph was wiped and written again) means everything changed.
    """
    now = await current_version(tx)
    if now == version:
        return ChangeSet(version=now)
    if now.epoch != version.epoch or now.number < version.number:
        return ChangeSet(version=now, everything=True)
    rows = await run(
        tx,
        "MATCH (c:Change) WHERE c.version > $since "
        "RETURN c.version AS version, c.people AS people, c.squads AS squads, "
        "c.communities AS communities",
        since=version.number,
    )
    seen = {int(r["version"]) for r in rows}
    complete = seen >= set(range(version.number + 1, now.number + 1))
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
