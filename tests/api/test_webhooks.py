"""Webhooks, end to end: a real service sends to a real local receiver that fails, hangs
(past the timeout) and recovers, across a restart and with two services on one store."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.auth import Tokens
from graph import outbox
from graph.embedded import BoltEndpoint
from graph.outbox import EventKind
from graph.store import Store, Tx
from tests.api.conftest import (
    ADMIN,
    AGENT,
    Api,
    ServerThread,
    app_settings,
    store_settings_for,
)
from tests.api.webhook_receiver import Receiver

pytestmark = pytest.mark.anyio

FAST = {
    "skillweave_webhook_poll_seconds": 0.05,
    "skillweave_webhook_timeout_seconds": 0.5,
    "skillweave_webhook_retry_seconds": 0.05,
    "skillweave_webhook_max_attempts": 50,
}
REGISTER = """mutation($url: String!, $kinds: [NotificationKind!]!, $format: WebhookFormat!) {
  registerWebhook(url: $url, kinds: $kinds, format: $format) {
    secret webhook { id url kinds format }
  }
}"""
DEAD = """query($first: Int, $after: String, $webhookId: ID) {
  deadLetters(first: $first, after: $after, webhookId: $webhookId) {
    edges { cursor node { id webhookId eventId sequence kind attempts lastError } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@contextmanager
def service(endpoint: BoltEndpoint, tokens: Tokens, **settings: Any) -> Iterator[Api]:
    """The app with a webhook sender, in a uvicorn thread, and an API client for it."""
    app = create_app(
        app_settings(**{**FAST, **settings}), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(client, tokens)


def register(api: Api, url: str, kinds: list[str], format: str = "JSON") -> tuple[str, str]:
    data = api.ok(REGISTER, {"url": url, "kinds": kinds, "format": format}, as_=ADMIN)
    return data["registerWebhook"]["webhook"]["id"], data["registerWebhook"]["secret"]


async def emit(store: Store, count: int, kind: EventKind = EventKind.REQUEST_RECEIVED) -> list[str]:
    async def work(tx: Tx) -> list[outbox.Event]:
        return await outbox.emit_many(
            tx,
            [
                (kind, "mia", {"person_id": "ana", "person_name": f"Mentee {i}"})
                for i in range(count)
            ],
        )

    return [e.id for e in await store.write(work)]


async def until(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def verified(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """The receiver's check, as docs/webhooks.md shows it."""
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(f"v1={expected.hexdigest()}", signature)


async def test_a_request_reaches_a_slack_webhook_signed_and_other_kinds_do_not(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with Receiver() as slack, Receiver() as raw, service(endpoint, tokens) as api:
        hook, secret = register(api, slack.url, ["REQUEST_RECEIVED"], "SLACK")
        _, raw_secret = register(api, raw.url, ["SQUAD_INVITATION", "REQUEST_RECEIVED"])
        listed = api.ok("{ webhooks { id url kinds format } }", as_=ADMIN)["webhooks"]
        assert {
            "id": hook,
            "url": slack.url,
            "kinds": ["REQUEST_RECEIVED"],
            "format": "SLACK",
        } in listed
        api.ok(
            'mutation { requestMentorship(mentorId: "mia", focusSkills: ["empathy"]) { id } }',
            as_=AGENT,
        )
        api.ok(
            'mutation { createSquad(input: {name: "Owls", members: [{personId: "ben"}, {personId: "omar"}]}) { id } }',
            as_=ADMIN,
        )
        await until(lambda: len(slack.acked) == 1 and len(raw.acked) == 3)
        [got] = slack.acked
        assert json.loads(got.body) == {
            "text": "Skillweave: Ana Santos asked you to be their mentor."
        }
        assert verified(secret, got.timestamp, got.body, got.signature)
        assert not verified(raw_secret, got.timestamp, got.body, got.signature)
        assert abs(int(got.timestamp) - time.time()) < 60
        [notification] = api.ok(
            "{ notifications { edges { node { id } } } }", as_=("mia", AGENT[1])
        )["notifications"]["edges"]
        assert got.event_id == notification["node"]["id"], "the event id is the outbox's"
        bodies = sorted((json.loads(r.body) for r in raw.acked), key=lambda b: b["sequence"])
        assert [b["kind"] for b in bodies] == [
            "request_received",
            "squad_invitation",
            "squad_invitation",
        ]
        assert {b["recipient"] for b in bodies[1:]} == {"ben", "omar"} and bodies[1]["payload"][
            "group_name"
        ] == "Owls"
        assert all(verified(raw_secret, r.timestamp, r.body, r.signature) for r in raw.acked)
        await asyncio.sleep(0.3)
        assert len(slack.acked) == 1, "nothing sent twice"
        # Teams: a MessageCard
        teams, _ = register(api, slack.url, ["REQUEST_EXPIRED"], "TEAMS")
        await emit(org, 1, EventKind.REQUEST_EXPIRED)
        await until(lambda: len(slack.acked) == 2)
        card = json.loads(slack.acked[1].body)
        assert (
            card["@type"] == "MessageCard"
            and card["text"] == "Your request to Mentee 0 expired unanswered."
        )
        assert api.ok("mutation($id: ID!) { deleteWebhook(id: $id) }", {"id": teams}, as_=ADMIN)
        await emit(org, 1, EventKind.REQUEST_EXPIRED)
        await asyncio.sleep(0.3)
        assert len(slack.acked) == 2, "a deleted webhook gets nothing"


async def test_registering_checks_the_url_and_the_kinds(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with service(endpoint, tokens, skillweave_webhook_poll_seconds=0) as api:
        for url in (
            "ftp://example.com/x",
            "hooks.slack.com/services/x",
            "https:///nohost",
            "https://exa mple.com/x",
        ):
            error = api.error(
                REGISTER, {"url": url, "kinds": ["REQUEST_RECEIVED"], "format": "SLACK"}, as_=ADMIN
            )
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
            assert "webhook URL" in error["message"]
        error = api.error(
            REGISTER, {"url": "https://x.example", "kinds": [], "format": "JSON"}, as_=ADMIN
        )
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "at least one event kind" in error["message"]
        body = api(
            REGISTER,
            {"url": "https://x.example", "kinds": ["REQUEST_RECIEVED"], "format": "JSON"},
            as_=ADMIN,
        )
        assert (
            "Did you mean" in body["errors"][0]["message"]
            and "REQUEST_RECEIVED" in body["errors"][0]["message"]
        )
        error = api.error('mutation { deleteWebhook(id: "whk-nope") }', as_=ADMIN)
        assert error["extensions"]["code"] == "NOT_FOUND"
        error = api.error('mutation { replayDeadLetter(id: "dlv-nope") }', as_=ADMIN)
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert "secret" not in json.dumps(
            api.ok("{ webhooks { id url kinds format createdAt } }", as_=ADMIN)
        )


async def test_a_failing_then_hanging_receiver_gets_every_event_once_it_recovers(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with Receiver(hang_seconds=2) as receiver, service(endpoint, tokens) as api:
        register(api, receiver.url, ["REQUEST_RECEIVED"])
        receiver.mode = "fail"
        ids = await emit(org, 5)
        await until(lambda: receiver.tries >= 15)  # each failed, then retried
        receiver.mode = "hang"
        tries = receiver.tries
        await until(lambda: receiver.tries >= tries + 5)  # and timed out
        assert receiver.acked == []
        receiver.mode = "ok"
        await until(lambda: set(receiver.ids()) == set(ids), 60)
        await asyncio.sleep(0.3)
        assert set(receiver.ids().values()) == {1}, receiver.ids()
        assert api.ok(DEAD, as_=ADMIN)["deadLetters"]["edges"] == []


async def test_after_the_last_try_a_delivery_is_a_dead_letter_an_admin_can_replay(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with (
        Receiver(hang_seconds=2) as receiver,
        service(endpoint, tokens, skillweave_webhook_max_attempts=2) as api,
    ):
        hook, _ = register(api, receiver.url, ["REQUEST_RECEIVED"])
        receiver.mode = "hang"
        ids = await emit(org, 3)

        def dead() -> list[dict[str, Any]]:
            return [
                e["node"]
                for e in api.ok(DEAD, {"webhookId": hook}, as_=ADMIN)["deadLetters"]["edges"]
            ]

        await until(lambda: len(dead()) == 3)
        letters = dead()
        assert [d["eventId"] for d in letters] == ids[::-1], "newest first"
        assert {d["attempts"] for d in letters} == {2}
        assert all(d["lastError"] == "no answer within 0.5 s" for d in letters)
        page = api.ok(DEAD, {"first": 2}, as_=ADMIN)["deadLetters"]
        assert page["pageInfo"]["hasNextPage"]
        rest = api.ok(DEAD, {"first": 2, "after": page["pageInfo"]["endCursor"]}, as_=ADMIN)[
            "deadLetters"
        ]
        assert [e["node"]["id"] for e in rest["edges"]] == [letters[2]["id"]]
        receiver.mode = "ok"
        assert api.ok(
            "mutation($id: ID!) { replayDeadLetter(id: $id) }", {"id": letters[2]["id"]}, as_=ADMIN
        ) == {"replayDeadLetter": 1}
        await until(lambda: set(receiver.ids()) == {ids[0]})
        replayed = api.ok(
            "mutation($id: ID!) { replayDeadLetters(webhookId: $id) }", {"id": hook}, as_=ADMIN
        )
        assert replayed == {"replayDeadLetters": 2}
        await until(lambda: set(receiver.ids()) == set(ids))
        assert dead() == []
        await asyncio.sleep(0.3)
        assert set(receiver.ids().values()) == {1}


async def test_every_event_is_delivered_once_across_a_restart(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with Receiver(delay=0.2) as receiver:
        with service(endpoint, tokens) as api:
            register(api, receiver.url, ["REQUEST_RECEIVED"])
            receiver.mode = "fail"
            ids = await emit(org, 150)
            await until(lambda: receiver.tries >= 150)  # pending, each tried at least once
            receiver.mode = "ok"
            await until(lambda: len(receiver.acked) >= 20)
            # the service stops while deliveries are in flight and more are pending
        assert 20 <= len(receiver.acked) < 150
        stopped_at = len(receiver.acked)
        ids += await emit(org, 20)  # while no service runs
        await asyncio.sleep(0.3)
        assert len(receiver.acked) == stopped_at, "nothing sends while the service is down"
        with service(endpoint, tokens):
            await until(lambda: set(receiver.ids()) == set(ids), 60)
            await asyncio.sleep(0.3)
    assert len(receiver.acked) == 170 and set(receiver.ids().values()) == {1}


async def test_two_services_on_one_store_never_send_one_delivery_twice(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    with Receiver(delay=0.01) as receiver:
        with service(endpoint, tokens) as api:
            register(api, receiver.url, ["REQUEST_RECEIVED"])
        ids = await emit(org, 400)
        with service(endpoint, tokens), service(endpoint, tokens):
            await until(lambda: set(receiver.ids()) == set(ids), 60)
            await asyncio.sleep(0.3)
    assert len(receiver.acked) == 400 and set(receiver.ids().values()) == {1}
