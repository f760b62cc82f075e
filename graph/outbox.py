"""The outbox: events for people, written in the same transaction as what caused them.

A write that should tell someone something (a mentor that a request came in, a mentee that
it was accepted) calls :func:`emit` inside its own transaction, after :func:`record_change`.
Each event is an ``Event`` node per recipient, numbered from one counter bumped in that
transaction: ``event_sequence`` on the graph's ``GraphMeta`` node, which
:func:`~graph.changes.record_change` has just locked in the same transaction. So:

- a rolled-back write leaves no event, and an acknowledged one has its events stored;
- the counter is write-locked until the transaction ends, so numbers are handed out in commit
  order with no gaps that fill in later: a reader that has seen number ``n`` and asks for
  what came after ``n`` misses nothing (at least once, in order, see :func:`events_for`).

The payload is a small JSON object (ids and names as they were when the event happened),
kept as one JSON string property: both stores take it as it is.

Readers: :func:`events_for` (a person's events after a number, oldest first, or a page of the
inbox newest first), :func:`events_after` (everyone's, for a process's feed),
:func:`unread_count`, :func:`mark_read`, :func:`latest_sequence`.

Retention: :func:`prune_events` deletes old events a window of numbers at a time
(:mod:`graph.retention` runs it). A deleted event is gone for every reader; its number is
never handed out again, since the counter lives on ``GraphMeta``, not in the events.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.dialect import limit, to_utc
from graph.store import Record, Tx, run


class EventKind(enum.StrEnum):
    """What happened, from the recipient's side."""

    REQUEST_RECEIVED = "request_received"
    """To the mentor: a mentee asked them (``requestMentorship``)."""
    REQUEST_ACCEPTED = "request_accepted"
    """To the mentee: the mentor accepted."""
    REQUEST_DECLINED = "request_declined"
    """To the mentee: the mentor declined."""
    REQUEST_EXPIRING_SOON = "request_expiring_soon"
    """To the mentor: a request expires soon (the reminder sweep, once per request)."""
    REQUEST_EXPIRED = "request_expired"
    """To both: nobody answered in time (the expiry sweep recorded it)."""
    MENTORSHIP_ENDED = "mentorship_ended"
    """To the other party: the mentorship ended, with the feedback given."""
    ASSIGNMENT_COMMITTED = "assignment_committed"
    """To mentor and mentee: the organisation-wide assignment requested this pair."""
    SQUAD_INVITATION = "squad_invitation"
    """To a person someone else put in a squad (formed with them, or added)."""
    COMMUNITY_INVITATION = "community_invitation"
    """To a person someone else made a member or moderator of a community."""
    COMMUNITY_SESSION_SCHEDULED = "community_session_scheduled"
    """To a community's members: a moderator scheduled a session (``graph.sessions``)."""
    NEXT_PICK_OFFERED = "next_pick_offered"
    """To the mentee of an expired request: their next best mentor, offered (or requested
    for them, when they opted in)."""


Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Event:
    """One event for one person."""

    id: str
    sequence: int
    """The outbox's running number: later events have larger ones."""
    kind: EventKind
    recipient: str
    at: dt.datetime | None
    read_at: dt.datetime | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def read(self) -> bool:
        """The recipient marked it read."""
        return self.read_at is not None


async def emit(
    tx: Tx, kind: EventKind, recipients: Iterable[str], payload: Payload | None = None
) -> list[Event]:
    """Write one event of ``kind`` for each recipient in ``tx``; returns them, numbered.

    Call it after the write's :func:`~graph.changes.record_change`: both bump the graph's
    ``GraphMeta`` node, which the write then holds until it ends.
    """
    return await emit_many(tx, [(kind, recipient, payload or {}) for recipient in recipients])


