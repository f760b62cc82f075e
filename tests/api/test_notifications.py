"""The inbox over HTTP, and live notifications over graphql-transport-ws, on a real server."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from api.auth import Tokens
from graph import mentorships, offboarding
from graph.store import Store
from tests.api.conftest import (
    AGENT,
    MENTOR,
    MENTOR_2,
    MODERATOR,
    PEER,
    Api,
    ServerThread,
    app_settings,
    store_settings_for,
)

pytestmark = pytest.mark.anyio

INBOX = """query($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    unreadCount
    edges { cursor node { id sequence kind read summary mentorshipId personId personName } }
    pageInfo { hasNextPage endCursor }
  }
}"""
MARK = """mutation($ids: [ID!], $upTo: Int) {
  markNotificationsRead(ids: $ids, upTo: $upTo) { marked unreadCount }
}"""
REQUEST = """mutation($mentor: ID!) {
  requestMentorship(mentorId: $mentor, focusSkills: ["empathy"]) { id }
}"""
SUBSCRIBE = "subscription($after: Int) { notifications(after: $after) { sequence kind summary personId mentorshipId } }"


def ask(api: Api, mentee: tuple[str, Any], mentor: str) -> str:
    data = api.ok(REQUEST, {"mentor": mentor}, as_=mentee)
    return str(data["requestMentorship"]["id"])


def inbox(api: Api, who: tuple[str, Any], **variables: Any) -> dict[str, Any]:
    data: dict[str, Any] = api.ok(INBOX, variables, as_=who)["notifications"]
    return data


async def test_the_mentor_finds_the_request_in_their_inbox_newest_first(
    org: Store, api: Api
) -> None:
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = 3")
    first = ask(api, AGENT, "mia")
    second = ask(api, PEER, "mia")
    found = inbox(api, MENTOR)
    assert found["unreadCount"] == 2
    nodes = [e["node"] for e in found["edges"]]
    assert [n["mentorshipId"] for n in nodes] == [second, first]
    assert nodes[1]["kind"] == "REQUEST_RECEIVED" and nodes[1]["personId"] == "ana"
    assert nodes[1]["summary"] == "Ana Santos asked you to be their mentor."
    assert not nodes[0]["read"] and nodes[0]["sequence"] > nodes[1]["sequence"]
    page = inbox(api, MENTOR, first=1)
    assert page["pageInfo"]["hasNextPage"]
    rest = inbox(api, MENTOR, first=1, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["mentorshipId"] for e in rest["edges"]] == [first]
    assert not rest["pageInfo"]["hasNextPage"]
    assert inbox(api, AGENT) == {
        "unreadCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    error = api.error(INBOX, {"after": "bm9wZQ"}, as_=MENTOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_marking_read_is_the_callers_own_and_idempotent(org: Store, api: Api) -> None:
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = 3")
    ask(api, AGENT, "mia")
    ask(api, PEER, "mia")
    nodes = [e["node"] for e in inbox(api, MENTOR)["edges"]]
    # someone else cannot mark mia's notifications, nor see their count move
    other = api.ok(MARK, {"ids": [nodes[0]["id"]], "upTo": 10**6}, as_=AGENT)
    assert other["markNotificationsRead"] == {"marked": 0, "unreadCount": 0}
    assert inbox(api, MENTOR)["unreadCount"] == 2
    marked = api.ok(MARK, {"ids": [nodes[0]["id"]]}, as_=MENTOR)["markNotificationsRead"]
    assert marked == {"marked": 1, "unreadCount": 1}
    again = api.ok(MARK, {"ids": [nodes[0]["id"]]}, as_=MENTOR)["markNotificationsRead"]
    assert again == {"marked": 0, "unreadCount": 1}
    unread = inbox(api, MENTOR, unreadOnly=True)["edges"]
    assert [e["node"]["id"] for e in unread] == [nodes[1]["id"]]
    done = api.ok(MARK, {"upTo": nodes[0]["sequence"]}, as_=MENTOR)["markNotificationsRead"]
    assert done == {"marked": 1, "unreadCount": 0}
    assert all(e["node"]["read"] for e in inbox(api, MENTOR)["edges"])
    error = api.error(MARK, {}, as_=MENTOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_moderator_adding_someone_to_a_squad_invites_them(org: Store, api: Api) -> None:
    created = api.ok(
        'mutation { createSquad(input: {name: "Night owls", members: [{personId: "ana"}, '
        '{personId: "tess"}]}) { id } }',
        as_=MODERATOR,
    )["createSquad"]
    [ana] = [e["node"] for e in inbox(api, AGENT)["edges"]]
    assert ana["kind"] == "SQUAD_INVITATION" and ana["personId"] == "tess"
    assert ana["summary"] == "You were added to the squad Night owls."
    assert inbox(api, MODERATOR)["edges"] == []  # who formed it is not invited
    api.ok(
        'mutation($id: ID!) { addSquadMember(squadId: $id, personId: "ben") { id } }',
        {"id": created["id"]},
        as_=MODERATOR,
    )
    assert [e["node"]["kind"] for e in inbox(api, PEER)["edges"]] == ["SQUAD_INVITATION"]


# ---------------------------------------------------------------- graphql-transport-ws


def ws_url(server: ServerThread) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


def open_socket(
    server: ServerThread, token: str | None = None, *, header: str | None = None
) -> ClientConnection:
    """A graphql-transport-ws socket, signed in with ``token`` in its connection_init."""
    headers = {"Authorization": header} if header else None
    socket = connect(
        ws_url(server), subprotocols=["graphql-transport-ws"], additional_headers=headers,
        open_timeout=10,
    )  # fmt: skip
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    return socket


def receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=timeout))
    return message


def subscribe(socket: ClientConnection, after: int | None = None) -> None:
    assert receive(socket)["type"] == "connection_ack"
    socket.send(json.dumps({
        "id": "1", "type": "subscribe",
        "payload": {"query": SUBSCRIBE, "variables": {"after": after}},
    }))  # fmt: skip


def closed_with(socket: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            receive(socket)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_mentor_subscribed_over_websocket_hears_of_a_request_at_once(
    org: Store, api: Api, server: ServerThread, tokens: Tokens
) -> None:
    with open_socket(server, tokens.mint(*MENTOR)) as socket:
        subscribe(socket)
        time.sleep(0.3)  # the subscription has read where the outbox stands
        asked = time.monotonic()
        id = ask(api, AGENT, "mia")
        message = receive(socket)
        took = time.monotonic() - asked
        assert message["type"] == "next" and message["id"] == "1", message
        event = message["payload"]["data"]["notifications"]
        assert event["kind"] == "REQUEST_RECEIVED" and event["mentorshipId"] == id
        assert event["summary"] == "Ana Santos asked you to be their mentor."
        assert took < 2.0, took
        # a write by another process (here: straight to the store) arrives by polling
        await org.write(mentorships.respond_to_mentorship, id, accept=False)
        with pytest.raises(TimeoutError):
            receive(socket, timeout=1.0)  # mia's own answer tells ana, not mia
        socket.send(json.dumps({"id": "1", "type": "complete"}))


async def test_a_subscription_replays_what_came_after_the_last_number_seen(
    org: Store, api: Api, server: ServerThread, tokens: Tokens
) -> None:
    id = ask(api, AGENT, "mia")
    api.ok("mutation($id: ID!) { respondToMentorship(id: $id, accept: true) { id } }",
           {"id": id}, as_=MENTOR)  # fmt: skip
    with open_socket(server, tokens.mint(*AGENT)) as socket:
        subscribe(socket, after=0)
        event = receive(socket)["payload"]["data"]["notifications"]
        assert event["kind"] == "REQUEST_ACCEPTED" and event["personId"] == "mia"
    # a write from outside this process reaches a subscriber by polling
    with open_socket(server, tokens.mint(*AGENT)) as socket:
        subscribe(socket)
        time.sleep(0.3)
        await org.write(mentorships.end_mentorship, id, by="mia", rating=4)
        event = receive(socket, timeout=5)["payload"]["data"]["notifications"]
        assert event["kind"] == "MENTORSHIP_ENDED" and event["personId"] == "mia"


async def test_the_socket_signs_in_like_http_or_is_closed(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    # the token in the handshake's header does as well as in connection_init
    with open_socket(server, header=f"Bearer {tokens.mint(*MENTOR)}") as socket:
        subscribe(socket)
        socket.send(json.dumps({"id": "1", "type": "complete"}))
    for token in (None, "not-a-token", Tokens("x" * 40, issuer="skillweave",
                  audience="skillweave-api", lifetime=tokens.lifetime).mint(*MENTOR)):  # fmt: skip
        with open_socket(server, token) as socket:
            assert closed_with(socket) == 4403
    # subscribing before signing in is refused too
    with connect(ws_url(server), subprotocols=["graphql-transport-ws"]) as socket:
        socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        assert closed_with(socket) == 4401


def create_app_for(endpoint: Any) -> Any:
    from api.app import create_app

    return create_app(app_settings(), store_settings=store_settings_for(endpoint))


async def test_shutdown_ends_open_subscriptions_cleanly(endpoint: Any, tokens: Tokens) -> None:
    server = ServerThread(create_app_for(endpoint))
    with server:
        socket = open_socket(server, tokens.mint(*MENTOR))
        subscribe(socket)
        time.sleep(0.5)
        started = time.monotonic()
    assert time.monotonic() - started < 10
    with pytest.raises(ConnectionClosed):
        while True:
            receive(socket, timeout=5)
    socket.close()


# ------------------------------------------ what signed a subscription in must still hold


def ended_with(socket: ClientConnection, timeout: float) -> dict[str, Any]:
    """The error a subscription ended with: its next message, then `complete`."""
    message = receive(socket, timeout=timeout)
    assert message["type"] == "next" and message["id"] == "1", message
    assert message["payload"]["data"] is None, message
    [error] = message["payload"]["errors"]
    assert receive(socket) == {"id": "1", "type": "complete"}
    return dict(error)


async def test_a_subscription_ends_when_its_token_expires(
    org: Store, api: Api, endpoint: Any, tokens: Tokens
) -> None:
    id = ask(api, AGENT, "mia")  # before the socket: its catch-up delivers it at once
    # a server of its own: a feed that has not followed the earlier tests' emptied outboxes
    with ServerThread(create_app_for(endpoint)) as server:
        token = tokens.mint(*MENTOR, lifetime=dt.timedelta(seconds=4))
        expires = tokens.decode(token).expires_at  # `exp` is in whole seconds: 3 to 4 s away
        assert expires is not None
        with open_socket(server, token) as mia, open_socket(server, tokens.mint(*AGENT)) as ana:
            subscribe(mia, after=0)
            subscribe(ana, after=0)
            message = receive(mia)
            assert message["type"] == "next", message  # delivered while the token holds
            assert message["payload"]["data"]["notifications"]["mentorshipId"] == id, message
            error = ended_with(mia, timeout=5)
            late = (dt.datetime.now(dt.UTC) - expires).total_seconds()
            assert 0 <= late < 1.5, late  # at the expiry, not at some later event
            assert error["message"] == "Your session has expired; sign in again."
            assert error["extensions"] == {"code": "UNAUTHENTICATED"}  # as HTTP's 401 says
            # the socket's token is no good for anything else it sends either
            mia.send(json.dumps({
                "id": "2", "type": "subscribe", "payload": {"query": "{ me { id } }"},
            }))  # fmt: skip
            refused = receive(mia)
            assert refused["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            # ana's subscription, with a token of an hour, goes on
            api.ok("mutation($id: ID!) { respondToMentorship(id: $id, accept: true) { id } }",
                   {"id": id}, as_=MENTOR)  # fmt: skip
            event = receive(ana)["payload"]["data"]["notifications"]
            assert event["kind"] == "REQUEST_ACCEPTED" and event["mentorshipId"] == id


async def test_a_subscription_ends_when_its_person_is_offboarded(
    org: Store, api: Api, endpoint: Any, tokens: Tokens
) -> None:
    id = ask(api, AGENT, "mia")
    with (
        ServerThread(create_app_for(endpoint)) as server,
        open_socket(server, tokens.mint(*MENTOR)) as mia,
        open_socket(server, tokens.mint(*MENTOR_2)) as omar,
    ):
        subscribe(mia, after=0)
        subscribe(omar, after=0)
        event = receive(mia)["payload"]["data"]["notifications"]
        assert event["mentorshipId"] == id
        # off-boarded by another process (here: straight in the store), with no event to mia
        await org.write(offboarding.offboard_person, "mia")
        error = ended_with(mia, timeout=5)
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        refused = api.post("{ me { id } }", as_=MENTOR)  # the same words as HTTP's refusal
        assert refused.status_code == 401
        assert error["message"] == refused.json()["errors"][0]["message"]
        assert "left the organisation" in error["message"]
        # omar's subscription goes on past the checks that ended mia's
        time.sleep(1.5)
        other = ask(api, AGENT, "omar")
        event = receive(omar)["payload"]["data"]["notifications"]
        assert event["kind"] == "REQUEST_RECEIVED" and event["mentorshipId"] == other
