"""Org-wide mentor assignment: every mentee at most one mentor, every mentor within capacity.

The optimal assignment is a min-cost flow::

    source ──cap 1──▶ mentee ──cap 1, cost −score──▶ mentor ──cap capacity──▶ sink
       └──────────────── bypass, cost 0 (SCORE objective only) ──────────────────┘

The source supplies one unit per mentee. With :attr:`Objective.SCORE` a unit may take the bypass,
so a mentee is left out when that buys a better total; with :attr:`Objective.PARTICIPATION` there
is no bypass and the solver finds the maximum flow (most mentees matched) of minimum cost (best
total score among those).

The solver is OR-Tools: at 50,000 people networkx's ``min_cost_flow`` took ~160 s, scipy ~26 s
and OR-Tools ~1.3 s. :func:`assign_optimal_networkx` builds the same network in networkx and stays
as the slow, readable reference the tests compare against.

Scores are floats; the solvers need integers, so each score becomes ``round(score * 1000)``
points, at least 1 (scores must stay below 10¹² to fit int64 costs). The assignment is optimal in
those points (exact up to that rounding), while :attr:`Assignment.total_score` sums the float
scores of the chosen pairs. Because every pair is worth at least one point, SCORE never leaves a
mentee out while one of their mentors has room, so :class:`Unmatched` needs no reason beyond
"no candidates" and "mentors full".

All four functions read the input the same way: candidates whose mentee is not listed or whose
mentor has no capacity (0, or missing from ``capacities``) are ignored; a pair given twice keeps
the candidate with the higher ``score`` (then the higher ``mentor_score``). Everything is sorted
by id first, so the same input in any order gives the same assignment: greedy and stable break ties
on ids, and the optimal solvers settle ties the same way every time over a network laid out in id
order (which of several equally good assignments they pick is not otherwise specified).
"""

from __future__ import annotations

import enum
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import numpy.typing as npt
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

if TYPE_CHECKING:
    from matching.candidate_table import CandidateTable

_POINTS_PER_UNIT = 1000
_MAX_SCORE = 1e12
_SOURCE, _SINK = 0, 1


class Objective(enum.Enum):
    """What the optimal assignment maximises."""

    SCORE = "score"
    """The total score; a mentee may be left out for a better total."""
    PARTICIPATION = "participation"
    """As many mentees matched as possible, then the best total score."""


class Unmatched(enum.Enum):
    """Why a mentee got no mentor."""

    NO_CANDIDATES = "no_candidates"
    """No candidate mentor with any capacity (capacity 0 or missing counts as none)."""
    MENTORS_FULL = "mentors_full"
    """Every eligible mentor is at capacity in this assignment."""
    NOT_REACHED = "not_reached"
    """An eligible mentor still has room: only in an OPTIMAL plan whose time budget ran out
    before it was proven, or a GREEDY one on the shortlist."""


@dataclass(frozen=True)
class Candidate:
    """An eligible (mentee, mentor) pair, already filtered for hard constraints.

    Raises:
        ValueError: if ``score`` is not a positive finite number or ``mentor_score`` not finite.
    """

    mentee: str
    mentor: str
    score: float
    """Complementarity, > 0: what the optimal assignment maximises and how the mentee ranks."""
    mentor_score: float
    """How the mentor ranks this mentee (used by :func:`assign_stable` only); higher is better."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.score) and self.score > 0):
            raise ValueError(f"score of {self.mentee}→{self.mentor} must be > 0: {self.score}")
        if not math.isfinite(self.mentor_score):
            raise ValueError(f"mentor_score of {self.mentee}→{self.mentor} must be finite")


@dataclass(frozen=True)
class Pair:
    """A mentee assigned to a mentor, with the pair's score."""

    mentee: str
    mentor: str
    score: float


@dataclass
class Assignment:
    """The outcome of one assignment run."""

    pairs: list[Pair]
    """Sorted by (mentee, mentor)."""
    unmatched: dict[str, Unmatched]
    """Every mentee given that got no mentor, with why."""
    total_score: float
    """Sum of the float scores of the pairs."""
    load: dict[str, int]
    """Mentor id to the number of mentees assigned, for every mentor in ``capacities``."""


@dataclass(frozen=True)
class _Instance:
    """The input as every algorithm reads it."""

    mentees: list[str]
    """Sorted and unique."""
    capacities: Mapping[str, int]
    candidates: list[Candidate]
    """Usable ones only, one per pair, sorted by (mentee, mentor)."""


