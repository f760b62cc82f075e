"""Matching benchmark: mentor suggestions, org-wide assignment and squads, against baselines.

    python benchmarks/matching.py                        # 10,000 and 50,000 people, 3 runs
    python benchmarks/matching.py --sizes 2000 --quick   # smoke run: 1 run, smaller samples
    python benchmarks/matching.py --exact --sizes 1000,10000,50000,300000   # issue 16's table

``--exact`` measures only the whole-problem assignment, on organisations built in memory
(``graph_data``): time to a certified optimum for each objective (rounds, pairs priced,
process peak RSS), against the old shortlist method on the same organisation (total score
ratio, mentees matched), STABLE on full lists (time, matched, blocking pairs over every
eligible pair up to 10,000 people) against STABLE on the shortlist, and at 2,000 people
against networkx ``min_cost_flow`` on every eligible pair (same optimum, time ratio).
Targets: a certified optimum in ≤ 10 s at 50,000 people and ≤ 90 s at 300,000.

For each size it seeds a fresh embedded store and builds the projection the service holds
(``export_graph`` then ``ReadModel.build``, as ``ReadModelKeeper`` does; when the store
cannot be written, from ``graph_data(org)``, and the output says so). Then, in one run:

* **Mentor suggestions** for 200 people with goals (fixed seed): ``suggest_mentors(first=10)``
  in process, against the reference that scores everyone with ``score_pair`` in pure Python
  (200 people up to 10,000, 20 above), with the top-10 ids compared; and
  ``mentorSuggestions(personId, first: 10)`` over HTTP as HR, one uvicorn worker, one client.
* **OPTIMAL assignment** of the whole organisation: candidates and solve timed apart, against
  greedy and stable on the same candidates; on a 2,000-person slice, against networkx
  ``max_weight_matching`` (mentor capacity as copies; several minutes per size) and the
  networkx min-cost-flow reference; at the smallest size, what the 12-per-goal shortlist costs
  against a 100-per-goal one.
* **suggestSquads** on a 2,000-person pool, 250 squads of 8, six focus skills (ranked 5th to
  10th by strong holders), against a random partition and a round robin by function.

Targets: suggestions p95 ≤ 10 ms in process at 50,000 people; an exact assignment of 50,000
people in ≤ 5 s; squads covering ≥ 95% of the coverage bound. Medians of ``--repeat`` runs
where a thing is timed whole. Tables print as they are ready; ``benchmarks/results/matching.md``
and ``matching.json`` get everything at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import heapq
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# This file is named matching.py; run as a script its folder comes first on sys.path and would
# shadow the `matching` package, so take it off and put the project root first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import httpx  # noqa: E402
import networkx as nx  # noqa: E402
from rich.console import Console  # noqa: E402

from api.auth import Role, Tokens  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from graph.embedded import BoltEndpoint, EmbeddedArcadeDB  # noqa: E402
from graph.export import export_graph  # noqa: E402
from graph.organisation import Organisation, graph_data, write_organisation  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from graph.store import Store  # noqa: E402
from matching.assignment import (  # noqa: E402
    Assignment,
    Candidate,
    Objective,
    assign_greedy,
    assign_optimal,
    assign_optimal_arrays,
    assign_optimal_networkx,
    assign_stable,
)
from matching.mentoring import (  # noqa: E402
    SHORTLIST_PER_GOAL,
    Scope,
    assignment_candidates,
    candidate_table,
    suggest_mentors,
)
from matching.profiles import Profile, Profiles  # noqa: E402
from matching.scoring import PairScore, score_pair  # noqa: E402
from matching.squads import (  # noqa: E402
    Member,
    SquadPlan,
    random_partition,
    round_robin_by_function,
    suggest_squads,
)
from readmodel.store import ReadModel  # noqa: E402

# Piped to a file, rich would wrap at 80 columns; the tables read better wider.
console = Console(width=None if sys.stdout.isatty() else 120)
T = TypeVar("T")

RESULTS = Path(__file__).resolve().parent / "results"
ORG_SEED = 7
FIRST = 10
TIE = 1e-9
"""Scores closer than this are a tie: numpy and the pure-Python scorer differ in the last ulp."""
SUGGESTION_P95_MS = 10.0
ASSIGNMENT_SECONDS = 5.0
SQUAD_COVERAGE = 0.95
TARGET_PEOPLE = 50_000
SQUAD_SIZE = 8
SQUAD_COUNT = 250
STRONG_LEVEL = 4

SUGGEST = """query($id: ID!) { mentorSuggestions(personId: $id, first: 10) {
  mentor { id name } score learning explanation
  matchedSkills { skill { name } teacherLevel learnerLevel } } }"""


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(work: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """Seconds of each of ``runs`` calls, and the last call's result."""
    seconds: list[float] = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the graph -------------------------------------------------------------------------------


