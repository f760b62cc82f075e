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

A bulk write too large for one transaction (:mod:`graph.organisation`) marks the
graph incomplete on ``GraphMeta`` in its first transaction and complete again in
its last, with the ``ALL`` record. In between, :func:`current_version` (and so
every projection load and refresh) refuses with :class:`~graph.errors.GraphIncomplete`:
half an organisation is never served.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.dialect import to_utc
from graph.errors import GraphIncomplete
from graph.store import Record, Tx, run

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
class LoggedChanges:
    """What changed between two versions of the graph."""

    version: Version
    people: frozenset[str] = field(default_factory=frozenset)
    squads: frozenset[str] = field(default_factory=frozenset)
    communities: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    """Role profiles saved or deleted."""
    everything: bool = False
    """True when the projection must reload everything (a bulk write, or it fell behind)."""

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.everything or self.people or self.squads or self.communities or self.roles)


async def record_change(
    tx: Tx,
    *,
    people: Iterable[str] = (),
    squads: Iterable[str] = (),
    communities: Iterable[str] = (),
    roles: Iterable[str] = (),
) -> int:
    """Bump the graph version and log what this transaction touched; returns the new version."""
    rows = await run(
        tx,
        "MERGE (meta:GraphMeta {key: 'graph'}) ON CREATE SET meta.epoch = $epoch "
        "SET meta.version = coalesce(meta.version, 0) + 1 "
        "CREATE (:Change {version: meta.version, at: datetime(), people: $people, "
        "squads: $squads, communities: $communities, roles: $roles}) "
        "RETURN meta.version AS version",
        people=sorted(set(people)),
        squads=sorted(set(squads)),
        communities=sorted(set(communities)),
        roles=sorted(set(roles)),
        epoch=uuid.uuid4().hex,
    )
    return int(rows[0]["version"])


@dataclass(frozen=True)
class BulkWrite:
    """A bulk write begun in batches whose last batch has not committed (yet, or ever)."""

    kind: str
    """``seed`` (into an empty store) or ``import`` (merged into what is there)."""
    people: int
    """How many people it writes."""
    written: int
    """How many of them the batches committed so far."""
    started_at: dt.datetime | None
    last_batch_at: dt.datetime | None

    def describe(self) -> str:
        """What an operator reads: what it was, how far it got, and what to do."""
        when = f", begun {_moment(self.started_at)}" if self.started_at else ""
        last = f", last batch committed {_moment(self.last_batch_at)}" if self.last_batch_at else ""
        what = "seed" if self.kind == "seed" else "HRIS import"
        remedy = (
            "`skillweave seed` starts it over"
            if self.kind == "seed"
            else "run the import again (what it wrote already is left as is)"
        )
        return (
            f"The skills graph holds an unfinished {what}: {self.written:,} of "
            f"{self.people:,} people written{when}{last}. It is not served until it "
            f"finishes. If it stopped, {remedy}."
        )


