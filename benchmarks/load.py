"""Load test: a mixed workload of agents, moderators and HR against a 10,000-person store.

    python benchmarks/load.py                        # 10,000 people, 32 clients, 60 s
    python benchmarks/load.py --people 2000 --clients 8 --seconds 20 --requests 2000

Seeds a fresh embedded store (or Neo4j, ``--store neo4j``), runs the service in its own process (uvicorn, one
worker) and drives it over loopback from N concurrent clients, each signed in as one
person: most are agents (their profile, mentor suggestions, the directory, and writes to
their own skills, goals and profile), some moderators (squad suggestions, squad lists),
some HR (network-health reports of the organisation and of a site). A run stops at
``--seconds`` or ``--requests``, whichever comes first. It runs once back to back (no
pause between a client's requests: the service's throughput limit) and once with a
think time (each client pausing about a second, as a person reading a page does).

Reported per operation: requests, errors, throughput and p50/p95/p99 latency. The
reference in the same run is ``mentorSuggestions`` from a single client with nothing
else running; each operation is also timed alone, with the service's and the store's
CPU per request. Each run says where the CPU went (psutil, per process) and, back to
back, the mean latency Little's law allows at that CPU cost. Targets: 0 errors;
``mentorSuggestions`` p95 <= 100 ms at 32 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402

from api.auth import Role  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from benchmarks._service import (  # noqa: E402
    STORES,
    Connection,
    CpuMeter,
    percentile,
    running_service,
)
from graph.organisation import Organisation  # noqa: E402

console = Console()

ME = """{ me { id name skills { level skill { name } } learningGoals { priority skill { name } }
  mentorships { status } communities { name } } }"""
SUGGEST = """{ mentorSuggestions(first: 10) { score explanation mentor { id name site }
  matchedSkills { teacherLevel learnerLevel skill { name } } } }"""
DIRECTORY = """query($site: String, $after: String) {
  people(first: 20, after: $after, filter: {site: $site}) {
    totalCount edges { node { id name title skills { level skill { name } } } } } }"""
SET_SKILL = (
    "mutation($skill: String!, $level: Int!) { setSkill(skill: $skill, level: $level) { id } }"
)
ADD_GOAL = """mutation($skill: String!, $priority: Priority!) {
  addLearningGoal(skill: $skill, priority: $priority) { id } }"""
PROFILE = "mutation($shift: String!) { updateProfile(input: {shift: $shift}) { id shift } }"
SQUADS = """query($pool: [ID!]!) { suggestSquads(pool: $pool, size: 6, count: 4) {
  coverage coverageBound squads { memberIds functions } } }"""
SQUAD_LIST = "{ squads(status: ACTIVE) { id name members { role person { name } } } }"
HEALTH = """query($scope: HealthScopeInput) { networkHealth(scope: $scope) {
  people heavyStatus metrics { name value } loadDistribution { active mentors }
  skillBalance(first: 15) { supply demand skill { name } } } }"""
SKILLS = ["SQL", "Excel", "Empathy", "Zendesk", "Forecasting", "Coaching", "Power BI"]
SHIFTS = ["day", "evening", "night"]

# (operation, weight) per role; an agent's are most of the traffic
MIX = {
    Role.AGENT: [("me", 30), ("mentorSuggestions", 30), ("directory", 15), ("setSkill", 5),
                 ("addLearningGoal", 3), ("updateProfile", 2)],
    Role.MODERATOR: [("suggestSquads", 3), ("squads", 3), ("directory", 2)],
    Role.HR: [("networkHealth(site)", 3), ("networkHealth(org)", 2), ("directory", 1)],
}  # fmt: skip
ROLE_OF_CLIENT = [Role.MODERATOR, Role.HR] + [Role.AGENT] * 6  # 1 in 8 each: moderator, HR


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds each process used during the run."""


def body(operation: str, rng: random.Random, org: Organisation) -> bytes:
    """One request of ``operation``, pre-encoded."""
    sites = sorted({p.site for p in org.people})
    query, variables = {
        "me": (ME, {}),
        "mentorSuggestions": (SUGGEST, {}),
        "directory": (DIRECTORY, {"site": rng.choice(sites)}),
        "setSkill": (SET_SKILL, {"skill": rng.choice(SKILLS), "level": rng.randint(1, 5)}),
        "addLearningGoal": (ADD_GOAL, {"skill": rng.choice(SKILLS), "priority": rng.choice(["HIGH", "MEDIUM", "LOW"])}),
        "updateProfile": (PROFILE, {"shift": rng.choice(SHIFTS)}),
        "suggestSquads": (SQUADS, {"pool": [p.id for p in rng.sample(org.people, 60)]}),
        "squads": (SQUAD_LIST, {}),
        "networkHealth(site)": (HEALTH, {"scope": {"site": rng.choice(sites)}}),
        "networkHealth(org)": (HEALTH, {"scope": None}),
    }[operation]  # fmt: skip
    return json.dumps({"query": query, "variables": variables}).encode()


