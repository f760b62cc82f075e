"""Network-health benchmark: every metric group of the whole organisation, against plain NetworkX.

    python benchmarks/health.py                        # 10,000 and 50,000 people, 3 runs
    python benchmarks/health.py --sizes 2000 --quick   # smoke run: 1 run of everything
    python benchmarks/health.py --dense 2000           # also an org-like synthetic tie graph

For each size the projection is built in memory, ``ReadModel.build(graph_data(org))`` with
``org = generate_organisation(people=N, seed=7)``: no store is written (``graph_data`` is held
equal to the store's export by a test). Then, in one run, for the whole organisation:

* **Ours**, wall time per metric group: the shared index (``Population``) alone; each light
  group (reach, load, skills, ties, reciprocity, groups) *cold* (a fresh index, none of the
  group's own caches) and *warm* (everything cached); the whole light report,
  ``network_health(heavy=False)``, with every view dropped (index included) and
  warm; brokers and clusters with the tie graph rebuilt (cold) and cached (warm); and the
  background pass the service runs, ``compute_heavy`` on the shared index's records.
* **Baseline**, plain NetworkX on the same projection, written straightforwardly: per-person
  ``out_edges``/``in_edges`` lookups for reach, load, skills, reciprocity and groups; the tie
  graph (``matching.communities.tie_graph``) with attribute lookups for ties; for brokers
  ``networkx.betweenness_centrality`` on the tie graph, exact when a probe estimates it within
  ``--nx-exact-seconds`` (default 60), else ``k=1000`` sampled sources (the table says which);
  for clusters ``louvain_communities`` and ``modularity``, the very algorithm ours runs. The
  numbers both sides measure are compared and the agreement printed; ratio is baseline / ours.
* **Brokers correctness**: our top 1% against the top 1% by exact NetworkX betweenness on the
  same tie graph (skipped, and said so, where exact NetworkX would exceed the limit). At 50,000
  people the tie graph has about 12,500 nodes and exact NetworkX likely takes several minutes:
  raise ``--nx-exact-seconds`` to have it run anyway.
* ``--dense N``: the same check on an org-like synthetic tie graph of N people (teams of 12,
  ties across sites, about 4 ties a person), far denser than the seeded one.

Targets (at 50,000 people; smaller sizes are indicative): the light report, O(n + m), within
2 s on request, cold; brokers and clusters within 30 s each, in the background; broker top 1%
overlapping the exact top 1% by at least 80% at 10,000 people. Medians of ``--repeat`` runs
(default 3; heavy groups above 10,000 people: 1 run unless ``--heavy-repeat``). Tables print
as they are ready; ``benchmarks/results/health.md`` and ``health.json`` get everything at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

# Run as a script, this folder comes first on sys.path, and benchmarks/matching.py would
# shadow the `matching` package: take it off, and put the project root first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import networkx as nx  # noqa: E402
from rich.console import Console  # noqa: E402

from api.health_worker import compute_heavy  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from graph.organisation import graph_data  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from matching.health import (  # noqa: E402
    ORGANISATION,
    betweenness,
    group_health,
    knowledge_brokers,
    learning_reach,
    mentor_load,
    network_health,
    peer_reciprocity,
    skill_health,
    tie_clusters,
    tie_mix,
)
from matching.health.brokers import DEFAULT_WORK, TOP_SHARE, Brokers  # noqa: E402
from matching.health.groups import MIN_COMMUNITY, QUIET_DAYS  # noqa: E402
from matching.health.population import (  # noqa: E402
    EXPERT_LEVEL,
    FORMED,
    TIE_WEIGHTS,
    Population,
    scoped_tie_graph,
)
from matching.health.skills import DEFAULT_BUS_FACTOR  # noqa: E402
from readmodel.store import ReadModel  # noqa: E402

# Piped to a file, rich would wrap at 80 columns; the tables read better wider.
console = Console(width=None if sys.stdout.isatty() else 120)
T = TypeVar("T")
Numbers = dict[str, Any]
"""What one side measured of a metric group, by name, for the agreement check."""

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_PEOPLE = 50_000
LIGHT_SECONDS = 2.0
HEAVY_SECONDS = 30.0
BROKER_OVERLAP = 0.80
OVERLAP_PEOPLE = 10_000
NX_PROBE = 50
"""Sources NetworkX betweenness is timed on to estimate what the exact run would take."""
LIGHT = ("reach", "load", "skills", "ties", "reciprocity", "groups")


def clock(work: Callable[[], T]) -> tuple[float, T]:
    """Seconds of one call (after a garbage collection, so none lands inside it), and its result."""
    gc.collect()
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def timed(work: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median seconds of ``runs`` calls, and the last call's result."""
    seconds: list[float] = []
    for _ in range(max(1, runs)):
        s, result = clock(work)
        seconds.append(s)
    return statistics.median(seconds), result


Node = tuple[str, str]
_GRAPHS: dict[int, nx.MultiDiGraph] = {}


