"""Checks of an assignment beside the algorithms, as networkx ships ``is_matching``.

Each check returns the problems it found (empty when the claim holds), so a test can print
them, a benchmark count them and the service refuse to call a plan what it is not. They read
plans by rows (mentees) and columns (mentors), and pairs as
:class:`~matching.eligible.PairChunk` s, so they run over every eligible pair of an
organisation a chunk at a time:

* :func:`infeasible_plan` — each mentee at most one mentor, each mentor within capacity,
  every pair eligible;
* :func:`infeasible_duals` — an optimality certificate's prices are non-negative and cover
  every pair's weight;
* :func:`certificate_problems` — the above over every eligible pair, and the prices sum to the
  plan's weight: the plan is optimal (LP duality);
* :func:`blocking_pairs` — no mentee and mentor would both rather be together (stability),
  under the rankings :mod:`matching.stable` documents;
* :func:`reason_problems` — every unmatched mentee's reason holds over every eligible pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matching.eligible import PairChunk

Ints = npt.NDArray[np.int64]

__all__ = [
    "blocking_pairs",
    "certificate_problems",
    "infeasible_duals",
    "infeasible_plan",
    "reason_problems",
]


def infeasible_plan(mentor_of: Ints, capacity: Ints, eligible: Iterable[PairChunk]) -> list[str]:
    """Why ``mentor_of`` (per mentee, a mentor column or -1) is not a feasible plan."""
    problems: list[str] = []
    matched = np.flatnonzero(mentor_of >= 0)
    load = np.bincount(mentor_of[matched], minlength=len(capacity))
    for col in np.flatnonzero(load > capacity).tolist():
        problems.append(f"mentor {col} holds {load[col]} mentees, capacity {capacity[col]}")
    found = np.zeros(len(mentor_of), dtype=bool)
    for chunk in eligible:
        found[chunk.mentee[mentor_of[chunk.mentee] == chunk.mentor]] = True
    for row in matched[~found[matched]].tolist():
        problems.append(f"mentee {row} is paired with mentor {mentor_of[row]}, not eligible")
    return problems


def infeasible_duals(u: Ints, v: Ints, mentee: Ints, mentor: Ints, weight: Ints) -> list[str]:
    """Why prices ``u`` (mentees) and ``v`` (mentors) do not cover these pairs' weights."""
    problems = [f"mentee {i} has a negative price" for i in np.flatnonzero(u < 0)[:5].tolist()]
    problems += [f"mentor {i} has a negative price" for i in np.flatnonzero(v < 0)[:5].tolist()]
    short = np.flatnonzero(u[mentee] + v[mentor] < weight)
    problems += [
        f"pair ({mentee[i]}, {mentor[i]}) weighs {weight[i]} > {u[mentee[i]]} + {v[mentor[i]]}"
        for i in short[:5].tolist()
    ]
    if len(short) > 5:
        problems.append(f"... {len(short) - 5} more pairs the prices do not cover")
    return problems


def certificate_problems(
    mentor_of: Ints,
    capacity: Ints,
    u: Ints,
    v: Ints,
    eligible: Iterable[PairChunk],
    weigh: Callable[[PairChunk], Ints],
) -> list[str]:
    """Why ``(u, v)`` does not prove ``mentor_of`` optimal over every pair of ``eligible``.

    ``weigh`` gives a chunk's integer weights, as the solver optimised them. The proof holds
    when the prices are feasible for every pair and sum to the plan's weight.
    """
    chunks = list(eligible)
    problems = infeasible_plan(mentor_of, capacity, chunks)
    total = 0
    for chunk in chunks:
        weight = weigh(chunk)
        problems += infeasible_duals(
            np.maximum(u, 0), np.maximum(v, 0), chunk.mentee, chunk.mentor, weight
        )[:5]
        mine = mentor_of[chunk.mentee] == chunk.mentor
        total += int(weight[mine].sum())
    if (u < 0).any() or (v < 0).any():
        problems.append("negative prices")
    dual = int(u.sum() + (capacity * v).sum())
    if dual != total:
        problems.append(f"the plan weighs {total}, the prices sum to {dual}")
    return problems


