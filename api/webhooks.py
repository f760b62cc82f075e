"""Webhooks for chat tools: registering them (admins), the dead letters, and the sender.

The sender runs in every API process (unless ``SKILLWEAVE_WEBHOOK_POLL_SECONDS`` is 0): each
step claims due deliveries (:func:`graph.webhooks.claim`, which first turns new outbox
events into deliveries), POSTs them concurrently, and records each outcome. A failure (not
2xx, no answer within the timeout, a refused connection) is retried with exponential
backoff and jitter; after ``SKILLWEAVE_WEBHOOK_MAX_ATTEMPTS`` tries the delivery is dead.
Every try carries the same ``X-Skillweave-Event-Id`` and a fresh timestamp and signature.
See docs/webhooks.md.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import random
import time
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import strawberry

from api.context import Info
from api.errors import BadInput, NotFoundError
from api.notifications import summary
from api.pagination import page_size
from api.permissions import Action, require
from api.settings import AppSettings
from api.types import PageInfo
from graph import webhooks as store_webhooks
from graph.outbox import Event, EventKind
from graph.store import Store
from graph.webhooks import Attempt, Delivery, DeliveryStatus, WebhookFormat

log = logging.getLogger(__name__)

EVENT_ID_HEADER = "X-Skillweave-Event-Id"
TIMESTAMP_HEADER = "X-Skillweave-Timestamp"
SIGNATURE_HEADER = "X-Skillweave-Signature"
MAX_BACKOFF_SECONDS = 3600.0
"""The longest wait between two tries of one delivery."""
BATCH = 100
"""Most deliveries one step claims at once."""
CONCURRENCY = 32
"""Most deliveries in flight at once per process."""
MAX_URL_LENGTH = 2000

strawberry.enum(WebhookFormat, description="The JSON body a webhook receives.")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Skillweave-Signature`` value: ``v1=`` and hex HMAC-SHA256 of ``timestamp.body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def render(format: WebhookFormat, event: Event) -> bytes:
    """The body sent for ``event`` in ``format``."""
    text = summary(event)
    body: dict[str, Any]
    match format:
        case WebhookFormat.SLACK:
            body = {"text": f"Skillweave: {text}"}
        case WebhookFormat.TEAMS:
            body = {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": text,
                "title": "Skillweave",
                "text": text,
            }
        case _:
            body = {
                "id": event.id,
                "kind": event.kind.value,
                "sequence": event.sequence,
                "at": event.at.isoformat() if event.at else None,
                "recipient": event.recipient,
                "summary": text,
                "payload": dict(event.payload),
            }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def backoff(attempts: int, first: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: doubling, jittered ±50%."""
    wait: float = min(first * 2.0 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    return wait * random.uniform(0.5, 1.5)


class WebhookSender:
    """Sends this process's share of webhook deliveries; one per process, in the lifespan."""

    def __init__(
        self,
        store: Store,
        settings: AppSettings,
        *,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self._store = store
        self._timeout = settings.skillweave_webhook_timeout_seconds
        self._max_attempts = settings.skillweave_webhook_max_attempts
        self._retry = settings.skillweave_webhook_retry_seconds
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._lease = dt.timedelta(
            seconds=self._timeout * (math.ceil(batch / concurrency) + 1) + 30
        )
        self._client = httpx.AsyncClient(
            timeout=self._timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency),
            headers={"User-Agent": "Skillweave-Webhooks/1"},
        )
        self._closing = False
        self.sent = 0
        """Deliveries this sender saw acknowledged (tests and benchmarks)."""

    async def step(self) -> None:
        """Send every delivery due now, a batch at a time, until none is left or closing."""
        if not await self._store.read(store_webhooks.work_waiting):
            return
        while not self._closing:
            claimed = await self._store.write(
                store_webhooks.claim, first=self._batch, lease=self._lease
            )
            if not claimed:
                return
            attempts = await asyncio.gather(*(self._send(d) for d in claimed))
            await self._store.write(store_webhooks.record_attempts, attempts)
            self.sent += sum(a.status is DeliveryStatus.DELIVERED for a in attempts)
            if len(claimed) < self._batch:
                return

    async def _send(self, delivery: Delivery) -> Attempt:
        assert delivery.claim is not None
        tries = delivery.attempts + 1
        error = await self._post(delivery)
        if error is None:
            return Attempt(delivery.id, delivery.claim, DeliveryStatus.DELIVERED, tries, None, None)
        if tries >= self._max_attempts or delivery.event is None or delivery.webhook is None:
            log.warning("webhook delivery %s is dead after %d tries: %s", delivery.id, tries, error)
            return Attempt(delivery.id, delivery.claim, DeliveryStatus.DEAD, tries, None, error)
        wait = dt.timedelta(seconds=backoff(tries, self._retry))
        return Attempt(
            delivery.id,
            delivery.claim,
            DeliveryStatus.PENDING,
            tries,
            dt.datetime.now(dt.UTC) + wait,
            error,
        )

    async def _post(self, delivery: Delivery) -> str | None:
        """Send one delivery; None when the receiver acknowledged it, else what went wrong."""
        hook, event = delivery.webhook, delivery.event
        if hook is None or event is None:
            return "its webhook or event no longer exists"
        body = render(hook.format, event)
        async with self._slots:
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                EVENT_ID_HEADER: event.id,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(hook.secret, timestamp, body),
            }
            try:
                response = await self._client.post(hook.url, content=body, headers=headers)
            except httpx.TimeoutException:
                return f"no answer within {self._timeout:g} s"
            except Exception as error:  # a bad receiver must not stop the sender
                return f"{type(error).__name__}: {error}"[:500]
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def stop(self) -> None:
        """Start no further batch (the one in flight finishes and is recorded)."""
        self._closing = True

    async def aclose(self) -> None:
        """Close the HTTP client (after the jobs stopped)."""
        await self._client.aclose()