def baseline_graph(model: ReadModel) -> nx.MultiDiGraph:
    """The read model as one NetworkX multigraph, as the service held it before the read
    model: what the plain-NetworkX baselines walk. Built once per model."""
    found = _GRAPHS.get(id(model))
    if found is not None:
        return found
    g = nx.MultiDiGraph()
    for key, s in model.skills.items():
        g.add_node(("skill", key), kind="skill", name=s.name)
    for a, related in model.related.items():
        for b in related:
            g.add_edge(("skill", a), ("skill", b), key="related", kind="related")
    for tid, t in model.teams.items():
        g.add_node(("team", tid), kind="team", name=t.name, function=t.function, site=t.site)
    for kind, groups in (("squad", model.squads), ("community", model.communities)):
        for gid, grp in groups.items():
            g.add_node((kind, gid), kind=kind, name=grp.name, status=grp.status,
                       created_at=grp.created_at, last_activity_at=grp.last_activity_at)  # fmt: skip
            for k in grp.skills:
                g.add_edge((kind, gid), ("skill", k), key="focuses_on:" + k, kind="focuses_on")
    for p in model.people.values():
        node = ("person", p.id)
        g.add_node(node, kind="person", site=p.site, function=p.function,
                   mentoring_capacity=p.capacity, open_to_mentoring=p.open_to_mentoring)  # fmt: skip
        if p.team:
            g.add_edge(node, ("team", p.team), key="member_of", kind="member_of")
        for k, level in p.skills.items():
            g.add_edge(node, ("skill", k), key="has_skill:" + k, kind="has_skill", level=level)
        for k, priority in p.goals.items():
            g.add_edge(node, ("skill", k), key="wants:" + k, kind="wants", priority=priority)
        for sid, role in p.squads.items():
            g.add_edge(node, ("squad", sid), key="in_squad", kind="in_squad", role=role,
                       joined_at=p.joined.get(sid))  # fmt: skip
        for cid in p.communities:
            g.add_edge(node, ("community", cid), key="in_community", kind="in_community",
                       joined_at=p.joined.get(cid))  # fmt: skip
        for cid in p.moderates:
            g.add_edge(node, ("community", cid), key="moderates", kind="moderates")
    for m in model.mentorships.values():
        g.add_edge(("person", m.mentor), ("person", m.mentee), key=m.id, kind="mentors",
                   status=m.status, focus=m.focus, requested_at=m.requested_at)  # fmt: skip
    _GRAPHS[id(model)] = g
    return g


def baseline_tie_graph(model: ReadModel) -> nx.Graph:
    """The tie graph built the plain way, walking :func:`baseline_graph`'s edges."""
    ties = nx.Graph()

    def tie(u: object, v: object, weight: float) -> None:
        if ties.has_edge(u, v):
            ties[u][v]["weight"] += weight
        else:
            ties.add_edge(u, v, weight=weight)

    g = baseline_graph(model)
    for u, v, d in g.edges(data=True):
        if u[0] != "person":
            continue
        if (d["kind"] == "mentors" and d["status"] in FORMED) or d["kind"] == "in_community":
            tie(u, v, TIE_WEIGHTS[d["kind"]])
    for node in g:
        if node[0] == "squad":
            members = sorted(u for u, _, k in g.in_edges(node, data="kind") if k == "in_squad")
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    tie(a, b, TIE_WEIGHTS["in_squad"])
    return ties


