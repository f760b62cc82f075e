"""Brokers and tie clusters (and their picture) for HR, computed in a worker thread so no request waits for them.

Betweenness and Louvain take seconds to tens of seconds on a large organisation.
:class:`HeavyMetrics` keeps the latest result per scope; a request that finds it
older than the projection starts a recomputation in a thread and answers with what
it has, saying how fresh it is. The thread reads only a snapshot of the health
index's plain, immutable records (:meth:`~matching.health._population.Population.snapshot`),
never the live projection or index the next request may refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass

from matching.health.brokers import Brokers, brokers_of
from matching.health.cluster_map import ClusterMap, cluster_map
from matching.health.clusters import TieClusters, clusters_of
from matching.health.population import Population
from matching.health.scope import HealthScope
from readmodel.store import ReadModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeavyResult:
    """Brokers and clusters of one scope, and the graph version they were computed at."""

    version: object
    computed_at: dt.datetime
    seconds: float
    brokers: Brokers
    clusters: TieClusters
    cluster_map: ClusterMap


def compute_heavy(
    population: Population, scope: HealthScope, *, version: object, seed: int = 0
) -> HeavyResult:
    """Brokers and clusters of ``scope``, synchronously (the worker thread, snapshots)."""
    started = time.perf_counter()
    brokers = brokers_of(population, scope, seed=seed)
    clusters = clusters_of(population, scope, seed=seed)
    drawn = cluster_map(population, clusters, scope, seed=seed)
    return HeavyResult(
        version=version,
        computed_at=dt.datetime.now(dt.UTC),
        seconds=time.perf_counter() - started,
        brokers=brokers,
        clusters=clusters,
        cluster_map=drawn,
    )


class HeavyMetrics:
    """The latest heavy result per scope, refreshed in the background."""

    def __init__(self, *, min_interval: float = 0.0) -> None:
        self.min_interval = min_interval
        """Seconds a result is kept, even of an older graph, before it is recomputed."""
        self._results: dict[HealthScope, HeavyResult] = {}
        self._running: dict[HealthScope, asyncio.Task[None]] = {}

    def latest(self, scope: HealthScope) -> HeavyResult | None:
        """What is known for ``scope`` (possibly of an older graph version)."""
        return self._results.get(scope)

    def computing(self, scope: HealthScope) -> bool:
        """Whether a recomputation for ``scope`` is under way."""
        task = self._running.get(scope)
        return task is not None and not task.done()

    def request(self, projection: ReadModel, scope: HealthScope) -> None:
        """Start recomputing ``scope`` unless it is current or already being computed."""
        known = self._results.get(scope)
        if self.computing(scope) or (known is not None and known.version == projection.version):
            return
        if known is not None and self.min_interval > 0:
            age = (dt.datetime.now(dt.UTC) - known.computed_at).total_seconds()
            if age < self.min_interval:
                return  # on a busy graph, recompute at most every min_interval seconds
        population = projection.population.snapshot()  # the thread reads a still copy
        self._running[scope] = asyncio.create_task(
            self._compute(population, scope, projection.version)
        )

    async def wait(self, scope: HealthScope) -> HeavyResult | None:
        """Wait for a running computation of ``scope`` (tests, snapshots) and return the result."""
        task = self._running.get(scope)
        if task is not None:
            await task
        return self._results.get(scope)

    async def _compute(self, population: Population, scope: HealthScope, version: object) -> None:
        try:
            result = await asyncio.to_thread(compute_heavy, population, scope, version=version)
        except Exception:  # a failed background job must not take the service down
            log.exception("computing brokers and clusters for %s failed", scope)
            return
        self._results[scope] = result
        log.info("brokers and clusters for %s took %.1f s", scope, result.seconds)

    async def close(self) -> None:
        """Cancel what is running (shutdown)."""
        for task in self._running.values():
            task.cancel()
        for task in self._running.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