class Seeded:
    """A fresh embedded store holding ``org``, or nothing when writing it failed."""

    def __init__(self, folder: Path, heap: str) -> None:
        self.embedded = EmbeddedArcadeDB(folder / "data", heap=heap)
        self.folder = folder
        self.endpoint: BoltEndpoint | None = None
        self.store: Store | None = None

    async def write(self, org: Organisation) -> float:
        self.endpoint = self.embedded.start()
        self.store = await Store.connect(self.endpoint)
        await ensure_schema(self.store)
        start = time.perf_counter()
        await write_organisation(self.store, org, create=True)
        return time.perf_counter() - start

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None
        self.embedded.stop()


async def build_graph(
    people: int, seeded: Seeded | None, report: Report, result: dict[str, Any]
) -> tuple[Organisation, ReadModel]:
    """Seed ``people``, write them to the store and build the projection the service holds."""
    start = time.perf_counter()
    org = generate_organisation(people=people, seed=ORG_SEED)
    timings = {"generate": time.perf_counter() - start}
    source = "export_graph from the embedded store (as ReadModelKeeper loads it)"
    projection = None
    if seeded is not None:
        try:
            timings["write to store"] = await seeded.write(org)
            start = time.perf_counter()
            data = await seeded.store.read(export_graph)  # type: ignore[union-attr]
            timings["export_graph"] = time.perf_counter() - start
            start = time.perf_counter()
            projection = ReadModel.build(data)
            timings["ReadModel.build"] = time.perf_counter() - start
            del data
        except Exception as error:
            source = f"graph_data(org): the store failed ({type(error).__name__}: {error})"
            console.print(f"[yellow]{source}[/yellow]")
            await seeded.close()
            result["store_error"] = repr(error)
    else:
        source = "graph_data(org), no store (--in-memory)"
    if projection is None:
        start = time.perf_counter()
        data = graph_data(org)
        timings["graph_data"] = time.perf_counter() - start
        start = time.perf_counter()
        projection = ReadModel.build(data)
        timings["ReadModel.build"] = time.perf_counter() - start
    start = time.perf_counter()
    profiles = projection.profiles
    timings["Profiles.of"] = time.perf_counter() - start
    if len(profiles) != people:
        raise RuntimeError(f"the projection holds {len(profiles)} people, not {people}")
    result["graph"] = {"source": source, "seconds": timings, "people": len(projection.people)}
    result["graph"]["mentorships"] = len(projection.mentorships)
    report.table(
        f"Graph, {people:,} people",
        ["step", "seconds"],
        [[step, f"{s:.2f}"] for step, s in timings.items()],
        [
            f"read model from {source}: {len(projection.people):,} people, "
            f"{len(projection.mentorships):,} mentorships"
        ],
    )
    return org, projection


# --- mentor suggestions ----------------------------------------------------------------------


def reference_top(profiles: Profiles, mentee: Profile, first: int) -> list[tuple[str, float]]:
    """The baseline: score everyone with the reference scorer and keep the best ``first``."""
    scored = []
    for mentor in profiles.values():
        pair = score_pair(mentor, mentee, profiles)
        if isinstance(pair, PairScore):
            scored.append((-pair.score, mentor.id))
    return [(pid, -score) for score, pid in heapq.nsmallest(first, scored)]


def same_up_to_ties(fast: Sequence[PairScore], reference: Sequence[tuple[str, float]]) -> bool:
    """Whether both rankings have the same score at every rank (so they differ only in ties)."""
    return len(fast) == len(reference) and all(
        abs(pair.score - score) <= TIE for pair, (_, score) in zip(fast, reference, strict=True)
    )


async def suggestions_over_http(
    seeded: Seeded, org: Organisation, sample: Sequence[str]
) -> tuple[list[float], dict[str, list[str]], float]:
    """Latency (ms) of ``mentorSuggestions`` for each of ``sample``, one client, as HR."""
    assert seeded.endpoint is not None
    secret = secrets.token_urlsafe(48)
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": seeded.endpoint.uri,
        "NEO4J_USER": seeded.endpoint.user,
        "NEO4J_PASSWORD": seeded.endpoint.password,
        "NEO4J_DATABASE": seeded.endpoint.database,
        "SKILLWEAVE_JWT_SECRET": secret,
        "SKILLWEAVE_DATA_DIR": str(seeded.folder / "app"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port),
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    tokens = Tokens(
        secret, issuer="skillweave", audience="skillweave-api", lifetime=dt.timedelta(hours=1)
    )
    headers = {"Authorization": f"Bearer {tokens.mint(org.people[0].id, Role.HR)}"}
    latencies: list[float] = []
    found: dict[str, list[str]] = {}
    try:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=900) as http:
            for _ in range(240):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.5)
            else:
                raise RuntimeError("the service did not become ready")

            async def ask(person_id: str) -> list[str]:
                body = {"query": SUGGEST, "variables": {"id": person_id}}
                response = await http.post("/graphql", json=body)
                data = response.json()
                if response.status_code != 200 or data.get("errors"):
                    raise RuntimeError(f"request failed: {response.status_code} {data}")
                return [s["mentor"]["id"] for s in data["data"]["mentorSuggestions"]]

            # The first request loads the service's projection and builds its index.
            start = time.perf_counter()
            await ask(sample[-1])
            first = time.perf_counter() - start
            for person_id in random.Random(0).sample(list(sample), min(20, len(sample))):
                await ask(person_id)
            for person_id in sample:
                start = time.perf_counter()
                found[person_id] = await ask(person_id)
                latencies.append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait(30)
    return latencies, found, first