def fresh_index(projection: ReadModel) -> Population:
    """Drop everything cached on ``projection`` and build the shared index again."""
    projection.drop_views()
    return projection.population


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def secs(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


# --- the graph ----------------------------------------------------------------------------


def build_projection(
    people: int, args: argparse.Namespace, report: Report, result: dict[str, Any]
) -> ReadModel:
    start = time.perf_counter()
    org = generate_organisation(people=people, seed=args.org_seed)
    timings = {"generate_organisation": time.perf_counter() - start}
    start = time.perf_counter()
    data = graph_data(org)
    timings["graph_data"] = time.perf_counter() - start
    start = time.perf_counter()
    projection = ReadModel.build(data)
    timings["ReadModel.build"] = time.perf_counter() - start
    ties = baseline_tie_graph(projection)
    result["graph"] = {
        "source": f"graph_data(generate_organisation(people={people}, seed={args.org_seed}))",
        "seconds": timings,
        "nodes": len(baseline_graph(projection)),
        "edges": baseline_graph(projection).number_of_edges(),
        "tie_graph": {"nodes": len(ties), "edges": ties.number_of_edges()},
    }
    report.table(
        f"ReadModel, {people:,} people",
        ["step", "seconds"],
        [[step, f"{s:.2f}"] for step, s in timings.items()],
        [
            f"in memory from {result['graph']['source']}, no store; "
            f"{len(baseline_graph(projection)):,} nodes, {baseline_graph(projection).number_of_edges():,} edges; "
            f"tie graph {len(ties):,} nodes, {ties.number_of_edges():,} edges"
        ],
    )
    return projection


# --- ours ---------------------------------------------------------------------------------


def our_numbers(projection: ReadModel, now: dt.datetime) -> dict[str, Numbers]:
    """What each light group of ours reports that the baseline also computes."""
    reach = learning_reach(projection)
    load = mentor_load(projection, as_of=now)
    skills = skill_health(projection)
    ties = tie_mix(projection)
    reciprocity = peer_reciprocity(projection)
    groups = group_health(projection, as_of=now)
    return {
        "reach": {"isolated": len(reach.isolated), "with_goals": reach.with_goals,
                  "covered": reach.covered},
        "load": {"mentors": load.mentors, "capacity": load.capacity, "active": load.active,
                 "distribution": dict(load.distribution),
                 "over_capacity": len(load.over_capacity), "gini": load.gini,
                 "pending": load.pending},
        "skills": {"tracked": len(skills.balances), "at_risk": len(skills.at_risk),
                   "unteachable": len(skills.unteachable), "goals": skills.goals,
                   "goals_unteachable": skills.goals_unteachable},
        "ties": {"within": ties.within, "cross_team": ties.cross_team,
                 "cross_function": ties.cross_function, "cross_site": ties.cross_site,
                 "cross_team_share": ties.cross_team_share, "silos": len(ties.silos)},
        "reciprocity": {"pairs": reciprocity.pairs, "mutual": reciprocity.mutual,
                        "exchanges": len(reciprocity.exchanges)},
        "groups": {
            f"{kind}.{name}": value
            for kind, health in (("squads", groups.squads), ("communities", groups.communities))
            for name, value in (("count", len(health.groups)), ("inactive", len(health.inactive)),
                                ("mean_size", health.mean_size),
                                ("cross_functional", health.cross_functional_share),
                                ("created_90d", health.growth.created_90d))
        },
    }  # fmt: skip


def time_ours(
    projection: ReadModel, now: dt.datetime, runs: int, heavy_runs: int, seed: int
) -> dict[str, Any]:
    """Seconds of the index, each group cold and warm, the light report and the heavy groups."""
    light: dict[str, Callable[[], object]] = {
        "reach": lambda: learning_reach(projection),
        "load": lambda: mentor_load(projection, as_of=now),
        "skills": lambda: skill_health(projection),
        "ties": lambda: tie_mix(projection),
        "reciprocity": lambda: peer_reciprocity(projection),
        "groups": lambda: group_health(projection, as_of=now),
    }
    index: list[float] = []
    cold: dict[str, list[float]] = {name: [] for name in light}
    warm: dict[str, list[float]] = {name: [] for name in light}
    for _ in range(runs):
        # Groups cache nothing on one another's behalf (only ties reads Population.ties), so
        # after a fresh index each group's first call is cold and its second warm.
        projection.drop_views()
        index.append(clock(lambda: projection.population)[0])
        for name, work in light.items():
            cold[name].append(clock(work)[0])
        for name, work in light.items():
            warm[name].append(clock(work)[0])
    report_cold: list[float] = []
    report_warm: list[float] = []
    for _ in range(runs):
        projection.drop_views()
        report_cold.append(clock(lambda: network_health(projection, heavy=False, as_of=now))[0])
        report_warm.append(clock(lambda: network_health(projection, heavy=False, as_of=now))[0])

    heavy: dict[str, list[float]] = {
        key: []
        for key in ("tie graph", "brokers cold", "brokers warm", "clusters cold", "clusters warm",
                    "background pass")
    }  # fmt: skip
    for _ in range(heavy_runs):
        fresh_index(projection)
        heavy["tie graph"].append(
            clock(lambda: scoped_tie_graph(projection.population, ORGANISATION))[0]
        )
        fresh_index(projection)
        s, brokers = clock(lambda: knowledge_brokers(projection, seed=seed))
        heavy["brokers cold"].append(s)
        heavy["brokers warm"].append(clock(lambda: knowledge_brokers(projection, seed=seed))[0])
        fresh_index(projection)
        heavy["clusters cold"].append(clock(lambda: tie_clusters(projection, seed=seed))[0])
        heavy["clusters warm"].append(clock(lambda: tie_clusters(projection, seed=seed))[0])
        # As the service runs it: the request builds the shared index (the light report
        # needs it anyway), the worker thread computes from its plain records.
        projection.drop_views()
        population = projection.population
        heavy["background pass"].append(
            clock(
                functools.partial(
                    compute_heavy, population, ORGANISATION, version=projection.version, seed=seed
                )
            )[0]
        )
    projection.drop_views()
    median = statistics.median
    return {
        "index": median(index),
        "cold": {name: median(s) for name, s in cold.items()},
        "warm": {name: median(s) for name, s in warm.items()},
        "light_report_cold": median(report_cold),
        "light_report_warm": median(report_warm),
        "heavy": {name: median(s) for name, s in heavy.items()},
        "brokers": brokers,
    }


# --- the baseline: plain NetworkX ---------------------------------------------------------


def people_of(g: nx.MultiDiGraph) -> list[Node]:
    return [n for n, kind in g.nodes(data="kind") if n[0] == "person" and kind == "person"]


def baseline_reach(projection: ReadModel) -> Numbers:
    """Isolation and goal coverage, walking each person's edges."""
    g = baseline_graph(projection)
    isolated = with_goals = covered = 0
    for node in people_of(g):
        tied = False
        goals: set[Node] = set()
        live_squads: list[Node] = []
        for _, target, d in g.out_edges(node, data=True):
            kind = d["kind"]
            if kind == "wants":
                goals.add(target)
            elif kind == "mentors" and d["status"] == "active":
                tied = True
            elif kind == "in_squad" and g.nodes[target].get("status") != "archived":
                tied = True
                live_squads.append(target)
            elif kind == "in_community":
                tied = True
        mentors = [
            (mentor, d)
            for mentor, _, d in g.in_edges(node, data=True)
            if d["kind"] == "mentors" and d["status"] == "active"
        ]
        tied = tied or bool(mentors)
        isolated += not tied
        if not goals:
            continue
        with_goals += 1
        served = False
        for mentor, d in mentors:
            if any(("skill", key) in goals for key in d["focus"]):
                served = True
            for _, held, e in g.out_edges(mentor, data=True):
                if e["kind"] == "has_skill" and e["level"] >= EXPERT_LEVEL and held in goals:
                    served = True
        for squad in live_squads:
            if any(g.has_edge(squad, goal) for goal in goals):
                served = True
        covered += served
    return {"isolated": isolated, "with_goals": with_goals, "covered": covered}


def baseline_load(projection: ReadModel) -> Numbers:
    """Active mentorships against capacity, walking each person's out-edges."""
    g = baseline_graph(projection)
    loads: list[int] = []
    capacity = over = pending = 0
    for node in people_of(g):
        active = 0
        for _, mentee, d in g.out_edges(node, data=True):
            if d["kind"] != "mentors" or g.nodes[mentee].get("kind") != "person":
                continue
            active += d["status"] == "active"
            pending += d["status"] == "requested"
        attrs = g.nodes[node]
        cap = int(attrs.get("mentoring_capacity") or 0)
        if (attrs.get("open_to_mentoring") and cap > 0) or active:
            loads.append(active)
            capacity += cap
            over += active > cap
    xs = sorted(loads)
    n, total = len(xs), sum(xs)
    gini = sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)) / (n * total) if total else 0
    return {"mentors": len(loads), "capacity": capacity, "active": total,
            "distribution": dict(sorted(Counter(loads).items())), "over_capacity": over,
            "gini": float(gini), "pending": pending}  # fmt: skip


