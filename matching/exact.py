"""OPTIMAL assignment over every eligible pair, with a certificate that proves it.

The assignment is a min-cost flow (:mod:`matching.assignment`), and the flow's linear program
has integral optima, so LP duality gives a proof of optimality: prices ``u`` per mentee and
``v`` per mentor, both ≥ 0, with ``u[e] + v[r] ≥ weight(e, r)`` for **every** eligible pair,
whose sum ``Σ u + Σ capacity × v`` equals the plan's weight. No plan can weigh more than such a
sum, so the plan is optimal.

Solving all of the 300 million pairs of 50,000 people at once is out of reach, so the plan
is found by column generation:

1. solve the flow on a few pairs (the shortlist of :mod:`matching.mentoring`, a warm start);
2. read the duals off the optimal flow (shortest paths on the residual network);
3. price every eligible pair against them through :class:`~matching.eligible.EligiblePairs`,
   whose bounds skip the pairs that cannot have a positive reduced cost without scoring them;
4. add the pairs with positive reduced cost and solve again, until none is left: then the
   duals are feasible for the whole problem and the plan is certified.

Each pricing pass, complete or not, also gives an upper bound: raising each ``u[e]`` to the
best ``weight − v`` it saw makes any ``v`` feasible. A time budget that runs out returns the
best plan found with the last complete pass's bound and ``certified=False``.

Weights are integer points: ``max(1, round(score × 10⁶))``. PARTICIPATION adds ``M`` to every
pair, more than any plan's points, so one more mentee always outweighs any score. The plan is
optimal in those points; :attr:`Certificate.bound` turns the dual sum back into a score bound
that also covers the rounding (half a point per matched mentee).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matching.assignment import Objective
from matching.eligible import PairChunk
from matching.verify import infeasible_duals

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

POINTS_PER_UNIT = 1_000_000
"""Integer points per unit of score the flow solver optimises (exact up to half a point)."""
DEFAULT_TIME_LIMIT = 60.0
"""Seconds an OPTIMAL assignment may take before it returns its best plan uncertified."""
ADD_PER_MENTEE = 8
"""Pairs with positive reduced cost added per mentee and round: the most positive first."""
_EARLY_STOP_MENTEES = 200
"""A pricing pass stops for a new solve once this many mentees (or 2%) have a positive pair."""
_SOURCE, _SINK = 0, 1


class PairSource(Protocol):
    """The whole problem, as :class:`~matching.eligible.EligiblePairs` gives it."""

    mentees: list[str]
    mentors: list[str]
    capacity: Ints

    def above(
        self,
        limit: Floats,
        *,
        scale: float = 1.0,
        offset: Floats | None = None,
        first_row: int = 0,
    ) -> Iterator[PairChunk]:
        """Every eligible pair whose ``scale × score − offset[mentor]`` may exceed ``limit``."""
        ...

    def best_bound(self, *, scale: float = 1.0, offset: Floats | None = None) -> Floats:
        """Per mentee, an upper bound on ``scale × score − offset`` over their pairs."""
        ...

    def score(self, mentee: Ints, mentor: Ints) -> PairChunk:
        """The given pairs scored, the ineligible dropped."""
        ...


@dataclass(frozen=True)
class Certificate:
    """What is proven about an OPTIMAL plan, over every eligible pair."""

    objective: Objective
    certified: bool
    """The plan is optimal over every eligible pair (in points): no pair prices positive."""
    total_score: float
    bound: float
    """No plan over every eligible pair scores more than this (PARTICIPATION: with as many
    mentees as this plan; rounding to points included)."""
    gap: float
    """``bound − total_score``: when certified, only the rounding (≤ a millionth per mentee)."""
    matched: int
    matched_bound: int
    """No plan matches more mentees (PARTICIPATION); for SCORE, mentees with a pair or places,
    whichever is fewer."""
    rounds: int
    """Flow solves."""
    pairs_priced: int
    """Pairs whose reduced cost was computed exactly; every other eligible pair was shown
    non-positive by its bound."""
    network_pairs: int
    """Pairs in the last flow network."""
    seconds: float


@dataclass(frozen=True)
class ExactPlan:
    """An OPTIMAL plan by rows (mentees) and columns (mentors), with its proof."""

    mentor_of: Ints
    """Per mentee, their mentor's column, or -1."""
    score: Floats
    """Per mentee, the pair's score (0 when unmatched)."""
    certificate: Certificate
    mentee_price: Ints
    """Dual ``u`` in points (``M`` included for PARTICIPATION)."""
    mentor_price: Ints
    """Dual ``v`` in points."""
    big_m: int
    """Points added to every pair for PARTICIPATION (0 for SCORE)."""


