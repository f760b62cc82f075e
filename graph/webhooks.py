"""Webhooks: the outbox's events, sent on to chat tools and other receivers.

An admin registers a ``Webhook`` (a URL, the event kinds it wants, a payload format, and a
secret the service makes and signs with). The outbox is not touched: each webhook keeps a
cursor, ``last_sequence``, the outbox number it has been read up to. :func:`dispatch` reads
the events after every webhook's cursor, writes one ``Delivery`` per (webhook, event) of a
kind it wants, and moves the cursor, all in one transaction: an event is either behind the
cursor with its delivery stored, or still ahead of it. Nothing is lost once the event's
write was acknowledged (see docs/notifications.md: numbers are handed out in commit order).

A delivery is ``pending`` until a worker sends it and the receiver answers 2xx
(``delivered``), or until it failed ``max_attempts`` times (``dead``: the dead-letter list,
which an admin can replay). :func:`claim` hands due deliveries to one worker at a time: it
write-locks every webhook first (as :mod:`graph.locks` does for one record), so two API
processes never claim the same delivery, and the claim carries a token and a lease: a
worker that dies holding it gives the delivery back when the lease runs out.
:func:`record_attempts` stores what happened, for claims still held.

Retention: :func:`prune_deliveries` deletes delivered deliveries after the events'
retention and dead letters after their own (counted from their last try); pending ones are
never pruned. :func:`read_up_to` bounds the events :func:`graph.outbox.prune_events` may
delete to those every webhook has read already.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.dialect import limit, to_utc
from graph.outbox import PRUNE_BATCH, EventKind, event_from_record, lock_pruning
from graph.outbox import Event as OutboxEvent
from graph.store import Tx, run


class WebhookFormat(enum.StrEnum):
    """The JSON body a webhook receives."""

    SLACK = "slack"
    """Slack's incoming webhooks: ``{"text": ...}``."""
    TEAMS = "teams"
    """Microsoft Teams' incoming webhooks: a MessageCard with a title and text."""
    JSON = "json"
    """The event itself: id, kind, sequence, time, recipient, summary and payload."""


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Webhook:
    """A registered receiver. ``secret`` signs every delivery."""

    id: str
    url: str
    kinds: tuple[EventKind, ...]
    format: WebhookFormat
    secret: str
    created_at: dt.datetime | None
    last_sequence: int