def baseline_skills(projection: ReadModel) -> Numbers:
    """Supply and demand per skill, walking each person's out-edges."""
    g = baseline_graph(projection)
    holders: Counter[str] = Counter()
    supply: Counter[str] = Counter()
    demand: Counter[str] = Counter()
    for node in people_of(g):
        for _, target, d in g.out_edges(node, data=True):
            if d["kind"] == "has_skill":
                holders[target[1]] += 1
                supply[target[1]] += d["level"] >= EXPERT_LEVEL
            elif d["kind"] == "wants":
                demand[target[1]] += 1
    tracked = holders.keys() | demand.keys()
    unteachable = [k for k in tracked if demand[k] and not supply[k]]
    return {"tracked": len(tracked),
            "at_risk": sum(1 for k in tracked if supply[k] < DEFAULT_BUS_FACTOR),
            "unteachable": len(unteachable), "goals": sum(demand.values()),
            "goals_unteachable": sum(demand[k] for k in unteachable)}  # fmt: skip


def baseline_ties(projection: ReadModel) -> Numbers:
    """Cross-team, -function and -site ties and silos, from the tie graph with attribute lookups."""
    g = baseline_graph(projection)

    def team(node: Node) -> str | None:
        teams = (t[1] for _, t, d in g.out_edges(node, data=True) if d["kind"] == "member_of")
        return next(teams, None)

    ties = baseline_tie_graph(projection)
    members: Counter[str | None] = Counter(team(node) for node in people_of(g))
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    within = cross_team = cross_function = cross_site = 0
    for a, b in ties.edges():
        if a == b or a[0] != "person" or b[0] != "person":
            continue
        team_a, team_b = team(a), team(b)
        within += 1
        cross_team += team_a != team_b
        cross_function += g.nodes[a].get("function") != g.nodes[b].get("function")
        cross_site += g.nodes[a].get("site") != g.nodes[b].get("site")
        if team_a is not None and team_a == team_b:
            inside[team_a] += 1
        else:
            for t in (team_a, team_b):
                if t is not None:
                    outside[t] += 1
    silos = sum(
        1
        for t, count in members.items()
        if t is not None and count >= 2 and (outside[t] == 0 or outside[t] < inside[t])
    )
    return {"within": within, "cross_team": cross_team, "cross_function": cross_function,
            "cross_site": cross_site, "cross_team_share": cross_team / within if within else 0.0,
            "silos": silos}  # fmt: skip


def baseline_reciprocity(projection: ReadModel) -> Numbers:
    """Mentoring pairs and peer exchanges, walking the mentorship edges."""
    g = baseline_graph(projection)
    directions: dict[tuple[str, str], set[str]] = {}
    exchanges: set[tuple[str, str]] = set()
    for mentor, mentee, d in g.edges(data=True):
        if d["kind"] != "mentors" or d["status"] not in FORMED or mentor == mentee:
            continue
        if g.nodes[mentor].get("kind") != "person" or g.nodes[mentee].get("kind") != "person":
            continue
        pair = (min(mentor[1], mentee[1]), max(mentor[1], mentee[1]))
        directions.setdefault(pair, set()).add(mentor[1])
        wanted = {t for _, t, e in g.out_edges(mentor, data=True) if e["kind"] == "wants"}
        if any(
            e["kind"] == "has_skill" and e["level"] >= EXPERT_LEVEL and t in wanted
            for _, t, e in g.out_edges(mentee, data=True)
        ):
            exchanges.add(pair)
    mutual = {pair for pair, mentors in directions.items() if len(mentors) == 2}
    return {"pairs": len(directions), "mutual": len(mutual), "exchanges": len(exchanges | mutual)}


