"""Retention of the outbox on the real store: old events and deliveries go, in batches, and
nothing a webhook still needs (pending, a dead letter within its retention) goes with them."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, cast

import pytest
from pydantic import ValidationError

from api.cli import describe_settings_error
from api.settings import AppSettings
from graph import outbox, webhooks
from graph.outbox import EventKind
from graph.retention import Pruned, prune_outbox
from graph.store import Store, Tx
from graph.webhooks import Attempt, DeliveryStatus, WebhookFormat

pytestmark = pytest.mark.anyio

DAY = dt.timedelta(days=1)
KEEP = {"events_older_than": 90 * DAY, "dead_letters_older_than": 30 * DAY}


async def emit(store: Store, count: int, recipient: str = "mia") -> list[outbox.Event]:
    async def work(tx: Tx) -> list[outbox.Event]:
        return await outbox.emit_many(
            tx, [(EventKind.REQUEST_RECEIVED, recipient, {"n": i}) for i in range(count)]
        )

    return await store.write(work)


async def age(store: Store, label: str, ids: list[str], days: float, field: str = "at") -> None:
    """Move the nodes' ``field`` ``days`` into the past."""
    await store.query(
        f"MATCH (n:{label}) WHERE n.id IN $ids SET n.{field} = $at",
        ids=ids,
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days),
    )


async def stored_events(store: Store) -> set[str]:
    return {r["id"] for r in await store.query("MATCH (e:Event) RETURN e.id AS id")}


async def deliveries(store: Store) -> dict[str, str]:
    """Each delivery's event id and status."""
    rows = await store.query("MATCH (d:Delivery) RETURN d.event_id AS event, d.status AS status")
    return {r["event"]: r["status"] for r in rows}


async def hook(store: Store) -> webhooks.Webhook:
    return await store.write(
        webhooks.register_webhook,
        url="http://127.0.0.1:9/hook",
        kinds=[EventKind.REQUEST_RECEIVED],
        format=WebhookFormat.JSON,
        created_by="admin",
    )


async def settle(store: Store, status: DeliveryStatus, days_ago: float) -> None:
    """Claim every due delivery and record it as ``status``, its last try ``days_ago``."""
    claimed = await store.write(webhooks.claim, first=1000, lease=dt.timedelta(minutes=1))
    assert claimed
    await store.write(
        webhooks.record_attempts,
        [Attempt(d.id, d.claim or "", status, 1, None, "HTTP 500") for d in claimed],
    )
    await age(store, "Delivery", [d.id for d in claimed], days_ago, "updated_at")


async def test_old_events_are_pruned_and_recent_ones_kept(store: Store) -> None:
    old = await emit(store, 3)
    recent = await emit(store, 2)
    await age(store, "Event", [e.id for e in old], 91)
    await age(store, "Event", [recent[0].id], 89)
    pruned = await prune_outbox(store, **KEEP)
    assert pruned == Pruned(events=3)
    assert await stored_events(store) == {e.id for e in recent}
    # pruned is gone: from the inbox, the unread count and a catch-up from before them
    assert [e.id for e in await store.read(outbox.events_for, "mia", newest_first=True)] == [
        e.id for e in recent[::-1]
    ]
    assert await store.read(outbox.unread_count, "mia") == 2
    caught_up = await store.read(outbox.events_for, "mia", after=old[0].sequence)
    assert [e.sequence for e in caught_up] == [e.sequence for e in recent]
    assert await prune_outbox(store, **KEEP) == Pruned(), "a second run finds nothing"


async def test_zero_keeps_events_forever(store: Store) -> None:
    old = await emit(store, 2)
    await age(store, "Event", [e.id for e in old], 10_000)
    assert await prune_outbox(store, events_older_than=None, dead_letters_older_than=None) == (
        Pruned()
    )
    assert await stored_events(store) == {e.id for e in old}


