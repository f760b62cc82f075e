"""In-process timings for ``benchmarks/scale.py``, run in a process of the revision measured.

    PYTHONPATH=<revision's tree> NEO4J_URI=… python benchmarks/_scale_probe.py < mentees.json

Reads the mentee ids to suggest for (a JSON list) on standard input, loads the projection
from the store the ``NEO4J_*`` settings name with that revision's code, and prints one JSON
object: the full load, mentor suggestions (p50/p95 over the mentees, after one call that
builds the mentor index), HR's light report cold and warm, brokers and clusters. The
revision's modules come first on ``sys.path``; this file only times them. It knows the
projection keeper of 7695f59 and the ``readmodel`` package that replaced it; a revision
whose read model has other names needs its own lines in :func:`load` and :func:`measure`.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# this folder's matching.py would shadow the `matching` package of the revision measured
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != _HERE]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load() -> tuple[Any, float]:
    """The revision's in-memory model of the store, and the seconds its full load took.

    ``readmodel.keeper.ReadModelKeeper`` where the revision has it, else the projection
    keeper it replaced; either model is what the matcher's functions take.
    """
    from graph.store import Store

    try:
        from readmodel.keeper import ReadModelKeeper as Keeper
    except ImportError:
        from graph.projection import ProjectionKeeper as Keeper  # type: ignore[no-redef]

    async with await Store.open(setup_schema=False) as store:
        started = time.perf_counter()
        model = await Keeper(store).current()
        return model, time.perf_counter() - started


def measure(projection: Any, mentees: list[str]) -> dict[str, float]:
    """Seconds (or milliseconds, ``_ms``) of each in-process operation."""
    from matching.health import knowledge_brokers, network_health, tie_clusters
    from matching.mentoring import suggest_mentors

    def clock(work: Any) -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    # what a served full load builds before it is ready (ReadModelKeeper's ``warm``)
    views = clock(lambda: (projection.profiles, projection.mentor_index, projection.population))
    first = clock(lambda: suggest_mentors(projection, mentees[0], first=10))
    took = [1000 * clock(lambda m=m: suggest_mentors(projection, m, first=10)) for m in mentees]
    return {
        "views_s": views,
        "suggestions_first_s": first,
        "suggestions_p50_ms": statistics.median(took),
        "suggestions_p95_ms": percentile(took, 0.95),
        "light_report_cold_s": clock(lambda: network_health(projection, heavy=False)),
        "light_report_warm_s": clock(lambda: network_health(projection, heavy=False)),
        "brokers_s": clock(lambda: knowledge_brokers(projection)),
        "clusters_s": clock(lambda: tie_clusters(projection)),
    }


def main() -> None:
    """Load, measure, print the JSON."""
    mentees = json.load(sys.stdin)
    projection, seconds = asyncio.run(load())
    print(json.dumps({"full_load_s": seconds, **measure(projection, mentees)}))


if __name__ == "__main__":
    main()