def baseline_groups(projection: ReadModel, now: dt.datetime) -> Numbers:
    """Squads and communities, walking each group's in-edges."""
    g = baseline_graph(projection)
    numbers: Numbers = {}
    for kind, edge in (("squad", "in_squad"), ("community", "in_community")):
        sizes: list[int] = []
        mixed = inactive = recent = 0
        dated = False
        for node, attrs in g.nodes(data=True):
            if node[0] != kind:
                continue
            created = attrs.get("created_at")
            dated = dated or created is not None
            members = [
                u
                for u, _, d in g.in_edges(node, data=True)
                if d["kind"] == edge and g.nodes[u].get("kind") == "person"
            ]
            if not members:
                continue
            if created is not None and created >= now - dt.timedelta(days=90):
                recent += 1
            if kind == "squad":
                quiet = attrs.get("status") == "archived"
            else:
                last = attrs.get("last_activity_at")
                old = last is not None and last < now - dt.timedelta(days=QUIET_DAYS)
                quiet = len(members) < MIN_COMMUNITY or old
            if quiet:
                inactive += 1
                continue
            sizes.append(len(members))
            mixed += len({g.nodes[m].get("function") for m in members}) >= 2
        label = "squads" if kind == "squad" else "communities"
        numbers |= {
            f"{label}.count": len(sizes) + inactive,
            f"{label}.inactive": inactive,
            f"{label}.mean_size": sum(sizes) / len(sizes) if sizes else 0.0,
            f"{label}.cross_functional": mixed / len(sizes) if sizes else 0.0,
            f"{label}.created_90d": recent if dated else None,
        }
    return numbers


def top_people(values: Mapping[Any, float], count: int) -> list[str]:
    """The ``count`` people with the highest betweenness above 0, ranked as the brokers are."""
    ranked = sorted(
        (n for n, v in values.items() if n[0] == "person" and v > 0),
        key=lambda n: (-float(f"{values[n]:.9g}"), n[1]),
    )
    return [n[1] for n in ranked[:count]]


def nx_betweenness(graph: nx.Graph, limit: float, samples: int, seed: int) -> dict[str, Any]:
    """NetworkX betweenness of ``graph``: exact if a probe says it fits ``limit`` seconds.

    Brandes' cost is the same for every source up to its component's size, so timing
    ``NX_PROBE`` random sources and scaling by ``n / NX_PROBE`` estimates the exact run.
    """
    n = len(graph)
    probe = min(n, NX_PROBE)
    probe_s, _ = clock(lambda: nx.betweenness_centrality(graph, k=probe, seed=seed))
    estimate = probe_s * n / max(1, probe)
    exact = estimate <= limit or probe == n
    k = None if exact else min(n, samples)
    seconds, values = clock(lambda: nx.betweenness_centrality(graph, k=k, seed=seed))
    return {"values": values, "seconds": seconds, "exact": exact, "k": k,
            "estimate_s": estimate}  # fmt: skip


def overlap(ours: Sequence[str], values: Mapping[Any, float], count: int) -> dict[str, Any]:
    """How many of ``ours`` are in the top ``count`` people by ``values``, strictly and up to ties."""
    reference = top_people(values, count)
    if not reference:
        return {"k": 0, "strict": 0, "tied": 0, "share": 1.0}
    people = {n[1]: v for n, v in values.items() if n[0] == "person"}
    floor = people[reference[-1]] * (1 - 1e-9)
    strict = len(set(ours) & set(reference))
    tied = sum(1 for pid in ours if people.get(pid, 0.0) >= floor)
    return {"k": len(reference), "strict": strict, "tied": tied, "share": strict / len(reference)}


# --- one size -----------------------------------------------------------------------------


def time_baseline(
    projection: ReadModel, now: dt.datetime, args: argparse.Namespace, runs: int, heavy_runs: int
) -> dict[str, Any]:
    """Seconds and numbers of the plain NetworkX baseline of every group."""
    console.print("baseline: plain NetworkX ...")
    light: dict[str, Callable[[], Numbers]] = {
        "reach": lambda: baseline_reach(projection),
        "load": lambda: baseline_load(projection),
        "skills": lambda: baseline_skills(projection),
        "ties": lambda: baseline_ties(projection),
        "reciprocity": lambda: baseline_reciprocity(projection),
        "groups": lambda: baseline_groups(projection, now),
    }
    seconds: dict[str, float] = {}
    numbers: dict[str, Numbers] = {}
    for name, work in light.items():
        seconds[name], numbers[name] = timed(work, runs)

    console.print("baseline: networkx betweenness on the tie graph ...")
    graph_s, ties = clock(lambda: baseline_tie_graph(projection))
    nx_b = nx_betweenness(ties, args.nx_exact_seconds, args.nx_samples, args.seed)
    count = max(1, math.ceil(TOP_SHARE * len(people_of(baseline_graph(projection)))))
    rank_s, _ = clock(lambda: top_people(nx_b["values"], count))

    console.print("baseline: networkx Louvain and modularity ...")

    def louvain() -> Numbers:
        graph = baseline_tie_graph(projection)
        # The same canonical node order ours uses (Louvain depends on insertion order).
        canonical = nx.Graph()
        canonical.add_nodes_from(sorted(graph.nodes))
        canonical.add_weighted_edges_from(
            sorted((*sorted((u, v)), w) for u, v, w in graph.edges(data="weight"))
        )
        parts = nx.community.louvain_communities(canonical, weight="weight", seed=args.seed)
        modularity = nx.community.modularity(graph, parts, weight="weight")
        with_people = sum(1 for p in parts if any(n[0] == "person" for n in p))
        return {"count": with_people, "modularity": float(modularity)}

    seconds["clusters"], numbers["clusters"] = timed(louvain, heavy_runs)
    seconds["brokers"] = graph_s + nx_b["seconds"] + rank_s
    return {"seconds": seconds, "numbers": numbers, "ties": ties, "betweenness": nx_b}