@dataclass(frozen=True)
class _Network:
    """The flow network as parallel arc arrays, ready for either solver."""

    tails: npt.NDArray[np.int32]
    heads: npt.NDArray[np.int32]
    capacities: npt.NDArray[np.int64]
    costs: npt.NDArray[np.int64]
    supply: int
    """Units leaving the source: one per mentee with candidates."""


def assign_optimal(
    mentees: Sequence[str],
    capacities: Mapping[str, int],
    candidates: Iterable[Candidate],
    *,
    objective: Objective = Objective.SCORE,
) -> Assignment:
    """Assign mentors to maximise ``objective``, solved by OR-Tools min-cost flow.

    Handles 20,000 mentees with 50 candidates each in a few seconds.

    Raises:
        ValueError: if a capacity is negative, or scores are too large for int64 costs.
    """
    instance = _prepare(mentees, capacities, candidates)
    if not instance.candidates:
        return _result(instance, [])
    network = _network(instance, bypass=objective is Objective.SCORE)
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        network.tails, network.heads, network.capacities, network.costs
    )
    flow.set_node_supply(_SOURCE, network.supply)
    flow.set_node_supply(_SINK, -network.supply)
    solve = flow.solve if objective is Objective.SCORE else flow.solve_max_flow_with_min_cost
    status = solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise ValueError(f"min-cost flow failed with status {status} (scores too large?)")
    used = np.flatnonzero(flow.flows(np.arange(len(instance.candidates), dtype=np.int32)))
    return _result(instance, [instance.candidates[i] for i in used.tolist()])


def assign_optimal_arrays(
    mentees: Sequence[str],
    capacities: Mapping[str, int],
    table: CandidateTable,
    *,
    objective: Objective = Objective.SCORE,
) -> Assignment:
    """:func:`assign_optimal` on a :class:`~matching.candidate_table.CandidateTable`.

    The same network in the same order, laid out with numpy instead of per-pair Python
    objects; a property test holds its result equal to :func:`assign_optimal`'s. Pairs must
    be unique and scores positive, as the index that builds the table guarantees.
    """
    negative = sorted(mentor for mentor, capacity in capacities.items() if capacity < 0)
    if negative:
        raise ValueError(f"negative capacity for mentors {negative}")
    given = set(mentees)
    wanted = np.fromiter((m in given for m in table.mentees), bool, len(table.mentees))
    room = np.array([capacities.get(m, 0) for m in table.mentors], dtype=np.int64)
    usable = wanted[table.mentee] & (room[table.mentor] > 0) if len(table) else np.zeros(0, bool)
    order = np.lexsort((table.mentor[usable], table.mentee[usable]))
    mentee = table.mentee[usable][order]
    mentor = table.mentor[usable][order]
    score = table.score[usable][order]
    ordered = sorted(set(mentees))
    if not len(score):
        return Assignment(
            [], dict.fromkeys(ordered, Unmatched.NO_CANDIDATES), 0.0, _loads(capacities, [])
        )
    mentee_ids, mentee_node = np.unique(mentee, return_inverse=True)
    mentor_ids, mentor_node = np.unique(mentor, return_inverse=True)
    first_mentor = 2 + len(mentee_ids)
    tails = [
        2 + mentee_node,
        np.full(len(mentee_ids), _SOURCE),
        first_mentor + np.arange(len(mentor_ids)),
    ]
    heads = [
        first_mentor + mentor_node,
        2 + np.arange(len(mentee_ids)),
        np.full(len(mentor_ids), _SINK),
    ]
    caps = [np.ones(len(score) + len(mentee_ids), np.int64), room[mentor_ids]]
    costs = [-_points(score), np.zeros(len(mentee_ids) + len(mentor_ids), np.int64)]
    if objective is Objective.SCORE:
        tails.append(np.array([_SOURCE]))
        heads.append(np.array([_SINK]))
        caps.append(np.array([len(mentee_ids)], np.int64))
        costs.append(np.zeros(1, np.int64))
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps),
        np.concatenate(costs),
    )
    flow.set_node_supply(_SOURCE, len(mentee_ids))
    flow.set_node_supply(_SINK, -len(mentee_ids))
    solve = flow.solve if objective is Objective.SCORE else flow.solve_max_flow_with_min_cost
    status = solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise ValueError(f"min-cost flow failed with status {status} (scores too large?)")
    used = np.flatnonzero(flow.flows(np.arange(len(score), dtype=np.int32)))
    pairs = [
        Pair(table.mentees[e], table.mentors[m], s)
        for e, m, s in zip(
            mentee[used].tolist(), mentor[used].tolist(), score[used].tolist(), strict=True
        )
    ]
    matched = {p.mentee for p in pairs}
    eligible = {table.mentees[e] for e in mentee_ids.tolist()}
    unmatched = {
        m: Unmatched.MENTORS_FULL if m in eligible else Unmatched.NO_CANDIDATES
        for m in ordered
        if m not in matched
    }
    return Assignment(
        pairs, unmatched, math.fsum(p.score for p in pairs), _loads(capacities, pairs)
    )