# ------------------------------------------------------------------------------- the API


def check_url(url: str) -> str:
    """An http(s) URL with a host, or :class:`BadInput` saying what is wrong."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise BadInput(f"A webhook URL must start with https:// or http://, not {url[:80]!r}.")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise BadInput("A webhook URL may not hold spaces or control characters.")
    try:
        host = parts.hostname
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        host = None
    if not host:
        raise BadInput(f"The webhook URL {url[:80]!r} names no host.")
    if len(url) > MAX_URL_LENGTH:
        raise BadInput(f"A webhook URL may be at most {MAX_URL_LENGTH} characters long.")
    return url


def encode_cursor(delivery: Delivery) -> str:
    """The cursor just after a dead letter."""
    raw = json.dumps(["d", delivery.sequence, delivery.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """The (sequence, id) a dead-letter cursor stands for, or :class:`BadInput`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, sequence, id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if kind != "d" or not isinstance(sequence, int) or not isinstance(id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadInput("That cursor is not valid; use the endCursor of a previous page.") from None
    return sequence, id


@strawberry.type(name="Webhook", description="A receiver of events (admins only).")
class WebhookType:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    kinds: list[EventKind] = strawberry.field(description="The event kinds it receives.")
    format: WebhookFormat = strawberry.field(description="The body it receives.")
    created_at: dt.datetime | None = strawberry.field(description="When it was registered.")

    @classmethod
    def of(cls, hook: store_webhooks.Webhook) -> WebhookType:
        return cls(
            id=strawberry.ID(hook.id),
            url=hook.url,
            kinds=list(hook.kinds),
            format=hook.format,
            created_at=hook.created_at,
        )


@strawberry.type(description="A webhook just registered, with its signing secret.")
class RegisteredWebhook:
    webhook: WebhookType = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="The secret every delivery is signed with (X-Skillweave-Signature). "
        "Shown only here: keep it where the receiver can read it."
    )


