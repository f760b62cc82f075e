"""Neo4j's plans for every statement the service sends under the load mix, profiled.

    python benchmarks/plans.py                 # 10,000 people
    python benchmarks/plans.py --people 2000   # quicker

Seeds a fresh Neo4j 5.26 (``tests/neo4j_server.py``), serves it in this process and drives
each operation of ``benchmarks/load.py``'s mix, plus the writes people make most (request,
accept, join), while collecting every distinct statement with the parameters it was sent
with. Each statement is then run once more under ``PROFILE`` in a transaction that is
rolled back, and its plan summarised: database hits, rows, time, and the operators that
read more than they must (label or relationship-type scans, cartesian products). Statements
sent at start-up (the projection's whole-graph export, which reads everything by design, and
the first expiry sweep) are listed apart.

The Cypher was rewritten for ArcadeDB's planner (pattern comprehensions, anchored matches,
docs/operations.md); this checks the same text plans well on Neo4j.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import httpx  # noqa: E402
import neo4j  # noqa: E402
from rich.console import Console  # noqa: E402

from api.app import create_app  # noqa: E402
from api.auth import Role, Tokens  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from benchmarks.load import MIX, body, choose_people  # noqa: E402
from graph import store as store_module  # noqa: E402
from graph.organisation import write_organisation  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from graph.store import Store  # noqa: E402
from tests.api.conftest import SECRET, ServerThread, app_settings, store_settings_for  # noqa: E402
from tests.neo4j_server import Neo4jTestServer  # noqa: E402

console = Console()

WIDE = {
    "AllNodesScan",
    "NodeByLabelScan",
    "DirectedRelationshipTypeScan",
    "UndirectedRelationshipTypeScan",
    "CartesianProduct",
    "DirectedAllRelationshipsScan",
    "UndirectedAllRelationshipsScan",
}
"""Operators that read a whole label, type or store, or multiply rows."""

EXTRA = {
    "requestMentorship": 'mutation($m: ID!) { requestMentorship(mentorId: $m, focusSkills: ["sql"]) { id } }',
    "joinCommunity": "mutation($c: ID!) { joinCommunity(communityId: $c) { id } }",
}


class Collector:
    """The distinct statements sent (by text), how often, and the first parameters seen."""

    def __init__(self) -> None:
        self.params: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self.phase = "start"
        self.phases: dict[str, str] = {}

    def __call__(self, cypher: str, params: dict[str, Any]) -> None:
        self.calls[cypher] += 1
        self.params.setdefault(cypher, dict(params))
        self.phases.setdefault(cypher, self.phase)


def operators(plan: Any) -> list[Any]:
    """Every operator of a profiled plan, depth first."""
    found = [plan]
    for child in plan.get("children", []):
        found += operators(child)
    return found


def name_of(operator: Any) -> str:
    return str(operator["operatorType"]).split("@")[0]


async def profile(
    session: neo4j.AsyncSession, cypher: str, params: dict[str, Any], repeat: int = 5
) -> tuple[Any, float | None, bool]:
    """(plan, median ms, profiled) of ``cypher``, in transactions that are rolled back.

    PROFILE runs the statement and counts database hits. Where Neo4j cannot profile it
    (a create whose unique id the workload already wrote; a Neo4j 5.26 limitation on some
    whole-label reads), the plan comes from EXPLAIN, without hits or time.
    """

    async def once(prefix: str) -> Any:
        tx = await session.begin_transaction()
        try:
            summary = await (await tx.run(prefix + cypher, params)).consume()
        finally:
            await tx.rollback()
        return summary

    try:
        summary = await once("PROFILE ")
    except neo4j.exceptions.Neo4jError:
        summary = await once("EXPLAIN ")
        return summary.plan, None, False
    if summary.profile is None:  # a schema command: nothing to plan
        return None, None, False
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        await once("")
        took.append((time.perf_counter() - started) * 1000)
    return summary.profile, statistics.median(took), True


def drive(url: str, tokens: Any, org: Any, collector: Collector, repeat: int) -> None:
    """Every operation of the load mix ``repeat`` times, then the common writes, over HTTP."""
    rng = random.Random(3)
    people = choose_people(org, 16, rng)
    with httpx.Client(base_url=url, timeout=120) as http:

        def post(who: tuple[str, Role], payload: bytes | dict[str, Any]) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {tokens.mint(*who)}"}
            if isinstance(payload, bytes):
                answer = http.post(
                    "/graphql",
                    content=payload,
                    headers={**headers, "Content-Type": "application/json"},
                )
            else:
                answer = http.post("/graphql", json=payload, headers=headers)
            data: dict[str, Any] = answer.json()
            if data.get("errors"):
                console.print(f"[yellow]{data['errors'][0]['message']}[/yellow]")
            return data

        for role, mix in MIX.items():
            who = next(p for p in people if p[1] is role)
            for operation, _ in mix:
                collector.phase = operation
                for _ in range(repeat):
                    post(who, body(operation, rng, org))
        agents = [p for p in people if p[1] is Role.AGENT]
        mentor = next(p for p in org.people if p.open_to_mentoring and p.mentoring_capacity > 1)
        collector.phase = "requestMentorship"
        requested = post(
            agents[0], {"query": EXTRA["requestMentorship"], "variables": {"m": mentor.id}}
        )
        collector.phase = "respondToMentorship"
        if requested.get("data"):
            request_id = requested["data"]["requestMentorship"]["id"]
            post(
                (mentor.id, Role.AGENT),
                {"query": 'mutation($id: ID!) { respondToMentorship(id: $id, accept: true) { status } }',
                 "variables": {"id": request_id}},
            )  # fmt: skip
        collector.phase = "joinCommunity"
        community = org.communities[0].id
        post(agents[1], {"query": EXTRA["joinCommunity"], "variables": {"c": community}})


async def main(args: argparse.Namespace) -> None:
    report = Report(console)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="skillweave-plans-") as folder:
        server = Neo4jTestServer(Path(folder) / "neo4j")
        endpoint = server.start()
        try:
            async with await Store.connect(endpoint) as store:
                await ensure_schema(store)
                console.print(f"seeding {args.people:,} people into Neo4j {server.version} ...")
                org = generate_organisation(people=args.people, seed=7)
                await write_organisation(store, org, create=True)
            collector = Collector()
            store_module.statements_sent.tap = collector
            app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
            tokens = Tokens(SECRET, issuer="skillweave", audience="skillweave-api",
                            lifetime=dt.timedelta(hours=1))  # fmt: skip
            with ServerThread(app) as running:
                await asyncio.to_thread(drive, running.url, tokens, org, collector, args.repeat)
            store_module.statements_sent.tap = None
            console.print(f"{len(collector.params)} distinct statements; profiling ...")
            rows, bulk_rows, flagged = [], [], 0
            driver = neo4j.AsyncGraphDatabase.driver(
                endpoint.uri, auth=(endpoint.user, endpoint.password)
            )
            async with driver, driver.session(database=endpoint.database) as session:
                for cypher, params in collector.params.items():
                    plan, ms, profiled = await profile(session, cypher, params)
                    if plan is None:
                        continue
                    ops = operators(plan)
                    hits = sum(int(o.get("dbHits", 0)) for o in ops)
                    wide = sorted(
                        {
                            f"{name_of(o)}({o.get('args', {}).get('Details', '')[:40]})"
                            for o in ops
                            if name_of(o) in WIDE
                        }
                    )
                    first = [name_of(o) for o in reversed(ops) if not o.get("children")]
                    text = " ".join(cypher.split())
                    row = [
                        f"`{text[:110]}{'…' if len(text) > 110 else ''}`",
                        collector.phases[cypher],
                        str(collector.calls[cypher]),
                        f"{hits:,}" if profiled else "(EXPLAIN)",
                        f"{int(plan.get('rows', 0)):,}" if profiled else "–",
                        f"{ms:.1f}" if ms is not None else "–",
                        ", ".join(dict.fromkeys(first)) or "–",
                        ", ".join(wide) or "none",
                    ]
                    if collector.phases[cypher] == "start":
                        bulk_rows.append(row)
                    else:
                        rows.append(row)
                        flagged += bool(wide)
            headers = ["statement", "first sent by", "calls", "db hits", "rows", "ms",
                       "plan starts with", "wide reads"]  # fmt: skip
            report.heading(f"Neo4j {server.version} plans: {args.people:,} people")
            report.table(
                "Statements of requests (the load mix, request, accept, join)",
                headers,
                sorted(rows, key=lambda r: -int(r[3].replace(",", "")) if r[3][0].isdigit() else 0),
                notes=[
                    f"{flagged} of {len(rows)} read a whole label or type or multiply rows; "
                    "ms: median of 5 runs of the statement alone, each in its own transaction "
                    "(rolled back), over loopback Bolt"
                ],
            )
            report.table(
                "Sent at start-up: the whole-graph export (reads everything by design) and the "
                "expiry sweep",
                headers,
                bulk_rows,
            )
        finally:
            server.stop()
    if args.markdown:
        report.save(args.markdown)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="times each operation is sent")
    parser.add_argument("--markdown", default=str(_HERE / "results" / "plans.md"))
    asyncio.run(main(parser.parse_args()))
