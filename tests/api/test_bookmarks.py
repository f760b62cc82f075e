"""Graph versions on the wire: reads inside the staleness bound cost no store round trip;
a writer reads its writes; a client naming a newer version reads at least that version."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.auth import Role, Tokens
from api.bookmarks import HEADER, format_version, parse_version
from graph import people
from graph.changes import current_version
from graph.embedded import BoltEndpoint
from graph.store import Store, statements_sent
from tests.api.conftest import ServerThread, app_settings, store_settings_for

pytestmark = pytest.mark.anyio

ANA = ("ana", Role.AGENT)
MY_SQL = "{ me { skills { level skill { key } } } }"
SET_SKILL = 'mutation($level: Int!) { setSkill(skill: "sql", level: $level) { id } }'


@pytest.fixture
def bounded(org: Store, endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    """The app with a bound long enough that nothing in a test outlives it."""
    app = create_app(
        app_settings(skillweave_read_staleness_seconds=60),
        store_settings=store_settings_for(endpoint),
    )
    with ServerThread(app) as running:
        yield running


def post(
    server: ServerThread, tokens: Tokens, query: str, version: str | None = None, **variables: int
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {tokens.mint(*ANA)}"}
    if version is not None:
        headers[HEADER] = version
    return httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=60,
    )


def sql_level(response: httpx.Response) -> int | None:
    skills = response.json()["data"]["me"]["skills"]
    return next((s["level"] for s in skills if s["skill"]["key"] == "sql"), None)


async def test_reads_inside_the_bound_send_no_statement(
    bounded: ServerThread, tokens: Tokens
) -> None:
    first = post(bounded, tokens, MY_SQL)
    before = statements_sent.value
    again = [post(bounded, tokens, MY_SQL) for _ in range(5)]
    assert statements_sent.value == before, "answered from the model held, no version check"
    assert {r.headers[HEADER] for r in again} == {first.headers[HEADER]}


async def test_a_writer_reads_its_own_write_at_once(bounded: ServerThread, tokens: Tokens) -> None:
    post(bounded, tokens, MY_SQL)
    written = post(bounded, tokens, SET_SKILL, level=2)
    assert "errors" not in written.json(), written.json()
    assert sql_level(post(bounded, tokens, MY_SQL)) == 2
    assert parse_version(written.headers[HEADER]).number > 0


async def test_another_processs_write_is_read_when_its_version_is_asked_for(
    org: Store, bounded: ServerThread, tokens: Tokens
) -> None:
    old = sql_level(post(bounded, tokens, MY_SQL))
    await org.write(people.set_skill, "ana", "sql", 4 if old != 4 else 3)  # another process
    assert sql_level(post(bounded, tokens, MY_SQL)) == old, "inside the bound: as held"
    version = format_version(await org.read(current_version))
    seen = post(bounded, tokens, MY_SQL, version)
    assert sql_level(seen) == (4 if old != 4 else 3)
    assert parse_version(seen.headers[HEADER]) >= parse_version(version)


async def test_a_malformed_version_is_refused_with_the_reason(
    bounded: ServerThread, tokens: Tokens
) -> None:
    body = post(bounded, tokens, MY_SQL, "yesterday").json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert HEADER in error["message"] and "'yesterday'" in error["message"]