async def mentor_suggestions(
    projection: ReadModel,
    org: Organisation,
    seeded: Seeded | None,
    args: argparse.Namespace,
    report: Report,
    result: dict[str, Any],
) -> None:
    people = len(org.people)
    profiles = projection.profiles
    with_goals = sorted(pid for pid, p in profiles.items() if p.goals)
    sample = random.Random(args.seed).sample(with_goals, min(args.sample, len(with_goals)))
    baseline_n = args.baseline_sample
    if baseline_n is None:
        baseline_n = len(sample) if people <= 10_000 else 20
    baseline_n = min(baseline_n, len(sample))

    start = time.perf_counter()
    suggest_mentors(projection, sample[0], first=FIRST)
    index_build = time.perf_counter() - start
    fast: dict[str, list[PairScore]] = {}
    latencies = []
    for person_id in sample:
        start = time.perf_counter()
        fast[person_id] = suggest_mentors(projection, person_id, first=FIRST)
        latencies.append((time.perf_counter() - start) * 1000)

    reference_ms = []
    exact = tied = 0
    for person_id in sample[:baseline_n]:
        start = time.perf_counter()
        reference = reference_top(profiles, profiles[person_id], FIRST)
        reference_ms.append((time.perf_counter() - start) * 1000)
        exact += [p.mentor for p in fast[person_id]] == [pid for pid, _ in reference]
        tied += same_up_to_ties(fast[person_id], reference)

    http_ms: list[float] = []
    http_same = 0
    http_first = float("nan")
    if seeded is not None and seeded.store is not None and not args.no_http:
        console.print(f"mentorSuggestions over HTTP for {len(sample)} people ...")
        http_ms, over_http, http_first = await suggestions_over_http(seeded, org, sample)
        http_same = sum(over_http[p] == [s.mentor for s in fast[p]] for p in sample)

    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    ref50, ref95 = statistics.median(reference_ms), percentile(reference_ms, 0.95)
    rows = [
        ["suggest_mentors (in process)", f"{len(sample)}",
         f"{p50:.2f}", f"{p95:.2f}", f"{ref50 / p50:.0f}x"],
        [f"baseline: score_pair × {people:,}", f"{baseline_n}",
         f"{ref50:.1f}", f"{ref95:.1f}", "1x"],
    ]  # fmt: skip
    if http_ms:
        h50, h95 = statistics.median(http_ms), percentile(http_ms, 0.95)
        rows.append(
            ["mentorSuggestions (HTTP)", f"{len(http_ms)}",
             f"{h50:.1f}", f"{h95:.1f}", f"{ref50 / h50:.0f}x"]
        )  # fmt: skip
    notes = [
        f"suggest_mentors(projection, id, first={FIRST}); baseline: score_pair of every person "
        f"as mentor (pure Python), top {FIRST}; HTTP: mentorSuggestions(personId, first: {FIRST}) "
        "as HR, one uvicorn worker, one client",
        f"index build (first suggest_mentors call: mentor index over the profiles): "
        f"{index_build * 1000:.0f} ms",
        f"top-{FIRST} ids vs the baseline: {exact}/{baseline_n} identical, {tied}/{baseline_n} "
        f"identical up to ties (same score at every rank within {TIE:g})",
    ]
    if baseline_n < len(sample):
        notes.append(f"baseline sampled on the first {baseline_n} of the {len(sample)} people")
    if http_ms:
        notes.append(
            f"over HTTP: first request (service loads its projection) {http_first:.1f} s; "
            f"ids equal to the in-process ones for {http_same}/{len(sample)}"
        )
    else:
        notes.append("over HTTP: not measured (no store, or --no-http)")
    report.table(
        f"Mentor suggestions, {people:,} people (ms)",
        ["path", "people", "p50 ms", "p95 ms", "p50 vs baseline"],
        rows,
        notes,
    )
    result["suggestions"] = {
        "sample": len(sample),
        "index_build_s": index_build,
        "in_process_ms": {"p50": p50, "p95": p95},
        "baseline_people": baseline_n,
        "baseline_ms": {"p50": ref50, "p95": ref95},
        "speedup_p50": ref50 / p50,
        "agreement_exact": exact,
        "agreement_up_to_ties": tied,
        "http_ms": (
            {"p50": statistics.median(http_ms), "p95": percentile(http_ms, 0.95)}
            if http_ms
            else None
        ),
        "http_first_request_s": http_first if http_ms else None,
        "http_same_ids": http_same if http_ms else None,
    }


# --- assignment -------------------------------------------------------------------------------


