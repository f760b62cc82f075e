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
are held by one of their first few choices, so most lists stop at the first chunk. Since the
outcome does not depend on the order of proposals, mentees who run out wait until nobody else
can propose, and their next chunks are read and scored together, a batch at a time.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

from matching.eligible import EligiblePairs, PairChunk, ranked

Ints = npt.NDArray[np.int64]

_BATCH = 2000
"""Mentees whose next chunks are read and scored together."""
FIRST_DEPTH = 8
"""Mentors read from each goal tier for a mentee's first chunk; each later chunk reads 4×."""


class _Wishes:
    """One mentee's preference list, produced a chunk at a time, best first."""

    def __init__(self) -> None:
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
        """The next mentor of the chunk read, with how that mentor ranks this mentee.

        ``None`` when the chunk is used up: then the next chunk is to be read, unless ``done``.
        """
        if self.at == len(self.mentors):
            return None
        self.at += 1
        return int(self.mentors[self.at - 1]), float(self.liking[self.at - 1])

    def take(self, chunk: PairChunk, floor: float) -> None:
        """The next chunk: the mentee's pairs read so far, and the floor of the unread."""
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
    wishes = [_Wishes() for _ in range(rows)]
    # Deferred acceptance ends in the same plan whatever order mentees propose in, so mentees
    # who need their next chunk wait until no one else can propose, and are read in one batch.
    waiting = list(range(rows))
    free: list[int] = []
    while waiting:
        _read(pairs, wishes, waiting)
        free, waiting = waiting[::-1], []
        while free:
            row = free.pop()
            wish = wishes[row]
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
            else:
                if not wish.done:
                    waiting.append(row)
    mentor_of = np.full(rows, -1, dtype=np.int64)
    for mentor, mine in enumerate(held):
        for _, negative in mine:
            mentor_of[-negative] = mentor
    return mentor_of


def _read(pairs: EligiblePairs, wishes: list[_Wishes], rows: list[int]) -> None:
    """The next chunk of each of ``rows``' lists, read and scored a batch at a time."""
    for start in range(0, len(rows), _BATCH):
        batch = np.array(sorted(rows[start : start + _BATCH]), dtype=np.int64)
        depth = np.array([wishes[row].depth for row in batch.tolist()], dtype=np.int64)
        chunk, floors = pairs.ranked_lists(batch, depth)
        bounds = [*np.searchsorted(chunk.mentee, batch, side="left").tolist(), len(chunk)]
        for i, row in enumerate(batch.tolist()):
            lo, hi = bounds[i], bounds[i + 1]
            part = PairChunk(
                chunk.mentee[lo:hi],
                chunk.mentor[lo:hi],
                chunk.score[lo:hi],
                chunk.preference[lo:hi],
            )
            wishes[row].take(part, float(floors[i]))