class CountingStore:
    """The store, noting what each write transaction returned."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.writes: list[tuple[str, Any]] = []

    async def read(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.store.read(work, *args, **kwargs)

    async def write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        result = await self.store.write(work, *args, **kwargs)
        self.writes.append((work.__name__, result))
        return result


async def test_a_backlog_is_pruned_in_batches_of_the_size_asked(store: Store) -> None:
    await hook(store)
    events = await emit(store, 25)
    await store.write(webhooks.dispatch)
    await settle(store, DeliveryStatus.DELIVERED, 91)
    await age(store, "Event", [e.id for e in events], 91)
    keep = await emit(store, 1)
    counting = CountingStore(store)
    pruned = await prune_outbox(cast(Store, counting), **KEEP, batch=10)
    assert pruned == Pruned(events=25, delivered=25)
    assert await stored_events(store) == {keep[0].id}
    assert await deliveries(store) == {}
    delivered = [n for w, n in counting.writes if w == "prune_deliveries"]
    windows = [n.deleted for w, n in counting.writes if w == "prune_events"]
    assert delivered[:3] == [10, 10, 5], delivered
    assert windows == [10, 10, 5], windows


async def test_events_with_pending_deliveries_stay_until_delivered(store: Store) -> None:
    await hook(store)
    events = await emit(store, 3)
    ids = [e.id for e in events]
    await age(store, "Event", ids, 200)
    # no webhook has read them yet: they may still get deliveries
    assert await prune_outbox(store, **KEEP) == Pruned()
    await store.write(webhooks.dispatch)
    await age(store, "Delivery", ids, 200, "created_at")
    # pending (tried, failing, or never tried): at least once holds
    assert await prune_outbox(store, **KEEP) == Pruned()
    assert await stored_events(store) == set(ids)
    assert set((await deliveries(store)).values()) == {"pending"}
    # delivered today: the event stays with its delivery's record for the retention
    await settle(store, DeliveryStatus.DELIVERED, 0)
    assert await prune_outbox(store, **KEEP) == Pruned()
    rows = await store.query("MATCH (d:Delivery) RETURN d.id AS id")
    await age(store, "Delivery", [r["id"] for r in rows], 91, "updated_at")
    assert await prune_outbox(store, **KEEP) == Pruned(events=3, delivered=3)
    assert await stored_events(store) == set()


async def test_dead_letters_and_their_events_stay_for_the_dead_letter_retention(
    store: Store,
) -> None:
    await hook(store)
    events = await emit(store, 2)
    ids = [e.id for e in events]
    await age(store, "Event", ids, 120)
    await store.write(webhooks.dispatch)
    await settle(store, DeliveryStatus.DEAD, 29)
    assert await prune_outbox(store, **KEEP) == Pruned()
    letters = await store.read(webhooks.dead_letters)
    assert [d.event_id for d in letters] == ids[::-1], "still listed"
    # and replayable, with its event
    assert await store.write(webhooks.replay, delivery_id=letters[0].id) == 1
    [claimed] = await store.write(webhooks.claim, first=10, lease=dt.timedelta(minutes=1))
    assert claimed.event is not None and claimed.event.id == letters[0].event_id
    await store.write(
        webhooks.record_attempts,
        [Attempt(claimed.id, claimed.claim or "", DeliveryStatus.DEAD, 1, None, "HTTP 500")],
    )
    await age(store, "Delivery", [letters[1].id], 31, "updated_at")
    assert await prune_outbox(store, **KEEP) == Pruned(events=1, dead_letters=1)
    assert await stored_events(store) == {letters[0].event_id}, "the one that died today stays"
    assert [d.id for d in await store.read(webhooks.dead_letters)] == [letters[0].id]
    # kept forever with a dead-letter retention of 0, even with its event long past
    await age(store, "Delivery", [letters[0].id], 10_000, "updated_at")
    kept = await prune_outbox(store, events_older_than=90 * DAY, dead_letters_older_than=None)
    assert kept == Pruned()
    assert [d.id for d in await store.read(webhooks.dead_letters)] == [letters[0].id]


async def test_numbers_keep_growing_after_everything_was_pruned(store: Store) -> None:
    first = await emit(store, 3)
    await age(store, "Event", [e.id for e in first], 91)
    assert await prune_outbox(store, **KEEP) == Pruned(events=3)
    assert await stored_events(store) == set()
    assert await store.read(outbox.oldest_sequence) is None
    assert await store.read(outbox.latest_sequence) == first[-1].sequence
    assert await store.read(outbox.unread_count, "mia") == 0
    assert await store.read(outbox.events_for, "mia", newest_first=True) == []
    [later] = await emit(store, 1)
    assert later.sequence == first[-1].sequence + 1, "no number is handed out twice"
    assert [e.id for e in await store.read(outbox.events_after, 0)] == [later.id]
    caught_up = await store.read(outbox.events_for, "mia", after=first[0].sequence)
    assert [e.sequence for e in caught_up] == [later.sequence]
    assert await store.read(outbox.unread_count, "mia") == 1


async def test_two_pruners_at_once_delete_each_event_once(store: Store) -> None:
    await hook(store)
    events = await emit(store, 120)
    await store.write(webhooks.dispatch)
    await settle(store, DeliveryStatus.DEAD, 40)
    await age(store, "Event", [e.id for e in events], 100)
    keep = await emit(store, 1)
    both = await asyncio.gather(
        prune_outbox(store, **KEEP, batch=7), prune_outbox(store, **KEEP, batch=11)
    )
    assert sum(p.events for p in both) == 120
    assert sum(p.dead_letters for p in both) == 120
    assert await stored_events(store) == {keep[0].id}


def test_retention_settings_have_defaults_and_refuse_negative_days() -> None:
    defaults = AppSettings()
    assert defaults.event_retention == 90 * DAY
    assert defaults.dead_letter_retention == 30 * DAY
    assert defaults.skillweave_outbox_prune_seconds == 3600
    forever = AppSettings(
        skillweave_event_retention_days=0, skillweave_dead_letter_retention_days=0
    )
    assert forever.event_retention is None and forever.dead_letter_retention is None
    for name in (
        "skillweave_event_retention_days",
        "skillweave_dead_letter_retention_days",
        "skillweave_outbox_prune_seconds",
    ):
        with pytest.raises(ValidationError) as refused:
            AppSettings(**{name: -1})
        message = describe_settings_error(refused.value)
        assert f"{name.upper()}=-1" in message and "greater than" in message, message
    with pytest.raises(ValidationError):
        AppSettings(skillweave_outbox_prune_seconds=0)
