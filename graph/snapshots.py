"""Network-health snapshots kept in the graph store, for HR's history of the learning network.

A snapshot is one scope's scalar metrics at one moment, stored as a
``HealthSnapshot`` node with the metrics as a JSON string (Neo4j properties
cannot hold maps, and a JSON string reads back the same from both stores).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from graph.dialect import limit, to_utc
from graph.ids import new_id
from graph.store import Tx, run


@dataclass(frozen=True)
class Snapshot:
    """One scope's metrics at one moment."""

    id: str
    scope: str
    """``org``, or ``site:Manila``, ``team:…``, ``function:…`` (see :func:`scope_key`)."""
    taken_at: dt.datetime
    version: int
    """The graph version the metrics were computed at."""
    metrics: Mapping[str, float]


def scope_key(
    *, site: str | None = None, team: str | None = None, function: str | None = None
) -> str:
    """The stable name of a scope: ``org`` or its conditions joined, such as ``site:Cebu``."""
    parts = [f"{k}:{v}" for k, v in (("site", site), ("team", team), ("function", function)) if v]
    return ",".join(parts) or "org"


async def save_snapshot(
    tx: Tx,
    *,
    scope: str,
    metrics: Mapping[str, float],
    version: int,
    taken_at: dt.datetime | None = None,
) -> Snapshot:
    """Store one snapshot and return it."""
    taken = taken_at or dt.datetime.now(dt.UTC)
    snapshot = Snapshot(new_id("hs"), scope, taken, version, dict(metrics))
    await run(
        tx,
        "CREATE (:HealthSnapshot {id: $id, scope: $scope, taken_at: $taken, version: $version, "
        "metrics: $metrics})",
        id=snapshot.id,
        scope=scope,
        taken=taken,
        version=version,
        metrics=json.dumps(dict(metrics), sort_keys=True),
    )
    return snapshot


async def snapshot_history(
    tx: Tx,
    *,
    scope: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    last: int | None = None,
) -> list[Snapshot]:
    """The scope's snapshots taken in ``[since, until]`` (the ``last`` newest), oldest first."""
    rows = await run(
        tx,
        "MATCH (s:HealthSnapshot {scope: $scope}) "
        "WHERE ($since IS NULL OR s.taken_at >= $since) AND ($until IS NULL OR s.taken_at <= $until) "
        "RETURN s.id AS id, s.taken_at AS taken, s.version AS version, s.metrics AS metrics "
        "ORDER BY s.taken_at DESC" + (f" {limit(last)}" if last is not None else ""),
        scope=scope,
        since=since,
        until=until,
    )
    rows.reverse()
    found = []
    for r in rows:
        taken = to_utc(r["taken"])
        assert taken is not None
        found.append(Snapshot(r["id"], scope, taken, int(r["version"]), json.loads(r["metrics"])))
    return found