def report_groups(
    people: int,
    ours: dict[str, Any],
    base: dict[str, Any],
    agreement: dict[str, list[str]],
    report: Report,
) -> None:
    heavy, base_s = ours["heavy"], base["seconds"]
    nx_b = base["betweenness"]
    brokers_mode = "exact" if nx_b["exact"] else f"k={nx_b['k']:,} sampled"

    def agree(name: str) -> str:
        if agreement[name]:
            return "DIFFER: " + ", ".join(agreement[name])
        return f"{len(base['numbers'][name])}/{len(base['numbers'][name])}"

    rows = [["index (Population), shared", secs(ours["index"]), "", "", "", ""]]
    for name in LIGHT:
        rows.append(
            [name, secs(ours["cold"][name]), secs(ours["warm"][name]), secs(base_s[name]),
             f"{base_s[name] / ours['cold'][name]:.1f}x", agree(name)]
        )  # fmt: skip
    light_base = sum(base_s[name] for name in LIGHT)
    rows += [
        ["light report (network_health, heavy=False)", secs(ours["light_report_cold"]),
         secs(ours["light_report_warm"]), secs(light_base),
         f"{light_base / ours['light_report_cold']:.1f}x", ""],
        [f"brokers (baseline: nx betweenness, {brokers_mode})", secs(heavy["brokers cold"]),
         secs(heavy["brokers warm"]), secs(base_s["brokers"]),
         f"{base_s['brokers'] / heavy['brokers cold']:.1f}x", "see below"],
        ["clusters (baseline: nx Louvain + modularity)", secs(heavy["clusters cold"]),
         secs(heavy["clusters warm"]), secs(base_s["clusters"]),
         f"{base_s['clusters'] / heavy['clusters cold']:.1f}x", agree("clusters")],
    ]  # fmt: skip
    runs = ours["runs"]
    report.table(
        f"Metric groups, whole organisation, {people:,} people (seconds)",
        ["metric group", "ours cold", "ours warm", "baseline", "baseline / ours cold", "agree"],
        rows,
        [
            f"medians of {runs['light']} run(s); brokers, clusters and the clusters baseline: "
            f"{runs['heavy']} run(s); NetworkX betweenness: 1 run",
            "cold: light groups after a fresh index (the index row, built once per projection "
            "version and shared) with none of their own caches (ties: Population.ties); brokers "
            "and clusters with the tie graph rebuilt (shared index held); the light report with "
            "every view dropped, so index included (first call on the newly built "
            f"projection: {secs(ours['light_report_first'])} s). warm: everything cached",
            "baseline: plain NetworkX over the projection, nothing cached (ties and brokers build "
            "the tie graph with matching.communities.tie_graph); light report baseline: sum of "
            "the six; clusters: ours *is* NetworkX Louvain, so about 1x is expected",
            f"background pass as the service runs it: compute_heavy on the shared index's "
            f"plain records (tie graph included) {secs(heavy['background pass'])} s in a "
            f"worker thread; nothing extra on the request; tie graph alone "
            f"{secs(heavy['tie graph'])} s",
        ],
    )
    mine, theirs = ours["numbers"], base["numbers"]
    detail = [
        [name, ", ".join(f"{k}={show(v)}" for k, v in mine[name].items()),
         "; ".join(f"{k}={show(theirs[name].get(k))}" for k in agreement[name]) or "equal"]
        for name in (*LIGHT, "clusters")
    ]  # fmt: skip
    report.table(
        f"Agreement with the NetworkX baseline, {people:,} people",
        ["group", "ours", "baseline"],
        detail,
        ["floats equal to 1e-9 relative; groups: squads and communities with a member"],
        text_columns=3,
    )


def check_brokers(
    people: int,
    brokers: Brokers,
    seconds: float,
    base: dict[str, Any],
    args: argparse.Namespace,
    report: Report,
) -> dict[str, Any]:
    """Our top 1% against the top 1% by NetworkX betweenness on the same tie graph."""
    ties, nx_b = base["ties"], base["betweenness"]
    count = max(1, math.ceil(TOP_SHARE * people))
    found = overlap([b.id for b in brokers.people], nx_b["values"], count)
    max_diff = None
    if nx_b["exact"]:
        ours = betweenness(ties, seed=args.seed).values
        max_diff = max((abs(ours[n] - v) for n, v in nx_b["values"].items()), default=0.0)
    mode = "exact" if brokers.cutoff is None else f"cut off at {brokers.cutoff} ties"
    nx_mode = "exact" if nx_b["exact"] else f"k={nx_b['k']:,} sampled"
    notes = [
        f"tie graph {len(ties):,} nodes, {ties.number_of_edges():,} edges; top 1% = {count} "
        "people with betweenness above 0, ranked by value then id; 'up to ties': ours whose "
        "NetworkX value reaches the last of its top 1%; both timed on the tie graph built",
        f"exact NetworkX estimated at {secs(nx_b['estimate_s'])} s from "
        f"{min(len(ties), NX_PROBE)} sampled sources (run exact when ≤ --nx-exact-seconds "
        f"{args.nx_exact_seconds:g})",
    ]
    if max_diff is not None:
        notes.append(f"max |ours − networkx| betweenness over all nodes: {max_diff:.2e}")
    else:
        notes.append(
            "exact NetworkX skipped as too slow: the overlap with a k-sample is not the "
            "correctness check (sampling has its own error)"
        )
    report.table(
        f"Brokers against NetworkX betweenness, {people:,} people",
        ["method", "seconds", "listed", "top 1% in common", "up to ties"],
        [
            [f"ours: knowledge_brokers (igraph, {mode})", secs(seconds),
             f"{len(brokers.people)}", "", ""],
            [f"networkx betweenness_centrality, {nx_mode}", secs(nx_b["seconds"]),
             f"{found['k']}", f"{found['strict']}/{found['k']} ({found['share']:.0%})",
             f"{found['tied']}/{found['k']}"],
        ],
        notes,
    )  # fmt: skip
    return {"count": count, "cutoff": brokers.cutoff, "exact_reference": nx_b["exact"],
            "nx_mode": nx_mode, "nx_exact_estimate_s": nx_b["estimate_s"],
            "overlap": found, "max_abs_diff": max_diff}  # fmt: skip