@dataclass(frozen=True)
class Delivery:
    """One event for one webhook."""

    id: str
    webhook_id: str
    event_id: str
    sequence: int
    kind: EventKind
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    claim: str | None = None
    event: OutboxEvent | None = None
    webhook: Webhook | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Attempt:
    """What one try of a claimed delivery came to."""

    delivery_id: str
    claim: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    error: str | None


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe."""
    return f"whsec_{secrets.token_urlsafe(32)}"


_WEBHOOK = (
    "w.id AS id, w.url AS url, w.kinds AS kinds, w.format AS format, w.secret AS secret, "
    "w.created_at AS created_at, w.last_sequence AS last_sequence"
)
_DELIVERY = (
    "d.id AS id, d.webhook_id AS webhook_id, d.event_id AS event_id, d.sequence AS sequence, "
    "d.kind AS kind, d.status AS status, d.attempts AS attempts, "
    "d.next_attempt_at AS next_attempt_at, d.last_error AS last_error, d.claim AS claim"
)


def _webhook(row: dict[str, Any]) -> Webhook:
    return Webhook(
        id=row["id"],
        url=row["url"],
        kinds=tuple(EventKind(k) for k in row["kinds"] or ()),
        format=WebhookFormat(row["format"]),
        secret=row["secret"],
        created_at=to_utc(row["created_at"]),
        last_sequence=int(row["last_sequence"] or 0),
    )


def _delivery(row: dict[str, Any], **extra: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        webhook_id=row["webhook_id"],
        event_id=row["event_id"],
        sequence=int(row["sequence"]),
        kind=EventKind(row["kind"]),
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"] or 0),
        next_attempt_at=to_utc(row["next_attempt_at"]),
        last_error=row["last_error"],
        claim=row["claim"],
        **extra,
    )


async def _latest(tx: Tx) -> int:
    rows = await run(tx, "MATCH (meta:GraphMeta {key: 'graph'}) RETURN meta.event_sequence AS last")
    return int(rows[0]["last"] or 0) if rows else 0


async def register_webhook(
    tx: Tx, *, url: str, kinds: Sequence[EventKind], format: WebhookFormat, created_by: str
) -> Webhook:
    """Store a webhook; it receives the events that happen from now on."""
    now = dt.datetime.now(dt.UTC)
    hook = Webhook(
        id=f"whk-{uuid.uuid4().hex}",
        url=url,
        kinds=tuple(dict.fromkeys(EventKind(k) for k in kinds)),
        format=WebhookFormat(format),
        secret=new_secret(),
        created_at=now,
        last_sequence=await _latest(tx),
    )
    await run(
        tx,
        "CREATE (w:Webhook {id: $id, url: $url, kinds: $kinds, format: $format, secret: $secret, "
        "created_at: $now, created_by: $by, last_sequence: $last})",
        id=hook.id,
        url=hook.url,
        kinds=[k.value for k in hook.kinds],
        format=hook.format.value,
        secret=hook.secret,
        now=now,
        by=created_by,
        last=hook.last_sequence,
    )
    return hook


async def webhooks(tx: Tx) -> list[Webhook]:
    """Every webhook, oldest first."""
    rows = await run(tx, f"MATCH (w:Webhook) RETURN {_WEBHOOK} ORDER BY created_at, id")
    return [_webhook(r) for r in rows]


async def delete_webhook(tx: Tx, webhook_id: str) -> bool:
    """Delete a webhook and its deliveries (pending, delivered and dead); False if none."""
    rows = await run(tx, "MATCH (w:Webhook {id: $id}) RETURN count(w) AS n", id=webhook_id)
    if not rows or not rows[0]["n"]:
        return False
    await run(tx, "MATCH (w:Webhook {id: $id}) DETACH DELETE w", id=webhook_id)
    await run(tx, "MATCH (d:Delivery {webhook_id: $id}) DETACH DELETE d", id=webhook_id)
    return True


async def _lock_webhooks(tx: Tx) -> list[Webhook]:
    rows = await run(
        tx,
        f"MATCH (w:Webhook) SET w.lock_version = coalesce(w.lock_version, 0) + 1 RETURN {_WEBHOOK}",
    )
    return [_webhook(r) for r in rows]


async def dispatch(tx: Tx, *, batch: int = 500) -> int:
    """Write a pending delivery for each new event a webhook wants, and move its cursor.

    Returns how many deliveries were written. Takes the webhooks' locks (:func:`claim` does
    too), so two processes never write the same delivery twice.
    """
    hooks = await _lock_webhooks(tx)
    latest = await _latest(tx)
    now = dt.datetime.now(dt.UTC)
    written = 0
    for hook in hooks:
        if hook.last_sequence >= latest:
            continue
        rows = await run(
            tx,
            "MATCH (e:Event) WHERE e.sequence > $after AND e.sequence <= $latest "
            "AND e.kind IN $kinds RETURN e.id AS id, e.sequence AS sequence, e.kind AS kind "
            f"ORDER BY sequence {limit(batch)}",
            after=hook.last_sequence,
            latest=latest,
            kinds=[k.value for k in hook.kinds],
        )
        cursor = int(rows[-1]["sequence"]) if len(rows) == batch else latest
        if rows:
            await run(
                tx,
                "UNWIND $rows AS r CREATE (:Delivery {id: r.id, webhook_id: $hook, "
                "event_id: r.event_id, sequence: r.sequence, kind: r.kind, status: 'pending', "
                "attempts: 0, next_attempt_at: $now, created_at: $now})",
                rows=[
                    {
                        "id": f"dlv-{hook.id[4:]}-{r['id'][4:]}",
                        "event_id": r["id"],
                        "sequence": int(r["sequence"]),
                        "kind": r["kind"],
                    }
                    for r in rows
                ],
                hook=hook.id,
                now=now,
            )
            written += len(rows)
        await run(
            tx,
            "MATCH (w:Webhook {id: $id}) SET w.last_sequence = $cursor",
            id=hook.id,
            cursor=cursor,
        )
    return written


async def work_waiting(tx: Tx) -> bool:
    """Whether :func:`dispatch` or :func:`claim` has anything to do (a cheap read)."""
    latest = await _latest(tx)
    behind = await run(
        tx,
        "MATCH (w:Webhook) WHERE coalesce(w.last_sequence, 0) < $latest RETURN w.id AS id LIMIT 1",
        latest=latest,
    )
    if behind:
        return True
    due = await run(
        tx,
        "MATCH (d:Delivery) WHERE d.status = 'pending' AND d.next_attempt_at <= $now "
        "AND (d.lease_until IS NULL OR d.lease_until < $now) RETURN d.id AS id LIMIT 1",
        now=dt.datetime.now(dt.UTC),
    )
    return bool(due)


async def claim(tx: Tx, *, first: int, lease: dt.timedelta) -> list[Delivery]:
    """Dispatch new events, then claim up to ``first`` due deliveries for ``lease``.

    Each claimed delivery comes with its event and webhook and a fresh claim token; nobody
    else claims it until the lease runs out or :func:`record_attempts` releases it.
    """
    await dispatch(tx)
    now = dt.datetime.now(dt.UTC)
    token = uuid.uuid4().hex
    rows = await run(
        tx,
        "MATCH (d:Delivery) WHERE d.status = 'pending' AND d.next_attempt_at <= $now "
        "AND (d.lease_until IS NULL OR d.lease_until < $now) "
        f"WITH d ORDER BY d.next_attempt_at, d.sequence {limit(first)} "
        f"SET d.claim = $token, d.lease_until = $until RETURN {_DELIVERY}",
        now=now,
        token=token,
        until=now + lease,
    )
    if not rows:
        return []
    hooks = {h.id: h for h in await webhooks(tx)}
    events = {
        r["id"]: event_from_record(r)
        for r in await run(
            tx,
            "MATCH (e:Event) WHERE e.id IN $ids RETURN e.id AS id, e.sequence AS sequence, "
            "e.kind AS kind, e.recipient AS recipient, e.at AS at, e.read_at AS read_at, "
            "e.payload AS payload",
            ids=[r["event_id"] for r in rows],
        )
    }
    return [
        _delivery(r, event=events.get(r["event_id"]), webhook=hooks.get(r["webhook_id"]))
        for r in rows
    ]


async def record_attempts(tx: Tx, attempts: Sequence[Attempt]) -> int:
    """Store each attempt's outcome and release its claim; returns how many were stored.

    An attempt whose claim is no longer held (its lease ran out and another worker claimed
    the delivery, or the webhook was deleted) is passed over.
    """
    if not attempts:
        return 0
    now = dt.datetime.now(dt.UTC)
    rows = await run(
        tx,
        "UNWIND $attempts AS a MATCH (d:Delivery {id: a.id}) WHERE d.claim = a.claim "
        "SET d.status = a.status, d.attempts = a.attempts, d.next_attempt_at = a.next, "
        "d.last_error = a.error, d.claim = null, d.lease_until = null, d.updated_at = $now "
        "RETURN count(d) AS n",
        attempts=[
            {
                "id": a.delivery_id,
                "claim": a.claim,
                "status": a.status.value,
                "attempts": a.attempts,
                "next": a.next_attempt_at,
                "error": a.error,
            }
            for a in attempts
        ],
        now=now,
    )
    return int(rows[0]["n"]) if rows else 0


async def dead_letters(
    tx: Tx,
    *,
    webhook_id: str | None = None,
    before: tuple[int, str] | None = None,
    first: int = 20,
) -> list[Delivery]:
    """Dead deliveries, newest event first; ``before`` is the (sequence, id) a page ended at."""
    conditions = ["d.status = 'dead'"]
    if webhook_id is not None:
        conditions.append("d.webhook_id = $hook")
    if before is not None:
        conditions.append("(d.sequence < $seq OR (d.sequence = $seq AND d.id < $id))")
    rows = await run(
        tx,
        f"MATCH (d:Delivery) WHERE {' AND '.join(conditions)} RETURN {_DELIVERY} "
        f"ORDER BY sequence DESC, id DESC {limit(first)}",
        hook=webhook_id,
        seq=before[0] if before else None,
        id=before[1] if before else None,
    )
    return [_delivery(r) for r in rows]


async def replay(tx: Tx, *, delivery_id: str | None = None, webhook_id: str | None = None) -> int:
    """Make dead deliveries (one, or every one of a webhook) pending again, due now.

    Their attempts start again from zero; the event id they carry stays the same. Returns
    how many were replayed.
    """
    conditions = ["d.status = 'dead'"]
    if delivery_id is not None:
        conditions.append("d.id = $id")
    if webhook_id is not None:
        conditions.append("d.webhook_id = $hook")
    rows = await run(
        tx,
        f"MATCH (d:Delivery) WHERE {' AND '.join(conditions)} "
        "SET d.status = 'pending', d.attempts = 0, d.next_attempt_at = $now, "
        "d.claim = null, d.lease_until = null RETURN count(d) AS n",
        id=delivery_id,
        hook=webhook_id,
        now=dt.datetime.now(dt.UTC),
    )
    return int(rows[0]["n"]) if rows else 0


async def delivery_counts(tx: Tx) -> dict[str, int]:
    """How many deliveries there are in each status (benchmarks, tests, operators)."""
    rows = await run(tx, "MATCH (d:Delivery) RETURN d.status AS status, count(d) AS n")
    return {str(r["status"]): int(r["n"]) for r in rows}


async def read_up_to(tx: Tx) -> int:
    """The outbox number every webhook has read up to (the latest when there is none).

    Events after it may still get deliveries: they are not pruned.
    """
    latest = await _latest(tx)
    rows = await run(tx, "MATCH (w:Webhook) RETURN min(w.last_sequence) AS cursor")
    cursor = rows[0]["cursor"] if rows else None
    return latest if cursor is None else min(int(cursor), latest)


async def prune_deliveries(
    tx: Tx, status: DeliveryStatus, *, before: dt.datetime, batch: int = PRUNE_BATCH
) -> int:
    """Delete up to ``batch`` deliveries in ``status`` last changed before ``before``.

    For ``delivered`` ones and dead letters only: a pending delivery is never pruned
    (at least once). Each one is locked and checked again before it goes, so a dead letter
    replayed meanwhile stays. Returns how many were deleted; safe in several processes.
    """
    if status is DeliveryStatus.PENDING:
        raise ValueError("pending deliveries are never pruned")
    await lock_pruning(tx)
    condition = "d.status = $status AND coalesce(d.updated_at, d.created_at) < $before"
    rows = await run(
        tx,
        f"MATCH (d:Delivery) WHERE {condition} RETURN d.id AS id {limit(batch)}",
        status=status.value,
        before=before,
    )
    if not rows:
        return 0
    ids = [str(r["id"]) for r in rows]
    await run(
        tx,
        "UNWIND $ids AS id MATCH (d:Delivery {id: id}) "
        "SET d.lock_version = coalesce(d.lock_version, 0) + 1",
        ids=ids,
    )
    done = await run(
        tx,
        f"UNWIND $ids AS id MATCH (d:Delivery {{id: id}}) WHERE {condition} "
        "DETACH DELETE d RETURN count(*) AS n",
        ids=ids,
        status=status.value,
        before=before,
    )
    return int(done[0]["n"]) if done else 0
