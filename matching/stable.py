"""STABLE assignment on full preference lists: mentee-proposing deferred acceptance.

Every mentee ranks **every** eligible mentor (not a shortlist) by the pair score, highest
first; every mentor ranks the mentees who could propose by
:func:`~matching.scoring.mentor_preference` (how well the mentee's goals fit their expertise,
and what they would learn back). Both compare to :data:`~matching.mentor_index.TIE_DIGITS`
decimals; ties go to the lower id (a mentee to the mentor with the lower id, a mentor to the
mentee with the lower id), so the result does not depend on input order. The outcome is the
mentee-optimal stable assignment (Gale–Shapley; Roth's hospitals/residents): no mentee and
eligible mentor would both rather be together, over every eligible pair.

A mentee's list is never built whole. It is read lazily from
:class:`~matching.eligible.EligiblePairs` in chunks: the mentors above a floor the tier
bounds prove nobody unread can beat, deeper each time the mentee runs out. Most mentees
are held by one of their first few choices, so most lists stop at the first chunk.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

from matching.eligible import EligiblePairs, ranked

Ints = npt.NDArray[np.int64]

FIRST_DEPTH = 8
"""Mentors read from each goal tier for a mentee's first chunk; each later chunk reads 4×."""


class _Wishes:
    """One mentee's preference list, produced a chunk at a time, best first."""

    def __init__(self, pairs: EligiblePairs, row: int) -> None:
        self.pairs, self.row = pairs, row
        self.depth = FIRST_DEPTH
        self.ceiling = np.inf
        """Everything ranked above this (rounded score) has been listed, nothing at or below."""
        # The unread part of the chunk, as arrays: a deep chunk of Python tuples per mentee
        # is what filled memory at 50,000 people.
        self.mentors: Ints = np.zeros(0, np.int64)
        self.liking: npt.NDArray[np.float64] = np.zeros(0)
        self.at = 0
        self.done = False

    def next(self) -> tuple[int, float] | None:
        """The next mentor to propose to, with how that mentor ranks this mentee."""
        while self.at == len(self.mentors) and not self.done:
            self._read()
        if self.at == len(self.mentors):
            return None
        self.at += 1
        return int(self.mentors[self.at - 1]), float(self.liking[self.at - 1])

    def _read(self) -> None:
        chunk, floor = self.pairs.ranked_list(self.row, self.depth)
        self.depth *= 4
        level = -np.inf if floor == -np.inf else float(ranked(np.array([floor]))[0])
        score = ranked(chunk.score)
        new = (score > level) & (score <= self.ceiling)
        order = np.lexsort((chunk.mentor[new], -score[new]))
        self.mentors = chunk.mentor[new][order]
        self.liking = ranked(chunk.preference[new][order])
        self.at = 0
        self.ceiling = level
        self.done = level == -np.inf


def stable_assignment(pairs: EligiblePairs) -> Ints:
    """Per mentee (row), the mentor column the mentee-optimal stable assignment gives, or -1."""
    rows = len(pairs.mentees)
    capacity = pairs.capacity.tolist()
    held: list[list[tuple[float, int]]] = [[] for _ in capacity]
    wishes: dict[int, _Wishes] = {}
    free = list(range(rows - 1, -1, -1))
    while free:
        row = free.pop()
        wish = wishes.get(row)
        if wish is None:
            wish = wishes[row] = _Wishes(pairs, row)
        while (offer := wish.next()) is not None:
            mentor, liking = offer
            mine = held[mentor]
            if len(mine) < capacity[mentor]:
                heapq.heappush(mine, (liking, -row))
                break
            if (liking, -row) > mine[0]:
                _, dropped = heapq.heapreplace(mine, (liking, -row))
                free.append(-dropped)
                break
    mentor_of = np.full(rows, -1, dtype=np.int64)
    for mentor, mine in enumerate(held):
        for _, negative in mine:
            mentor_of[-negative] = mentor
    return mentor_of
