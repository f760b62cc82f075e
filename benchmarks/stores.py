"""The embedded ArcadeDB and Neo4j side by side, and Skillweave beside @neo4j/graphql.

    python benchmarks/stores.py                           # 50,000 people, about 25 minutes
    python benchmarks/stores.py --people 5000 --seconds 15   # a quick look

For each store in turn (the same generated organisation, seed 7, written the same way), in
one run:

- seeding: the time ``write_organisation`` takes to write everyone;
- one write: ``setSkill`` over GraphQL from one client (the store's transaction, the change
  log and the projection's refresh), and the same write as a bare store transaction;
- ``person(id)``, a whole profile, from 8 concurrent clients: p50/p95, requests/s and CPU per
  request of the service and of the store;
- the ``benchmarks/load.py`` mix, 32 clients back to back: requests/s, p95 and CPU.

Then, on the Neo4j store, **the peer a user would pick instead**: the Neo4j GraphQL Library
(``@neo4j/graphql`` 7 on ``@apollo/server`` 5, ``benchmarks/neo4j_graphql``, installed with
npm on first use) over the same Neo4j and the same data, against Skillweave serving the same
fields: a person with skills, goals and mentorships, and a 50-person page sorted by name.
Latency from one client, and from 8 clients with CPU per request of the GraphQL server
and of Neo4j. Every process shares the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

from rich.console import Console  # noqa: E402

from api.auth import Role  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from benchmarks._service import (  # noqa: E402
    STORES,
    Connection,
    CpuMeter,
    Service,
    free_port,
    percentile,
    running_service,
)
from benchmarks.load import choose_people, run  # noqa: E402
from graph import people as people_module  # noqa: E402

console = Console()
PEER = _HERE / "neo4j_graphql"

PROFILE_FIELDS = """id name title site
  skills { level skill { name } }
  learningGoals { priority skill { name } }
  mentorships { status mentor { name } mentee { name } focusSkills { name } }"""
SKILLWEAVE_PROFILE = "query($id: ID!) { person(id: $id) { " + PROFILE_FIELDS + " } }"
SKILLWEAVE_PAGE = """{ people(first: 50) { edges { node { id name title site
  skills { level skill { name } } } } } }"""
PEER_MENTORSHIP = "status mentor { name } mentee { name } focusSkills { name }"
PEER_PROFILE = (
    """query($id: ID!) { people(where: {id: {eq: $id}}) { id name title site
  skillsConnection { edges { properties { level } node { name } } }
  learningGoalsConnection { edges { properties { priority } node { name } } }"""
    + f" mentorIn {{ {PEER_MENTORSHIP} }} menteeIn {{ {PEER_MENTORSHIP} }} }} }}"
)
PEER_PAGE = """{ people(limit: 50, sort: [{name: ASC}, {id: ASC}]) { id name title site
  skillsConnection { edges { properties { level } node { name } } } } }"""
SET_SKILL = 'mutation($level: Int!) { setSkill(skill: "SQL", level: $level) { id } }'


def encode(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def stats(values: list[float]) -> tuple[str, str]:
    return f"{statistics.median(values):.1f}", f"{percentile(values, 0.95):.1f}"


async def timed_requests(
    url: str, token: str, bodies: Callable[[int], bytes], count: int
) -> list[float]:
    """Latencies (ms) of ``count`` requests from one client, checked for errors."""
    took = []
    async with Connection(url, token) as http:
        for i in range(count):
            started = time.perf_counter()
            status, answer = await http.post(bodies(i))
            took.append((time.perf_counter() - started) * 1000)
            if status != 200 or b'"errors"' in answer:
                raise RuntimeError(f"{status} {answer[:300]!r}")
    return took


async def concurrent_requests(
    url: str, token: str, bodies: Callable[[int], bytes], clients: int, seconds: float,
    meter: CpuMeter,
) -> tuple[list[float], float, dict[str, float]]:  # fmt: skip
    """(latencies, elapsed, CPU seconds per process) of ``clients`` clients back to back."""
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    counter = [0]

    async def client() -> None:
        async with Connection(url, token) as http:
            while time.perf_counter() < stop_at:
                counter[0] += 1
                started = time.perf_counter()
                status, answer = await http.post(bodies(counter[0]))
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200 or b'"errors"' in answer:
                    raise RuntimeError(f"{status} {answer[:300]!r}")

    before = meter.read()
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    used = {name: value - before[name] for name, value in meter.read().items()}
    return latencies, elapsed, used


def start_peer(service: Service) -> subprocess.Popen[bytes]:
    """The @neo4j/graphql server over the service's Neo4j, once it prints READY."""
    if shutil.which("node") is None:
        raise SystemExit("Node.js 20+ is needed for the @neo4j/graphql comparison")
    if not (PEER / "node_modules").exists():
        console.print("installing @neo4j/graphql and @apollo/server with npm ...")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": service.endpoint.uri,
        "NEO4J_USER": service.endpoint.user,
        "NEO4J_PASSWORD": service.endpoint.password,
        "NEO4J_DATABASE": service.endpoint.database,
        "PORT": str(port),
        "NODE_ENV": "production",
    }
    process = subprocess.Popen(["node", "server.mjs"], cwd=PEER, env=env, stdout=subprocess.PIPE)
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"@neo4j/graphql did not start: {line!r}")
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return process


