"""Two ``skillweave serve`` processes on one store: a client that sends back the version it
was answered with (``X-Skillweave-Version``) reads its writes through either; without it a
read is at most the staleness bound old (docs/projection.md); limits hold across both.

On the Neo4j suite the replicas share the Neo4j server; on the embedded suite they share one
embedded store reached over Bolt, as ``skillweave store`` runs it (docs/operations.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import Role, Tokens
from api.bookmarks import HEADER as VERSION
from api.bookmarks import format_version
from graph import communities
from graph.changes import current_version
from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.api.conftest import ServeProcess, requests_to_mia

pytestmark = pytest.mark.anyio


BOUND = 5.0
"""The replicas' staleness bound here: long enough that a read inside it is surely stale
without the version, short enough to wait out."""


@pytest.fixture
def replicas(org: Store, endpoint: BoltEndpoint, tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Two serve processes, started after the small organisation was written."""
    pair = [
        ServeProcess(
            endpoint,
            tmp_path / f"replica{n}",
            SKILLWEAVE_HEALTH_MAX_AGE_SECONDS="0",
            SKILLWEAVE_READ_STALENESS_SECONDS=str(BOUND),
        )
        for n in (1, 2)
    ]
    try:
        for replica in pair:
            replica.wait_ready()
        yield pair
    finally:
        for replica in pair:
            replica.stop()


def call(
    replica: ServeProcess,
    tokens: Tokens,
    who: tuple[str, Role],
    query: str,
    *,
    seen: dict[str, str] | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """One GraphQL call; with ``seen``, it sends the last version answered and keeps the new
    one, as the web pages do."""
    headers = {"Authorization": f"Bearer {tokens.mint(*who)}"}
    if seen:
        headers[VERSION] = seen["version"]
    response = httpx.post(
        f"{replica.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    if seen is not None and VERSION in response.headers:
        seen["version"] = response.headers[VERSION]
    body: dict[str, Any] = response.json()
    return body


SET_SKILL = 'mutation($level: Int!) { setSkill(skill: "sql", level: $level) { id } }'
MY_SQL = "{ me { skills { level skill { key } } } }"


async def test_a_client_sending_its_version_reads_its_writes_through_either_replica(
    replicas: list[ServeProcess], tokens: Tokens
) -> None:
    ana = ("ana", Role.AGENT)
    seen: dict[str, str] = {}
    for level in (1, 2, 3, 4, 5, 3):
        writer, reader = replicas if level % 2 else replicas[::-1]
        call(reader, tokens, ana, MY_SQL)  # the reader has just checked: inside its bound
        assert "errors" not in call(writer, tokens, ana, SET_SKILL, seen=seen, level=level)
        skills = call(reader, tokens, ana, MY_SQL, seen=seen)["data"]["me"]["skills"]
        assert {"level": level, "skill": {"key": "sql"}} in skills, (level, skills)

    tess = ("tess", Role.MODERATOR)
    created = call(
        replicas[0],
        tokens,
        tess,
        'mutation { createCommunity(input: {name: "Replica readers"}) { id } }',
        seen=seen,
    )
    community = created["data"]["createCommunity"]["id"]
    listed = call(replicas[1], tokens, tess, "{ communities { id name } }", seen=seen)["data"]
    assert {"id": community, "name": "Replica readers"} in listed["communities"]
    count = "query($c: ID!) { community(id: $c) { memberCount } }"
    before = call(replicas[0], tokens, tess, count, seen=seen, c=community)["data"]["community"]
    joined = call(
        replicas[1], tokens, ana, "mutation($c: ID!) { joinCommunity(communityId: $c) { id } }",
        seen=seen, c=community,
    )  # fmt: skip
    assert "errors" not in joined, joined
    after = call(replicas[0], tokens, tess, count, seen=seen, c=community)["data"]["community"]
    assert after["memberCount"] == before["memberCount"] + 1


async def test_without_the_version_a_read_is_at_most_the_bound_old(
    replicas: list[ServeProcess], tokens: Tokens
) -> None:
    ana = ("ana", Role.AGENT)
    writer, reader = replicas
    old = call(reader, tokens, ana, MY_SQL)["data"]["me"]["skills"]  # the reader checks now
    checked = time.monotonic()
    assert "errors" not in call(writer, tokens, ana, SET_SKILL, level=1)
    stale = call(reader, tokens, ana, MY_SQL)["data"]["me"]["skills"]
    assert time.monotonic() - checked < BOUND, "too slow a machine to see the bound"
    assert stale == old, "inside the bound the reader answers from what it holds"
    time.sleep(max(0.0, BOUND - (time.monotonic() - checked)) + 0.1)
    fresh = call(reader, tokens, ana, MY_SQL)["data"]["me"]["skills"]
    assert {"level": 1, "skill": {"key": "sql"}} in fresh, "past the bound it checks again"


async def test_a_version_not_sent_by_the_service_is_refused(
    replicas: list[ServeProcess], tokens: Tokens
) -> None:
    seen = {"version": "not a version"}
    body = call(replicas[0], tokens, ("ana", Role.AGENT), MY_SQL, seen=seen)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert VERSION in body["errors"][0]["message"]


def _race(
    replicas: list[ServeProcess], tokens: Tokens, calls: list[tuple[tuple[str, Role], str]]
) -> list[dict[str, Any]]:
    """Send every call at once, alternating between the replicas."""

    def send(numbered: tuple[int, tuple[tuple[str, Role], str]]) -> dict[str, Any]:
        n, (who, query) = numbered
        return call(replicas[n % 2], tokens, who, query)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, enumerate(calls)))


async def test_racing_accepts_through_both_replicas_never_exceed_capacity(
    org: Store, replicas: list[ServeProcess], tokens: Tokens
) -> None:
    ids = await requests_to_mia(org, 24)
    accept = 'mutation { respondToMentorship(id: "%s", accept: true) { status } }'
    mia = ("mia", Role.AGENT)
    results = _race(replicas, tokens, [(mia, accept % i) for i in ids])
    assert sum("errors" not in r for r in results) == 2
    assert {r["errors"][0]["extensions"]["code"] for r in results if "errors" in r} == {"CONFLICT"}
    active = await org.query(
        "MATCH (:Person {id: 'mia'})-[:MENTOR_IN]->(m:Mentorship {status: 'active'}) "
        "RETURN count(m) AS n"
    )
    assert active == [{"n": 2}]
    now = {"version": format_version(await org.read(current_version))}
    for replica in replicas:  # both replicas, asked for the version now, read the same two
        mine = call(replica, tokens, mia, "{ me { mentorships { status } } }", seen=dict(now))
        mine = mine["data"]["me"]
        assert sum(m["status"] == "ACTIVE" for m in mine["mentorships"]) == 2


async def test_racing_joins_through_both_replicas_make_one_membership(
    org: Store, replicas: list[ServeProcess], tokens: Tokens
) -> None:
    community = await org.write(communities.create_community, name="Both replicas")
    join = f'mutation {{ joinCommunity(communityId: "{community.id}") {{ memberCount }} }}'
    results = _race(replicas, tokens, [(("ana", Role.AGENT), join)] * 20)
    assert sum("errors" not in r for r in results) == 1
    assert {r["errors"][0]["extensions"]["code"] for r in results if "errors" in r} == {"CONFLICT"}
    members = await org.query(
        "MATCH (:Person {id: 'ana'})-[r:IN_COMMUNITY]->(:Community {id: $c}) RETURN count(r) AS n",
        c=community.id,
    )
    assert members == [{"n": 1}]
