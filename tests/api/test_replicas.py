"""Two ``skillweave serve`` processes on one store: each sees the other's writes at its next
request (the freshness rule, docs/projection.md), and limits hold across both.

On the Neo4j suite the replicas share the Neo4j server; on the embedded suite they share one
embedded store reached over Bolt, as ``skillweave store`` runs it (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import Role, Tokens
from graph import communities
from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.api.conftest import ServeProcess, requests_to_mia

pytestmark = pytest.mark.anyio


@pytest.fixture
def replicas(org: Store, endpoint: BoltEndpoint, tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Two serve processes, started after the small organisation was written."""
    pair = [
        ServeProcess(endpoint, tmp_path / f"replica{n}", SKILLWEAVE_HEALTH_MAX_AGE_SECONDS="0")
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
    replica: ServeProcess, tokens: Tokens, who: tuple[str, Role], query: str, **variables: Any
) -> dict[str, Any]:
    response = httpx.post(
        f"{replica.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {tokens.mint(*who)}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


SET_SKILL = 'mutation($level: Int!) { setSkill(skill: "sql", level: $level) { id } }'
MY_SQL = "{ me { skills { level skill { key } } } }"


async def test_a_write_through_one_replica_is_read_at_once_through_the_other(
    replicas: list[ServeProcess], tokens: Tokens
) -> None:
    ana = ("ana", Role.AGENT)
    for level in (1, 2, 3, 4, 5, 3):
        writer, reader = replicas if level % 2 else replicas[::-1]
        assert "errors" not in call(writer, tokens, ana, SET_SKILL, level=level)
        seen = call(reader, tokens, ana, MY_SQL)["data"]["me"]["skills"]
        assert {"level": level, "skill": {"key": "sql"}} in seen, (level, seen)

    tess = ("tess", Role.MODERATOR)
    created = call(
        replicas[0],
        tokens,
        tess,
        'mutation { createCommunity(input: {name: "Replica readers"}) { id } }',
    )
    community = created["data"]["createCommunity"]["id"]
    listed = call(replicas[1], tokens, tess, "{ communities { id name } }")["data"]
    assert {"id": community, "name": "Replica readers"} in listed["communities"]
    count = "query($c: ID!) { community(id: $c) { memberCount } }"
    before = call(replicas[0], tokens, tess, count, c=community)["data"]["community"]
    joined = call(
        replicas[1], tokens, ana, "mutation($c: ID!) { joinCommunity(communityId: $c) { id } }",
        c=community,
    )  # fmt: skip
    assert "errors" not in joined, joined
    after = call(replicas[0], tokens, tess, count, c=community)["data"]["community"]
    assert after["memberCount"] == before["memberCount"] + 1


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
    for replica in replicas:  # both replicas now read the same two
        mine = call(replica, tokens, mia, "{ me { mentorships { status } } }")["data"]["me"]
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