def run_size(people: int, args: argparse.Namespace, report: Report) -> dict[str, Any]:
    report.heading(f"{people:,} people")
    result: dict[str, Any] = {"people": people}
    projection = build_projection(people, args, report, result)
    now = dt.datetime.now(dt.UTC)
    runs = args.repeat
    heavy_runs = max(1, args.heavy_repeat or (runs if people <= 10_000 else 1))
    # The projection is brand new: nothing is cached on it yet.
    first_s, _ = clock(lambda: network_health(projection, heavy=False, as_of=now))
    console.print(f"ours: {runs} run(s) of the light groups, {heavy_runs} of the heavy ones ...")
    ours = time_ours(projection, now, runs, heavy_runs, args.seed)
    brokers = ours.pop("brokers")
    ours |= {"light_report_first": first_s, "runs": {"light": runs, "heavy": heavy_runs}}
    ours["numbers"] = our_numbers(projection, now)
    clusters = tie_clusters(projection, seed=args.seed)
    ours["numbers"]["clusters"] = {
        "count": len(clusters.clusters),
        "modularity": clusters.modularity,
    }
    projection.drop_views()

    base = time_baseline(projection, now, args, runs, heavy_runs)
    mine, theirs = ours["numbers"], base["numbers"]
    agreement = {
        name: [k for k in mine[name] if not same(mine[name][k], theirs[name].get(k))]
        for name in mine
    }
    report_groups(people, ours, base, agreement, report)
    warm = ours["heavy"]["brokers warm"]
    result["brokers"] = check_brokers(people, brokers, warm, base, args, report)
    result |= {
        "ours": ours,
        "baseline": {"seconds": base["seconds"], "numbers": theirs,
                     "light_total_s": sum(base["seconds"][name] for name in LIGHT)},
        "agreement": agreement,
    }  # fmt: skip
    return result


# --- a denser synthetic tie graph ---------------------------------------------------------


