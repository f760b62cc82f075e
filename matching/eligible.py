"""Every eligible (mentee, mentor) pair of an assignment, reached without listing them all.

A pair is eligible when :func:`matching.scoring.score_pair` scores it: the mentor is in scope
with spare capacity, is not the mentee, shares no open mentorship with them, is neither above
nor below them in their reporting line, and teaches them something. At 50,000 people that is
about 300 million pairs (at 300,000, ten billion), too many to score on every question. So the
pairs are reached through **tiers**, each a list of mentors with an upper bound on their score
with *any* mentee of the tier, sorted by it:

* a **goal tier** per goal skill, level the mentee holds it at, share of the mentee's learning
  (rounded up to a short scale) and mentee class (shift class and first language)::

      bound = responsiveness × (share × credit on this goal + the most the bonuses can add
                                with a mentee of this class)

  exact in learning for a mentor who teaches only this one of the mentee's goals;
* a **joint tier** per pair of goal skills, holding the mentors who teach both::

      bound = responsiveness × (the larger credit of the two, to a mentee at level 0,
                                + the most the bonuses can add)

  a mentee's learning is a weighted mean of their goals' credits, so it never exceeds the best
  goal's credit, and a mentor teaching several of a mentee's goals is in the joint tier of their
  best goal and another.

So every eligible pair is bounded by one of its mentee's tiers. A question such as "which pairs
score above this line?" reads each tier's sorted bounds down to the line, sharpens each pair
read with its exact learning and preference bonuses, scores the rest exactly, and is exact for
every pair: the ones not read are below the line by their bound.
``tests/matching/test_exact.py`` holds the bound above ``score_pair`` for every pair of seeded
organisations, no pair above a pricing line missed, and the exhaustive listing
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
_SHARE_SCALE = np.array([0.1, 0.125, 0.16, 0.2, 0.25, 0.32, 0.4, 0.5, 0.63, 0.8, 1.0])
"""A goal's share of the learning, as a single-goal tier rounds it up."""
_KEY_FLOOR = 2**40
"""Keys of a view in points are kept above minus this (a hidden mentor is below any limit)."""
_SLACK = 1e-12
"""Relative margin on every bound, so float rounding never puts a bound below a score."""


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
    code: Ints | None = None
    """For a view in whole points: ``tier × 2F + (F − key)``, ascending (F: ``_KEY_FLOOR``)."""


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

    def _mentee_classes(self) -> Ints:
        """Each mentee's class: their shift class and first language, all the bonuses read.

        Mentees of one class get the same shift-overlap and language bonus from any mentor, so
        a tier per (goal, level, class) bounds those bonuses exactly instead of by their most.
        """
        ix = self.index
        languages = len(ix._codes.get("language", {})) + 1
        e = self.mentee_pos
        return np.asarray(ix.shift_class[e] * languages + ix.first_language[e] + 1, np.int64)

    def _reciprocity_bound(self) -> Floats:
        """The most each mentor's reciprocity bonus can be, with any mentee."""
        ix, w = self.index, self.index.weights
        pos = self.mentor_pos
        most = np.zeros(len(pos))
        for j in range(ix.goal_slot.shape[1]):
            g = ix.goal_slot[pos, j]
            full = np.full(len(pos), MAX_LEVEL, dtype=np.int8)
            most += ix.goal_slot_share[pos, j] * ix._gain(full, full, ix.level[pos, g])
        return np.asarray(max(0.0, w.reciprocity) * ix.shares_goals[pos] * most, np.float64)

    def _class_bonus_bound(self, mentee_class: int) -> Floats:
        """The most each mentor's bonuses can add with a mentee of ``mentee_class``.

        Exact for shift overlap and language; reciprocity by :meth:`_reciprocity_bound`; team
        and function by their weights (nearly every pair crosses both).
        """
        ix, w = self.index, self.index.weights
        pos = self.mentor_pos
        languages = len(ix._codes.get("language", {})) + 1
        shift, language = divmod(mentee_class, languages)
        bound = self._reciprocity.copy()
        if ix._overlap.size:
            bound += max(0.0, w.shift_overlap) * ix._overlap[shift, ix.shift_class[pos]]
        spoken = {code: str(key) for key, code in ix._codes.get("language", {}).items()}
        name = spoken.get(language - 1) if language else None
        speaks = ix.speaks.get(name) if name is not None else None
        if speaks is not None:
            bound += max(0.0, w.shared_language) * speaks[pos]
        bound += max(0.0, w.cross_team) + max(0.0, w.cross_function)
        return bound * (1.0 + _SLACK)

    def _most_bonus(self) -> Floats:
        """The most each mentor's bonuses can add with any mentee."""
        ix, w = self.index, self.index.weights
        bound = self._reciprocity.copy()
        if ix._overlap.size:
            overlap = ix._overlap.max(axis=0)[ix.shift_class[self.mentor_pos]]
            bound += max(0.0, w.shift_overlap) * overlap
        bound += max(0.0, w.shared_language) + max(0.0, w.cross_team) + max(0.0, w.cross_function)
        return bound * (1.0 + _SLACK)

    def _pair_bonus_bound(self, mentee: Ints, mentor: Ints) -> Floats:
        """Per pair, the most reciprocity can add plus the exact preference bonuses."""
        ix, w = self.index, self.index.weights
        e, r = self.mentee_pos[mentee], self.mentor_pos[mentor]
        bound = self._reciprocity[mentor].copy()
        if ix._overlap.size:
            bound += max(0.0, w.shift_overlap) * ix._overlap[ix.shift_class[e], ix.shift_class[r]]
        first = ix.first_language[e]
        for language, code in ix._codes.get("language", {}).items():
            rows = np.flatnonzero(first == code)
            if len(rows) and language in ix.speaks:
                bound[rows] += max(0.0, w.shared_language) * ix.speaks[language][r[rows]]
        bound += max(0.0, w.cross_team) * (ix.team[e] != ix.team[r])
        bound += max(0.0, w.cross_function) * (ix.function[e] != ix.function[r])
        return bound * (1.0 + _SLACK)

    def _build_tiers(self) -> None:
        ix = self.index
        slots = ix.goal_slot.shape[1]
        goal = ix.goal_slot[self.mentee_pos]
        share = ix.goal_slot_share[self.mentee_pos]
        own = ix.level[self.mentee_pos[:, None], goal].astype(np.int64)
        used = share > 0
        mentee_class = self._mentee_classes()
        classes = int(mentee_class.max()) + 1 if len(mentee_class) else 1
        # Shares rounded up to a short scale: a tier per share would multiply them by ~50.
        share_code = np.searchsorted(_SHARE_SCALE, share, side="left")
        shares = _SHARE_SCALE
        codes = ((goal * (MAX_LEVEL + 1) + own) * classes + mentee_class[:, None]) * len(
            shares
        ) + share_code
        found, inverse = np.unique(codes[used], return_inverse=True)
        # One column per goal (its single tier), then one per pair of goals (their joint tier).
        pairs = [(a, b) for a in range(slots) for b in range(a + 1, slots)]
        self.goal_tier = np.full((len(self.mentees), slots + len(pairs)), -1, dtype=np.int64)
        self.goal_tier[:, :slots][used] = inverse
        skills = len(ix.skills)
        joint = np.stack(
            [np.minimum(goal[:, a], goal[:, b]) * skills + np.maximum(goal[:, a], goal[:, b])
             for a, b in pairs], axis=1,
        ) if pairs else np.zeros((len(self.mentees), 0), dtype=np.int64)  # fmt: skip
        both = np.stack([used[:, a] & used[:, b] for a, b in pairs], axis=1) if pairs else joint > 0
        joint_found, joint_inverse = np.unique(joint[both], return_inverse=True)
        self.goal_tier[:, slots:][both] = len(found) + joint_inverse
        self.goal_share = np.where(used, share, 0.0)
        self._reciprocity = self._reciprocity_bound()
        responsiveness = ix.responsiveness[self.mentor_pos]
        bonus: dict[int, Floats] = {}
        pools: dict[int, tuple[Ints, Floats]] = {}

        def pool_of(g: int, level: int) -> tuple[Ints, Floats]:
            if g * (MAX_LEVEL + 1) + level not in pools:
                pool = self._column[np.unique(ix._teachers_of_goal(g))]
                pool = pool[pool >= 0]
                at = self.mentor_pos[pool]
                gain = ix._gain(ix.level[at, g], ix.related_level[at, g], level) * (1.0 + _SLACK)
                pools[g * (MAX_LEVEL + 1) + level] = pool[gain > 0], gain[gain > 0]
            return pools[g * (MAX_LEVEL + 1) + level]

        mentors: list[Ints] = []
        bounds: list[Floats] = []
        for code in found.tolist():
            rest, share_index = divmod(code, len(shares))
            goal_level, mentee_class_code = divmod(rest, classes)
            if mentee_class_code not in bonus:
                bonus[mentee_class_code] = self._class_bonus_bound(mentee_class_code)
            pool, gain = pool_of(*divmod(goal_level, MAX_LEVEL + 1))
            mentors.append(pool)
            credit = shares[share_index] * gain * (1.0 + _SLACK)
            bounds.append(responsiveness[pool] * (credit + bonus[mentee_class_code][pool]))
        most = self._most_bonus()
        for code in joint_found.tolist():
            g, h = divmod(code, skills)
            first, first_gain = pool_of(g, 0)
            second, second_gain = pool_of(h, 0)
            pool, at_first, at_second = np.intersect1d(
                first, second, assume_unique=True, return_indices=True
            )
            gain = np.maximum(first_gain[at_first], second_gain[at_second])
            mentors.append(pool)
            bounds.append(responsiveness[pool] * (gain + most[pool]))
        sizes = np.array([len(m) for m in mentors], dtype=np.int64)
        self._tier_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._tier_mentor = np.concatenate(mentors) if mentors else np.zeros(0, np.int64)
        self._tier_bound = np.concatenate(bounds) if bounds else np.zeros(0)
        self._tier_of_entry = np.repeat(np.arange(len(sizes)), sizes)
        # Learning by table: a goal's credit is a function of three small levels.
        people = len(ix.ids)
        self._goal_at = [np.where(used[:, j], goal[:, j], 0) * people for j in range(slots)]
        self._goal_own = [np.where(used[:, j], own[:, j], 0) for j in range(slots)]
        self._goal_share = [self.goal_share[:, j].copy() for j in range(slots)]
        levels = np.arange(MAX_LEVEL + 1, dtype=np.int8)
        held, related, mine = np.meshgrid(levels, levels, levels, indexing="ij")
        self._gain_table = ix._gain(held.ravel(), related.ravel(), mine.ravel().astype(np.int64))

    def view(self, scale: float = 1.0, offset: Floats | None = None) -> _View:
        """Tiers sorted by ``scale × bound − offset[mentor]``; ``inf`` in ``offset`` hides one."""
        if offset is None:
            cached = self._views.get((scale, 0))
            if cached is not None:
                return cached
        key = scale * self._tier_bound
        code = None
        if offset is None:
            order = np.lexsort((-key, self._tier_of_entry))
        else:
            # In points (scale ≥ 1): whole points, rounded up so each stays a bound, then one
            # integer sort by (tier, descending key) instead of a lexsort per round.
            key = np.ceil(key - offset[self._tier_mentor])
            whole = np.clip(key, -_KEY_FLOOR, _KEY_FLOOR - 1).astype(np.int64)
            code = self._tier_of_entry * (2 * _KEY_FLOOR) + (_KEY_FLOOR - whole)
            order = np.argsort(code)
            code = code[order]
        made = _View(self._tier_mentor[order], key[order], self._tier_start, code)
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
        if view.code is not None:
            # Whole points: a key is above the limit when it is at least its floor plus one.
            lowest = np.floor(np.clip(limit, -_KEY_FLOOR - 1.0, float(_KEY_FLOOR))) + 1
            last = _KEY_FLOOR - lowest.astype(np.int64)
            at = np.maximum(tiers, 0)
            ends = np.searchsorted(view.code, at * (2 * _KEY_FLOOR) + last[:, None], side="right")
            return np.where(tiers >= 0, ends - view.start[at], 0)
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

    def gather(
        self, view: _View, rows: Ints, depth: Ints, *, once: bool = True
    ) -> tuple[Ints, Ints]:
        """The first ``depth`` mentors of each row's goal tiers, each (row, mentor) once.

        ``once=False`` leaves in the repeats (a mentor reached through two goals), in row order:
        cheaper when most pairs are then dropped anyway.
        """
        tiers = self.goal_tier[rows]
        has = depth > 0
        counts = depth[has]
        starts = view.start[tiers[has]]
        owner = np.repeat(rows[np.nonzero(has)[0]], counts)
        total = int(counts.sum())
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        mentor = view.mentor[np.repeat(starts, counts) + within]
        return self._once(owner, mentor) if once else (owner, mentor)

    def _once(self, mentee: Ints, mentor: Ints) -> tuple[Ints, Ints]:
        """Each (mentee, mentor) pair once, sorted by mentee then mentor."""
        n = max(1, len(self.mentors))
        keys = np.sort(mentee * n + mentor)
        if len(keys):
            keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        return keys // n, keys % n

    def learning(self, mentee: Ints, mentor: Ints) -> Floats:
        """The learning part of each pair's score: cheap next to the whole score."""
        ix = self.index
        r = self.mentor_pos[mentor]
        # Column-major levels: skill g of person r is at g × people + r.
        level, related = ix.level.T.ravel(), ix.related_level.T.ravel()
        side = MAX_LEVEL + 1
        total = np.zeros(len(mentee))
        for j in range(len(self._goal_at)):
            at = self._goal_at[j][mentee] + r
            code = (level[at].astype(np.int64) * side + related[at]) * side
            total += (
                self._goal_share[j][mentee] * self._gain_table[code + self._goal_own[j][mentee]]
            )
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
            mentee, mentor = self.gather(view, rows[start:stop], depth[start:stop], once=False)
            start = stop
            learning = self.learning(mentee, mentor) * (1.0 + _SLACK)
            bonus = self._pair_bonus_bound(mentee, mentor)
            bound = scale * responsiveness[mentor] * (learning + bonus)
            hopeful = bound - spare[mentor] > limit[mentee]
            if hopeful.any():
                yield self.score(*self._once(mentee[hopeful], mentor[hopeful]))

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

    def ranked_lists(self, rows: Ints, depth: Ints) -> tuple[PairChunk, Floats]:
        """Each mentee's pairs from the first ``depth`` mentors of each of their tiers, and floors.

        Pairs come by row. Every eligible mentor of a mentee missing from the answer scores at
        most its floor (``-inf`` once the tiers are read to the end).
        """
        view = self.view()
        if not len(view.key):
            nothing = np.zeros(0, np.int64)
            return PairChunk(nothing, nothing, np.zeros(0), np.zeros(0)), np.full(
                len(rows), -np.inf
            )
        tiers = self.goal_tier[rows]
        at = np.maximum(tiers, 0)
        sizes = np.where(tiers >= 0, view.start[at + 1] - view.start[at], 0)
        take = np.minimum(sizes, depth[:, None])
        mentee, mentor = self.gather(view, rows, take)
        more = take < sizes
        next_key = np.where(
            more, view.key[np.minimum(view.start[at] + take, len(view.key) - 1)], -np.inf
        )
        floors = next_key.max(axis=1) if next_key.shape[1] else np.full(len(rows), -np.inf)
        return self.score(mentee, mentor), np.asarray(floors, dtype=np.float64)
