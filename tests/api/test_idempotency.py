"""Creates with an idempotency key: a retried mutation returns the first record."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, MODERATOR, Api

pytestmark = pytest.mark.anyio

SQUAD = """mutation($key: String) {
  createSquad(input: {name: "Night QA", members: [{personId: "ana"}, {personId: "ben"}]},
              idempotencyKey: $key) { id }
}"""
COMMUNITY = """mutation($key: String) {
  createCommunity(input: {name: "SQL at night"}, idempotencyKey: $key) { id }
}"""
REQUEST = """mutation($key: String) {
  requestMentorship(mentorId: "mia", focusSkills: ["empathy"], idempotencyKey: $key) { id status }
}"""


async def count(store: Store, label: str) -> int:
    rows = await store.query(f"MATCH (n:{label}) RETURN count(n) AS n")
    return int(rows[0]["n"])


async def test_a_retried_create_returns_the_first_record(org: Store, api: Api) -> None:
    first = api.ok(SQUAD, {"key": "3b1f6c7e-retry-1"}, as_=MODERATOR)["createSquad"]
    again = api.ok(SQUAD, {"key": "3b1f6c7e-retry-1"}, as_=MODERATOR)["createSquad"]
    assert first == again
    assert await count(org, "Squad") == 1
    other = api.ok(SQUAD, {"key": "3b1f6c7e-retry-2"}, as_=MODERATOR)["createSquad"]
    assert other != first
    without = [api.ok(SQUAD, as_=MODERATOR)["createSquad"] for _ in range(2)]
    assert without[0] != without[1], "without a key, each call creates"
    assert await count(org, "Squad") == 4


async def test_keys_belong_to_their_caller(org: Store, api: Api) -> None:
    mine = api.ok(COMMUNITY, {"key": "shared-key-0001"}, as_=MODERATOR)["createCommunity"]
    theirs = api.ok(COMMUNITY, {"key": "shared-key-0001"}, as_=ADMIN)["createCommunity"]
    assert mine != theirs


async def test_a_retried_request_is_the_same_request_not_a_conflict(org: Store, api: Api) -> None:
    first = api.ok(REQUEST, {"key": "req-0000-0001"}, as_=AGENT)["requestMentorship"]
    again = api.ok(REQUEST, {"key": "req-0000-0001"}, as_=AGENT)["requestMentorship"]
    assert first == again and first["status"] == "REQUESTED"
    duplicate = api.error(REQUEST, {"key": "req-0000-0002"}, as_=AGENT)
    assert duplicate["extensions"]["code"] == "CONFLICT", "a new key is a new request"


async def test_racing_retries_with_one_key_make_one_record(org: Store, api: Api) -> None:
    with ThreadPoolExecutor(10) as pool:
        results = list(
            pool.map(lambda _: api(COMMUNITY, {"key": "race-key-0001"}, as_=MODERATOR), range(10))
        )
    ids = {r["data"]["createCommunity"]["id"] for r in results if r.get("data")}
    assert len(ids) == 1 and all("errors" not in r for r in results), results
    assert await count(org, "Community") == 1


@pytest.mark.parametrize("key", ["short", "has spaces in it", "x" * 101, "ünïcode-key"])
async def test_a_malformed_key_is_bad_input(org: Store, api: Api, key: str) -> None:
    error = api.error(COMMUNITY, {"key": key}, as_=MODERATOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "idempotency key" in error["message"]
    assert await count(org, "Community") == 0