def org_like(n: int, seed: int) -> nx.Graph:
    """Teams of 12 tied inside, plus ties across a site and a few anywhere: denser than the seed.

    The graph of the org-like rows in ``docs/health.md`` (and ``tests/matching``): nodes are
    ``("person", id)`` so brokers rank them as people.
    """
    rng = random.Random(seed)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for v in range(n):
        team = range(v // 12 * 12, min(n, v // 12 * 12 + 12))
        mates = [u for u in team if u != v]
        graph.add_edges_from((u, v) for u in rng.sample(mates, min(3, len(mates))))
        if rng.random() < 0.5:
            graph.add_edges_from(
                (u, v) for u in rng.sample(range(n), 2) if u % 6 == v % 6 and u != v
            )
        if rng.random() < 0.3 and (u := rng.randrange(n)) != v:
            graph.add_edge(u, v)
    return nx.relabel_nodes(graph, {v: ("person", f"P{v:06d}") for v in graph})


def run_dense(n: int, args: argparse.Namespace, report: Report) -> dict[str, Any]:
    graph = org_like(n, args.seed)
    count = max(1, math.ceil(TOP_SHARE * n))
    console.print(f"org-like synthetic tie graph of {n:,} people ...")
    ours_s, ours = clock(lambda: betweenness(graph, work=args.dense_work, seed=args.seed))
    nx_b = nx_betweenness(graph, args.nx_exact_seconds, args.nx_samples, args.seed)
    found = overlap(top_people(ours.values, count), nx_b["values"], count)
    mode = "exact" if ours.cutoff is None else f"cut off at {ours.cutoff} ties"
    nx_mode = "exact" if nx_b["exact"] else f"k={nx_b['k']:,} sampled (not exact: too slow)"
    report.table(
        f"Brokers on an org-like synthetic tie graph, {n:,} people",
        ["method", "seconds", "top 1% in common", "up to ties"],
        [
            [f"ours: betweenness (igraph, {mode})", secs(ours_s), "", ""],
            [f"networkx betweenness_centrality, {nx_mode}", secs(nx_b["seconds"]),
             f"{found['strict']}/{found['k']} ({found['share']:.0%})", f"{found['tied']}/{found['k']}"],
        ],
        [
            f"{n:,} nodes, {graph.number_of_edges():,} edges (teams of 12, ties across sites); "
            f"work budget {args.dense_work:g}; exact NetworkX estimated at "
            f"{secs(nx_b['estimate_s'])} s"
        ],
    )  # fmt: skip
    return {"people": n, "edges": graph.number_of_edges(), "work": args.dense_work,
            "ours_s": ours_s, "cutoff": ours.cutoff, "nx_s": nx_b["seconds"],
            "nx_exact": nx_b["exact"], "nx_estimate_s": nx_b["estimate_s"],
            "overlap": found}  # fmt: skip


# --- the run ------------------------------------------------------------------------------


def summary(
    results: Sequence[dict[str, Any]], dense: Sequence[dict[str, Any]], report: Report
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(people: int, what: str, target: str, measured: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else met(ok)
        if ok is not None and people != TARGET_PEOPLE and "50,000" in target:
            verdict += " (indicative)"
        rows.append(
            {"people": people, "what": what, "target": target, "measured": measured, "met": verdict}
        )

    for r in results:
        n = r["people"]
        ours, heavy = r["ours"], r["ours"]["heavy"]
        light_s = ours["light_report_cold"]
        add(
            n,
            "light report, cold (on request)",
            f"≤ {LIGHT_SECONDS:g} s at 50,000",
            f"{light_s:.2f} s",
            light_s <= LIGHT_SECONDS,
        )
        add(
            n,
            "  vs plain NetworkX (sum of six groups)",
            "faster",
            f"{r['baseline']['light_total_s'] / light_s:.1f}x",
            r["baseline"]["light_total_s"] > light_s,
        )
        for name, key in (("brokers", "brokers cold"), ("clusters", "clusters cold")):
            add(
                n,
                f"{name}, cold (background)",
                f"≤ {HEAVY_SECONDS:g} s at 50,000",
                f"{heavy[key]:.2f} s",
                heavy[key] <= HEAVY_SECONDS,
            )
        add(
            n,
            "background pass (compute_heavy in the worker)",
            f"≤ {HEAVY_SECONDS:g} s at 50,000",
            f"{heavy['background pass']:.2f} s",
            heavy["background pass"] <= HEAVY_SECONDS,
        )
        differ = [name for name, keys in r["agreement"].items() if keys]
        add(
            n,
            "numbers equal to the NetworkX baseline",
            "all groups",
            "all" if not differ else "differ: " + ", ".join(differ),
            not differ,
        )
        b = r["brokers"]
        o = b["overlap"]
        if b["exact_reference"]:
            add(
                n,
                "broker top 1% ∩ exact nx top 1%",
                f"≥ {BROKER_OVERLAP:.0%}" + ("" if n == OVERLAP_PEOPLE else " (at 10,000)"),
                f"{o['strict']}/{o['k']} ({o['share']:.0%})",
                o["share"] >= BROKER_OVERLAP,
            )
        else:
            estimate = b["nx_exact_estimate_s"]
            add(
                n,
                "broker top 1% ∩ exact nx top 1%",
                f"≥ {BROKER_OVERLAP:.0%}",
                f"skipped: exact nx ~{secs(estimate)} s",
                None,
            )
    for d in dense:
        o = d["overlap"]
        add(
            d["people"],
            "org-like synthetic: broker top 1% ∩ nx top 1%",
            f"≥ {BROKER_OVERLAP:.0%}" if d["nx_exact"] else "(nx not exact)",
            f"{o['strict']}/{o['k']} ({o['share']:.0%})",
            o["share"] >= BROKER_OVERLAP if d["nx_exact"] else None,
        )
    report.heading("Summary")
    report.table(
        "Targets",
        ["people", "measure", "target", "measured", "met?"],
        [[f"{r['people']:,}", r["what"], r["target"], r["measured"], r["met"]] for r in rows],
        text_columns=3,
    )
    return rows


def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    report = Report(console)
    results = [run_size(people, args, report) for people in args.sizes]
    dense = []
    if args.dense:
        report.heading("Denser tie graph")
        dense = [run_dense(n, args, report) for n in args.dense]
    rows = summary(results, dense, report)
    wall = time.perf_counter() - started
    report.note(f"whole run: {wall:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    about = {
        "when": when,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(),
                    "python": platform.python_version(), "networkx": nx.__version__},
        "wall_s": wall,
    }  # fmt: skip
    (RESULTS / "health.json").write_text(
        json.dumps({**about, "sizes": results, "dense": dense, "summary": rows},
                   indent=2, default=str) + "\n"
    )  # fmt: skip
    header = [
        "# Network-health benchmark",
        "",
        f"`python benchmarks/{about['command']}` at {when}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
    ]
    report.save(RESULTS / "health.md", header)
    console.print(f"wrote {RESULTS / 'health.md'} and {RESULTS / 'health.json'}")


def parse_args() -> argparse.Namespace:
    def sizes(text: str) -> list[int]:
        return [int(n) for n in text.replace("_", "").split(",") if n]

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=sizes, default=[10_000, 50_000],
        help="comma-separated organisation sizes (default 10000,50000)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="1 run of everything")
    parser.add_argument("--repeat", type=int, help="runs of each timing (default 3)")
    parser.add_argument(
        "--heavy-repeat", type=int,
        help="runs of brokers and clusters (default: --repeat up to 10,000 people, 1 above)",
    )  # fmt: skip
    parser.add_argument(
        "--nx-exact-seconds", type=float, default=60.0,
        help="run exact NetworkX betweenness when estimated within this (default 60)",
    )  # fmt: skip
    parser.add_argument(
        "--nx-samples", type=int, default=1000,
        help="sampled sources for NetworkX betweenness when exact is too slow (default 1000)",
    )  # fmt: skip
    parser.add_argument(
        "--dense", type=sizes, default=[],
        help="also check brokers on org-like synthetic tie graphs of these sizes",
    )  # fmt: skip
    parser.add_argument(
        "--dense-work", type=float, default=DEFAULT_WORK,
        help=f"betweenness budget on the synthetic graphs (default {DEFAULT_WORK:g})",
    )  # fmt: skip
    parser.add_argument("--org-seed", type=int, default=7, help="seed of generate_organisation")
    parser.add_argument("--seed", type=int, default=0, help="seed of Louvain and the samples")
    args = parser.parse_args()
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.quick and args.heavy_repeat is None:
        args.heavy_repeat = 1
    return args


if __name__ == "__main__":
    main(parse_args())