def _moment(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_META_RETURN = (
    "RETURN meta.epoch AS epoch, meta.version AS version, "
    "meta.complete AS complete, meta.bulk_kind AS kind, meta.bulk_people AS people, "
    "meta.bulk_written AS written, meta.bulk_started_at AS started_at, "
    "meta.bulk_batch_at AS batch_at"
)
_META = "MATCH (meta:GraphMeta {key: 'graph'}) " + _META_RETURN

_META_AND_CHANGES = (
    "MATCH (meta:GraphMeta {key: 'graph'}) "
    "CALL () { MATCH (c:Change) WHERE c.version > $since "
    "RETURN collect([c.version, c.people, c.squads, c.communities, c.roles]) AS changes } "
    + _META_RETURN
    + ", changes"
)


def _version_of(row: Record) -> Version:
    if row["version"] is None:
        return Version()
    return Version(str(row["epoch"] or ""), int(row["version"]))


def _bulk_of(row: Record) -> BulkWrite | None:
    if row["complete"] is not False:  # True, or a graph written before the marker existed
        return None
    return BulkWrite(
        kind=str(row["kind"] or "seed"),
        people=int(row["people"] or 0),
        written=int(row["written"] or 0),
        started_at=to_utc(row["started_at"]),
        last_batch_at=to_utc(row["batch_at"]),
    )


async def unfinished_bulk_write(tx: Tx) -> BulkWrite | None:
    """The bulk write the graph is in the middle of, or None when it is complete."""
    rows = await run(tx, _META)
    return _bulk_of(rows[0]) if rows else None


async def begin_bulk_write(tx: Tx, *, kind: str, people: int) -> str:
    """Mark the graph incomplete: the first step of a bulk write in several transactions.

    Returns the bulk write's id, which its batches and its end name: one begun later (a
    seed started over) takes the marker, and the earlier one's next batch stops.
    """
    bulk_id = uuid.uuid4().hex
    await run(
        tx,
        "MERGE (meta:GraphMeta {key: 'graph'}) ON CREATE SET meta.epoch = $epoch "
        "SET meta.complete = false, meta.bulk_id = $id, meta.bulk_kind = $kind, "
        "meta.bulk_people = $people, meta.bulk_written = 0, meta.bulk_started_at = datetime(), "
        "meta.bulk_batch_at = null",
        epoch=uuid.uuid4().hex,
        id=bulk_id,
        kind=kind,
        people=people,
    )
    return bulk_id


async def note_bulk_batch(tx: Tx, bulk_id: str, *, people: int) -> None:
    """Count ``people`` more as written, in the transaction of the batch that writes them.

    Raises:
        GraphIncomplete: the marker is another bulk write's, or gone (the graph was wiped):
            this one was overtaken and must stop; the batch rolls back.
    """
    rows = await run(
        tx,
        "MATCH (meta:GraphMeta {key: 'graph'}) WHERE meta.bulk_id = $id "
        "SET meta.bulk_written = coalesce(meta.bulk_written, 0) + $people, "
        "meta.bulk_batch_at = datetime() RETURN count(meta) AS n",
        id=bulk_id,
        people=people,
    )
    if not rows or not rows[0]["n"]:
        raise GraphIncomplete(
            "Another bulk write (or a reset) has begun on this graph since this one did; "
            "this one stops here."
        )


async def finish_bulk_write(tx: Tx, bulk_id: str | None = None) -> None:
    """Mark the graph complete, in the bulk write's last transaction (with its ``ALL`` record).

    ``bulk_id`` is checked as :func:`note_bulk_batch` does. A write in one transaction
    calls this without one: an import run again over an interrupted import completes it.
    """
    if bulk_id is not None:
        await note_bulk_batch(tx, bulk_id, people=0)
    await run(
        tx,
        "MATCH (meta:GraphMeta {key: 'graph'}) SET meta.complete = true "
        "REMOVE meta.bulk_id, meta.bulk_kind, meta.bulk_people, meta.bulk_written, "
        "meta.bulk_started_at, meta.bulk_batch_at",
    )


async def current_version(tx: Tx) -> Version:
    """The graph's version now (an empty epoch and 0 before the first recorded change).

    Raises:
        GraphIncomplete: a bulk write has begun and not finished; the graph is not servable.
    """
    rows = await run(tx, _META)
    if not rows:
        return Version()
    bulk = _bulk_of(rows[0])
    if bulk is not None:
        raise GraphIncomplete(bulk.describe())
    return _version_of(rows[0])


async def changes_since(tx: Tx, version: Version) -> LoggedChanges:
    """Everything touched after ``version``, merged into one :class:`LoggedChanges`.

    Another epoch (the graph was wiped and written again) means everything changed. One
    statement: the version and the changes after ``version`` come back together (a
    refresh's round trips are most of its cost).
    """
    rows = await run(tx, _META_AND_CHANGES, since=version.number)
    if not rows:
        now = Version()
    else:
        bulk = _bulk_of(rows[0])
        if bulk is not None:
            raise GraphIncomplete(bulk.describe())
        now = _version_of(rows[0])
    if now == version:
        return LoggedChanges(version=now)
    if now.epoch != version.epoch or now.number < version.number:
        return LoggedChanges(version=now, everything=True)
    logged = [c for c in rows[0]["changes"] if int(c[0]) <= now.number]
    seen = {int(c[0]) for c in logged}
    complete = seen >= set(range(version.number + 1, now.number + 1))
    people = {p for c in logged for p in c[1] or ()}
    return LoggedChanges(
        version=now,
        people=frozenset(people - {ALL}),
        squads=frozenset(s for c in logged for s in c[2] or ()),
        communities=frozenset(x for c in logged for x in c[3] or ()),
        roles=frozenset(q for c in logged for q in c[4] or ()),
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
