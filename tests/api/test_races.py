"""Concurrent requests against the real store: capacity and request limits hold."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api.auth import Role, Tokens
from graph import communities, mentorships
from graph.store import Store
from tests.api.conftest import ServerThread, requests_to_mia

pytestmark = pytest.mark.anyio

MENTEES = ["ana", "ben", "lead", "omar", "tess", "hana", "adi"]


def post_all(
    server: ServerThread, tokens: Tokens, calls: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Send each (person, query) at the same time, each on its own connection."""

    def send(call: tuple[str, str]) -> dict[str, Any]:
        person, query = call
        token = tokens.mint(person, Role.AGENT)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            response = http.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
            )
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


@pytest.mark.parametrize("capacity", [1, 2])
async def test_racing_accepts_never_exceed_capacity(
    org: Store, server: ServerThread, tokens: Tokens, capacity: int
) -> None:
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = $c", c=capacity)
    ids = []
    for mentee in MENTEES:
        created = await org.write(
            mentorships.request_mentorship,
            mentee_id=mentee,
            mentor_id="mia",
            focus_skills=["empathy"],
        )
        ids.append(created.id)
    accept = 'mutation { respondToMentorship(id: "%s", accept: true) { status } }'
    results = post_all(server, tokens, [("mia", accept % i) for i in ids])
    accepted = [r for r in results if "errors" not in r]
    refused = [r["errors"][0] for r in results if "errors" in r]
    assert len(accepted) == capacity
    assert len(refused) == len(MENTEES) - capacity
    assert {e["extensions"]["code"] for e in refused} == {"CONFLICT"}
    assert all("capacity" in e["message"] for e in refused)
    active = await org.query(
        "MATCH (:Person {id: 'mia'})-[:MENTOR_IN]->(m:Mentorship {status: 'active'}) RETURN count(m) AS n"
    )
    assert active == [{"n": capacity}]


async def test_racing_requests_respect_the_pending_limit(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    await org.query("MATCH (p:Person) SET p.open_to_mentoring = true, p.mentoring_capacity = 3")
    mentors = [m for m in MENTEES if m != "ana"] + ["mia"]
    ask = 'mutation { requestMentorship(mentorId: "%s", focusSkills: ["sql"]) { id } }'
    results = post_all(server, tokens, [("ana", ask % m) for m in mentors])
    assert sum("errors" not in r for r in results) == 3
    pending = await org.query(
        "MATCH (:Person {id: 'ana'})-[:MENTEE_IN]->(m:Mentorship {status: 'requested'}) RETURN count(m) AS n"
    )
    assert pending == [{"n": 3}]


async def test_fifty_racing_accepts_on_a_mentor_with_capacity_two_make_exactly_two(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    ids = await requests_to_mia(org, 50)
    accept = 'mutation { respondToMentorship(id: "%s", accept: true) { status } }'
    results = post_all(server, tokens, [("mia", accept % i) for i in ids])
    assert sum("errors" not in r for r in results) == 2
    assert {r["errors"][0]["extensions"]["code"] for r in results if "errors" in r} == {"CONFLICT"}
    active = await org.query(
        "MATCH (:Person {id: 'mia'})-[:MENTOR_IN]->(m:Mentorship {status: 'active'}) "
        "RETURN count(m) AS n"
    )
    assert active == [{"n": 2}]


async def test_fifty_racing_joins_by_one_person_make_one_membership(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    community = await org.write(communities.create_community, name="Night shift SQL")
    join = f'mutation {{ joinCommunity(communityId: "{community.id}") {{ memberCount }} }}'
    results = post_all(server, tokens, [("ana", join)] * 50)
    assert sum("errors" not in r for r in results) == 1
    assert {r["errors"][0]["extensions"]["code"] for r in results if "errors" in r} == {"CONFLICT"}
    members = await org.query(
        "MATCH (:Person {id: 'ana'})-[r:IN_COMMUNITY]->(:Community {id: $c}) RETURN count(r) AS n",
        c=community.id,
    )
    assert members == [{"n": 1}]
