"""The query cost limit, and an event loop no request can hold.

A query is priced before it runs (api/cost.py): a list multiplies what it selects by its
`first`. Over the limit it is refused with QUERY_TOO_COMPLEX; under it, the estimate is an
upper bound of the fields it returns. Heavy resolvers run in worker threads, so /healthz
answers quickly while the heaviest queries run.
"""

from __future__ import annotations

import glob
import re
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse

from api.app import create_app
from api.auth import Role, Tokens
from api.cost import query_cost
from api.schema import schema
from graph import communities
from graph.embedded import BoltEndpoint
from graph.organisation import write_organisation
from graph.roles import MAX_ROLES
from graph.seed import generate_organisation
from graph.store import Store
from matching.health.columns import COLUMNS
from tests.api.conftest import (
    AGENT,
    MODERATOR,
    Api,
    ServerThread,
    app_settings,
    store_settings_for,
)
from tests.conftest import empty, run_aside

pytestmark = pytest.mark.anyio

WEB = Path(__file__).parents[2] / "web" / "static" / "js"
FANOUT = (
    "{ communities { members(first: 100) { communities { members(first: 100) "
    "{ communities { id } } } } } }"
)


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    return query_cost(schema._schema, parse(query), None, variables or {})


def count_fields(value: Any) -> int:
    """How many fields an answer holds (each key of each object, at every level)."""
    if isinstance(value, dict):
        return sum(1 + count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


def test_lists_multiply_by_first_and_fragments_and_variables_count() -> None:
    one = cost("{ people(first: 10) { edges { node { id name } } } }")
    assert one == 1 + 1 + 10 * (1 + 2)
    assert cost("query($n: Int) { people(first: $n) { edges { node { id } } } }", {"n": 40}) == (
        1 + 1 + 40 * 2
    )
    spread = cost(
        "query { people(first: 10) { edges { node { ...who } } } } fragment who on Person { id name }"
    )
    assert spread == one
    # a list without `first`: 10 items nested, 100 at the top, or what the model bounds
    assert cost("{ me { skills { level } } }") == 1 + 1 + 10 * 1
    assert cost("{ teams { id } }") == 1 + 100 * 1
    assert cost("{ squads { members { role } } }") == 1 + 100 * (1 + 12 * 1)
    # a report's columns and two per role profile (there may be MAX_ROLES of them)
    assert cost("{ networkHealth { metrics { name } } }") == 1 + 1 + (len(COLUMNS) + 2 * MAX_ROLES)
    assert cost('{ networkHealth { metrics(names: ["people", "load.pending"]) { name } } }') == 4
    assert cost("{ networkHealthHistory(last: 7) { takenAt } }") == 1 + 7 * 1
    # a `first` past every list's cap counts at the largest page; the list refuses it itself
    assert cost("{ networkHealth { isolated(first: 100000) { id } } }") == 1 + 1 + 1000 * 1


async def test_the_fanout_query_is_refused_before_it_runs(org: Store, api: Api) -> None:
    for n in range(3):
        await org.write(communities.create_community, name=f"Fan {n}", moderator_ids=["tess"])
    started = time.monotonic()
    error = api.error(FANOUT, as_=AGENT)
    # refused at parse time; a shared CI core can stall a second
    assert time.monotonic() - started < 3
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "first" in error["message"] and "10,000" in error["message"]


async def test_the_estimate_bounds_what_a_query_returns(org: Store, api: Api) -> None:
    await write_organisation(org, generate_organisation(people=120, seed=3), create=True)
    queries = [
        "{ people(first: 30) { totalCount edges { cursor node { id name skills { level skill "
        "{ name aliases } } learningGoals { priority skill { key } } } } } }",
        "{ communities { id name memberCount members(first: 10) { id name team { name } } } }",
        "{ squads { id name focusSkills { name } members { role person { name } } } }",
        "{ mentorSuggestions(first: 10) { score explanation mentor { id name } "
        "matchedSkills { teacherLevel skill { name } } } }",
        "{ networkHealth { people metrics { name value } skillBalance(first: 40) { supply "
        "demand skill { name } } isolated(first: 30) { id name } } }",
    ]
    people = (await org.query("MATCH (p:Person) RETURN p.id AS id ORDER BY id LIMIT 1"))[0]
    for query in queries:
        who = (people["id"], Role.HR)
        answer = api(query, as_=who)
        assert "errors" not in answer, answer["errors"]
        assert count_fields(answer["data"]) <= cost(query), query


def test_every_query_of_the_web_pages_is_allowed() -> None:
    found = 0
    for path in sorted(glob.glob(str(WEB / "*.js"))):
        for match in re.finditer(r"`((?:query|mutation|\{)[^`]*)`", Path(path).read_text()):
            text = match.group(1)
            if "${" in text:
                text = re.sub(r"\$\{[^}]*\}", "x", text)
            try:
                document = parse(text)
            except Exception:
                continue  # a template assembled at run time
            found += 1
            assert query_cost(schema._schema, document) <= 10_000, (path, text[:80])
    assert found >= 8


async def test_the_limit_is_a_setting(org: Store, endpoint: BoltEndpoint, tokens: Tokens) -> None:
    app = create_app(
        app_settings(skillweave_max_query_cost=30), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
        headers = {"Authorization": f"Bearer {tokens.mint(*AGENT)}"}
        small = http.post("/graphql", json={"query": "{ me { id name } }"}, headers=headers)
        big = http.post(
            "/graphql",
            json={"query": "{ me { skills { level skill { name } } } }"},
            headers=headers,
        )
    assert "errors" not in small.json()
    assert big.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_every_list_refuses_first_out_of_range(org: Store, api: Api) -> None:
    community = await org.write(communities.create_community, name="Lists", moderator_ids=["tess"])
    for first in (0, 101):
        error = api.error(
            "query($c: ID!, $n: Int!) { community(id: $c) { members(first: $n) { id } } }",
            {"c": community.id, "n": first},
            as_=MODERATOR,
        )
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "`first` must be from 1 to 100" in error["message"]


@pytest.fixture
def seeded(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    async def seed() -> None:
        async with await Store.connect(endpoint) as store:
            await empty(store)
            await write_organisation(store, generate_organisation(people=2500, seed=5), create=True)

    run_aside(seed())
    app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running:
        yield running


HEAVY = {
    "directory at the cost limit": (
        "{ people(first: 80) { edges { node { id name title site function shift timezone "
        "languages tenureMonths team { id name } manager { id name } skills { level skill { key "
        "name category } } } } } }"
    ),
    "organisation-wide optimal assignment": (
        "mutation { assignMentors(mode: OPTIMAL) { pairCount unmatchedCount totalScore } }"
    ),
    "emerging communities": "{ emergingCommunities(minSize: 3, first: 50) { overlap skills { name } } }",
    "organisation report": "{ networkHealth { people metrics { name value } } }",
}


def test_healthz_answers_within_100_ms_while_the_heaviest_queries_run(
    seeded: ServerThread, tokens: Tokens
) -> None:
    assert cost(HEAVY["directory at the cost limit"]) <= 10_000
    hr = tokens.mint("E000001", Role.HR)
    admin = tokens.mint("E000002", Role.ADMIN)
    stop = threading.Event()
    answered: list[str] = []

    def token_for(query: str) -> str:
        return admin if query.startswith("mutation") or "emerging" in query else hr

    def hammer(query: str) -> None:
        token = token_for(query)
        with httpx.Client(base_url=seeded.url, timeout=120) as http:
            while not stop.is_set():
                body = http.post(
                    "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
                ).json()
                assert "errors" not in body, body["errors"]
                answered.append(query)

    for query in HEAVY.values():  # warm: first loads of the projection's indexes
        hammer_once = httpx.post(
            f"{seeded.url}/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {token_for(query)}"},
            timeout=120,
        )
        assert "errors" not in hammer_once.json(), hammer_once.json()
    latencies: list[float] = []
    for query in HEAVY.values():
        worker = threading.Thread(target=hammer, args=(query,))
        worker.start()
        try:
            time.sleep(0.3)
            with httpx.Client(base_url=seeded.url, timeout=10) as http:
                for _ in range(25):
                    started = time.perf_counter()
                    assert http.get("/healthz").status_code == 200
                    latencies.append((time.perf_counter() - started) * 1000)
                    time.sleep(0.03)
        finally:
            stop.set()
            worker.join(timeout=120)
            stop.clear()
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"/healthz under load: median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(latencies):.1f} ms"
    )
    assert len(answered) >= len(HEAVY), "the heavy queries ran meanwhile"
    # The promise is the 100 ms probe budget; a lone scheduler hiccup on a shared 2-core runner
    # may pass it, but a loop blocked by the heavy work (each query here runs for a second or
    # more) would show as a stall of that length.
    assert p95 < 100, (statistics.median(latencies), p95, max(latencies))
    assert max(latencies) < 400, (statistics.median(latencies), p95, max(latencies))