def _loads(capacities: Mapping[str, int], pairs: Sequence[Pair]) -> dict[str, int]:
    load = dict.fromkeys(sorted(capacities), 0)
    for pair in pairs:
        load[pair.mentor] += 1
    return load


def assign_optimal_networkx(
    mentees: Sequence[str],
    capacities: Mapping[str, int],
    candidates: Iterable[Candidate],
    *,
    objective: Objective = Objective.SCORE,
) -> Assignment:
    """Same as :func:`assign_optimal`, solved by networkx: the slow reference for tests.

    For PARTICIPATION it first finds the maximum flow, then the cheapest flow of that value.
    """
    instance = _prepare(mentees, capacities, candidates)
    if not instance.candidates:
        return _result(instance, [])
    bypass = objective is Objective.SCORE
    network = _network(instance, bypass=bypass)
    tails, heads = network.tails.tolist(), network.heads.tolist()
    arcs = zip(tails, heads, network.capacities.tolist(), network.costs.tolist(), strict=True)
    graph = nx.DiGraph()
    graph.add_edges_from((t, h, {"capacity": cap, "weight": cost}) for t, h, cap, cost in arcs)
    units = network.supply if bypass else nx.maximum_flow_value(graph, _SOURCE, _SINK)
    graph.nodes[_SOURCE]["demand"] = -units
    graph.nodes[_SINK]["demand"] = units
    _, flow = nx.network_simplex(graph)
    chosen = [c for i, c in enumerate(instance.candidates) if flow[tails[i]][heads[i]]]
    return _result(instance, chosen)


def assign_greedy(
    mentees: Sequence[str], capacities: Mapping[str, int], candidates: Iterable[Candidate]
) -> Assignment:
    """Take pairs by descending score while the mentee is free and the mentor has room.

    The baseline the optimal assignment is measured against; ties go to the lower ids.
    """
    instance = _prepare(mentees, capacities, candidates)
    room = dict(instance.capacities)
    chosen: list[Candidate] = []
    matched: set[str] = set()
    for c in sorted(instance.candidates, key=lambda c: -c.score):  # stable: ties by ids
        if c.mentee not in matched and room[c.mentor] > 0:
            chosen.append(c)
            matched.add(c.mentee)
            room[c.mentor] -= 1
    return _result(instance, chosen)


def assign_stable(
    mentees: Sequence[str], capacities: Mapping[str, int], candidates: Iterable[Candidate]
) -> Assignment:
    """Mentee-proposing deferred acceptance (hospitals/residents with capacities).

    Mentees rank their mentors by ``score`` (ties: mentor id), mentors rank mentees by
    ``mentor_score`` (ties: mentee id); only candidate pairs are acceptable. The result is the
    stable assignment every mentee likes best: no mentee and mentor would both rather be together.
    """
    instance = _prepare(mentees, capacities, candidates)
    by_mentor: dict[str, list[Candidate]] = {}
    for c in instance.candidates:
        by_mentor.setdefault(c.mentor, []).append(c)
    rank: dict[tuple[str, str], int] = {}
    for mentor, offers in by_mentor.items():
        offers.sort(key=lambda c: -c.mentor_score)  # stable: ties by mentee id
        rank.update(((c.mentee, mentor), i) for i, c in enumerate(offers))
    wishes: dict[str, list[Candidate]] = {}
    for c in instance.candidates:
        wishes.setdefault(c.mentee, []).append(c)
    for wish in wishes.values():
        wish.sort(key=lambda c: -c.score)  # stable: ties by mentor id
    # Each mentor holds a heap of (-rank, mentee): the top is the held mentee they like least.
    held: dict[str, list[tuple[int, str]]] = {mentor: [] for mentor in by_mentor}
    proposals = dict.fromkeys(wishes, 0)
    free = sorted(wishes, reverse=True)
    while free:
        mentee = free.pop()
        wish = wishes[mentee]
        while proposals[mentee] < len(wish):
            mentor = wish[proposals[mentee]].mentor
            proposals[mentee] += 1
            place, holds = rank[mentee, mentor], held[mentor]
            if len(holds) < instance.capacities[mentor]:
                heapq.heappush(holds, (-place, mentee))
                break
            if -holds[0][0] > place:
                _, dropped = heapq.heapreplace(holds, (-place, mentee))
                free.append(dropped)
                break
    mentor_of = {mentee: mentor for mentor, holds in held.items() for _, mentee in holds}
    chosen = [c for c in instance.candidates if mentor_of.get(c.mentee) == c.mentor]
    return _result(instance, chosen)


