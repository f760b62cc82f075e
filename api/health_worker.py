"""Brokers and tie clusters (and their picture) for HR, computed in a child process so no request waits for them.

Betweenness and Louvain take seconds to tens of seconds on a large organisation (about 40 s
of CPU at 300,000 people), most of it pure Python. In a thread of the API process they held
the interpreter lock from every request for that long; in a child process
(:func:`compute_heavy_apart`, forked, so the snapshot it reads is shared, not copied or
pickled) they use the machine's other core, and what they allocate is returned to the
system when the child exits. :class:`HeavyMetrics` keeps the latest result per scope; a
request that finds it older than the projection starts a recomputation and answers with
what it has, saying how fresh it is. The child reads only a snapshot of the health index's
plain, immutable records (:meth:`~matching.health.population.Population.snapshot`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import multiprocessing
import time
import warnings
from dataclasses import dataclass
from multiprocessing.connection import Connection

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


CHILD_NAME = "skillweave brokers and clusters"
"""The child process's name (``ps``, and tests find it by it)."""


def _compute_and_send(
    send: Connection, population: Population, scope: HealthScope, version: object
) -> None:
    """The child's whole life: compute, send the result (or the error) back, exit."""
    try:
        send.send(("done", compute_heavy(population, scope, version=version)))
    except BaseException as error:  # the parent logs it; nothing here may hang
        send.send(("failed", f"{type(error).__name__}: {error}"))
    finally:
        send.close()


async def compute_heavy_apart(
    population: Population, scope: HealthScope, *, version: object
) -> HeavyResult:
    """:func:`compute_heavy` in a forked child process; a thread where fork does not exist.

    Cancelled (shutdown), the child is killed.

    Raises:
        RuntimeError: the computation failed, or the child died (its exit code is given).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return await asyncio.to_thread(compute_heavy, population, scope, version=version)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_compute_and_send,
        args=(send, population, scope, version),
        name=CHILD_NAME,
        daemon=True,
    )
    with warnings.catch_warnings():
        # Python 3.12+ warns that a forked child of a threaded process may deadlock on a
        # lock another thread held; this child only computes and writes to its pipe
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    send.close()  # the child's copy is the only writer: its exit ends our read
    try:
        kind, value = await asyncio.to_thread(receive.recv)
    except EOFError:
        await asyncio.to_thread(child.join, 10)
        receive.close()
        raise RuntimeError(f"the child process died (exit code {child.exitcode})") from None
    except BaseException:
        child.kill()  # cancelled: the thread reading the pipe gets its end and stops
        raise
    receive.close()
    await asyncio.to_thread(child.join, 10)
    if kind == "failed":
        raise RuntimeError(str(value))
    result: HeavyResult = value
    return result


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
            result = await compute_heavy_apart(population, scope, version=version)
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