def max_weight_matching(
    capacities: dict[str, int], candidates: Sequence[Candidate]
) -> tuple[float, float, int, float]:
    """networkx ``max_weight_matching`` with each mentor expanded into ``capacity`` copies.

    Returns the seconds to build the graph and to solve, pairs matched and their total score.
    """
    start = time.perf_counter()
    graph = nx.Graph()
    for c in candidates:
        for k in range(capacities[c.mentor]):
            graph.add_edge(("mentee", c.mentee), ("mentor", c.mentor, k), weight=c.score)
    built = time.perf_counter() - start
    start = time.perf_counter()
    matching = nx.max_weight_matching(graph, maxcardinality=False)
    solved = time.perf_counter() - start
    total = sum(graph[u][v]["weight"] for u, v in matching)
    return built, solved, len(matching), total


def assignment(
    projection: ReadModel,
    args: argparse.Namespace,
    report: Report,
    result: dict[str, Any],
    *,
    cut: bool,
) -> None:
    people = len(projection.profiles)
    runs = args.repeat
    console.print(f"assignment of {people:,} people ...")
    # As the service runs it: candidates as arrays, the array solver for OPTIMAL; the
    # baselines take the same pairs as Candidate objects (built outside the clock).
    cand_s, (mentees, capacities, table) = timed(lambda: candidate_table(projection, Scope()), runs)
    candidates = table.candidates()
    solved: dict[str, tuple[float, Assignment]] = {}
    for name, solve in (
        ("OPTIMAL, SCORE", lambda: assign_optimal_arrays(mentees, capacities, table)),
        (
            "OPTIMAL, PARTICIPATION",
            lambda: assign_optimal_arrays(
                mentees, capacities, table, objective=Objective.PARTICIPATION
            ),
        ),
        (
            "OPTIMAL, SCORE, from objects",
            lambda: assign_optimal(mentees, capacities, candidates),
        ),
        ("greedy (baseline)", lambda: assign_greedy(mentees, capacities, candidates)),
        ("stable (baseline)", lambda: assign_stable(mentees, capacities, candidates)),
    ):
        seconds, outcome = timed(solve, runs)
        solved[name] = (statistics.median(seconds), outcome)
    optimal = solved["OPTIMAL, SCORE"][1]
    rows = [
        [name, f"{s:.2f}", f"{len(a.pairs):,}", f"{a.total_score:,.1f}",
         f"{a.total_score / optimal.total_score:.4f}"]
        for name, (s, a) in solved.items()
    ]  # fmt: skip
    solve_s = solved["OPTIMAL, SCORE"][0]
    reachable = {c.mentor for c in candidates}
    reachable_places = sum(capacities[m] for m in reachable)
    cold, warm = cand_s[0], statistics.median(cand_s)
    report.table(
        f"Assignment of the whole organisation, {people:,} people (median of {runs})",
        ["algorithm", "solve s", "matched", "total score", "score vs OPTIMAL"],
        rows,
        [
            f"{len(mentees):,} mentees, {len(capacities):,} mentors "
            f"({sum(capacities.values()):,} places), {len(candidates):,} candidate pairs "
            f"(shortlist of {SHORTLIST_PER_GOAL} per goal); {len(reachable):,} mentors "
            f"({reachable_places:,} places) appear among the candidates",
            f"candidates (candidate_table): {cold:.2f} s first call, "
            f"{warm:.2f} s median of the repeats",
            f"OPTIMAL (SCORE): solve {solve_s:.2f} s; candidates + solve {cold + solve_s:.2f} s",
        ],
    )
    result["assignment"] = {
        "mentees": len(mentees),
        "mentors": len(capacities),
        "places": sum(capacities.values()),
        "candidates": len(candidates),
        "mentors_among_candidates": len(reachable),
        "places_among_candidates": reachable_places,
        "candidates_s": {"first": cold, "median": warm},
        "solvers": {
            name: {"seconds": s, "matched": len(a.pairs), "total_score": a.total_score}
            for name, (s, a) in solved.items()
        },
        "solve_s": solve_s,
        "candidates_plus_solve_s": cold + solve_s,
    }

    # The slice is the first N people by id (a few teams of a site): its mentees, its mentors.
    everyone = sorted({*mentees, *capacities})
    members = set(everyone[: args.slice])
    chosen = {m for m in mentees if m in members}
    sliced = [c for c in candidates if c.mentee in chosen and c.mentor in members]
    slice_caps = {c.mentor: capacities[c.mentor] for c in sliced}
    slice_mentees = sorted(chosen)
    console.print(
        f"slice of {len(members):,} people, {len(chosen):,} mentees: networkx max_weight_matching "
        f"({len(sliced):,} pairs, {sum(slice_caps.values()):,} mentor places) ..."
    )
    seconds, exact = timed(lambda: assign_optimal(slice_mentees, slice_caps, sliced), runs)
    ours = statistics.median(seconds)
    built, nx_solved, nx_matched, nx_total = max_weight_matching(slice_caps, sliced)
    seconds, reference = timed(
        lambda: assign_optimal_networkx(slice_mentees, slice_caps, sliced), 1
    )
    report.table(
        f"Exact solvers on a slice: the first {len(chosen):,} mentees by id, {people:,} people",
        ["solver", "seconds", "matched", "total score", "score vs assign_optimal"],
        [
            ["assign_optimal (OR-Tools)", f"{ours:.3f}",
             f"{len(exact.pairs):,}", f"{exact.total_score:,.3f}", "1.000000"],
            ["nx.max_weight_matching",
             f"{nx_solved:.1f} (+{built:.1f})", f"{nx_matched:,}", f"{nx_total:,.3f}",
             f"{nx_total / exact.total_score:.6f}"],
            ["assign_optimal_networkx", f"{seconds[0]:.2f}",
             f"{len(reference.pairs):,}", f"{reference.total_score:,.3f}",
             f"{reference.total_score / exact.total_score:.6f}"],
        ],
        [
            f"{len(sliced):,} candidate pairs, {len(slice_caps):,} mentors; both min-cost-flow "
            "solvers optimise scores rounded to thousandths, max_weight_matching the floats",
            f"assign_optimal: median of {runs}; nx.max_weight_matching (mentor capacity as "
            f"copies; graph build in brackets) and assign_optimal_networkx (network simplex): "
            "1 run",
        ],
    )  # fmt: skip
    result["slice"] = {
        "mentees": len(chosen),
        "candidates": len(sliced),
        "assign_optimal": {"seconds": ours, "matched": len(exact.pairs),
                           "total_score": exact.total_score},
        "max_weight_matching": {"seconds": nx_solved, "build_s": built, "matched": nx_matched,
                                "total_score": nx_total},
        "assign_optimal_networkx": {"seconds": seconds[0], "matched": len(reference.pairs),
                                    "total_score": reference.total_score},
        "score_ratio_max_weight_matching": nx_total / exact.total_score,
    }  # fmt: skip

    if cut:
        console.print(f"shortlist of {args.wide_per_goal} per goal ...")
        start = time.perf_counter()
        _, wide_caps, wide = assignment_candidates(projection, Scope(), per_goal=args.wide_per_goal)
        wide_cand_s = time.perf_counter() - start
        start = time.perf_counter()
        wide_optimal = assign_optimal(mentees, wide_caps, wide)
        wide_solve_s = time.perf_counter() - start
        ratio = optimal.total_score / wide_optimal.total_score
        report.table(
            f"What the shortlist costs: OPTIMAL (SCORE), {people:,} people",
            ["candidates per goal", "candidate pairs", "candidates s", "solve s", "matched",
             "total score"],
            [
                [f"{SHORTLIST_PER_GOAL} (default)", f"{len(candidates):,}", f"{cold:.2f}",
                 f"{solve_s:.2f}", f"{len(optimal.pairs):,}", f"{optimal.total_score:,.1f}"],
                [f"{args.wide_per_goal}", f"{len(wide):,}", f"{wide_cand_s:.2f}",
                 f"{wide_solve_s:.2f}", f"{len(wide_optimal.pairs):,}",
                 f"{wide_optimal.total_score:,.1f}"],
            ],
            [f"total score with {SHORTLIST_PER_GOAL} per goal / with {args.wide_per_goal}: "
             f"{ratio:.4f} (each is exact on its own candidate graph)"],
        )  # fmt: skip
        result["shortlist_cut"] = {
            "per_goal": SHORTLIST_PER_GOAL,
            "wide_per_goal": args.wide_per_goal,
            "candidates": len(candidates),
            "wide_candidates": len(wide),
            "wide_candidates_s": wide_cand_s,
            "wide_solve_s": wide_solve_s,
            "total_score": optimal.total_score,
            "wide_total_score": wide_optimal.total_score,
            "ratio": ratio,
        }