async def emit_many(tx: Tx, events: Sequence[tuple[EventKind, str, Payload]]) -> list[Event]:
    """Write several events, each with its own kind, recipient and payload, in ``tx``."""
    if not events:
        return []
    # The graph's own meta node: every emitting write has locked it already (record_change),
    # and it exists before any write races for it (a counter node of its own, made by the
    # first emit, was created twice by racing first emits).
    rows = await run(
        tx,
        "MERGE (meta:GraphMeta {key: 'graph'}) ON CREATE SET meta.epoch = $epoch "
        "SET meta.event_sequence = coalesce(meta.event_sequence, 0) + $n "
        "RETURN meta.event_sequence AS last",
        n=len(events),
        epoch=uuid.uuid4().hex,
    )
    first = int(rows[0]["last"]) - len(events) + 1
    now = dt.datetime.now(dt.UTC)
    written = [
        Event(
            id=f"evt-{uuid.uuid4().hex}",
            sequence=first + i,
            kind=EventKind(kind),
            recipient=recipient,
            at=now,
            payload=dict(payload),
        )
        for i, (kind, recipient, payload) in enumerate(events)
    ]
    await run(
        tx,
        "UNWIND $events AS ev CREATE (:Event {id: ev.id, sequence: ev.sequence, kind: ev.kind, "
        "recipient: ev.recipient, at: $now, payload: ev.payload})",
        events=[
            {
                "id": e.id,
                "sequence": e.sequence,
                "kind": e.kind.value,
                "recipient": e.recipient,
                "payload": json.dumps(e.payload, sort_keys=True, default=str),
            }
            for e in written
        ],
        now=now,
    )
    return written


_FIELDS = (
    "RETURN e.id AS id, e.sequence AS sequence, e.kind AS kind, e.recipient AS recipient, "
    "e.at AS at, e.read_at AS read_at, e.payload AS payload"
)


def event_from_record(row: Record) -> Event:
    """An :class:`Event` from a row of :data:`_FIELDS`."""
    return Event(
        id=row["id"],
        sequence=int(row["sequence"]),
        kind=EventKind(row["kind"]),
        recipient=row["recipient"],
        at=to_utc(row["at"]),
        read_at=to_utc(row["read_at"]),
        payload=json.loads(row["payload"] or "{}"),
    )


async def events_for(
    tx: Tx,
    person_id: str,
    *,
    after: int | None = None,
    first: int = 100,
    unread_only: bool = False,
    newest_first: bool = False,
) -> list[Event]:
    """Up to ``first`` of a person's events past ``after`` in the order asked.

    Oldest first (the default), ``after`` is the last number seen: what came later, for a
    reader catching up. Newest first (the inbox), ``after`` is where the previous page
    ended: older events.
    """
    conditions = ["e.recipient = $person"]
    if after is not None:
        conditions.append("e.sequence < $after" if newest_first else "e.sequence > $after")
    if unread_only:
        conditions.append("e.read_at IS NULL")
    order = "DESC" if newest_first else "ASC"
    rows = await run(
        tx,
        f"MATCH (e:Event) WHERE {' AND '.join(conditions)} {_FIELDS} "
        f"ORDER BY sequence {order} {limit(first)}",
        person=person_id,
        after=after,
    )
    return [event_from_record(r) for r in rows]


async def unread_count(tx: Tx, person_id: str) -> int:
    """How many of the person's events they have not marked read."""
    rows = await run(
        tx,
        "MATCH (e:Event) WHERE e.recipient = $person AND e.read_at IS NULL RETURN count(e) AS n",
        person=person_id,
    )
    return int(rows[0]["n"]) if rows else 0


async def mark_read(
    tx: Tx, person_id: str, *, ids: Sequence[str] = (), up_to: int | None = None
) -> int:
    """Mark the person's events read: those of ``ids``, and every one numbered ≤ ``up_to``.

    Only the person's own events are touched (another's ids are passed over), and an event
    read already keeps when it was read: marking twice changes nothing. Returns how many
    became read.
    """
    conditions = []
    if ids:
        conditions.append("e.id IN $ids")
    if up_to is not None:
        conditions.append("e.sequence <= $up_to")
    if not conditions:
        return 0
    rows = await run(
        tx,
        f"MATCH (e:Event) WHERE e.recipient = $person AND e.read_at IS NULL "
        f"AND ({' OR '.join(conditions)}) SET e.read_at = $now RETURN count(e) AS n",
        person=person_id,
        ids=list(ids),
        up_to=up_to,
        now=dt.datetime.now(dt.UTC),
    )
    return int(rows[0]["n"]) if rows else 0


async def events_after(tx: Tx, after: int, *, first: int = 500) -> list[Event]:
    """Up to ``first`` events of anyone numbered after ``after``, oldest first.

    What a process's feed reads once for all its subscribers, instead of once for each.
    """
    rows = await run(
        tx,
        f"MATCH (e:Event) WHERE e.sequence > $after {_FIELDS} ORDER BY sequence ASC {limit(first)}",
        after=after,
    )
    return [event_from_record(r) for r in rows]