@strawberry.type(description="A delivery that failed every try; replay it when fixed.")
class DeadLetter:
    id: strawberry.ID = strawberry.field(description="The delivery's id.")
    webhook_id: strawberry.ID = strawberry.field(description="Its webhook.")
    event_id: strawberry.ID = strawberry.field(
        description="The event's id, sent as X-Skillweave-Event-Id on every try."
    )
    sequence: int = strawberry.field(description="The event's outbox number.")
    kind: EventKind = strawberry.field(description="The event's kind.")
    attempts: int = strawberry.field(description="How many times it was tried.")
    last_error: str | None = strawberry.field(description="What went wrong the last time.")

    @classmethod
    def of(cls, d: Delivery) -> DeadLetter:
        return cls(
            id=strawberry.ID(d.id),
            webhook_id=strawberry.ID(d.webhook_id),
            event_id=strawberry.ID(d.event_id),
            sequence=d.sequence,
            kind=d.kind,
            attempts=d.attempts,
            last_error=d.last_error,
        )


@strawberry.type(description="A dead letter and its cursor.")
class DeadLetterEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the ones after it.")
    node: DeadLetter = strawberry.field(description="The dead letter.")


@strawberry.type(description="A page of dead letters, newest event first.")
class DeadLetterConnection:
    edges: list[DeadLetterEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Every registered webhook (admins only).")
    async def webhooks(self, info: Info) -> list[WebhookType]:
        require(info.context.principal, Action.MANAGE_WEBHOOKS)
        return [WebhookType.of(h) for h in await info.context.store.read(store_webhooks.webhooks)]

    @strawberry.field(
        description="Deliveries that failed every try, newest event first (admins only)."
    )
    async def dead_letters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        webhook_id: strawberry.ID | None = None,
    ) -> DeadLetterConnection:
        require(info.context.principal, Action.MANAGE_WEBHOOKS)
        size = page_size(first, cap=info.context.settings.skillweave_max_page_size)
        found = await info.context.store.read(
            store_webhooks.dead_letters,
            webhook_id=str(webhook_id) if webhook_id is not None else None,
            before=decode_cursor(after) if after is not None else None,
            first=size + 1,
        )
        edges = [
            DeadLetterEdge(cursor=encode_cursor(d), node=DeadLetter.of(d)) for d in found[:size]
        ]
        return DeadLetterConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None
            ),
        )


KindsArg = Annotated[
    list[EventKind], strawberry.argument(description="The event kinds to receive (at least one).")
]
FormatArg = Annotated[
    WebhookFormat, strawberry.argument(description="SLACK, TEAMS, or JSON (the event itself).")
]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a webhook for some event kinds; it receives the events that "
        "happen from now on. The answer holds its signing secret, shown only once (admins only)."
    )
    async def register_webhook(
        self, info: Info, url: str, kinds: KindsArg, format: FormatArg = WebhookFormat.JSON
    ) -> RegisteredWebhook:
        principal = info.context.principal
        require(principal, Action.MANAGE_WEBHOOKS)
        checked = check_url(url)
        if not kinds:
            raise BadInput("Name at least one event kind the webhook should receive.")
        hook = await info.context.store.write(
            store_webhooks.register_webhook,
            url=checked,
            kinds=kinds,
            format=format,
            created_by=principal.person_id,
        )
        return RegisteredWebhook(webhook=WebhookType.of(hook), secret=hook.secret)

    @strawberry.mutation(
        description="Delete a webhook and its deliveries, sent or not (admins only)."
    )
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> bool:
        require(info.context.principal, Action.MANAGE_WEBHOOKS)
        if not await info.context.store.write(store_webhooks.delete_webhook, str(id)):
            raise NotFoundError(f"No webhook has the id {id!r}.")
        return True

    @strawberry.mutation(
        description="Send a dead letter again, from its first try, with the same event id; "
        "returns 1 (admins only)."
    )
    async def replay_dead_letter(self, info: Info, id: strawberry.ID) -> int:
        require(info.context.principal, Action.MANAGE_WEBHOOKS)
        replayed = await info.context.store.write(store_webhooks.replay, delivery_id=str(id))
        if not replayed:
            raise NotFoundError(f"No dead letter has the id {id!r}.")
        return replayed

    @strawberry.mutation(
        description="Send every dead letter of a webhook again; returns how many (admins only)."
    )
    async def replay_dead_letters(self, info: Info, webhook_id: strawberry.ID) -> int:
        require(info.context.principal, Action.MANAGE_WEBHOOKS)
        return await info.context.store.write(store_webhooks.replay, webhook_id=str(webhook_id))
