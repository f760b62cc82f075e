"""Brokers and clusters are computed in a forked child process: the same result as in the
API process, errors and a dying child reported, and a cancelled computation leaves no child."""

from __future__ import annotations

import asyncio
import multiprocessing
import os

import pytest

from api import health_worker
from api.health_worker import CHILD_NAME, compute_heavy, compute_heavy_apart
from graph.organisation import graph_data
from graph.seed import generate_organisation
from matching.health.population import Population
from matching.health.scope import HealthScope
from readmodel.store import ReadModel

pytestmark = pytest.mark.anyio


def heavy_children() -> list[multiprocessing.process.BaseProcess]:
    """Children computing brokers and clusters (the suite runs other children too)."""
    return [c for c in multiprocessing.active_children() if c.name == CHILD_NAME]


@pytest.fixture(scope="module")
def population() -> Population:
    model = ReadModel.build(graph_data(generate_organisation(people=400, seed=5)))
    return model.population.snapshot()


async def test_the_child_computes_what_the_process_itself_would(population: Population) -> None:
    scope = HealthScope()
    apart = await compute_heavy_apart(population, scope, version="v1")
    here = compute_heavy(population, scope, version="v1")
    assert apart.version == "v1"
    assert apart.brokers == here.brokers and apart.brokers.people
    assert apart.clusters == here.clusters and apart.cluster_map == here.cluster_map
    assert heavy_children() == []  # joined


async def test_a_failure_in_the_child_is_an_error_here(
    population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("no ties at all")

    monkeypatch.setattr(health_worker, "compute_heavy", broken)  # the child is a fork: it sees it
    with pytest.raises(RuntimeError, match="ValueError: no ties at all"):
        await compute_heavy_apart(population, HealthScope(), version=None)

    def dies(*args: object, **kwargs: object) -> object:
        os._exit(3)

    monkeypatch.setattr(health_worker, "compute_heavy", dies)
    with pytest.raises(RuntimeError, match="exit code 3"):
        await compute_heavy_apart(population, HealthScope(), version=None)
    assert heavy_children() == []


async def test_a_cancelled_computation_kills_its_child(
    population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forever(*args: object, **kwargs: object) -> object:
        import time

        time.sleep(600)
        raise AssertionError("not killed")

    monkeypatch.setattr(health_worker, "compute_heavy", forever)
    task = asyncio.ensure_future(compute_heavy_apart(population, HealthScope(), version=None))
    for _ in range(100):  # until the child runs
        await asyncio.sleep(0.02)
        if heavy_children():
            break
    [child] = heavy_children()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.to_thread(child.join, 10)
    assert not child.is_alive() and child.exitcode is not None and child.exitcode < 0
