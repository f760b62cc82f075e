"""Retention of the outbox: old events and webhook deliveries are deleted, in small batches.

:func:`prune_outbox` is what the service runs (every ``SKILLWEAVE_OUTBOX_PRUNE_SECONDS`` and
once at start-up, see ``api/app.py``). In order:

1. delivered webhook deliveries last changed before the event retention, and dead letters
   whose last try was before the dead-letter retention (:func:`graph.webhooks.prune_deliveries`);
2. events older than the event retention that no delivery refers to any more, and that
   every webhook has read (:func:`graph.outbox.prune_events`), a window of
   :data:`~graph.outbox.PRUNE_BATCH` numbers at a time, oldest first, stopping at the first
   window that holds a newer event (numbers are handed out in commit order).

So a pending delivery keeps its event until it is sent or dies, and a dead letter keeps its
event (it is replayed with it) until the dead letter itself goes. Every batch is its own
transaction: a large backlog never makes one large transaction, and the job can stop
between two batches. Several processes may run it at once: each batch writes one lock
record first (:func:`graph.outbox.lock_pruning`), so they take turns and none deletes
twice. A deleted event is gone from the inbox, the unread count and catch-up reads; the
outbox counter lives on ``GraphMeta``, so numbers keep growing after any pruning.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from graph import outbox, webhooks
from graph.errors import Conflict
from graph.store import Store
from graph.webhooks import DeliveryStatus


@dataclass(frozen=True)
class Pruned:
    """What one :func:`prune_outbox` run deleted."""

    events: int = 0
    delivered: int = 0
    """Delivered webhook deliveries."""
    dead_letters: int = 0

    @property
    def total(self) -> int:
        """Everything deleted."""
        return self.events + self.delivered + self.dead_letters


async def prune_outbox(
    store: Store,
    *,
    events_older_than: dt.timedelta | None,
    dead_letters_older_than: dt.timedelta | None,
    batch: int = outbox.PRUNE_BATCH,
    stopping: Callable[[], bool] = lambda: False,
) -> Pruned:
    """Delete what the retentions let go, ``batch`` at a time; returns the counts.

    ``None`` keeps that kind forever. ``stopping`` is asked between batches: a service
    shutting down ends the run there (the next run carries on).
    """
    if batch < 1:
        raise ValueError(f"a pruning batch is at least 1, not {batch}")
    if events_older_than is None and dead_letters_older_than is None:
        return Pruned()
    with contextlib.suppress(Conflict):  # another process made it just now
        await store.write(outbox.create_pruning_lock)
    now = dt.datetime.now(dt.UTC)
    delivered = dead = events = 0
    if events_older_than is not None:
        delivered = await _deliveries(
            store, DeliveryStatus.DELIVERED, now - events_older_than, batch, stopping
        )
    if dead_letters_older_than is not None:
        dead = await _deliveries(
            store, DeliveryStatus.DEAD, now - dead_letters_older_than, batch, stopping
        )
    if events_older_than is not None:
        events = await _events(store, now - events_older_than, batch, stopping)
    return Pruned(events=events, delivered=delivered, dead_letters=dead)


async def _deliveries(
    store: Store,
    status: DeliveryStatus,
    before: dt.datetime,
    batch: int,
    stopping: Callable[[], bool],
) -> int:
    total = 0
    while not stopping():
        deleted = await store.write(webhooks.prune_deliveries, status, before=before, batch=batch)
        total += deleted
        if deleted < batch:
            break
    return total


async def _events(
    store: Store, before: dt.datetime, batch: int, stopping: Callable[[], bool]
) -> int:
    oldest = await store.read(outbox.oldest_sequence)
    if oldest is None:
        return 0
    end = await store.read(webhooks.read_up_to)
    cursor = oldest - 1
    total = 0
    while cursor < end and not stopping():
        up_to = min(cursor + batch, end)
        window = await store.write(outbox.prune_events, before=before, after=cursor, up_to=up_to)
        total += window.deleted
        cursor = up_to
        if window.reached_newer:
            break
    return total
