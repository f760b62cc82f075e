"""The local search behind :func:`matching.squads.suggest_squads`.

The pool is compiled to integers and every swap is scored from per-squad counts, so a
swap costs a few operations instead of re-scoring two squads.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matching.squads import Member

COVERAGE_WEIGHT = 1_000
"""Worth of one focus skill covered in one squad."""
FUNCTION_WEIGHT = 100
"""Worth of one more distinct function in one squad."""
LEARNER_WEIGHT = 1
"""Worth of one more member served as a learner."""
# A swap touches two squads: their distinct functions move by at most 2 and their learners
# by at most 2 * MAX_SIZE, so each weight outranks all the ones below it: every move is
# judged lexicographically (coverage, then function mix, then learners).

_SCAN = 16
"""Candidates looked at per slot while drafting."""
_CANDIDATES = 40
"""People tried per squad and missing focus skill or function, in one local-search pass."""
_TEACHERS = 5
"""Teachers tried per member waiting for one, in one learner pass."""
_MAX_PASSES = 12
"""Rounds of local search at most (each runs the coverage, function and learner passes)."""
_LEARNER_PASSES = 3
"""Learner passes at most: each finds fewer swaps than the one before and costs as much."""


def _worth(mask: int, need: int, scarcity: Sequence[float]) -> tuple[float, int]:
    """How much a squad missing ``need`` gains from someone strong in ``mask``.

    Skills the squad needs count for their scarcity; skills it already has count against,
    since that person's strength would be wasted where another squad lacks it.
    """
    value = sum(w if need >> q & 1 else -w for q, w in enumerate(scarcity) if mask >> q & 1)
    return (value, -mask)


class SquadSearch:
    """The pool compiled to integers, a partition of it, and the counts that score it.

    People are indexes into the id-sorted pool; ``squad_of[i]`` is ``-1`` for the left
    out. Per squad it keeps how many members are strong in each focus skill (and, as
    bitmasks, which skills are covered and which by one member only), members per
    function, and per skill the strong members by level, so a swap is scored by looking
    at the two people swapped and the squads they leave and join.
    """

    def __init__(
        self,
        people: Sequence[Member],
        *,
        size: int,
        count: int,
        focus: Sequence[str],
        strong_level: int,
    ) -> None:
        self.size = size
        self.count = count
        self.strong_level = strong_level
        bit = {key: 1 << j for j, key in enumerate(focus)}
        skill_ids: dict[str, int] = {}
        functions = {name: k for k, name in enumerate(sorted({m.function for m in people}))}
        self.function = [functions[m.function] for m in people]
        self.focus_mask = [
            sum(bit[k] for k, level in m.skills.items() if k in bit and level >= strong_level)
            for m in people
        ]
        self.strong = [
            {
                skill_ids.setdefault(k, len(skill_ids)): v
                for k, v in sorted(m.skills.items())
                if v >= strong_level
            }
            for m in people
        ]
        self.goals = [
            tuple(
                (skill_ids.setdefault(k, len(skill_ids)), m.skills.get(k, 0))
                for k in sorted(m.goals)
            )
            for m in people
        ]
        self.holders = [
            [i for i, mask in enumerate(self.focus_mask) if mask >> j & 1]
            for j in range(len(focus))
        ]
        self.reachable = sum(1 << j for j, holders in enumerate(self.holders) if holders)
        self.by_function = [
            [i for i, f in enumerate(self.function) if f == k] for k in range(len(functions))
        ]
        teachers: dict[int, list[int]] = {}
        for i, strong in enumerate(self.strong):
            for skill in strong:
                teachers.setdefault(skill, []).append(i)
        self.teachers = teachers
        self.order = self._placement_order(people, focus)

        n = len(people)
        self.squad_of = [-1] * n
        self.served = [False] * n
        self.members: list[list[int]] = [[] for _ in range(count)]
        self.focus_count = [[0] * len(focus) for _ in range(count)]
        self.covered = [0] * count
        self.single = [0] * count
        self.function_count = [[0] * len(functions) for _ in range(count)]
        self.levels: list[dict[int, list[int]]] = [{} for _ in range(count)]
        self.top: list[dict[int, int]] = [{} for _ in range(count)]
        self.covering = [0] * len(focus)
        """Per focus skill, the squads covering it."""
        self.having = [0] * len(functions)
        """Per function, the squads with someone of it."""
        self.swaps = 0

    def _placement_order(self, people: Sequence[Member], focus: Sequence[str]) -> list[int]:
        """Who to place first when the pool is larger than the squads.

        Strong people in scarce focus skills first, then people who want a focus skill,
        then people strong in many skills.
        """
        scarcity = [1 / len(h) if h else 0.0 for h in self.holders]
        wanted = set(focus)

        def key(i: int) -> tuple[float, int, int, int]:
            mask = self.focus_mask[i]
            strength = sum(w for j, w in enumerate(scarcity) if mask >> j & 1)
            wants = sum(1 for k in people[i].goals if k in wanted)
            return (-strength, -wants, -len(self.strong[i]), i)

        return sorted(range(len(people)), key=key)

    # --- the partition and its counts ----------------------------------------------------

    def _add(self, s: int, i: int) -> None:
        self.members[s].append(i)
        self.squad_of[i] = s
        counts = self.focus_count[s]
        mask = self.focus_mask[i]
        while mask:
            low = mask & -mask
            j = low.bit_length() - 1
            counts[j] += 1
            if counts[j] == 1:
                self.covered[s] |= low
                self.single[s] |= low
                self.covering[j] += 1
            elif counts[j] == 2:
                self.single[s] &= ~low
            mask ^= low
        self.function_count[s][self.function[i]] += 1
        self.having[self.function[i]] += self.function_count[s][self.function[i]] == 1
        levels, top = self.levels[s], self.top[s]
        for skill, level in self.strong[i].items():
            levels.setdefault(skill, [0] * 6)[level] += 1
            if level > top.get(skill, 0):
                top[skill] = level

    def _remove(self, s: int, i: int) -> None:
        self.members[s].remove(i)
        self.squad_of[i] = -1
        self.served[i] = False
        counts = self.focus_count[s]
        mask = self.focus_mask[i]
        while mask:
            low = mask & -mask
            j = low.bit_length() - 1
            counts[j] -= 1
            if counts[j] == 0:
                self.covered[s] &= ~low
                self.single[s] &= ~low
                self.covering[j] -= 1
            elif counts[j] == 1:
                self.single[s] |= low
            mask ^= low
        self.function_count[s][self.function[i]] -= 1
        self.having[self.function[i]] -= self.function_count[s][self.function[i]] == 0
        levels, top = self.levels[s], self.top[s]
        for skill, level in self.strong[i].items():
            by_level = levels[skill]
            by_level[level] -= 1
            if top[skill] == level and not by_level[level]:
                rest = [lv for lv in range(level - 1, self.strong_level - 1, -1) if by_level[lv]]
                if rest:
                    top[skill] = rest[0]
                else:
                    del top[skill]

    def _refresh_served(self, s: int) -> None:
        top = self.top[s]
        for i in self.members[s]:
            self.served[i] = any(top.get(g, 0) > own for g, own in self.goals[i])

    def _swap(self, a: int, b: int) -> None:
        """Put ``b`` where ``a`` is and ``a`` where ``b`` was (maybe left out)."""
        s, t = self.squad_of[a], self.squad_of[b]
        self._remove(s, a)
        if t >= 0:
            self._remove(t, b)
            self._add(t, a)
        self._add(s, b)
        self.swaps += 1
        self._refresh_served(s)
        if t >= 0:
            self._refresh_served(t)

    # --- scoring moves ---------------------------------------------------------------------

    def _learner_delta(self, s: int, out: int, into: int) -> int:
        """Change in learners served in squad ``s`` if ``into`` takes the place of ``out``."""
        levels, top = self.levels[s], self.top[s]
        gone, come = self.strong[out], self.strong[into]
        changed: dict[int, int] = {}
        for skill, level in gone.items():
            now = top[skill]
            after = now
            if level == now and levels[skill][level] == 1:
                after = next(
                    (lv for lv in range(now - 1, self.strong_level - 1, -1) if levels[skill][lv]),
                    0,
                )
            after = max(after, come.get(skill, 0))
            if after != now:
                changed[skill] = after
        for skill, level in come.items():
            if level > top.get(skill, 0) and skill not in gone:
                changed[skill] = level
        delta = 0
        goals, served = self.goals, self.served
        if changed:
            for i in self.members[s]:
                if i != out and any(g in changed for g, _ in goals[i]):
                    now_served = any(changed.get(g, top.get(g, 0)) > own for g, own in goals[i])
                    delta += now_served - served[i]
        joins = any(changed.get(g, top.get(g, 0)) > own for g, own in goals[into])
        return delta + joins - served[out]

    def gain(self, a: int, b: int, least: int = 0) -> int:
        """Objective gained by swapping placed ``a`` with ``b`` of another squad or left out.

        Learners are the costly part to score, so they are only looked at when coverage and
        function mix together gain at least ``least``; otherwise the answer is 0, as for a
        swap that does not help.
        """
        s, t = self.squad_of[a], self.squad_of[b]
        mask_a, mask_b = self.focus_mask[a], self.focus_mask[b]
        covered = self.covered[s]
        cover = ((covered & ~(self.single[s] & mask_a)) | mask_b).bit_count() - covered.bit_count()
        fa, fb = self.function[a], self.function[b]
        mix = 0
        if fa != fb:
            counts = self.function_count[s]
            mix = (counts[fb] == 0) - (counts[fa] == 1)
        if t >= 0:
            covered = self.covered[t]
            cover += ((covered & ~(self.single[t] & mask_b)) | mask_a).bit_count()
            cover -= covered.bit_count()
            if fa != fb:
                counts = self.function_count[t]
                mix += (counts[fa] == 0) - (counts[fb] == 1)
        primary = cover * COVERAGE_WEIGHT + mix * FUNCTION_WEIGHT
        if primary < least:
            return 0
        learners = self._learner_delta(s, a, b)
        if t >= 0:
            learners += self._learner_delta(t, b, a)
        return primary + learners * LEARNER_WEIGHT

    def _join_gain(self, s: int, i: int) -> int:
        """Learners served gained by adding ``i`` to squad ``s`` (while drafting)."""
        top = self.top[s]
        gain = int(any(top.get(g, 0) > own for g, own in self.goals[i]))
        strong = self.strong[i]
        for other in self.members[s]:
            if not self.served[other] and any(
                strong.get(g, 0) > own for g, own in self.goals[other]
            ):
                gain += 1
        return gain

    # --- greedy draft --------------------------------------------------------------------

    def draft(self) -> None:
        """Fill every squad greedily; whoever is not drafted is left out.

        Focus-skill holders come first, scarcest skill first, then the slots left are filled
        for function mix and learners.
        """
        placed = self._draft_coverage()
        self._draft_fill(placed)
        for s in range(self.count):
            self._refresh_served(s)

    def _draft_coverage(self) -> set[int]:
        """Give each squad someone strong in each focus skill, scarcest skill first."""
        n_focus = len(self.holders)
        supply = [len(h) for h in self.holders]
        buckets: dict[int, list[int]] = {}
        for i in self.order:
            if self.focus_mask[i]:
                buckets.setdefault(self.focus_mask[i], []).append(i)
        placed: set[int] = set()
        todo = [j for j in range(n_focus) if supply[j]]
        offset = 0
        while todo:
            demand = [0] * n_focus
            for s in range(self.count):
                if len(self.members[s]) < self.size:
                    for j in range(n_focus):
                        demand[j] += not self.covered[s] >> j & 1
            scarcity = [demand[j] / supply[j] if supply[j] else 0.0 for j in range(n_focus)]
            j = min(todo, key=lambda j: (scarcity[j] == 0, -scarcity[j], j))
            todo.remove(j)
            bit = 1 << j
            masks = [m for m in buckets if m & bit]
            for k in range(self.count):
                s = (k + offset) % self.count
                if not supply[j]:
                    break
                if self.covered[s] & bit or len(self.members[s]) >= self.size:
                    continue
                live = [m for m in masks if buckets[m]]
                worth = [_worth(m, ~self.covered[s], scarcity) for m in live]
                mask = live[worth.index(max(worth))]
                bucket = buckets[mask]
                counts = self.function_count[s]
                pick = next(
                    (at for at, i in enumerate(bucket[:_SCAN]) if not counts[self.function[i]]), 0
                )
                i = bucket.pop(pick)
                self._add(s, i)
                placed.add(i)
                for q in range(n_focus):
                    supply[q] -= mask >> q & 1
            offset += 1
        return placed

    def _draft_fill(self, placed: set[int]) -> None:
        """Fill the slots left in turns, each squad taking a function it lacks."""
        waiting = [
            [i for i in self.order if self.function[i] == f and i not in placed]
            for f in range(len(self.by_function))
        ]
        functions = range(len(waiting))
        forward = True
        while True:
            open_squads = [s for s in range(self.count) if len(self.members[s]) < self.size]
            if not open_squads:
                return
            for s in open_squads if forward else reversed(open_squads):
                counts = self.function_count[s]
                lacking = [f for f in functions if waiting[f] and not counts[f]]
                f = max(lacking or functions, key=lambda f: (len(waiting[f]), -f))
                bucket = waiting[f]
                self._refresh_served(s)
                gains = [self._join_gain(s, i) for i in bucket[:_SCAN]]
                self._add(s, bucket.pop(gains.index(max(gains))))
            forward = not forward

    # --- local search --------------------------------------------------------------------

    def improve(self, rng: random.Random, deadline: float | None) -> None:
        """Swap people while a swap improves the objective, within the pass and time limits.

        Each kind of pass runs again only if some swap was made since it last found none.
        """
        passes = (self._coverage_pass, self._function_pass, self._learner_pass)
        settled_at = [-1] * len(passes)
        learner_passes = 0
        for _ in range(_MAX_PASSES):
            for k, run in enumerate(passes):
                if settled_at[k] == self.swaps:
                    continue
                if run == self._learner_pass:
                    if learner_passes == _LEARNER_PASSES:
                        settled_at[k] = self.swaps
                        continue
                    learner_passes += 1
                if deadline is not None and time.perf_counter() >= deadline:
                    return
                if not run(rng, deadline):
                    settled_at[k] = self.swaps
            if all(at == self.swaps for at in settled_at):
                return

    def _best_swap(self, outgoing: Sequence[int], incoming: Sequence[int], least: int = 0) -> bool:
        """Make the best improving swap of one of ``outgoing`` with one of ``incoming``.

        Swaps gaining less than ``least`` in coverage and function mix are not considered.
        """
        best, pair = 0, (-1, -1)
        squad_of = self.squad_of
        for b in incoming:
            for a in outgoing:
                if squad_of[a] != squad_of[b]:
                    g = self.gain(a, b, least)
                    if g > best:
                        best, pair = g, (a, b)
        if best > 0:
            self._swap(*pair)
        return best > 0

    def _sample(self, rng: random.Random, people: list[int], keep: int) -> list[int]:
        return people if len(people) <= keep else rng.sample(people, keep)

    def _coverage_pass(self, rng: random.Random, deadline: float | None) -> bool:
        """For each squad missing a focus skill, try to swap in someone strong in it.

        A swap can only add to coverage if some squad gains a skill its new member brings
        without the squad they left losing it; so the people tried are those strong in a
        skill the squad misses who are left out or not its only holder in their squad, and
        skills already covered in as many squads as they can be are skipped.
        """
        improved = False
        count = self.count
        squads = [s for s in range(count) if self.reachable & ~self.covered[s]]
        rng.shuffle(squads)
        for s in squads:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            for j, holders in enumerate(self.holders):
                if self.covered[s] >> j & 1 or self.covering[j] >= min(count, len(holders)):
                    continue
                spare = [
                    i for i in holders if (t := self.squad_of[i]) < 0 or self.focus_count[t][j] > 1
                ]
                incoming = self._sample(rng, spare, _CANDIDATES)
                improved |= self._best_swap(self.members[s], incoming, least=1)
        return improved

    def _function_pass(self, rng: random.Random, deadline: float | None) -> bool:
        """For each squad lacking a function, try to swap in someone of it.

        As for coverage, a swap adds to the function mix only if a squad gains a function
        its new member brings without the squad they left losing it, and only for functions
        not yet in as many squads as they can be.
        """
        improved = False
        squads = list(range(self.count))
        rng.shuffle(squads)
        for s in squads:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            counts = self.function_count[s]
            lacking = [
                f
                for f, people in enumerate(self.by_function)
                if not counts[f] and self.having[f] < min(self.count, len(people))
            ]
            rng.shuffle(lacking)
            for f in lacking:
                if counts[f]:
                    continue
                spare = [
                    b
                    for b in self.by_function[f]
                    if (t := self.squad_of[b]) < 0 or self.function_count[t][f] > 1
                ]
                incoming = self._sample(rng, spare, _CANDIDATES)
                improved |= self._best_swap(self.members[s], incoming, least=1)
        return improved

    def _learner_pass(self, rng: random.Random, deadline: float | None) -> bool:
        """For each member with goals but no teacher, bring a teacher to them or them to one."""
        improved = False
        waiting = [i for s in self.members for i in s if self.goals[i] and not self.served[i]]
        rng.shuffle(waiting)
        for i in waiting:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            if self.served[i] or self.squad_of[i] < 0:
                continue
            for t in self._teachers_for(rng, i):
                s, home = self.squad_of[i], self.squad_of[t]
                stay = [a for a in self.members[s] if a != i]
                if self._best_swap(stay, [t]):
                    improved = True
                    break
                if home >= 0 and self._best_swap([i], [x for x in self.members[home] if x != t]):
                    improved = True
                    break
        return improved

    def _teachers_for(self, rng: random.Random, i: int) -> list[int]:
        """A few people in other squads (or left out) who could teach ``i`` one of its goals.

        Drawn at random rather than listed: a common skill has thousands of holders.
        """
        found: list[int] = []
        goals = self.goals[i]
        for _ in range(4 * _TEACHERS):
            skill, own = goals[rng.randrange(len(goals))]
            holders = self.teachers.get(skill)
            if not holders:
                continue
            t = holders[rng.randrange(len(holders))]
            if self.strong[t][skill] <= own or self.squad_of[t] == self.squad_of[i] or t in found:
                continue
            found.append(t)
            if len(found) == _TEACHERS:
                break
        return found
