"""New events for this process's subscriptions: one watcher of the outbox, woken early by writes.

Every open ``notifications`` subscription waits on one :class:`EventFeed`. While any is
open, the feed reads the outbox's last number (:func:`graph.outbox.latest_sequence`, one
short statement) every :data:`POLL_SECONDS`, and at once when this process writes
(:meth:`EventFeed.nudge`, called by :meth:`api.context.Context.write`). When the number
moves, each subscription reads its person's events after the last one it sent. So an event
reaches a subscriber within about :data:`POLL_SECONDS` of its commit (plus a read),
whichever process wrote it, and at once when the subscriber's own process did.

The feed stops by being asked (:meth:`EventFeed.close`), never cancelled mid-read: a read
cut off half-way would leave a driver socket behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graph import outbox
from graph.errors import StoreError
from graph.store import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often the outbox is checked while a subscription is open."""
BATCH = 100
"""Most events one read of a person's outbox returns."""


class EventFeed:
    """Tells this process's subscriptions when the outbox has moved."""

    def __init__(self, store: Store, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._store = store
        self._poll_seconds = poll_seconds
        self._moved = asyncio.Condition()
        self._generation = 0
        self._latest: int | None = None
        self._nudged = asyncio.Event()
        self._closed = False
        self._watchers = 0
        self._task: asyncio.Task[None] | None = None

    def nudge(self) -> None:
        """Look at the outbox now: this process has just written."""
        self._nudged.set()

    async def watch(self, person_id: str, *, after: int) -> AsyncIterator[outbox.Event]:
        """The person's events numbered after ``after``, oldest first, as they come.

        Ends when the feed closes.
        """
        self._watchers += 1
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._run(), name="event feed")
        self.nudge()
        try:
            cursor = after
            while not self._closed:
                generation = self._generation  # before the read: nothing slips between
                events = await self._store.read(
                    outbox.events_for, person_id, after=cursor, first=BATCH
                )
                for event in events:
                    yield event
                    cursor = event.sequence
                if len(events) < BATCH:
                    await self._moved_since(generation)
        finally:
            self._watchers -= 1

    async def _moved_since(self, generation: int) -> None:
        async with self._moved:
            await self._moved.wait_for(lambda: self._closed or self._generation > generation)

    async def _run(self) -> None:
        while not self._closed:
            self._nudged.clear()
            if self._watchers:
                try:
                    latest = await self._store.read(outbox.latest_sequence)
                except StoreError as error:
                    log.warning("event feed: the outbox could not be read: %s", error)
                else:
                    if latest != self._latest:
                        self._latest = latest
                        await self._wake()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), self._poll_seconds)

    async def _wake(self) -> None:
        async with self._moved:
            self._generation += 1
            self._moved.notify_all()

    async def close(self) -> None:
        """End every watch and stop reading the outbox (the read in flight finishes)."""
        self._closed = True
        self.nudge()
        await self._wake()
        if self._task is not None:
            await self._task