# --- the whole problem (issue 16) --------------------------------------------------------------


EXACT_TARGETS = {50_000: 10.0, 300_000: 90.0}
NETWORKX_PEOPLE = 2000


def peak_rss_gb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def whole_problem(people: int, args: argparse.Namespace, report: Report) -> dict[str, Any]:
    """OPTIMAL (both objectives) and STABLE over every eligible pair, against the shortlist."""
    import numpy as np

    from matching.eligible import EligiblePairs
    from matching.exact import points, solve_exact
    from matching.stable import stable_assignment
    from matching.verify import blocking_pairs

    start = time.perf_counter()
    projection = ReadModel.build(graph_data(generate_organisation(people=people, seed=ORG_SEED)))
    index = projection.mentor_index
    built = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    mentees, capacities, table = candidate_table(projection, Scope())
    shortlist_s, shortlist_cpu = time.perf_counter() - start, time.process_time() - cpu
    profiles = index.profiles
    start, cpu = time.perf_counter(), time.process_time()
    pairs = EligiblePairs(index, [profiles[m] for m in mentees], capacities)
    tiers_s, tiers_cpu = time.perf_counter() - start, time.process_time() - cpu
    warm = (table.mentee, pairs.columns(table.mentors)[table.mentor])
    out: dict[str, Any] = {"people": people, "mentees": len(mentees), "mentors": len(capacities),
                           "build_s": built, "shortlist_s": shortlist_s, "tiers_s": tiers_s}  # fmt: skip
    rows = []
    for objective in Objective:
        start, cpu = time.perf_counter(), time.process_time()
        plan = solve_exact(pairs, objective=objective, warm=warm, time_limit=args.time_limit)
        seconds = time.perf_counter() - start + shortlist_s + tiers_s
        cpu_s = time.process_time() - cpu + shortlist_cpu + tiers_cpu
        c = plan.certificate
        start = time.perf_counter()
        old = assign_optimal_arrays(mentees, capacities, table, objective=objective)
        old_s = time.perf_counter() - start + shortlist_s
        target = EXACT_TARGETS.get(people)
        rows.append([
            f"OPTIMAL {objective.value}", f"{seconds:.1f}", f"{cpu_s:.1f}",
            "yes" if c.certified else "NO",
            f"{c.rounds}", f"{c.pairs_priced:,}", f"{c.total_score:,.2f}", f"{c.matched:,}",
            f"{c.gap:.4f}", f"{old.total_score / c.total_score:.4f}",
            f"{len(old.pairs):,}", f"{old_s:.1f}", f"{peak_rss_gb():.1f}",
            "n/a" if target is None else met(seconds <= target and c.certified),
        ])  # fmt: skip
        out[objective.value] = {"seconds": seconds, "cpu_s": cpu_s, "certified": c.certified,
                                "rounds": c.rounds,
                                "pairs_priced": c.pairs_priced, "total": c.total_score,
                                "bound": c.bound, "matched": c.matched,
                                "matched_bound": c.matched_bound, "old_total": old.total_score,
                                "old_matched": len(old.pairs), "old_s": old_s}  # fmt: skip
    start, cpu = time.perf_counter(), time.process_time()
    mentor_of = stable_assignment(pairs)
    stable_s = time.perf_counter() - start + tiers_s
    stable_cpu = time.process_time() - cpu + tiers_cpu
    old_stable = assign_stable(mentees, capacities, table.candidates())
    blocking = "not checked (> 10,000 people)"
    if people <= 10_000:
        count, _ = blocking_pairs(mentor_of, pairs.capacity, pairs.every_pair())
        old_count, _ = blocking_pairs(pairs.rows_of(old_stable.pairs), pairs.capacity,
                                      pairs.every_pair())  # fmt: skip
        blocking = f"{count:,} (shortlist's plan: {old_count:,})"
    matched = int((mentor_of >= 0).sum())
    rows.append([
        "STABLE, full lists", f"{stable_s:.1f}", f"{stable_cpu:.1f}", "", "", "", "",
        f"{matched:,}", "",
        "", f"{len(old_stable.pairs):,}", "", f"{peak_rss_gb():.1f}", "",
    ])  # fmt: skip
    out["stable"] = {"seconds": stable_s, "cpu_s": stable_cpu, "matched": matched, "old_matched": len(old_stable.pairs),
                     "blocking": blocking}  # fmt: skip
    report.table(
        f"Whole problem, {people:,} people",
        ["plan", "seconds", "CPU s", "certified", "rounds", "pairs priced", "total score", "matched",
         "gap", "shortlist score ratio", "shortlist matched", "shortlist s", "peak RSS GB",
         "target"],
        rows,
        [f"{len(mentees):,} mentees, {len(capacities):,} mentors, {len(pairs):,} tier entries; "
         f"organisation built in {built:.1f} s; seconds include the shortlist warm start "
         f"({shortlist_s:.1f} s) and the tiers ({tiers_s:.1f} s); time limit {args.time_limit:g} s",
         f"STABLE blocking pairs over every eligible pair: {blocking}",
         "shortlist: the old method (12 per goal, exact only on its shortlist), same organisation"],
    )  # fmt: skip
    if people == NETWORKX_PEOPLE:
        every = list(pairs.every_pair())
        mentee = np.concatenate([c.mentee for c in every])
        mentor = np.concatenate([c.mentor for c in every])
        weight = points(np.concatenate([c.score for c in every]))
        graph = nx.DiGraph()
        for e, r, w in zip(mentee.tolist(), mentor.tolist(), weight.tolist(), strict=True):
            graph.add_edge(("e", e), ("r", r), capacity=1, weight=-w)
        for e in set(mentee.tolist()):
            graph.add_edge("s", ("e", e), capacity=1, weight=0)
        for r, cap in enumerate(pairs.capacity.tolist()):
            graph.add_edge(("r", r), "t", capacity=cap, weight=0)
        supply = len(set(mentee.tolist()))
        graph.add_edge("s", "t", capacity=supply, weight=0)
        graph.nodes["s"]["demand"], graph.nodes["t"]["demand"] = -supply, supply
        start = time.perf_counter()
        flow = nx.min_cost_flow(graph)
        nx_s = time.perf_counter() - start
        nx_points = sum(w for e, r, w in zip(mentee.tolist(), mentor.tolist(), weight.tolist(),
                                             strict=True) if flow[("e", e)][("r", r)])  # fmt: skip
        start = time.perf_counter()
        ours = solve_exact(pairs, warm=warm, time_limit=args.time_limit)
        ours_s = time.perf_counter() - start
        ours_points = int(points(ours.score[ours.mentor_of >= 0]).sum())
        report.table(
            f"Against networkx min_cost_flow on every eligible pair, {people:,} people",
            ["solver", "seconds", "points (score × 10⁶)", "same optimum"],
            [["networkx min_cost_flow", f"{nx_s:.1f}", f"{nx_points:,}", ""],
             ["solve_exact (certified)", f"{ours_s:.1f}", f"{ours_points:,}",
              "yes" if ours_points == nx_points else "NO"]],
            [f"{len(weight):,} eligible pairs; time ratio networkx / ours: {nx_s / ours_s:.1f}"],
        )  # fmt: skip
        out["networkx"] = {"seconds": nx_s, "points": nx_points, "ours_s": ours_s,
                           "ours_points": ours_points, "pairs": len(weight)}  # fmt: skip
    return out