async def measure_store(
    kind: str, args: argparse.Namespace, report: Report, summary: dict[str, list[str]]
) -> None:
    heap = "4g"  # both stores get the same Java heap
    async with running_service(args.people, store=kind, heap=heap) as service:
        org, meter = service.org, CpuMeter(service.processes)
        rng = random.Random(args.seed)
        clients = choose_people(org, 32, rng)
        agent = next(pid for pid, role in clients if role is Role.AGENT)
        hr = next(pid for pid, role in clients if role is Role.HR)
        hr_token = service.tokens.mint(hr, Role.HR)
        ids = [p.id for p in org.people]
        console.print(f"[{kind}] warming up ...")
        await run(service.url, service.tokens, clients, org, 10, 300, args.seed + 1)

        # one write, end to end and as a bare store transaction
        write = await timed_requests(
            service.url, service.tokens.mint(agent, Role.AGENT),
            lambda i: encode(SET_SKILL, {"level": 1 + i % 5}), args.writes,
        )  # fmt: skip
        bare = []
        for i in range(args.writes):
            started = time.perf_counter()
            await service.store.write(people_module.set_skill, agent, "sql", 1 + i % 5)
            bare.append((time.perf_counter() - started) * 1000)

        # person(id) from 8 clients
        def profile_of(i: int) -> bytes:
            return encode(SKILLWEAVE_PROFILE, {"id": ids[(i * 7919) % len(ids)]})

        lat, elapsed, cpu = await concurrent_requests(
            service.url, hr_token, profile_of, 8, args.seconds, meter
        )
        n = len(lat)

        # the load mix, back to back
        console.print(f"[{kind}] load mix, 32 clients, {args.seconds:.0f} s ...")
        results, mix_elapsed, _ = await run(
            service.url, service.tokens, clients, org, args.seconds, 10**9, args.seed, 0.0,
            CpuMeter(service.processes),
        )  # fmt: skip
        everything = [x for values in results.latencies.values() for x in values]
        errors = sum(len(e) for e in results.errors.values())
        summary[kind] = [
            f"{service.seconds_to_seed:.0f}",
            *stats(write),
            *stats(bare),
            *stats(lat),
            f"{n / elapsed:.0f}",
            f"{1000 * cpu['service'] / n:.2f}",
            f"{1000 * cpu['store'] / n:.2f}",
            f"{len(everything) / mix_elapsed:.0f}",
            f"{percentile(everything, 0.95):.0f}",
            f"{percentile(results.latencies['mentorSuggestions'], 0.95):.0f}",
            f"{1000 * results.cpu['service'] / len(everything):.2f}",
            f"{1000 * results.cpu['store'] / len(everything):.2f}",
            str(errors),
        ]
        if kind == "neo4j" and not args.no_peer:
            await measure_peer(service, args, report, hr_token, ids)