def points(scores: Floats) -> Ints:
    """The integer points the flow solver sees: millionths, rounded half to even, at least 1."""
    return np.maximum(1, np.rint(np.asarray(scores) * POINTS_PER_UNIT)).astype(np.int64)


def flow_assignment(
    rows: int,
    capacity: Ints,
    mentee: Ints,
    mentor: Ints,
    weight: Ints,
    *,
    objective: Objective,
) -> npt.NDArray[np.bool_]:
    """Which of the given pairs an optimal flow uses (OR-Tools min-cost flow).

    SCORE maximises the total weight (a bypass lets a mentee go unmatched); PARTICIPATION
    first matches as many mentees as possible, then maximises the weight among those.

    Raises:
        ValueError: if the solver fails (weights too large for its int64 arithmetic).
    """
    if not len(weight):
        return np.zeros(0, dtype=bool)
    first_mentor = 2 + rows
    cols = len(capacity)
    tails = [mentee + 2, np.full(rows, _SOURCE), first_mentor + np.arange(cols)]
    heads = [mentor + first_mentor, 2 + np.arange(rows), np.full(cols, _SINK)]
    caps = [np.ones(len(weight) + rows, np.int64), capacity.astype(np.int64)]
    costs = [-weight, np.zeros(rows + cols, np.int64)]
    if objective is Objective.SCORE:
        tails.append(np.array([_SOURCE]))
        heads.append(np.array([_SINK]))
        caps.append(np.array([rows], np.int64))
        costs.append(np.zeros(1, np.int64))
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps),
        np.concatenate(costs).astype(np.int64),
    )
    flow.set_node_supply(_SOURCE, rows)
    flow.set_node_supply(_SINK, -rows)
    solve = flow.solve if objective is Objective.SCORE else flow.solve_max_flow_with_min_cost
    status = solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise ValueError(f"min-cost flow failed with status {status} (scores too large?)")
    return np.asarray(flow.flows(np.arange(len(weight), dtype=np.int32)) > 0)


