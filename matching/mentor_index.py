"""Scores many mentor candidates at once with numpy, the same numbers as :mod:`matching.scoring`.

Per person it holds a row of skill levels, of the best *related* level per
skill, and of normalised goal weights, plus codes for team, function, site,
shift class and spoken languages. For a mentee, the candidates are the people
who teach one of the mentee's goal skills or a skill related to one (a short
list per skill), and the whole score is a handful of array operations over them:
at 50,000 people a mentee's ranking takes about a millisecond instead of scoring
everyone in Python.

The read model keeps it as a view (:mod:`readmodel.matching`) and refreshes the rows
of the people a change names; a new person or skill rebuilds it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.profiles import Profile, Profiles
from matching.scoring import DEFAULT_WEIGHTS, MAX_LEVEL, Weights, shift_overlap

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

TIE_DIGITS = 9
"""Scores are ranked to this many decimals; closer ones are ties, broken by id."""

_LINE_STEPS = 16
"""Levels of a reporting line walked with arrays; deeper lines (and cycles) walk in Python."""


@dataclass(frozen=True)
class CandidateFilter:
    """Conditions on the mentor; every given one must hold."""

    site: str | None = None
    function: str | None = None
    shift: str | None = None
    language: str | None = None
    teaches: str | None = None
    """A skill key the mentor must hold at teaching level."""


class MentorIndex:
    """Array form of :class:`~matching.profiles.Profiles` for fast candidate scoring."""

    def __init__(self, profiles: Profiles, weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.profiles = profiles
        self.weights = weights
        self.ids: list[str] = sorted(profiles)
        self.pos = {pid: i for i, pid in enumerate(self.ids)}
        self.skills = sorted(set(profiles.skill_names) | _held_skills(profiles))
        self.skill_pos = {key: i for i, key in enumerate(self.skills)}
        n, s = len(self.ids), len(self.skills)
        # Column-major: scoring reads one skill's column for many candidates at a time.
        self.level = np.zeros((n, s), dtype=np.int8, order="F")
        self.related_level = np.zeros((n, s), dtype=np.int8, order="F")
        self.responsiveness = np.ones(n, dtype=np.float64)
        self.spare = np.zeros(n, dtype=np.int64)
        self.manager = np.full(n, -1, dtype=np.int64)
        """Position of each person's manager, -1 for none (or someone the index does not hold)."""
        self.shares_goals = np.zeros(n, dtype=np.float64)
        """1 for people who share their goals: only their reciprocity counts."""
        self._codes: dict[str, dict[object, int]] = {}
        self.team = np.zeros(n, dtype=np.int64)
        self.function = np.zeros(n, dtype=np.int64)
        self.site = np.zeros(n, dtype=np.int64)
        self.shift_class = np.zeros(n, dtype=np.int64)
        self.shift_key = np.zeros(n, dtype=np.int64)
        self.speaks: dict[str, npt.NDArray[np.bool_]] = {}
        self.first_language = np.full(n, -1, dtype=np.int64)
        slots = max([len(p.goals) for p in profiles.values()] + [1])
        self.goal_slot = np.zeros((n, slots), dtype=np.int64)
        """Each person's goal skills (positions), padded with share 0."""
        self.goal_slot_share = np.zeros((n, slots), dtype=np.float64)
        self._overlap = np.zeros((0, 0), dtype=np.float64)
        self._shift_classes: list[tuple[str | None, str | None]] = []
        self._teachers: dict[int, Ints] = {}
        self._credit_tables: dict[int, Floats] = {}
        self._related_pos = [
            np.array(sorted(self.skill_pos[r] for r in profiles.related.get(key, ())), dtype=int)
            for key in self.skills
        ]
        for i, pid in enumerate(self.ids):
            self._fill(i, profiles[pid], related=False)
        for g, related in enumerate(self._related_pos):
            if len(related):
                self.related_level[:, g] = self.level[:, related].max(axis=1)
        self._build_overlap()

    def refresh(self, profiles: Profiles, people: Iterable[str]) -> bool:
        """Rewrite the rows of ``people``; ``False`` (rebuild) for anyone or any skill new.

        A person with more goals than the index has slots for widens it in place.
        """
        if profiles is not self.profiles:
            return False
        for pid in people:
            i = self.pos.get(pid)
            profile = profiles.get(pid)
            if i is None or profile is None:
                return False
            if any(k not in self.skill_pos for k in (*profile.skills, *profile.goals)):
                return False
            if len(profile.goals) > self.goal_slot.shape[1]:
                self._widen_goals(len(profile.goals))
            self._fill(i, profile)
        self._teachers.clear()
        self._build_overlap()
        return True

    def with_goals(self, profiles: Profiles, people: Iterable[str]) -> MentorIndex:
        """A copy for ``profiles``, which differ from this index's only in the goals of ``people``.

        A programme run gives its participants their gap as goals; copying the goal columns
        and rewriting those rows costs milliseconds where a new index took seconds at 50,000
        people. Anything else new (a person, a skill) builds a new index.
        """
        changed = list(people)
        if (
            set(profiles) != set(self.pos)
            or any(k not in self.skill_pos for pid in changed for k in profiles[pid].goals)
            or profiles.related is not self.profiles.related
        ):
            return MentorIndex(profiles, self.weights)
        clone = copy.copy(self)
        clone.profiles = profiles
        clone.goal_slot = self.goal_slot.copy()
        clone.goal_slot_share = self.goal_slot_share.copy()
        clone._teachers = dict(self._teachers)
        widest = max((len(profiles[pid].goals) for pid in changed), default=0)
        if widest > clone.goal_slot.shape[1]:
            clone._widen_goals(widest)
        for pid in changed:
            i = clone.pos[pid]
            clone.goal_slot[i], clone.goal_slot_share[i] = clone._goal_slots(profiles[pid])
        return clone

    def row(self, person_id: str) -> dict[str, object]:
        """One person's row, decoded into plain values: equal for equal indexes.

        How rows were coded (the order values were first seen, the padding of goal
        slots) depends on the history of refreshes; what they say does not.
        """
        i = self.pos[person_id]
        decode = {
            kind: {code: value for value, code in codes.items()}
            for kind, codes in self._codes.items()
        }
        goals = {
            self.skills[int(g)]: round(float(share), 12)
            for g, share in zip(self.goal_slot[i], self.goal_slot_share[i], strict=True)
            if share > 0
        }
        return {
            "level": {
                k: int(self.level[i, j]) for j, k in enumerate(self.skills) if self.level[i, j]
            },
            "related": {
                k: int(self.related_level[i, j])
                for j, k in enumerate(self.skills)
                if self.related_level[i, j]
            },
            "goals": goals,
            "responsiveness": float(self.responsiveness[i]),
            "shares_goals": float(self.shares_goals[i]),
            "spare": int(self.spare[i]),
            "team": decode["team"][int(self.team[i])],
            "function": decode["function"][int(self.function[i])],
            "site": decode["site"][int(self.site[i])],
            "shift": decode["shift"][int(self.shift_key[i])],
            "shift_class": decode["shift_class"][int(self.shift_class[i])],
            "first_language": None
            if self.first_language[i] < 0
            else decode["language"][int(self.first_language[i])],
            "speaks": sorted(k for k, column in self.speaks.items() if column[i]),
        }

    def _widen_goals(self, slots: int) -> None:
        """Room for ``slots`` goals a person; the new slots are empty (share 0) for everyone.

        Rebuilding the index instead cost about 200 ms of the event loop at 10,000 people,
        each time someone set more goals than anyone had before.
        """
        extra = ((0, 0), (0, slots - self.goal_slot.shape[1]))
        self.goal_slot = np.pad(self.goal_slot, extra)
        self.goal_slot_share = np.pad(self.goal_slot_share, extra)

    def coded(self, kind: str) -> tuple[Ints, list[object]]:
        """Each person's code for ``kind`` (``site``, ``function``, ``team``) and the values by code."""
        codes = self._codes.get(kind, {})
        values: list[object] = [None] * len(codes)
        for value, code in codes.items():
            values[code] = value
        column = {"site": self.site, "function": self.function, "team": self.team}[kind]
        return column, values

    def _code(self, kind: str, value: object) -> int:
        codes = self._codes.setdefault(kind, {})
        return codes.setdefault(value, len(codes))

    def _fill(self, i: int, p: Profile, *, related: bool = True) -> None:
        self.level[i] = 0
        for key, level in p.skills.items():
            self.level[i, self.skill_pos[key]] = level
        if related:
            row = self.level[i]
            self.related_level[i] = [int(row[r].max()) if len(r) else 0 for r in self._related_pos]
        self.goal_slot[i], self.goal_slot_share[i] = self._goal_slots(p)
        self.responsiveness[i] = (p.answered + 2) / (p.answered + p.expired + 2)
        self.shares_goals[i] = 1.0 if p.shares_goals else 0.0
        self.spare[i] = p.spare
        self.manager[i] = self.pos.get(p.manager, -1) if p.manager else -1
        self.team[i] = self._code("team", p.team)
        self.function[i] = self._code("function", p.function)
        self.site[i] = self._code("site", p.site)
        self.shift_key[i] = self._code("shift", p.shift)
        self.shift_class[i] = self._code("shift_class", (p.shift, p.timezone))
        self.first_language[i] = self._code("language", p.languages[0]) if p.languages else -1
        for language in p.languages:
            if language not in self.speaks:
                self.speaks[language] = np.zeros(len(self.ids), dtype=bool)
        for language, column in self.speaks.items():
            column[i] = language in p.languages

    def _goal_slots(self, p: Profile) -> tuple[Ints, Floats]:
        """A person's goal skills (positions) and their shares, padded to the index's slots."""
        w = self.weights
        slots = np.zeros(self.goal_slot.shape[1], dtype=np.int64)
        shares = np.zeros(self.goal_slot.shape[1], dtype=np.float64)
        total = sum(w.goal_weight(priority) for priority in p.goals.values())
        for j, (key, priority) in enumerate(sorted(p.goals.items())):
            slots[j] = self.skill_pos[key]
            shares[j] = w.goal_weight(priority) / total
        return slots, shares

    def _build_overlap(self) -> None:
        classes = sorted(self._codes.get("shift_class", {}).items(), key=lambda kv: kv[1])
        if len(classes) == len(self._shift_classes):
            return
        self._shift_classes = [k for k, _ in classes]  # type: ignore[misc]
        probes = [Profile(id="", shift=s, timezone=t) for s, t in self._shift_classes]
        self._overlap = np.array([[shift_overlap(a, b) for b in probes] for a in probes])

    def teachers(self, skill_pos: int) -> Ints:
        """Positions of everyone with spare capacity holding the skill at teaching level."""
        found = self._teachers.get(skill_pos)
        if found is None:
            column = self.level[:, skill_pos]
            found = np.flatnonzero((column >= self.weights.teach_level) & (self.spare > 0))
            self._teachers[skill_pos] = found
        return found

    def shortlists(
        self,
        mentees: Sequence[Profile],
        per_goal: int,
        *,
        allowed: npt.NDArray[np.bool_] | None = None,
    ) -> list[Ints]:
        """For each mentee, ``per_goal`` teachers per goal, spread over the capacity there is.

        Mentees wanting the same skill at the same level share one ranked pool of its
        teachers (credit on that goal, then responsiveness). Giving them all its top
        few would leave every other mentor out of the assignment, so the pool reaches
        down until its spare capacity is twice the mentees wanting the skill; each
        mentee gets the best third of ``per_goal`` and a window of the rest that moves
        with the mentee, so every teacher in the pool is offered to several mentees.
        ``allowed`` limits the teachers (an assignment's scope).
        """
        groups: dict[tuple[int, int], list[int]] = {}
        for i, mentee in enumerate(mentees):
            row = self.pos[mentee.id]
            for key in mentee.goals:
                g = self.skill_pos[key]
                groups.setdefault((g, int(self.level[row, g])), []).append(i)
        head = max(1, per_goal // 3)
        chosen: list[list[Ints]] = [[] for _ in mentees]
        for (g, own), members in groups.items():
            pool = np.unique(self._teachers_of_goal(g))
            if allowed is not None:
                pool = pool[allowed[pool]]
            gain = self._gain(self.level[:, g][pool], self.related_level[:, g][pool], own)
            order = np.lexsort((pool, -self.responsiveness[pool], -gain))
            pool = pool[order][gain[order] > 0]
            reach = int(np.searchsorted(np.cumsum(self.spare[pool]), 2 * len(members))) + 1
            pool = pool[: max(per_goal, reach)]
            top, rest = pool[:head], pool[head:]
            width = per_goal - head
            if len(rest) <= width:
                for i in members:
                    chosen[i].append(pool)
                continue
            step = max(1, len(rest) // width)
            offsets = np.arange(width) * step
            for r, i in enumerate(members):
                chosen[i].append(top)
                chosen[i].append(rest[(offsets + r) % len(rest)])
        # May repeat a teacher (offered for two goals); score_batch drops the repeats.
        return [np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64) for parts in chosen]

    def _teachers_of_goal(self, g: int) -> Ints:
        return np.concatenate(
            [self.teachers(g), *(self.teachers(int(r)) for r in self._related_pos[g])]
        )

    def candidates(self, mentee: Profile) -> Ints:
        """Positions of everyone who could teach the mentee something."""
        parts: list[Ints] = []
        for key in mentee.goals:
            g = self.skill_pos[key]
            parts.append(self.teachers(g))
            parts.extend(self.teachers(int(r)) for r in self._related_pos[g])
        chosen = np.zeros(len(self.ids), dtype=bool)
        for part in parts:
            chosen[part] = True
        return np.flatnonzero(chosen)

    def _gain(
        self,
        held: npt.NDArray[np.int8],
        related: npt.NDArray[np.int8],
        own: npt.NDArray[np.int8] | int,
    ) -> Floats:
        """Credit for teaching at ``held`` (or ``related``) someone at ``own``; see scoring."""
        w = self.weights
        held, related = held.astype(np.int64), related.astype(np.int64)
        direct = np.where((held >= w.teach_level) & (held > own), (held - own) / MAX_LEVEL, 0.0)
        via = np.where(
            (related >= w.teach_level) & (related > own),
            w.related_credit * (related - own) / MAX_LEVEL,
            0.0,
        )
        return np.maximum(direct, via)

    def pair_scores(
        self, mentees: Ints, cand: Ints, *, goals: tuple[Ints, Floats] | None = None
    ) -> tuple[Floats, Floats, Floats]:
        """Learning, reciprocity and score of mentee ``mentees[i]`` with mentor ``cand[i, j]``.

        Hard constraints are not checked here. Goals are read through fixed slots per
        person (``goal_slot``), so a whole batch of mentees is a few array operations;
        ``goals`` gives the mentees' goal slots and shares instead (one row per mentee).
        """
        w = self.weights
        e = mentees[:, None]
        goal_slot, goal_share = (
            (self.goal_slot[mentees], self.goal_slot_share[mentees]) if goals is None else goals
        )
        learning = self._learning(e, cand, goal_slot, goal_share)
        reciprocity = np.zeros(cand.shape)
        for j in range(self.goal_slot.shape[1]):
            g = self.goal_slot[cand, j]
            reciprocity += self.goal_slot_share[cand, j] * self._gain(
                self.level[e, g], self.related_level[e, g], self.level[cand, g].astype(np.int64)
            )
        reciprocity *= self.shares_goals[cand]
        bonus = self._add_setting_bonus(mentees, cand, w.reciprocity * reciprocity)
        return learning, reciprocity, self.responsiveness[cand] * (learning + bonus)

    def _learning(self, e: Ints, cand: Ints, goal_slot: Ints, goal_share: Floats) -> Floats:
        """What mentee ``e[i]`` learns from ``cand[i, j]``: the goals' shares times their credit."""
        learning = np.zeros(cand.shape)
        for j in range(goal_slot.shape[1]):
            if goal_share[:, j].any():  # an empty slot adds 0 (one goal asked: most slots)
                g = goal_slot[:, j : j + 1]
                if len(e) == 1:  # one mentee: the credit of each (level, related level) looked up
                    own = int(self.level[int(e[0, 0]), int(g[0, 0])])
                    credit = self._credit_table(own)
                    held = self.level[cand, g].astype(np.intp) * (MAX_LEVEL + 1)
                    gain = credit[held + self.related_level[cand, g]]
                else:
                    gain = self._gain(
                        self.level[cand, g],
                        self.related_level[cand, g],
                        self.level[e, g].astype(np.int64),
                    )
                learning += goal_share[:, j : j + 1] * gain
        return learning

    def _credit_table(self, own: int) -> Floats:
        """:meth:`_gain` for someone at ``own``, at ``held * (MAX_LEVEL + 1) + related``."""
        found = self._credit_tables.get(own)
        if found is None:
            levels = np.arange(MAX_LEVEL + 1, dtype=np.int8)
            held, related = np.meshgrid(levels, levels, indexing="ij")
            found = self._gain(held.ravel(), related.ravel(), own)
            self._credit_tables[own] = found
        return found

    def _add_setting_bonus(self, mentees: Ints, cand: Ints, bonus: Floats) -> Floats:
        """``bonus`` plus shift overlap, shared language, other team and function (in place)."""
        w = self.weights
        e = mentees[:, None]
        bonus += w.shift_overlap * self._overlap[self.shift_class[e], self.shift_class[cand]]
        first = self.first_language[mentees]
        for language, code in self._codes.get("language", {}).items():
            rows = first == code
            if rows.any() and language in self.speaks:
                bonus[rows] += w.shared_language * self.speaks[language][cand[rows]]
        bonus += w.cross_team * (self.team[cand] != self.team[e])
        bonus += w.cross_function * (self.function[cand] != self.function[e])
        return bonus

    def _most_taught_back(self, row: int) -> float:
        """An upper bound on the reciprocity any mentor gets from the person at ``row``.

        Reciprocity is a weighted mean (shares summing to 1) of credits the mentee earns
        teaching, and a credit is at most the mentee's level over :data:`MAX_LEVEL`, or the
        related share of a related level, when that level teaches at all.
        """
        w = self.weights
        held, related = int(self.level[row].max()), int(self.related_level[row].max())
        direct = held / MAX_LEVEL if held >= w.teach_level else 0.0
        via = w.related_credit * related / MAX_LEVEL if related >= w.teach_level else 0.0
        return max(direct, via)

    def _blocked(self, mentee: Profile) -> set[int]:
        """Self and open partners; the reporting line is :meth:`in_line`'s."""
        blocked = {self.pos[p] for p in mentee.partners if p in self.pos}
        blocked.add(self.pos[mentee.id])
        return blocked

    def in_line(self, a: Ints, b: Ints) -> npt.NDArray[np.bool_]:
        """Whether ``b[i]`` is above ``a[i]`` in their reporting line, or ``a[i]`` above ``b[i]``.

        The same rule as :func:`matching.scoring.in_reporting_line`, for many pairs at once:
        each line is walked up a level at a time over all pairs.
        """
        hit = np.zeros(len(a), dtype=bool)
        for low, high in ((a, b), (b, a)):
            up = self.manager[low]
            for _ in range(_LINE_STEPS):
                live = up >= 0
                if not live.any():
                    break
                hit |= live & (up == high)
                up = np.where(live, self.manager[np.maximum(up, 0)], -1)
            for i in np.flatnonzero(up >= 0).tolist():
                line = self.profiles.reporting_line(self.ids[int(low[i])])
                hit[i] |= self.ids[int(high[i])] in line
        return hit

    def score(
        self,
        mentee: Profile,
        *,
        filters: CandidateFilter | None = None,
        among: Ints | None = None,
        best: int | None = None,
    ) -> tuple[Ints, Floats]:
        """Eligible mentors of ``mentee`` (positions) and their scores, unordered.

        The mentee's goals are read from ``mentee`` (the profile held, or one with fewer
        goals, as a growth path asks for one skill at a time). ``among`` limits the
        candidates (sorted positions), e.g. to a :meth:`shortlist`. With ``best``, only
        mentors whose score could be among the ``best`` highest (ties included) are scored
        and returned (:meth:`_could_rank`).
        """
        cand = self.candidates(mentee) if among is None else among
        keep = ~np.isin(cand, np.fromiter(self._blocked(mentee), dtype=np.int64))
        if filters is not None:
            keep &= self._filter_mask(cand, filters)
        cand = cand[keep]
        slots, shares = self._goal_slots(mentee)
        row = np.array([self.pos[mentee.id]])
        goals = (slots[None, :], shares[None, :])
        if best is not None and len(cand) > best:
            cand = self._could_rank(row, cand, goals, best)
        else:
            cand = cand[~self.in_line(np.full(len(cand), row[0]), cand)]
        learning, _, score = self.pair_scores(row, cand[None, :], goals=goals)
        useful = learning[0] > 0
        return cand[useful], score[0][useful]

    def _could_rank(self, row: Ints, cand: Ints, goals: tuple[Ints, Floats], best: int) -> Ints:
        """Those of ``cand`` outside ``row[0]``'s line whose score could be among the ``best``.

        A score without its reciprocity is a lower bound, and that plus the most reciprocity
        could add (:meth:`_most_taught_back`) an upper bound. A candidate whose upper bound is
        below the ``best``-th highest lower bound of the eligible (less the tie margin) ranks
        below ``best`` others, so reciprocity, the costly part, is computed for the rest only:
        at 300,000 people, hundreds of tens of thousands. The reporting line is checked for
        the highest lower bounds first, and then for the candidates left.
        """
        grid = cand[None, :]
        learning = self._learning(row[:, None], grid, *goals)[0]
        respond = self.responsiveness[cand]
        bonus = self._add_setting_bonus(row, grid, np.zeros(grid.shape))[0]
        lower = np.where(learning > 0, respond * (learning + bonus), -np.inf)
        checked = np.zeros(len(cand), dtype=bool)
        in_line = np.zeros(len(cand), dtype=bool)
        reach = 2 * best
        while True:  # the best-th highest lower bound outside the line: read deeper if short
            reach = min(reach, len(cand))
            top = np.argpartition(-lower, reach - 1)[:reach]
            fresh = top[~checked[top]]
            in_line[fresh] = self.in_line(np.full(len(fresh), row[0]), cand[fresh])
            checked[fresh] = True
            eligible = np.sort(lower[top][~in_line[top]])
            if len(eligible) >= best or reach == len(cand):
                break
            reach *= 4
        # fewer than best could rank at all: every useful one is kept
        short = len(eligible) < best or not np.isfinite(eligible[-best])
        line = -np.inf if short else float(eligible[-best])
        most = self.weights.reciprocity * self._most_taught_back(int(row[0]))
        upper = lower + respond * most * self.shares_goals[cand]
        hopeful = np.flatnonzero((upper >= line - 10.0**-TIE_DIGITS) & (learning > 0))
        fresh = hopeful[~checked[hopeful]]
        in_line[fresh] = self.in_line(np.full(len(fresh), row[0]), cand[fresh])
        kept: Ints = cand[hopeful[~in_line[hopeful]]]
        return kept

    def score_batch(
        self, mentees: Sequence[Profile], lists: Sequence[Ints]
    ) -> list[tuple[Ints, Floats, Floats]]:
        """:meth:`score` for each mentee over its own candidates (see :meth:`shortlists`).

        Each mentee gets (mentor positions, scores, the mentors' preference for them):
        see :func:`matching.scoring.mentor_preference`.
        """
        if not mentees:
            return []
        width = max(1, max(len(c) for c in lists))
        cand = np.zeros((len(mentees), width), dtype=np.int64)
        valid = np.zeros(cand.shape, dtype=bool)
        for i, (mentee, found) in enumerate(zip(mentees, lists, strict=True)):
            cand[i, : len(found)] = found
            valid[i, : len(found)] = True
            for b in self._blocked(mentee):
                valid[i, : len(found)] &= found != b
        # Each teacher once per mentee: sort every row, then drop a position equal to the last.
        order = np.argsort(np.where(valid, cand, len(self.ids)), axis=1, kind="stable")
        cand = np.take_along_axis(cand, order, axis=1)
        valid = np.take_along_axis(valid, order, axis=1)
        valid[:, 1:] &= cand[:, 1:] != cand[:, :-1]
        rows = np.array([self.pos[m.id] for m in mentees])
        flat = np.flatnonzero(valid)
        valid.flat[flat[self.in_line(np.repeat(rows, width)[flat], cand.ravel()[flat])]] = False
        learning, reciprocity, score = self.pair_scores(rows, cand)
        valid &= learning > 0
        preference = learning + (1.0 + self.weights.reciprocity) * reciprocity
        return [
            (cand[i][valid[i]], score[i][valid[i]], preference[i][valid[i]])
            for i in range(len(mentees))
        ]

    def _filter_mask(self, cand: Ints, f: CandidateFilter) -> npt.NDArray[np.bool_]:
        keep = np.ones(len(cand), dtype=bool)
        for kind, value, column in (
            ("site", f.site, self.site),
            ("function", f.function, self.function),
            ("shift", f.shift, self.shift_key),
        ):
            if value is not None:
                code = self._codes.get(kind, {}).get(value, -1)
                keep &= column[cand] == code
        if f.language is not None:
            speaks = self.speaks.get(f.language)
            keep &= speaks[cand] if speaks is not None else False
        if f.teaches is not None:
            g = self.skill_pos.get(f.teaches)
            keep &= self.level[cand, g] >= self.weights.teach_level if g is not None else False
        return keep

    def top(
        self, mentee: Profile, first: int, *, filters: CandidateFilter | None = None
    ) -> list[tuple[str, float]]:
        """The ``first`` best mentors for ``mentee`` as (id, score), best first, ties by id.

        Scores equal to :data:`TIE_DIGITS` decimals are ties: the array arithmetic and the definition
        (:func:`matching.scoring.score_pair`) may differ in the last bits of a float.
        """
        cand, scores = self.score(mentee, filters=filters, best=first)
        if len(cand) > first:
            cut = np.argpartition(-scores, first - 1)[:first]
            threshold = scores[cut].min() - 10.0**-TIE_DIGITS
            chosen = np.flatnonzero(scores >= threshold)
            cand, scores = cand[chosen], scores[chosen]
        ranked = sorted(
            zip(scores.tolist(), cand.tolist(), strict=True),
            key=lambda t: (-round(t[0], TIE_DIGITS), self.ids[t[1]]),
        )
        return [(self.ids[i], s) for s, i in ranked[:first]]

    def positions(self, ids: Sequence[str]) -> list[int]:
        """Positions of the given people (unknown ids skipped)."""
        return [self.pos[i] for i in ids if i in self.pos]


def _held_skills(profiles: Profiles) -> set[str]:
    found: set[str] = set()
    for p in profiles.values():
        found.update(p.skills)
        found.update(p.goals)
    return found