async def measure_peer(
    service: Service, args: argparse.Namespace, report: Report, hr_token: str, ids: list[str]
) -> None:
    peer = start_peer(service)
    try:
        processes = {**service.processes, "peer": peer.pid}
        meter = CpuMeter(processes)
        servers = {
            "Skillweave": (service.url, hr_token, SKILLWEAVE_PROFILE, SKILLWEAVE_PAGE),
            "@neo4j/graphql": (peer.url, "none", PEER_PROFILE, PEER_PAGE),  # type: ignore[attr-defined]
        }
        rows = []
        for what in ("profile", "page of 50"):
            for name, (url, token, profile_query, page_query) in servers.items():

                def bodies(
                    i: int, what: str = what, profile_query: str = profile_query,
                    page_query: str = page_query,
                ) -> bytes:  # fmt: skip
                    if what == "profile":
                        return encode(profile_query, {"id": ids[(i * 7919) % len(ids)]})
                    return encode(page_query)

                await timed_requests(url, token, bodies, 30)  # warm-up (and the JIT's)
                alone = await timed_requests(url, token, bodies, args.alone)
                lat, elapsed, cpu = await concurrent_requests(
                    url, token, bodies, 8, args.seconds / 2, meter
                )
                server_cpu = cpu["service"] if name == "Skillweave" else cpu["peer"]
                rows.append([
                    what, name, *stats(alone), *stats(lat), f"{len(lat) / elapsed:.0f}",
                    f"{1000 * server_cpu / len(lat):.2f}", f"{1000 * cpu['store'] / len(lat):.2f}",
                ])  # fmt: skip
        await check_same_answers(service, peer, hr_token, ids[:20])
        columns = [
            "read", "server", "1 client p50", "p95", "8 clients p50", "p95", "req/s",
            "server CPU ms/req", "Neo4j CPU ms/req",
        ]  # fmt: skip
        report.table(
            "The same reads from Skillweave and from @neo4j/graphql, over the same Neo4j",
            columns,
            rows,
            notes=[
                "latency in ms; profile: a person with skills, goals and mentorships "
                "(mentor, mentee, focus); page: 50 people by name with their skills",
                "Skillweave answers from its in-memory projection after one version check "
                "per request; @neo4j/graphql translates each request into one Cypher query",
                "both servers checked to return the same people, skills, goals and "
                "mentorships for 20 people",
            ],
            text_columns=2,
        )
    finally:
        peer.terminate()
        peer.wait(30)
        if peer.stdout is not None:
            peer.stdout.close()


async def check_same_answers(
    service: Service, peer: subprocess.Popen[bytes], hr_token: str, ids: list[str]
) -> None:
    """Both servers give the same facts for each person (a benchmark of equal work)."""
    import httpx

    async with httpx.AsyncClient(timeout=60) as http:
        for pid in ids:
            ours = (await http.post(
                f"{service.url}/graphql", json={"query": SKILLWEAVE_PROFILE, "variables": {"id": pid}},
                headers={"Authorization": f"Bearer {hr_token}"},
            )).json()["data"]["person"]  # fmt: skip
            theirs = (await http.post(
                f"{peer.url}/graphql",  # type: ignore[attr-defined]
                json={"query": PEER_PROFILE, "variables": {"id": pid}},
            )).json()["data"]["people"][0]  # fmt: skip
            skills = sorted((s["skill"]["name"], s["level"]) for s in ours["skills"])
            peer_skills = sorted(
                (e["node"]["name"], e["properties"]["level"])
                for e in theirs["skillsConnection"]["edges"]
            )
            goals = sorted(g["skill"]["name"] for g in ours["learningGoals"])
            peer_goals = sorted(
                e["node"]["name"] for e in theirs["learningGoalsConnection"]["edges"]
            )
            mentorships = sorted(
                (m["mentor"]["name"], m["mentee"]["name"]) for m in ours["mentorships"]
            )
            peer_mentorships = sorted(
                (m["mentor"][0]["name"], m["mentee"][0]["name"])
                for m in theirs["mentorIn"] + theirs["menteeIn"]
            )
            assert (skills, goals, mentorships) == (peer_skills, peer_goals, peer_mentorships), pid


async def main(args: argparse.Namespace) -> None:
    report = Report(console)
    report.heading(f"Embedded ArcadeDB and Neo4j 5.26, {args.people:,} people, same data")
    summary: dict[str, list[str]] = {}
    for kind in args.stores:
        await measure_store(kind, args, report, summary)
    columns = [
        "store", "seed s", "setSkill p50", "p95", "bare write p50", "p95",
        "person(id) 8 clients p50", "p95", "req/s", "service CPU ms/req", "store CPU ms/req",
        "mix req/s", "mix p95", "mentorSuggestions p95", "mix service CPU ms/req",
        "mix store CPU ms/req", "errors",
    ]  # fmt: skip
    report.table(
        "Store against store",
        columns,
        [[kind, *values] for kind, values in summary.items()],
        notes=[
            "latency in ms; setSkill: GraphQL from one client, including the change log and "
            "the projection's refresh; bare write: the same update as one store transaction",
            f"person(id): a whole profile, 8 clients back to back for {args.seconds:.0f} s; "
            f"mix: benchmarks/load.py's, 32 clients back to back for {args.seconds:.0f} s",
        ],
    )
    if args.markdown:
        report.save(args.markdown)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--alone", type=int, default=200, help="single-client requests per read")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-peer", action="store_true", help="skip @neo4j/graphql")
    parser.add_argument("--markdown", default=str(_HERE / "results" / "stores.md"))
    asyncio.run(main(parser.parse_args()))
