"""Requests waiting for the projection together share one check, never one that began before them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from readmodel.keeper import SharedCheck
from readmodel.store import ReadModel

pytestmark = pytest.mark.anyio


class SlowKeeper:
    """Stands in for a ReadModelKeeper: each check takes a while and is numbered."""

    def __init__(self, fail: bool = False) -> None:
        self.started = 0
        self.fail = fail

    async def current(self) -> Any:
        self.started += 1
        number = self.started
        await asyncio.sleep(0.02)
        if self.fail:
            raise RuntimeError(f"check {number} failed")
        return number


def shared(keeper: SlowKeeper) -> SharedCheck:
    return SharedCheck(keeper.current)


async def test_waiting_requests_share_the_next_check() -> None:
    keeper = SlowKeeper()
    check = shared(keeper)
    first = asyncio.create_task(check.current())
    await asyncio.sleep(0.005)  # the first check is under way: later requests wait for the next
    later = [asyncio.create_task(check.current()) for _ in range(7)]
    results: list[ReadModel | int] = [await first, *await asyncio.gather(*later)]
    assert results == [1] + [2] * 7
    assert keeper.started == 2
    assert await check.current() == 3  # asked after both ended: a check of its own


async def test_a_failed_check_fails_the_requests_that_waited_for_it() -> None:
    check = shared(SlowKeeper(fail=True))
    found = await asyncio.gather(check.current(), check.current(), return_exceptions=True)
    assert [str(e) for e in found] == ["check 1 failed", "check 1 failed"]


async def test_a_request_that_gives_up_does_not_cancel_the_others() -> None:
    keeper = SlowKeeper()
    check = shared(keeper)
    quitter = asyncio.create_task(check.current())
    stayer = asyncio.create_task(check.current())
    await asyncio.sleep(0.005)
    quitter.cancel()
    assert await stayer == 1
    assert quitter.cancelled()