async def client(
    url: str, token: str, role: Role, org: Organisation, rng: random.Random,
    results: Results, stop_at: float, budget: list[int], think: float,
) -> None:  # fmt: skip
    operations, weights = zip(*MIX[role], strict=True)
    async with Connection(url, token) as http:
        while time.perf_counter() < stop_at and budget[0] > 0:
            if think > 0:  # a person reading the page before the next click
                await asyncio.sleep(rng.expovariate(1 / think))
            budget[0] -= 1
            operation = rng.choices(operations, weights)[0]
            payload = body(operation, rng, org)
            started = time.perf_counter()
            try:
                status, answer = await http.post(payload)
            except (OSError, RuntimeError, ValueError) as error:
                results.errors[operation].append(f"transport: {error}")
                return
            results.latencies[operation].append((time.perf_counter() - started) * 1000)
            if status != 200 or b'"errors"' in answer:
                results.errors[operation].append(f"{status} {answer[:300]!r}")


async def run(url: str, service_tokens: object, people: list[tuple[str, Role]], org: Organisation,
              seconds: float, requests: int, seed: int, think: float = 0.0,
              meter: CpuMeter | None = None,
              ) -> tuple[Results, float, int]:  # fmt: skip
    results = Results()
    before = meter.read() if meter else {}
    budget = [requests]
    rng = random.Random(seed)
    started = time.perf_counter()
    stop_at = started + seconds
    tasks = [
        client(url, service_tokens.mint(pid, role), role, org, random.Random(rng.random()),  # type: ignore[attr-defined]
               results, stop_at, budget, think)
        for pid, role in people
    ]  # fmt: skip
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    if meter:
        results.cpu = {name: used - before[name] for name, used in meter.read().items()}
    return results, elapsed, requests - budget[0]


def choose_people(org: Organisation, clients: int, rng: random.Random) -> list[tuple[str, Role]]:
    """A distinct person for each client: agents with goals, trainers, managers."""
    with_goals = [p.id for p in org.people if p.goals]
    trainers = [p.id for p in org.people if p.role.value == "trainer"] or with_goals
    managers = [p.id for p in org.people if p.role.value == "manager"] or with_goals
    pools = {Role.AGENT: with_goals, Role.MODERATOR: trainers, Role.HR: managers}
    chosen = []
    for i in range(clients):
        role = ROLE_OF_CLIENT[i % len(ROLE_OF_CLIENT)]
        chosen.append((rng.choice(pools[role]), role))
    return chosen


def report_run(
    report: Report, args: argparse.Namespace, think: float, people: list[tuple[str, Role]],
    results: Results, elapsed: float, sent: int, reference: list[float],
) -> None:  # fmt: skip
    """The tables of one run: per operation, and suggestions against the reference."""
    rows = []
    for operation in sorted(results.latencies, key=lambda o: -len(results.latencies[o])):
        values = results.latencies[operation]
        rows.append([
            operation, f"{len(values):,}", str(len(results.errors[operation])),
            f"{len(values) / elapsed:.1f}", f"{statistics.median(values):.1f}",
            f"{percentile(values, 0.95):.1f}", f"{percentile(values, 0.99):.1f}",
        ])  # fmt: skip
    everything = [v for values in results.latencies.values() for v in values]
    errors = sum(len(e) for e in results.errors.values())
    rows.append(["all", f"{len(everything):,}", str(errors), f"{len(everything) / elapsed:.1f}",
                 f"{statistics.median(everything):.1f}", f"{percentile(everything, 0.95):.1f}",
                 f"{percentile(everything, 0.99):.1f}"])  # fmt: skip
    roles = {r: sum(1 for _, role in people if role is r) for r in Role if r is not Role.ADMIN}
    pacing = f"think time {think:g} s (exponential)" if think else "back to back (no think time)"
    report.heading(
        f"{args.clients} clients, {pacing}: {args.people:,} people, {elapsed:.1f} s, {sent:,} requests"
    )
    who = ", ".join(f"{n} {r.value}" for r, n in roles.items())
    report.table(
        "Per operation (latency in ms, throughput in requests/s)",
        ["operation", "requests", "errors", "req/s", "p50", "p95", "p99"],
        rows,
        notes=[f"clients: {who}; uvicorn workers: {args.workers}; loopback"],
    )
    loaded = results.latencies.get("mentorSuggestions", [float("nan")])
    p95 = percentile(loaded, 0.95)
    report.table(
        "mentorSuggestions: alone vs under the mixed load",
        ["run", "p50 ms", "p95 ms", "p95 vs alone"],
        [["one client, nothing else", f"{statistics.median(reference):.1f}",
          f"{percentile(reference, 0.95):.1f}", "1.0x"],
         [f"{args.clients} clients, mixed", f"{statistics.median(loaded):.1f}", f"{p95:.1f}",
          f"{p95 / percentile(reference, 0.95):.1f}x"]],
    )  # fmt: skip
    if results.cpu:
        report_cpu(report, args, results, elapsed, len(everything), paced=think > 0)
    report.note(f"errors: {errors} (target 0: {'met' if errors == 0 else 'MISSED'})")
    verdict = "met" if p95 <= 100 else "MISSED"
    report.note(f"mentorSuggestions p95: {p95:.1f} ms (target <= 100 ms: {verdict})")
    for operation, messages in results.errors.items():
        for message in messages[:3]:
            console.print(f"[red]{operation}[/red]: {message}")