async def exact_main(args: argparse.Namespace) -> None:
    report = Report(console)
    results = []
    for people in args.sizes:
        report.heading(f"{people:,} people: every eligible pair")
        results.append(whole_problem(people, args, report))
    RESULTS.mkdir(exist_ok=True)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    (RESULTS / "matching-exact.json").write_text(
        json.dumps({"when": when, "command": command, "sizes": results}, indent=2, default=str)
    )
    report.save(RESULTS / "matching-exact.md", ["# Whole-problem assignment", "",
                f"`python benchmarks/{command}` at {when}, {os.cpu_count()} CPUs.", ""])  # fmt: skip


# --- squads -----------------------------------------------------------------------------------


def squads(
    projection: ReadModel, args: argparse.Namespace, report: Report, result: dict[str, Any]
) -> None:
    profiles = projection.profiles
    people = len(profiles)
    chosen = random.Random(args.seed).sample(sorted(profiles), min(args.pool, people))
    pool = [
        Member(id=pid, function=profiles[pid].function, skills=profiles[pid].skills,
               goals=profiles[pid].goals)
        for pid in chosen
    ]  # fmt: skip
    count = min(SQUAD_COUNT, len(pool) // SQUAD_SIZE)
    strong = Counter(k for m in pool for k, level in m.skills.items() if level >= STRONG_LEVEL)
    ranked = sorted(strong.items(), key=lambda kv: (-kv[1], kv[0]))
    focus = [key for key, _ in ranked[4:10]]
    console.print(f"squads: {count} of {SQUAD_SIZE} from a pool of {len(pool):,} ...")
    plans: dict[str, tuple[float, SquadPlan]] = {}
    for name, make in (
        ("suggest_squads", lambda: suggest_squads(pool, size=SQUAD_SIZE, count=count, focus=focus)),
        (
            "random_partition (seed 0)",
            lambda: random_partition(pool, size=SQUAD_SIZE, count=count, focus=focus, seed=0),
        ),
        (
            "round_robin_by_function",
            lambda: round_robin_by_function(pool, size=SQUAD_SIZE, count=count, focus=focus),
        ),
    ):
        seconds, plan = timed(make, args.repeat)
        plans[name] = (statistics.median(seconds), plan)
    report.table(
        f"Squads: {count} of {SQUAD_SIZE} from {len(pool):,} people of {people:,} "
        f"(median of {args.repeat})",
        ["algorithm", "seconds", "coverage", "bound", "coverage / bound", "learners served"],
        [
            [name, f"{s:.2f}", f"{p.coverage:,}", f"{p.coverage_bound:,}",
             f"{p.coverage / p.coverage_bound:.1%}", f"{p.learners_served:,}"]
            for name, (s, p) in plans.items()
        ],
        [
            "focus (ranked 5th-10th by people at level ≥ 4 in the pool): "
            + ", ".join(f"{key} ({strong[key]})" for key in focus)
        ],
    )  # fmt: skip
    result["squads"] = {
        "pool": len(pool),
        "count": count,
        "size": SQUAD_SIZE,
        "focus": {key: strong[key] for key in focus},
        "plans": {
            name: {
                "seconds": s,
                "coverage": p.coverage,
                "coverage_bound": p.coverage_bound,
                "ratio": p.coverage / p.coverage_bound,
                "learners_served": p.learners_served,
            }
            for name, (s, p) in plans.items()
        },
    }


# --- the run ----------------------------------------------------------------------------------


async def run_size(
    people: int, args: argparse.Namespace, report: Report, *, cut: bool
) -> dict[str, Any]:
    report.heading(f"{people:,} people")
    result: dict[str, Any] = {"people": people}
    with tempfile.TemporaryDirectory(prefix="skillweave-bench-") as folder:
        seeded = None if args.in_memory else Seeded(Path(folder), args.heap)
        try:
            console.print(f"seeding {people:,} people ...")
            org, projection = await build_graph(people, seeded, report, result)
            await mentor_suggestions(projection, org, seeded, args, report, result)
        finally:
            if seeded is not None:
                await seeded.close()
    del org
    assignment(projection, args, report, result, cut=cut)
    squads(projection, args, report, result)
    return result


def summary(results: Sequence[dict[str, Any]], report: Report) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(people: int, what: str, target: str, measured: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else met(ok)
        if ok is not None and people < TARGET_PEOPLE and "50,000" in target:
            verdict += " (indicative)"
        rows.append(
            {"people": people, "what": what, "target": target, "measured": measured, "met": verdict}
        )

    for r in results:
        n = r["people"]
        s = r["suggestions"]
        add(
            n,
            "suggestions p95, in process",
            f"≤ {SUGGESTION_P95_MS:g} ms at 50,000",
            f"{s['in_process_ms']['p95']:.2f} ms",
            s["in_process_ms"]["p95"] <= SUGGESTION_P95_MS,
        )
        add(
            n,
            "  p50 vs score_pair baseline",
            "faster",
            f"{s['speedup_p50']:.0f}x",
            s["speedup_p50"] > 1,
        )
        add(
            n,
            "  top 10 = baseline, ties aside",
            "all",
            f"{s['agreement_up_to_ties']}/{s['baseline_people']}",
            s["agreement_up_to_ties"] == s["baseline_people"],
        )
        if s["http_ms"]:
            add(
                n,
                "suggestions p95, HTTP",
                "(no target)",
                f"{s['http_ms']['p95']:.1f} ms",
                None,
            )
        a = r["assignment"]
        add(
            n,
            "OPTIMAL solve (SCORE)",
            f"≤ {ASSIGNMENT_SECONDS:g} s at 50,000",
            f"{a['solve_s']:.2f} s",
            a["solve_s"] <= ASSIGNMENT_SECONDS,
        )
        add(
            n,
            "OPTIMAL candidates + solve",
            f"≤ {ASSIGNMENT_SECONDS:g} s at 50,000",
            f"{a['candidates_plus_solve_s']:.2f} s",
            a["candidates_plus_solve_s"] <= ASSIGNMENT_SECONDS,
        )
        ratio = r["slice"]["score_ratio_max_weight_matching"]
        add(
            n,
            f"  nx matching / OPTIMAL, {r['slice']['mentees']:,} slice",
            "1 (rounding aside)",
            f"{ratio:.6f}",
            abs(ratio - 1) <= 1e-3,
        )
        if "shortlist_cut" in r:
            cut = r["shortlist_cut"]
            add(
                n,
                f"  OPTIMAL score, {cut['per_goal']} / {cut['wide_per_goal']} per goal",
                "(no target)",
                f"{cut['ratio']:.4f}",
                None,
            )
        best = r["squads"]["plans"]["suggest_squads"]
        add(
            n,
            "squads coverage / bound",
            f"≥ {SQUAD_COVERAGE:.0%}",
            f"{best['ratio']:.1%}",
            best["ratio"] >= SQUAD_COVERAGE,
        )
    report.heading("Summary")
    report.table(
        "Targets",
        ["people", "measure", "target", "measured", "met?"],
        [[f"{r['people']:,}", r["what"], r["target"], r["measured"], r["met"]] for r in rows],
        text_columns=3,
    )
    return rows


async def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    report = Report(console)
    results = [
        await run_size(people, args, report, cut=people == min(args.sizes)) for people in args.sizes
    ]
    rows = summary(results, report)
    wall = time.perf_counter() - started
    report.note(f"whole run: {wall:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    about = {
        "when": when,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(),
                    "python": platform.python_version()},
        "wall_s": wall,
    }  # fmt: skip
    (RESULTS / "matching.json").write_text(
        json.dumps({**about, "sizes": results, "summary": rows}, indent=2, default=str) + "\n"
    )
    header = [
        "# Matching benchmark",
        "",
        f"`python benchmarks/{about['command']}` at {when}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
    ]
    report.save(RESULTS / "matching.md", header)
    console.print(f"wrote {RESULTS / 'matching.md'} and {RESULTS / 'matching.json'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.replace("_", "").split(",")],
        default=[10_000, 50_000],
        help="comma-separated organisation sizes (default 10000,50000)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 run, 50 sampled people, a 300-person slice"
    )
    parser.add_argument("--repeat", type=int, help="runs of each whole-run timing (default 3)")
    parser.add_argument("--sample", type=int, help="people for mentor suggestions (default 200)")
    parser.add_argument(
        "--baseline-sample",
        type=int,
        help="people for the score_pair baseline (default: all sampled up to 10,000 people, 20 above)",
    )
    parser.add_argument(
        "--slice", type=int, help="people in the max_weight_matching slice (default 2000)"
    )
    parser.add_argument("--wide-per-goal", type=int, default=100)
    parser.add_argument("--pool", type=int, default=2000, help="people in the squad pool")
    parser.add_argument("--seed", type=int, default=1, help="seed of the samples")
    parser.add_argument("--heap", default="4g", help="embedded store's JVM heap")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument(
        "--exact", action="store_true", help="only the whole-problem assignment (issue 16)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="seconds per OPTIMAL solve (--exact)"
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="no store: build from graph_data(org), no HTTP"
    )
    args = parser.parse_args()
    quick = args.quick
    args.repeat = args.repeat or (1 if quick else 3)
    args.sample = args.sample or (50 if quick else 200)
    args.slice = args.slice or (300 if quick else 2000)
    return args


if __name__ == "__main__":
    parsed = parse_args()
    asyncio.run(exact_main(parsed) if parsed.exact else main(parsed))