async def latest_sequence(tx: Tx) -> int:
    """The number of the last event any write emitted (0 before the first)."""
    rows = await run(tx, "MATCH (meta:GraphMeta {key: 'graph'}) RETURN meta.event_sequence AS last")
    return int(rows[0]["last"] or 0) if rows else 0


async def latest_sequence_for(tx: Tx, person_id: str) -> int:
    """The number of the person's last event (0 when they have none)."""
    rows = await run(
        tx,
        "MATCH (e:Event) WHERE e.recipient = $person RETURN max(e.sequence) AS last",
        person=person_id,
    )
    return int(rows[0]["last"] or 0) if rows else 0


PRUNE_BATCH = 1000
"""Most events (or deliveries) one pruning transaction deletes."""


async def create_pruning_lock(tx: Tx) -> None:
    """Make the pruners' lock record if there is none (:func:`lock_pruning`).

    Two processes making it at once: one of them fails with
    :class:`~graph.errors.Conflict` (it is unique), and the record exists either way.
    """
    await run(tx, "MERGE (meta:GraphMeta {key: 'outbox-retention'})")


async def lock_pruning(tx: Tx) -> None:
    """Write-lock the pruners' own record: two processes pruning at once take turns.

    Each pruning transaction writes it first (``graph.locks``' rule), so the second one
    reads the outbox after the first one's deletes: nothing is deleted twice. The record is
    made beforehand (:func:`create_pruning_lock`): a ``MERGE`` here would race.
    """
    await run(
        tx,
        "MATCH (meta:GraphMeta {key: 'outbox-retention'}) "
        "SET meta.lock_version = coalesce(meta.lock_version, 0) + 1",
    )


async def oldest_sequence(tx: Tx) -> int | None:
    """The number of the oldest event still stored (None when there is none)."""
    rows = await run(
        tx,
        f"MATCH (e:Event) WHERE e.sequence > 0 RETURN e.sequence AS sequence "
        f"ORDER BY sequence ASC {limit(1)}",
    )
    return int(rows[0]["sequence"]) if rows else None


@dataclass(frozen=True)
class PrunedWindow:
    """What :func:`prune_events` did to one window of numbers."""

    deleted: int
    """Events deleted."""
    held: int
    """Old events kept because a webhook delivery still refers to them."""
    reached_newer: bool
    """The window holds an event at or after the cutoff: the ones after it are newer too."""


async def prune_events(tx: Tx, *, before: dt.datetime, after: int, up_to: int) -> PrunedWindow:
    """Delete the events numbered in ``(after, up_to]`` that happened before ``before``.

    An event some webhook ``Delivery`` still refers to (pending, a dead letter, or
    delivered within the retention) is kept: :mod:`graph.webhooks` prunes deliveries first,
    by their own retention. The caller keeps the window at most :data:`PRUNE_BATCH` numbers
    wide, and ``up_to`` at or below every webhook's cursor (an event no webhook has read
    yet may still get a delivery). Safe to run in several processes at once.
    """
    await lock_pruning(tx)
    rows = await run(
        tx,
        "MATCH (e:Event) WHERE e.sequence > $after AND e.sequence <= $up_to "
        "RETURN e.id AS id, e.at AS at",
        after=after,
        up_to=up_to,
    )
    old = [str(r["id"]) for r in rows if (at := to_utc(r["at"])) is not None and at < before]
    reached_newer = len(old) < len(rows)
    if not old:
        return PrunedWindow(deleted=0, held=0, reached_newer=reached_newer)
    held = {
        str(r["id"])
        for r in await run(
            tx,
            "MATCH (d:Delivery) WHERE d.event_id IN $ids RETURN DISTINCT d.event_id AS id",
            ids=old,
        )
    }
    doomed = [i for i in old if i not in held]
    deleted = 0
    if doomed:
        done = await run(
            tx,
            "UNWIND $ids AS id MATCH (e:Event {id: id}) DETACH DELETE e RETURN count(*) AS n",
            ids=doomed,
        )
        deleted = int(done[0]["n"]) if done else 0
    return PrunedWindow(deleted=deleted, held=len(held), reached_newer=reached_newer)
