"""Property-based fuzzing of the whole GraphQL schema (hypothesis-graphql), as every role.

Valid queries and mutations built from ``schema.graphql`` (and, in ``NEGATIVE`` mode,
invalid ones) are sent over HTTP to the real service on the real store. Whatever comes
back must be a clean answer: no HTTP 5xx, no internal error, no stack trace, driver or
Cypher text, and every error carries an ``extensions.code``.

The suite runs a bounded number of examples; ``python scripts/fuzz.py`` runs many more
(it sets ``SKILLWEAVE_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql
from hypothesis_graphql.strategies import Mode

from api.auth import Role, Tokens
from graph import communities, mentorships, squads
from graph.embedded import BoltEndpoint
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MODERATOR, ServerThread, write_small_org
from tests.conftest import empty, run_aside, write_taxonomy

SCHEMA = (Path(__file__).parents[2] / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("SKILLWEAVE_FUZZ_EXAMPLES", "30"))
LEAKS = ("Traceback", 'File "', "neo4j", "Neo.ClientError", "Neo.DatabaseError", "MATCH (",
         "RETURN ", "arcadedb", "java.", "jpype")  # fmt: skip
SCALARS = {
    "DateTime": st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.just(dt.UTC),
    ).map(lambda d: nodes.String(d.isoformat())),
}


async def _seed(endpoint: BoltEndpoint) -> None:
    async with await Store.connect(endpoint) as store:
        await empty(store)
        await write_taxonomy(store)
        await write_small_org(store)
        active = await store.write(
            mentorships.request_mentorship, mentee_id="ben", mentor_id="omar", focus_skills=["sql"]
        )
        await store.write(mentorships.respond_to_mentorship, active.id, accept=True)
        await store.write(
            squads.create_squad, name="S", members=[SquadMember("ana"), SquadMember("ben")]
        )
        await store.write(communities.create_community, name="C", moderator_ids=["omar"])


@pytest.fixture(scope="module")
def seeded(endpoint: BoltEndpoint, server: ServerThread) -> Iterator[ServerThread]:
    """The session's service over the small organisation (seeded once for the module)."""
    run_aside(_seed(endpoint))  # Playwright or anyio may run a loop in this thread
    yield server


def check(response: httpx.Response) -> None:
    """The answer is clean, whatever was asked."""
    assert response.status_code < 500, response.text
    for leak in LEAKS:
        assert leak not in response.text, response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "INTERNAL_SERVER_ERROR", error


ROLES = [AGENT, MODERATOR, HR, ADMIN]


@pytest.mark.parametrize("caller", ROLES, ids=[r[1].value for r in ROLES])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_fuzzed_operations_get_clean_answers(
    seeded: ServerThread, tokens: Tokens, caller: tuple[str, Role], mode: Mode
) -> None:
    headers = {"Authorization": f"Bearer {tokens.mint(*caller)}"}
    operations = gql.from_schema(SCHEMA, custom_scalars=SCALARS, mode=mode, allow_x00=False)

    with httpx.Client(base_url=seeded.url, timeout=60, headers=headers) as http:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=os.environ.get("CI") == "true",
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(operation=operations)
        def run(operation: str) -> None:
            check(http.post("/graphql", json={"query": operation}))

        run()


def test_the_checks_catch_a_leak() -> None:
    leaked = httpx.Response(200, json={"errors": [{"message": "MATCH (p:Person) failed"}]})
    with pytest.raises(AssertionError):
        check(leaked)
    with pytest.raises(AssertionError):
        check(httpx.Response(200, json={"errors": [{"message": "no code"}]}))
    with pytest.raises(AssertionError):
        check(httpx.Response(502, text="bad gateway"))
    check(
        httpx.Response(
            200, json={"errors": [{"message": "x", "extensions": {"code": "NOT_FOUND"}}]}
        )
    )
