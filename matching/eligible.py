"""Every eligible (mentee, mentor) pair of an assignment, reached without listing them all.

A pair is eligible when :func:`matching.scoring.score_pair` scores it: the mentor is in scope
with spare capacity, is not the mentee, shares no open mentorship with them, is neither above
nor below them in their reporting line, and teaches them something. At 50,000 people that is
about 300 million pairs (at 300,000, ten billion), too many to score on every question. So the
pairs are reached through **tiers**: for each goal skill at each level mentees hold it, the
mentors who earn credit on it, each with an upper bound on their score with *any* mentee
wanting that skill at that level::

    bound = responsiveness × (credit on this goal + the most the mentor's bonuses can add)

A mentee's learning is a weighted mean of their goals' credits, so it never exceeds their best
goal's credit, and no pair scores above the largest bound among its mentee's goal tiers. A
question such as "which pairs score above this line?" reads each tier's sorted bounds down to
the line, scores only those pairs exactly, and is exact for every pair: the ones not read are
below the line by the bound. ``tests/matching/test_exact.py`` holds the bound above
``score_pair`` for every pair of seeded organisations, and the exhaustive listing
(:meth:`EligiblePairs.every_pair`) equal to ``score_pair``'s eligible set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.assignment import Pair
from matching.mentor_index import TIE_DIGITS, MentorIndex
from matching.profiles import Profile
from matching.scoring import MAX_LEVEL

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

CHUNK_PAIRS = 2_000_000
"""Pairs scored at once: bounds the memory of a question, not its answer."""


@dataclass(frozen=True)
class PairChunk:
    """Scored eligible pairs: mentee ``mentee[i]`` (a row) with mentor ``mentor[i]`` (a column)."""

    mentee: Ints
    mentor: Ints
    score: Floats
    """The pair score, as :func:`~matching.scoring.score_pair` computes it."""
    preference: Floats
    """How the mentor ranks the mentee (:func:`~matching.scoring.mentor_preference`)."""

    def __len__(self) -> int:
        return len(self.score)


@dataclass(frozen=True)
class _View:
    """Every tier's mentors sorted by ``scale × bound − offset``, highest first, end to end."""

    mentor: Ints
    key: Floats
    start: Ints
    """Tier ``t`` is ``[start[t], start[t + 1])``."""


def ranked(values: Floats) -> Floats:
    """Scores as rankings compare them: equal to :data:`TIE_DIGITS` decimals is a tie.

    numpy and the pure-Python scorer may differ in a float's last bits; rounding first makes
    every ranking (and every check of one) see the same ties.
    """
    return np.round(values, TIE_DIGITS)