def report_cpu(
    report: Report, args: argparse.Namespace, results: Results, elapsed: float, answered: int,
    *, paced: bool,
) -> None:  # fmt: skip
    """Where the CPU went, and the latency floor that sets for clients that never pause.

    With ``n`` clients each always waiting for an answer, the service holds ``n`` requests
    at all times; if each costs ``c`` seconds of its CPU and it can use ``w`` cores, it
    answers at most ``w / c`` per second, so by Little's law the mean latency is at least
    ``n * c / w``, however the work is scheduled.
    """
    cores = psutil.cpu_count() or 1
    rows = [
        [name, f"{used:.1f}", f"{100 * used / (elapsed * cores):.0f}%", f"{1000 * used / answered:.2f}"]
        for name, used in results.cpu.items()
    ]  # fmt: skip
    idle = max(0.0, elapsed * cores - sum(results.cpu.values()))
    rows.append(["idle (or other)", f"{idle:.1f}", f"{100 * idle / (elapsed * cores):.0f}%", ""])
    report.table(
        f"Where the CPU went ({cores} cores)",
        ["process", "CPU s", "share of machine", "CPU ms per request"],
        rows,
    )
    if paced:
        return
    per_request = results.cpu["service"] / answered
    usable = min(args.workers, cores)
    floor = 1000 * args.clients * per_request / usable
    everything = [v for values in results.latencies.values() for v in values]
    report.note(
        f"service CPU per request {1000 * per_request:.2f} ms on at most {usable} core(s): with "
        f"{args.clients} clients always waiting, the mean latency cannot fall below "
        f"{floor:.0f} ms (Little's law); measured mean {statistics.fmean(everything):.0f} ms"
    )


async def costs_alone(
    report: Report, url: str, service_tokens: object, people: list[tuple[str, Role]],
    org: Organisation, meter: CpuMeter, rng: random.Random, repeat: int,
) -> None:  # fmt: skip
    """Each operation from one client with nothing else running: latency and CPU per request."""
    report.heading("One client, nothing else running")
    rows = []
    for role, mix in MIX.items():
        pid = next(p for p, r in people if r is role)
        async with Connection(url, service_tokens.mint(pid, role)) as http:  # type: ignore[attr-defined]
            for operation, _ in mix:
                before, took = meter.read(), []
                for _ in range(repeat):
                    started = time.perf_counter()
                    await http.post(body(operation, rng, org))
                    took.append((time.perf_counter() - started) * 1000)
                used = {
                    name: 1000 * (v - before[name]) / repeat for name, v in meter.read().items()
                }
                rows.append([f"{operation} ({role.value})", f"{statistics.median(took):.1f}",
                             f"{used['service']:.2f}", f"{used['store']:.2f}"])  # fmt: skip
    report.table(
        f"Each operation alone: one client, {repeat} requests each",
        ["operation", "p50 ms", "service CPU ms", "store CPU ms"],
        rows,
        notes=["CPU per request; a write's includes bringing the projection up to date after it"],
    )


async def main(args: argparse.Namespace) -> None:
    report = Report(console)
    rng = random.Random(args.seed)
    async with running_service(args.people, workers=args.workers, store=args.store) as service:
        org = service.org
        people = choose_people(org, args.clients, rng)
        agent = next(pid for pid, role in people if role is Role.AGENT)
        console.print("warming up ...")
        await run(service.url, service.tokens, people, org, 15, 400, args.seed + 1)
        # the reference: suggestions from one client, nothing else running
        reference: list[float] = []
        async with Connection(service.url, service.tokens.mint(agent, Role.AGENT)) as http:
            for _ in range(args.reference):
                started = time.perf_counter()
                await http.post(body("mentorSuggestions", rng, org))
                reference.append((time.perf_counter() - started) * 1000)
        await costs_alone(report, service.url, service.tokens, people, org,
                          CpuMeter(service.processes), rng, args.alone)  # fmt: skip
        for think in args.think:
            console.print(f"running {args.clients} clients, think time {think:g} s, "
                          f"for {args.seconds:.0f} s or {args.requests:,} requests ...")  # fmt: skip
            results, elapsed, sent = await run(
                service.url, service.tokens, people, org, args.seconds, args.requests,
                args.seed, think, CpuMeter(service.processes),
            )  # fmt: skip
            report_run(report, args, think, people, results, elapsed, sent, reference)
    if args.markdown:
        report.save(args.markdown)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--reference", type=int, default=200, help="single-client suggestions")
    parser.add_argument("--alone", type=int, default=50, help="requests per operation alone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--store", choices=STORES, default="embedded", help="the store to seed")
    parser.add_argument(
        "--think", type=float, nargs="+", default=[0.0, 1.0],
        help="seconds each client pauses between requests, on average; one run per value",
    )  # fmt: skip
    parser.add_argument("--markdown", default=str(_HERE / "results" / "load.md"))
    asyncio.run(main(parser.parse_args()))
