"""The served app prunes old notifications at start-up and on schedule, and stops at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
import pytest

from api.app import create_app
from api.auth import Tokens
from graph import outbox
from graph.embedded import BoltEndpoint
from graph.outbox import EventKind
from graph.store import Store, Tx
from tests.api.conftest import MENTOR, ServerThread, app_settings, store_settings_for

pytestmark = pytest.mark.anyio

INBOX = "{ notifications(first: 10) { unreadCount edges { node { id sequence } } } }"


async def emit(store: Store, count: int) -> list[outbox.Event]:
    async def work(tx: Tx) -> list[outbox.Event]:
        return await outbox.emit_many(
            tx, [(EventKind.REQUEST_RECEIVED, MENTOR[0], {"person_id": "ana"})] * count
        )

    return await store.write(work)


async def stored(store: Store) -> int:
    rows = await store.query("MATCH (e:Event) RETURN count(e) AS n")
    return int(rows[0]["n"])


async def test_the_app_prunes_at_start_up_and_every_period_then_stops_at_once(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    old = await emit(org, 3)
    await org.query(
        "MATCH (e:Event) WHERE e.id IN $ids SET e.at = $at",
        ids=[e.id for e in old],
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
    )
    settings = app_settings(skillweave_event_retention_days=1, skillweave_outbox_prune_seconds=3600)
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
        deadline = time.monotonic() + 15
        while await stored(org) > 0:
            assert time.monotonic() < deadline, "the app did not prune at start-up"
            await asyncio.sleep(0.1)
        [recent] = await emit(org, 1)
        headers = {"Authorization": f"Bearer {tokens.mint(*MENTOR)}"}
        answer = http.post("/graphql", json={"query": INBOX}, headers=headers).json()
        assert answer["data"]["notifications"] == {
            "unreadCount": 1,
            "edges": [{"node": {"id": recent.id, "sequence": old[-1].sequence + 1}}],
        }
        closing = time.monotonic()
    assert time.monotonic() - closing < 10, "an hour-long wait does not hold the shutdown"
    assert await stored(org) == 1

    settings = app_settings(
        skillweave_event_retention_days=0.5 / 86400,  # half a second
        skillweave_outbox_prune_seconds=0.2,
    )
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app):
        await asyncio.sleep(0.6)
        await emit(org, 2)  # after start-up: the next runs take them
        deadline = time.monotonic() + 15
        while await stored(org) > 0:
            assert time.monotonic() < deadline, "the app did not prune on schedule"
            await asyncio.sleep(0.1)
