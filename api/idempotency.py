"""Idempotency keys: a create retried after a lost answer returns the first result.

A client that sent ``createSquad`` and lost the answer (a timeout, the store going
away mid-commit) cannot know whether the squad exists. With an ``idempotencyKey`` it
sends the same mutation again: the record's id is derived from the caller and the
key, so the retry finds the first record and returns it instead of making a second.
Two racing retries meet at the id's uniqueness constraint; the loser re-reads and
returns the winner's record.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry

from api.errors import BadInput
from graph.errors import Conflict, NotFound

T = TypeVar("T")
KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")

IdempotencyKeyArg = Annotated[
    str | None,
    strawberry.argument(
        description="Any unique string (8–100 letters, digits, `_.:-`; a UUID is ideal). "
        "Sending the same mutation again with the same key returns the record the first one "
        "made instead of making another."
    ),
]


def keyed_id(prefix: str, caller: str, key: str | None) -> str | None:
    """The id a keyed create gives its record (None without a key): one per caller and key."""
    if key is None:
        return None
    if not KEY.fullmatch(key):
        raise BadInput(
            "An idempotency key is 8 to 100 letters, digits or `_.:-` characters; "
            "a UUID is a good choice."
        )
    digest = hashlib.sha256(f"{caller}\x00{key}".encode()).hexdigest()[:20]
    return f"{prefix}-k{digest}"


async def once(
    record_id: str | None,
    find: Callable[[str], Awaitable[T | None]],
    create: Callable[[], Awaitable[T]],
) -> T:
    """``create()``, unless the keyed record ``record_id`` exists already: then that record."""
    if record_id is None:
        return await create()
    existing = await find(record_id)
    if existing is not None:
        return existing
    try:
        return await create()
    except (Conflict, NotFound):
        # A racing retry with the same key won. Neo4j reports the clash as a uniqueness
        # conflict; ArcadeDB may instead let this transaction's own reads miss the record.
        for wait in (0.0, 0.05, 0.2, 0.5):  # the winner may still be committing
            await asyncio.sleep(wait)
            existing = await find(record_id)
            if existing is not None:
                return existing
        raise