def blocking_pairs(
    mentor_of: Ints,
    capacity: Ints,
    eligible: Iterable[PairChunk],
    *,
    limit: int = 100,
) -> tuple[int, list[tuple[int, int]]]:
    """Pairs (mentee, mentor) who would both rather be together than as the plan has them.

    A mentee prefers a higher score, then a lower mentor column; a mentor a higher
    preference, then a lower mentee row; both to :data:`~matching.mentor_index.TIE_DIGITS`
    decimals. Two passes over ``eligible``: one to learn each mentee's current score and each
    mentor's least wanted mentee, one to find the blocking pairs. Returns how many and the
    first ``limit``.
    """
    from matching.eligible import ranked

    chunks = list(eligible)
    rows = len(mentor_of)
    mine = np.full(rows, -np.inf)
    liked = np.full(rows, -np.inf)
    for chunk in chunks:
        at = mentor_of[chunk.mentee] == chunk.mentor
        mine[chunk.mentee[at]] = ranked(chunk.score[at])
        liked[chunk.mentee[at]] = ranked(chunk.preference[at])
    matched = np.flatnonzero(mentor_of >= 0)
    load = np.bincount(mentor_of[matched], minlength=len(capacity))
    # Each mentor's least wanted mentee: lowest preference, then highest row.
    order = np.lexsort((-matched, liked[matched], mentor_of[matched]))
    held_by = mentor_of[matched][order]
    first = np.unique(held_by, return_index=True)
    worst_pref = np.full(len(capacity), np.inf)
    worst_row = np.full(len(capacity), -1, dtype=np.int64)
    worst_pref[first[0]] = liked[matched][order][first[1]]
    worst_row[first[0]] = matched[order][first[1]]
    count = 0
    found: list[tuple[int, int]] = []
    for chunk in chunks:
        e, r = chunk.mentee, chunk.mentor
        s, p = ranked(chunk.score), ranked(chunk.preference)
        current = mentor_of[e]
        mentee_wants = (current < 0) | (s > mine[e]) | ((s == mine[e]) & (r < current))
        mentee_wants &= current != r
        mentor_wants = (load[r] < capacity[r]) | (p > worst_pref[r])
        mentor_wants |= (p == worst_pref[r]) & (e < worst_row[r])
        hit = np.flatnonzero(mentee_wants & mentor_wants)
        count += len(hit)
        found += list(zip(e[hit].tolist(), r[hit].tolist(), strict=True))[: limit - len(found)]
    return count, found


def reason_problems(
    mentor_of: Ints,
    capacity: Ints,
    reasons: Mapping[int, str],
    eligible: Iterable[PairChunk],
) -> list[str]:
    """Why a stated reason for an unmatched mentee does not hold over every eligible pair.

    ``no_candidates``: no eligible pair; ``mentors_full``: every eligible mentor at capacity
    in the plan; ``not_reached``: an eligible mentor with room (an unproven plan).
    """
    matched = np.flatnonzero(mentor_of >= 0)
    load = np.bincount(mentor_of[matched], minlength=len(capacity))
    any_pair = np.zeros(len(mentor_of), dtype=bool)
    any_room = np.zeros(len(mentor_of), dtype=bool)
    for chunk in eligible:
        any_pair[chunk.mentee] = True
        any_room[chunk.mentee[load[chunk.mentor] < capacity[chunk.mentor]]] = True
    problems = []
    for row in np.flatnonzero(mentor_of < 0).tolist():
        truth = (
            "no_candidates"
            if not any_pair[row]
            else "not_reached"
            if any_room[row]
            else "mentors_full"
        )
        if reasons.get(row) != truth:
            problems.append(f"mentee {row}: said {reasons.get(row)!r}, the pairs say {truth!r}")
    return problems
