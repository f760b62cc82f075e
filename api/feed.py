"""New events for this process's subscriptions: one reader of the outbox, for all of them.

Every open ``notifications`` subscription is a queue on one :class:`EventFeed`. While any
is open, the feed reads the outbox's last number (:func:`graph.outbox.latest_sequence`, one
short statement) every :data:`POLL_SECONDS`, and at once when this process writes
(:meth:`EventFeed.nudge`, called by :meth:`api.context.Context.write`). When the number
moves, the feed reads the new events of everyone at once (:func:`graph.outbox.events_after`)
and hands each to the queues of its recipient: one read per change, however many people
are subscribed. So an event reaches a subscriber within about :data:`POLL_SECONDS` of its
commit (plus a read), whichever process wrote it, and at once when the subscriber's own
process did.

A subscription that names a number to start after first catches up from the person's own
events; it is on the feed before it reads, and drops what it has already sent, so nothing
falls between the two.

The feed stops by being asked (:meth:`EventFeed.close`), never cancelled mid-read: a read
cut off half-way would leave a driver socket behind. For the same reason a watch that must
end on its own (its token expires, its person leaves: :mod:`api.notifications`) is not
cancelled either: asked with ``idle``, it yields None whenever nothing came for that long,
so its caller can look and stop between reads; only the wait on its queue is cut short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable

from graph import outbox
from graph.errors import StoreError
from graph.store import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often the outbox is checked while a subscription is open."""
BATCH = 100
"""Most events one read of a person's outbox returns."""


class EventFeed:
    """Reads the outbox once per change and hands each event to its recipient's subscriptions."""

    def __init__(self, store: Store, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._store = store
        self._poll_seconds = poll_seconds
        self._nudged = asyncio.Event()
        self._closed = False
        self._queues: dict[str, set[asyncio.Queue[outbox.Event | None]]] = {}
        self._cursor: int | None = None
        """The last number handed out; None until the first subscription starts the feed."""
        self._started = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def nudge(self) -> None:
        """Look at the outbox now: this process has just written."""
        self._nudged.set()

    async def watch(
        self, person_id: str, *, after: int, idle: Callable[[], float] | None = None
    ) -> AsyncGenerator[outbox.Event | None, None]:
        """The person's events numbered after ``after``, oldest first, as they come.

        With ``idle``, None too, whenever no event came for ``idle()`` seconds (asked
        afresh for each wait): the caller's chance to stop while nothing is being read.
        Ends when the feed closes.
        """
        queue: asyncio.Queue[outbox.Event | None] = asyncio.Queue()
        self._queues.setdefault(person_id, set()).add(queue)
        try:
            if self._task is None and not self._closed:
                self._task = asyncio.create_task(self._run(), name="event feed")
            await self._started.wait()
            sent = after
            # what came before this subscription joined the feed, from the person's own events
            while not self._closed:
                events = await self._store.read(
                    outbox.events_for, person_id, after=sent, first=BATCH
                )
                for event in events:
                    yield event
                    sent = event.sequence
                if len(events) < BATCH:
                    break
            while not self._closed:
                if idle is None:
                    found = await queue.get()
                else:
                    try:
                        # cancelling a queue's get loses nothing: the event stays queued
                        found = await asyncio.wait_for(queue.get(), max(idle(), 0.0))
                    except TimeoutError:
                        yield None
                        continue
                if found is None:
                    break
                if found.sequence > sent:
                    yield found
                    sent = found.sequence
        finally:
            queues = self._queues.get(person_id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._queues[person_id]

    async def _run(self) -> None:
        while not self._closed:
            self._nudged.clear()
            if self._queues:
                try:
                    await self._dispatch()
                except StoreError as error:
                    log.warning("event feed: the outbox could not be read: %s", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), self._poll_seconds)

    async def _dispatch(self) -> None:
        if self._cursor is None:
            self._cursor = await self._store.read(outbox.latest_sequence)
            self._started.set()
            return
        latest = await self._store.read(outbox.latest_sequence)
        if latest == self._cursor:
            return
        if latest < self._cursor:
            # the numbers went back: the store was emptied (as between tests) or restored,
            # so every event it holds now is new to this feed (each watch drops what it sent)
            log.warning("event feed: the outbox restarted at %d (was at %d)", latest, self._cursor)
            self._cursor = 0
        while True:
            events = await self._store.read(outbox.events_after, self._cursor, first=BATCH)
            for event in events:
                for queue in self._queues.get(event.recipient, ()):
                    queue.put_nowait(event)
                self._cursor = event.sequence
            if len(events) < BATCH:
                return

    async def close(self) -> None:
        """End every watch and stop reading the outbox (the read in flight finishes)."""
        self._closed = True
        self._started.set()
        self.nudge()
        for queues in list(self._queues.values()):
            for queue in queues:
                queue.put_nowait(None)
        if self._task is not None:
            await self._task
