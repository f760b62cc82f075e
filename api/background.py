"""The app's periodic jobs (expiry sweep, change-log and outbox pruning, health snapshots).

They stop by being asked, not by being cancelled: a job cancelled in the middle of a
store write could leave the driver's half-opened socket behind, so shutdown sets an
event, lets the step in flight finish, and cancels only a job that overstays ``grace``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from graph.errors import StoreError

log = logging.getLogger(__name__)


class Jobs:
    """Periodic jobs that share one stop signal."""

    def __init__(self) -> None:
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def stopping(self) -> bool:
        """Whether the jobs were asked to stop: a long step checks it between its batches."""
        return self._stopping.is_set()

    def every(
        self,
        seconds: float,
        step: Callable[[], Awaitable[None]],
        *,
        name: str,
        first_after: bool = False,
    ) -> None:
        """Run ``step`` every ``seconds`` (first at once, or after one period)."""
        self._tasks.append(asyncio.create_task(self._loop(seconds, step, name, first_after)))

    async def _loop(
        self, seconds: float, step: Callable[[], Awaitable[None]], name: str, first_after: bool
    ) -> None:
        if first_after and await self._stopped_within(seconds):
            return
        while not self._stopping.is_set():
            try:
                await step()
            except StoreError as error:
                log.warning("%s skipped: %s", name, error)
            if await self._stopped_within(seconds):
                return

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def stop(self, grace: float = 30.0) -> None:
        """Ask every job to stop, wait up to ``grace`` seconds, then cancel what is left."""
        self._stopping.set()
        if not self._tasks:
            return
        _, late = await asyncio.wait(self._tasks, timeout=grace)
        for task in late:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