def _prepare(
    mentees: Sequence[str], capacities: Mapping[str, int], candidates: Iterable[Candidate]
) -> _Instance:
    """Keep the usable candidates, one per pair, in id order."""
    negative = sorted(mentor for mentor, capacity in capacities.items() if capacity < 0)
    if negative:
        raise ValueError(f"negative capacity for mentors {negative}")
    open_mentors = {mentor for mentor, capacity in capacities.items() if capacity > 0}
    offers: dict[str, dict[str, Candidate]] = {mentee: {} for mentee in mentees}
    for c in candidates:
        mine = offers.get(c.mentee)
        if mine is None or c.mentor not in open_mentors:
            continue
        kept = mine.setdefault(c.mentor, c)
        if kept is not c and (c.score, c.mentor_score) > (kept.score, kept.mentor_score):
            mine[c.mentor] = c
    ordered = sorted(offers)
    usable = [mine[mentor] for mine in map(offers.__getitem__, ordered) for mentor in sorted(mine)]
    return _Instance(ordered, capacities, usable)


def _network(instance: _Instance, *, bypass: bool) -> _Network:
    """Lay out the flow network as arc arrays, the candidate pairs first and in their order.

    Node 0 is the source, 1 the sink, then the mentees with candidates, then their mentors.
    """
    pairs = instance.candidates
    mentees = dict.fromkeys(c.mentee for c in pairs)
    mentors = sorted({c.mentor for c in pairs})
    mentee_node = {mentee: 2 + i for i, mentee in enumerate(mentees)}
    mentor_node = {mentor: 2 + len(mentees) + i for i, mentor in enumerate(mentors)}
    tails = [mentee_node[c.mentee] for c in pairs]
    tails += [_SOURCE] * len(mentee_node) + list(mentor_node.values())
    heads = [mentor_node[c.mentor] for c in pairs]
    heads += list(mentee_node.values()) + [_SINK] * len(mentor_node)
    capacities = [1] * (len(pairs) + len(mentee_node))
    capacities += [instance.capacities[mentor] for mentor in mentor_node]
    costs = [-_points(np.fromiter((c.score for c in pairs), np.float64, len(pairs)))]
    costs.append(np.zeros(len(mentee_node) + len(mentor_node), np.int64))
    if bypass:
        tails.append(_SOURCE)
        heads.append(_SINK)
        capacities.append(len(mentee_node))
        costs.append(np.zeros(1, np.int64))
    return _Network(
        tails=np.array(tails, np.int32),
        heads=np.array(heads, np.int32),
        capacities=np.array(capacities, np.int64),
        costs=np.concatenate(costs),
        supply=len(mentee_node),
    )


def _points(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """The integer scores the flow solvers see: thousandths, rounded half to even, at least 1."""
    if scores.size and scores.max() >= _MAX_SCORE:
        raise ValueError(f"scores must be below {_MAX_SCORE:g} to fit the solvers' int64 costs")
    return np.maximum(1, np.rint(scores * _POINTS_PER_UNIT)).astype(np.int64)


def _result(instance: _Instance, chosen: Iterable[Candidate]) -> Assignment:
    """Pairs in id order, loads and the reason each unmatched mentee was left out."""
    pairs = sorted((Pair(c.mentee, c.mentor, c.score) for c in chosen), key=_pair_key)
    load = dict.fromkeys(sorted(instance.capacities), 0)
    for pair in pairs:
        load[pair.mentor] += 1
    matched = {pair.mentee for pair in pairs}
    eligible = {c.mentee for c in instance.candidates}
    unmatched = {
        mentee: Unmatched.MENTORS_FULL if mentee in eligible else Unmatched.NO_CANDIDATES
        for mentee in instance.mentees
        if mentee not in matched
    }
    return Assignment(pairs, unmatched, math.fsum(pair.score for pair in pairs), load)


def _pair_key(pair: Pair) -> tuple[str, str]:
    return pair.mentee, pair.mentor
