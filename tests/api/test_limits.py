"""Oversized or abusive requests are refused cleanly, without exhausting the service."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from api.auth import Role, Tokens
from graph.store import Store
from tests.api.conftest import AGENT, Api

pytestmark = pytest.mark.anyio


def headers(tokens: Tokens) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint('ana', Role.AGENT)}"}


def test_a_body_over_the_limit_is_413(client: httpx.Client, tokens: Tokens) -> None:
    huge = json.dumps({"query": "{ me { id } }", "variables": {"x": "a" * 2_000_000}})
    response = client.post("/graphql", content=huge, headers=headers(tokens))
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE" and "1,048,576" in error["message"]


def test_a_chunked_body_is_cut_off_at_the_limit(client: httpx.Client, tokens: Tokens) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ me { id } }", "variables": {"x": "'
        for _ in range(40):
            yield b"a" * 65_536  # 2.5 MiB in all, with no Content-Length
        yield b'"}}'

    response = client.post("/graphql", content=chunks(), headers=headers(tokens))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_body_within_the_limit_is_served(client: httpx.Client, tokens: Tokens) -> None:
    response = client.post("/graphql", json={"query": "{ teams { id } }"}, headers=headers(tokens))
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("{ people(first: 1000000) { totalCount } }", "from 1 to 100"),
        ("{ networkHealth { isolated(first: 100000) { id } } }", "500"),
    ],
)
async def test_huge_pages_are_refused(org: Store, api: Api, query: str, fragment: str) -> None:
    from tests.api.conftest import HR

    error = api.error(query, as_=HR if "networkHealth" in query else AGENT)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


async def test_a_query_of_too_many_tokens_is_refused(org: Store, api: Api) -> None:
    fields = " ".join(["id name"] * 1200)
    error = api.error(f"{{ me {{ {fields} }} }}", as_=AGENT)
    assert error["extensions"]["code"] in {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}
