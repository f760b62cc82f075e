"""Shutdown lets a periodic job's step in flight finish instead of cutting it off."""

from __future__ import annotations

import asyncio

import pytest

from api.background import Jobs
from graph.errors import StoreError

pytestmark = pytest.mark.anyio


async def test_stop_waits_for_the_step_in_flight_and_runs_no_other() -> None:
    started = asyncio.Event()
    finished: list[int] = []

    async def write() -> None:
        started.set()
        await asyncio.sleep(0.3)  # a store write taking its time
        finished.append(1)

    jobs = Jobs()
    jobs.every(0.01, write, name="write")
    await started.wait()
    await jobs.stop()
    assert finished == [1], "the write in flight completed; nothing started after the stop"


async def test_a_job_repeats_survives_store_errors_and_one_overstaying_grace_is_cancelled() -> None:
    runs: list[str] = []

    async def flaky() -> None:
        runs.append("flaky")
        if len(runs) == 1:
            raise StoreError("the store blinked")

    async def stuck() -> None:
        await asyncio.Event().wait()

    jobs = Jobs()
    jobs.every(0.01, flaky, name="flaky")
    jobs.every(0.01, stuck, name="stuck")
    await asyncio.sleep(0.2)
    await asyncio.wait_for(jobs.stop(grace=0.2), 5)
    assert len(runs) >= 3, "the job went on after a store error"


async def test_first_after_waits_one_period_and_stop_ends_the_wait() -> None:
    runs: list[int] = []

    async def snapshot() -> None:
        runs.append(1)

    jobs = Jobs()
    jobs.every(3600, snapshot, name="snapshot", first_after=True)
    await asyncio.sleep(0.05)
    await asyncio.wait_for(jobs.stop(), 1)
    assert runs == []