class EligiblePairs:
    """The eligible pairs of ``mentees`` (rows) and the mentors of ``capacities`` (columns).

    Rows and columns are in the given mentee order and sorted mentor id order. Mentors with
    no capacity, or unknown to the index, are left out.
    """

    def __init__(
        self, index: MentorIndex, mentees: Sequence[Profile], capacities: Mapping[str, int]
    ) -> None:
        self.index = index
        self.mentees = [m.id for m in mentees]
        self.mentors = sorted(m for m, c in capacities.items() if c > 0 and m in index.pos)
        self.capacity = np.array([capacities[m] for m in self.mentors], dtype=np.int64)
        self.mentee_pos = np.array([index.pos[m] for m in self.mentees], dtype=np.int64)
        self.mentor_pos = np.array([index.pos[m] for m in self.mentors], dtype=np.int64)
        self._column = np.full(len(index.ids), -1, dtype=np.int64)
        self._column[self.mentor_pos] = np.arange(len(self.mentors))
        self._blocked = self._open_pairs(mentees)
        self._build_tiers()
        self._views: dict[tuple[float, int], _View] = {}

    # --- building ---------------------------------------------------------------------------

    def _open_pairs(self, mentees: Sequence[Profile]) -> Ints:
        """Keys (row × columns + column) of pairs already joined by an open mentorship."""
        keys = [
            row * len(self.mentors) + int(self._column[self.index.pos[p]])
            for row, mentee in enumerate(mentees)
            for p in mentee.partners
            if p in self.index.pos and self._column[self.index.pos[p]] >= 0
        ]
        return np.unique(np.array(keys, dtype=np.int64))

    def _bonus_bound(self) -> Floats:
        """The most each mentor's reciprocity and preferences can add, with any mentee."""
        ix, w = self.index, self.index.weights
        pos = self.mentor_pos
        most = np.zeros(len(pos))
        for j in range(ix.goal_slot.shape[1]):
            g = ix.goal_slot[pos, j]
            full = np.full(len(pos), MAX_LEVEL, dtype=np.int8)
            most += ix.goal_slot_share[pos, j] * ix._gain(full, full, ix.level[pos, g])
        bound = max(0.0, w.reciprocity) * ix.shares_goals[pos] * most
        overlap = ix._overlap.max(axis=1)[ix.shift_class[pos]] if ix._overlap.size else 0.0
        bound += max(0.0, w.shift_overlap) * overlap
        bound += max(0.0, w.shared_language) + max(0.0, w.cross_team) + max(0.0, w.cross_function)
        return np.asarray(bound, dtype=np.float64)

    def _build_tiers(self) -> None:
        ix = self.index
        slots = ix.goal_slot.shape[1]
        goal = ix.goal_slot[self.mentee_pos]
        share = ix.goal_slot_share[self.mentee_pos]
        own = ix.level[self.mentee_pos[:, None], goal].astype(np.int64)
        used = share > 0
        codes = goal * (MAX_LEVEL + 1) + own
        found, inverse = np.unique(codes[used], return_inverse=True)
        self.goal_tier = np.full((len(self.mentees), slots), -1, dtype=np.int64)
        self.goal_tier[used] = inverse
        self.goal_share = np.where(used, share, 0.0)
        bonus = self._bonus = self._bonus_bound()
        responsiveness = ix.responsiveness[self.mentor_pos]
        mentors: list[Ints] = []
        bounds: list[Floats] = []
        for code in found.tolist():
            g, level = divmod(code, MAX_LEVEL + 1)
            pool = self._column[np.unique(ix._teachers_of_goal(g))]
            pool = pool[pool >= 0]
            at = self.mentor_pos[pool]
            gain = ix._gain(ix.level[at, g], ix.related_level[at, g], level)
            pool, gain = pool[gain > 0], gain[gain > 0]
            mentors.append(pool)
            bounds.append(responsiveness[pool] * (gain + bonus[pool]))
        sizes = np.array([len(m) for m in mentors], dtype=np.int64)
        self._tier_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._tier_mentor = np.concatenate(mentors) if mentors else np.zeros(0, np.int64)
        self._tier_bound = np.concatenate(bounds) if bounds else np.zeros(0)
        self._tier_of_entry = np.repeat(np.arange(len(sizes)), sizes)

    def view(self, scale: float = 1.0, offset: Floats | None = None) -> _View:
        """Tiers sorted by ``scale × bound − offset[mentor]``; ``inf`` in ``offset`` hides one."""
        if offset is None:
            cached = self._views.get((scale, 0))
            if cached is not None:
                return cached
        key = scale * self._tier_bound
        if offset is not None:
            key = key - offset[self._tier_mentor]
        order = np.lexsort((-key, self._tier_of_entry))
        made = _View(self._tier_mentor[order], key[order], self._tier_start)
        if offset is None:
            self._views[(scale, 0)] = made
        return made

    def columns(self, mentor_ids: Sequence[str]) -> Ints:
        """Columns of the given mentors (-1 for one not in the problem)."""
        column = {m: i for i, m in enumerate(self.mentors)}
        return np.array([column.get(m, -1) for m in mentor_ids], dtype=np.int64)

    def rows_of(self, pairs: Sequence[Pair]) -> Ints:
        """A plan given as pairs of ids, as a mentor column per mentee row (-1: none)."""
        row = {m: i for i, m in enumerate(self.mentees)}
        mentor_of = np.full(len(self.mentees), -1, dtype=np.int64)
        mentor_of[[row[p.mentee] for p in pairs]] = self.columns([p.mentor for p in pairs])
        return mentor_of

    # --- questions --------------------------------------------------------------------------

    def __len__(self) -> int:
        """Tier entries: how many (goal, mentor) bounds stand for the eligible pairs."""
        return len(self._tier_mentor)

    def depths(self, view: _View, rows: Ints, limit: Floats) -> Ints:
        """For each of ``rows`` and goal slot: how many of the tier's keys are above ``limit``.

        ``limit`` is per row given.
        """
        tiers = self.goal_tier[rows]
        depth = np.zeros(tiers.shape, dtype=np.int64)
        flat_rows, flat_slots = np.nonzero(tiers >= 0)
        which = tiers[flat_rows, flat_slots]
        order = np.argsort(which, kind="stable")
        which, flat_rows, flat_slots = which[order], flat_rows[order], flat_slots[order]
        bounds = np.searchsorted(which, np.arange(len(view.start)))
        for t in np.unique(which).tolist():
            lo, hi = bounds[t], bounds[t + 1] if t + 1 < len(bounds) else len(which)
            keys = -view.key[view.start[t] : view.start[t + 1]]
            r, s = flat_rows[lo:hi], flat_slots[lo:hi]
            depth[r, s] = np.searchsorted(keys, -limit[r], side="left")
        return depth

    def gather(self, view: _View, rows: Ints, depth: Ints) -> tuple[Ints, Ints]:
        """The first ``depth`` mentors of each row's goal tiers, each (row, mentor) once."""
        tiers = self.goal_tier[rows]
        has = depth > 0
        counts = depth[has]
        starts = view.start[tiers[has]]
        owner = np.repeat(rows[np.nonzero(has)[0]], counts)
        total = int(counts.sum())
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        mentor = view.mentor[np.repeat(starts, counts) + within]
        n = max(1, len(self.mentors))
        keys = np.sort(owner * n + mentor)
        if len(keys):
            keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        return keys // n, keys % n

    def learning(self, mentee: Ints, mentor: Ints) -> Floats:
        """The learning part of each pair's score: cheap next to the whole score."""
        ix = self.index
        e, r = self.mentee_pos[mentee], self.mentor_pos[mentor]
        total = np.zeros(len(mentee))
        for j in range(self.goal_tier.shape[1]):
            share = self.goal_share[mentee, j]
            used = share > 0
            if not used.any():
                continue
            g = ix.goal_slot[e[used], j]
            own = ix.level[e[used], g].astype(np.int64)
            gain = ix._gain(ix.level[r[used], g], ix.related_level[r[used], g], own)
            total[used] += share[used] * gain
        return total

    def score(self, mentee: Ints, mentor: Ints) -> PairChunk:
        """Exact scores of candidate pairs, dropping the ineligible (self, open pair, line)."""
        ix = self.index
        n = max(1, len(self.mentors))
        keep = np.ones(len(mentee), dtype=bool)
        if len(self._blocked):
            at = np.searchsorted(self._blocked, mentee * n + mentor)
            keep = self._blocked[np.minimum(at, len(self._blocked) - 1)] != mentee * n + mentor
        e, r = self.mentee_pos[mentee], self.mentor_pos[mentor]
        keep &= e != r
        keep[keep] &= ~ix.in_line(e[keep], r[keep])
        mentee, mentor, e, r = mentee[keep], mentor[keep], e[keep], r[keep]
        learning, reciprocity, score = ix.pair_scores(e, r[:, None])
        preference = learning + (1.0 + ix.weights.reciprocity) * reciprocity
        useful = learning[:, 0] > 0
        return PairChunk(mentee[useful], mentor[useful], score[useful, 0], preference[useful, 0])

    def above(
        self,
        limit: Floats,
        *,
        scale: float = 1.0,
        offset: Floats | None = None,
        first_row: int = 0,
    ) -> Iterator[PairChunk]:
        """Eligible pairs with ``scale × bound − offset[mentor] > limit[mentee]``, scored.

        The answer holds every pair whose ``scale × score − offset`` is above the limit (and
        some below: callers filter on the exact score). Before the whole score, each pair's
        exact learning sharpens its bound. Rows are read from ``first_row`` on, round the end.
        """
        view = self.view(scale, offset)
        rows = np.roll(np.arange(len(self.mentees)), -first_row)
        depth = self.depths(view, rows, limit[rows])
        work = np.cumsum(depth.sum(axis=1))
        responsiveness = self.index.responsiveness[self.mentor_pos]
        spare = offset if offset is not None else np.zeros(len(self.mentors))
        start = 0
        while start < len(rows):
            base = int(work[start - 1]) if start else 0
            stop = max(int(np.searchsorted(work, base + CHUNK_PAIRS)), start + 1)
            mentee, mentor = self.gather(view, rows[start:stop], depth[start:stop])
            start = stop
            bound = (
                scale
                * responsiveness[mentor]
                * (self.learning(mentee, mentor) + self._bonus[mentor])
            )
            hopeful = bound - spare[mentor] > limit[mentee]
            if hopeful.any():
                yield self.score(mentee[hopeful], mentor[hopeful])

    def every_pair(self, rows: Ints | None = None) -> Iterator[PairChunk]:
        """Every eligible pair (of ``rows``, default all), scored: for checks and reasons."""
        return self.above(self._only(rows))

    def _only(self, rows: Ints | None) -> Floats:
        if rows is None:
            return np.full(len(self.mentees), -np.inf)
        limit = np.full(len(self.mentees), np.inf)
        limit[rows] = -np.inf
        return limit

    def reasons(self, mentor_of: Ints) -> dict[int, str]:
        """Why each unmatched mentee (row) is unmatched, read off every eligible pair.

        ``no_candidates``: nobody in scope is eligible; ``mentors_full``: every eligible mentor
        is at capacity in the plan; ``not_reached``: one still has room (only a plan the time
        budget cut short leaves that).
        """
        rows = np.flatnonzero(mentor_of < 0)
        matched = mentor_of[mentor_of >= 0]
        full = np.bincount(matched, minlength=len(self.mentors)) >= self.capacity
        any_pair = np.zeros(len(self.mentees), dtype=bool)
        for chunk in self.every_pair(rows):
            any_pair[chunk.mentee] = True
        any_room = np.zeros(len(self.mentees), dtype=bool)
        hide = np.where(full, np.inf, 0.0)
        for chunk in self.above(self._only(rows), offset=hide):
            any_room[chunk.mentee] = True
        return {
            row: "no_candidates"
            if not any_pair[row]
            else "not_reached"
            if any_room[row]
            else "mentors_full"
            for row in rows.tolist()
        }

    def best_bound(self, *, scale: float = 1.0, offset: Floats | None = None) -> Floats:
        """For each mentee, the largest ``scale × bound − offset`` over their tiers (−inf: none)."""
        view = self.view(scale, offset)
        first = np.full(len(view.start) - 1, -np.inf)
        filled = np.flatnonzero(np.diff(view.start) > 0)
        first[filled] = view.key[view.start[filled]]
        tiers = self.goal_tier
        if not tiers.shape[1] or not len(first):
            return np.full(len(tiers), -np.inf)
        best = np.where(tiers >= 0, first[np.maximum(tiers, 0)], -np.inf).max(axis=1)
        return np.asarray(best, dtype=np.float64)

    def ranked_list(self, row: int, depth: int) -> tuple[PairChunk, float]:
        """The mentee's pairs from the first ``depth`` mentors of each goal tier, and a floor.

        Every eligible mentor of this mentee missing from the answer scores at most the floor
        (``-inf`` once the tiers are read to the end).
        """
        view = self.view()
        tiers = self.goal_tier[row]
        used = tiers[tiers >= 0]
        sizes = view.start[used + 1] - view.start[used]
        take = np.minimum(sizes, depth)
        rows = np.array([row])
        full_depth = np.zeros((1, len(tiers)), dtype=np.int64)
        full_depth[0, tiers >= 0] = take
        mentee, mentor = self.gather(view, rows, full_depth)
        more = take < sizes
        floor = (
            float(view.key[view.start[used[more]] + take[more]].max()) if more.any() else -np.inf
        )
        return self.score(mentee, mentor), floor