def dual_prices(
    rows: int,
    capacity: Ints,
    mentee: Ints,
    mentor: Ints,
    weight: Ints,
    chosen: npt.NDArray[np.bool_],
) -> tuple[Ints, Ints]:
    """Optimal duals ``(u, v)`` of the network's optimal plan ``chosen``.

    ``v`` is the largest solution of the complementary-slackness constraints: 0 for a mentor
    with room, at most a held mentee's weight, and ``v[m(e)] ≤ v[r] + w(e, m(e)) − w(e, r)``
    for every other pair of a matched mentee — shortest paths from a root, by Bellman-Ford on
    the frontier of changed mentors. Then ``u[e] = w(e, m(e)) − v[m(e)]``.

    Raises:
        ValueError: if ``chosen`` is not optimal on the network (the duals do not close).
    """
    cols = len(capacity)
    mentor_of = np.full(rows, -1, dtype=np.int64)
    mentor_of[mentee[chosen]] = mentor[chosen]
    held = np.zeros(rows, dtype=np.int64)
    held[mentee[chosen]] = weight[chosen]
    load = np.bincount(mentor[chosen], minlength=cols)
    distance = np.where(load < capacity, 0, np.iinfo(np.int64).max // 4).astype(np.int64)
    np.minimum.at(distance, mentor[chosen], weight[chosen])
    other = ~chosen & (mentor_of[mentee] >= 0)
    tail = mentor[other]
    head = mentor_of[mentee[other]]
    length = held[mentee[other]] - weight[other]
    order = np.argsort(tail, kind="stable")
    tail, head, length = tail[order], head[order], length[order]
    start = np.searchsorted(tail, np.arange(cols + 1))
    frontier = np.arange(cols)
    for _ in range(cols + 2):
        counts = start[frontier + 1] - start[frontier]
        if not counts.sum():
            break
        first = np.repeat(start[frontier], counts)
        arcs = first + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        reach = distance[tail[arcs]] + length[arcs]
        better = distance.copy()
        np.minimum.at(better, head[arcs], reach)
        frontier = np.flatnonzero(better < distance)
        distance = better
        if not len(frontier):
            break
    else:
        raise ValueError("the flow is not optimal on its network: a negative cycle remains")
    v = distance
    u = np.where(mentor_of >= 0, held - v[np.maximum(mentor_of, 0)], 0)
    problems = infeasible_duals(u, v, mentee, mentor, weight)
    if problems or (v[load < capacity] != 0).any():
        raise ValueError(f"the flow is not optimal on its network: {problems[:3]}")
    return u.astype(np.int64), v.astype(np.int64)


FlowSolver = Callable[..., npt.NDArray[np.bool_]]
"""Something that answers as :func:`flow_assignment` does (the service runs it in a process
of its own: OR-Tools holds the GIL while it solves)."""


def solve_exact(
    pairs: PairSource,
    *,
    objective: Objective = Objective.SCORE,
    warm: tuple[Ints, Ints] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    flow: FlowSolver = flow_assignment,
) -> ExactPlan:
    """The OPTIMAL plan over every eligible pair of ``pairs``, certified within ``time_limit``.

    ``warm`` (mentee rows, mentor columns) seeds the first network; without it the first
    round prices every pair against zero duals. ``flow`` solves each round's network.
    """
    started = time.perf_counter()
    rows, capacity = len(pairs.mentees), pairs.capacity
    reach = pairs.best_bound()
    reachable = np.isfinite(reach)
    most = int(points(reach[reachable]).max()) + 1 if reachable.any() else 1
    big_m = 0 if objective is Objective.SCORE else int(reachable.sum()) * most + 1
    with_pairs = int(reachable.sum())
    places = int(capacity.sum())
    # Before any pricing: v = 0 and each u[e] its best bound, a feasible dual.
    dual_sum = int((points(reach[reachable]) + 1 + big_m).sum())
    mentee = np.zeros(0, np.int64)
    mentor = np.zeros(0, np.int64)
    score = np.zeros(0)
    if warm is not None and len(warm[0]):
        seed = pairs.score(*warm)
        mentee, mentor, score = seed.mentee, seed.mentor, seed.score
    rounds = priced = 0
    certified = False
    first_row = 0
    deadline = started + time_limit
    while True:
        own = points(score)
        chosen = flow(rows, capacity, mentee, mentor, own, objective=objective)
        weight = own + big_m
        u, v = dual_prices(rows, capacity, mentee, mentor, weight, chosen)
        rounds += 1
        best = (chosen, mentee, mentor, score, weight, u, v)
        found, seen, count, stopped_at = _price(
            pairs, u, v, big_m, deadline=deadline, first_row=first_row
        )
        priced += count
        if stopped_at is None:
            dual_sum = int(np.maximum(u, seen).sum() + (capacity * v).sum())
            if not len(found):
                certified = True
                break
        else:
            first_row = stopped_at
        if time.perf_counter() > deadline or not len(found):
            break
        mentee = np.concatenate([mentee, found.mentee])
        mentor = np.concatenate([mentor, found.mentor])
        score = np.concatenate([score, found.score])
    chosen, mentee, mentor, score, weight, u, v = best
    mentor_of = np.full(rows, -1, dtype=np.int64)
    mentor_of[mentee[chosen]] = mentor[chosen]
    per_row = np.zeros(rows)
    per_row[mentee[chosen]] = score[chosen] if len(score) else 0.0
    total = math.fsum(per_row[mentor_of >= 0].tolist())
    matched = int((mentor_of >= 0).sum())
    if objective is Objective.SCORE:
        matched_bound = min(with_pairs, places)
        bound_points = dual_sum + 0.5 * matched_bound
    else:
        matched_bound = min(dual_sum // big_m, with_pairs, places)
        bound_points = dual_sum - big_m * matched + 0.5 * matched_bound
    bound = bound_points / POINTS_PER_UNIT
    certificate = Certificate(
        objective=objective,
        certified=certified and int(weight[chosen].sum()) == dual_sum,
        total_score=total,
        bound=bound,
        gap=bound - total,
        matched=matched,
        matched_bound=int(matched_bound),
        rounds=rounds,
        pairs_priced=priced,
        network_pairs=len(weight),
        seconds=time.perf_counter() - started,
    )
    return ExactPlan(mentor_of, per_row, certificate, u, v, big_m)


def _price(
    pairs: PairSource,
    u: Ints,
    v: Ints,
    big_m: int,
    *,
    deadline: float,
    first_row: int,
) -> tuple[PairChunk, Ints, int, int | None]:
    """Price pairs from ``first_row`` on against ``(u, v)``.

    Returns the pairs with positive reduced cost (a few per mentee), each mentee's best
    ``w − v`` seen, the pairs priced, and ``None`` when every pair was priced — else the row
    to go on from: a pass stops early once enough mentees have a positive pair (the next
    solve needs those more than the rest of the pass), or at ``deadline``.
    """
    rows = len(pairs.mentees)
    seen = np.zeros(rows, dtype=np.int64)
    limit = (u - big_m).astype(np.float64) - 1.0
    enough = max(_EARLY_STOP_MENTEES, rows // 50)
    kept: list[PairChunk] = []
    count = 0
    improved = np.zeros(rows, dtype=bool)
    chunks = pairs.above(
        limit, scale=POINTS_PER_UNIT, offset=v.astype(np.float64), first_row=first_row
    )
    for chunk in chunks:
        count += len(chunk)
        weight = points(chunk.score) + big_m
        gain = weight - v[chunk.mentor]
        np.maximum.at(seen, chunk.mentee, gain)
        positive = gain > u[chunk.mentee]
        if positive.any():
            kept.append(_take(chunk, positive))
            improved[chunk.mentee[positive]] = True
        if len(chunk):
            reached = int(((chunk.mentee - first_row) % rows).max()) + 1
            if reached < rows and (improved.sum() >= enough or time.perf_counter() > deadline):
                return (
                    _top_per_mentee(_join(kept), u, v, big_m),
                    seen,
                    count,
                    (first_row + reached) % rows,
                )
    return _top_per_mentee(_join(kept), u, v, big_m), seen, count, None


def _take(chunk: PairChunk, mask: npt.NDArray[np.bool_]) -> PairChunk:
    return PairChunk(
        chunk.mentee[mask], chunk.mentor[mask], chunk.score[mask], chunk.preference[mask]
    )


def _join(chunks: list[PairChunk]) -> PairChunk:
    if not chunks:
        empty = np.zeros(0, np.int64)
        return PairChunk(empty, empty, np.zeros(0), np.zeros(0))
    return PairChunk(
        *(
            np.concatenate([getattr(c, f) for c in chunks])
            for f in ("mentee", "mentor", "score", "preference")
        )
    )


def _top_per_mentee(found: PairChunk, u: Ints, v: Ints, big_m: int) -> PairChunk:
    """The :data:`ADD_PER_MENTEE` most positive pairs of each mentee."""
    if not len(found):
        return found
    reduced = points(found.score) + big_m - u[found.mentee] - v[found.mentor]
    order = np.lexsort((-reduced, found.mentee))
    mentee = found.mentee[order]
    first = np.searchsorted(mentee, mentee, side="left")
    keep = order[np.arange(len(order)) - first < ADD_PER_MENTEE]
    return PairChunk(
        found.mentee[keep], found.mentor[keep], found.score[keep], found.preference[keep]
    )
