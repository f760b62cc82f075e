"""Growth paths: readiness for a role, the gap, the journey, and HR's bench strength.

The definitions (``docs/paths.md``):

- **Readiness** of a person for a role is its weighted coverage,
  ``Σ weight · min(level / required, 1) / Σ weight`` over the skills the role requires; a
  skill the person lacks counts level 0. 1.0 is fully ready.
- **The gap** is the required skills held below the required level (missing: level 0).
- **The journey** orders the gap: a gap skill is a *prerequisite* of another gap skill it
  is related to when the role requires it at a lower level; prerequisites come first, then
  heavier weight, then the smaller gap (required − current), then the skill key.
- **Progress since the target** is readiness now minus readiness with the levels held when
  the target was set (:func:`levels_as_of`).
- **Buckets**: ready now (≥ :data:`READY_NOW`), ready soon (≥ :data:`READY_SOON`), further.

:func:`readiness` is the definition; :func:`readiness_of_everyone` computes the same
numbers with numpy over the mentor index's level columns, for a whole organisation at once.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.mentor_index import MentorIndex

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

READY_NOW = 0.9
"""Readiness from which someone is ready now."""
READY_SOON = 0.7
"""Readiness from which someone is ready soon."""

__all__ = [
    "READY_NOW",
    "READY_SOON",
    "Bench",
    "BenchCounts",
    "Bucket",
    "GapSkill",
    "Requirement",
    "RoleNeeds",
    "Step",
    "bench_strength",
    "bucket",
    "gap",
    "journey",
    "levels_as_of",
    "progress",
    "readiness",
    "readiness_of_everyone",
    "successors",
]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A skill a role needs, at a level (1–5), weighing ``weight`` in readiness."""

    skill: str
    level: int
    weight: int = 1


@dataclass(frozen=True, slots=True)
class RoleNeeds:
    """What a role requires, as the computations here read it."""

    id: str
    requires: tuple[Requirement, ...]

    @property
    def total_weight(self) -> int:
        """Σ weight: what full readiness adds up to."""
        return sum(q.weight for q in self.requires)


class Bucket(enum.Enum):
    """How close someone is to a role."""

    READY_NOW = "ready_now"
    READY_SOON = "ready_soon"
    FURTHER = "further"


def bucket(value: float) -> Bucket:
    """The bucket of a readiness."""
    if value >= READY_NOW:
        return Bucket.READY_NOW
    if value >= READY_SOON:
        return Bucket.READY_SOON
    return Bucket.FURTHER


def readiness(levels: Mapping[str, int], role: RoleNeeds) -> float:
    """Weighted coverage of ``role`` by someone holding ``levels`` (0–1).

    >>> role = RoleNeeds("r", (Requirement("a", 4, 3), Requirement("b", 2, 1)))
    >>> readiness({"a": 2, "b": 5}, role)  # (3 · 2/4 + 1 · 1) / 4
    0.625
    """
    total = role.total_weight
    if total <= 0:
        return 0.0
    covered = 0.0
    for q in role.requires:
        covered += q.weight * min(levels.get(q.skill, 0), q.level) / q.level
    return covered / total


def readiness_of_everyone(index: MentorIndex, role: RoleNeeds) -> Floats:
    """:func:`readiness` of every person of ``index`` (in ``index.ids`` order), with numpy."""
    covered = np.zeros(len(index.ids), dtype=np.float64)
    total = role.total_weight
    if total <= 0:
        return covered
    for q in role.requires:
        j = index.skill_pos.get(q.skill)
        if j is not None:  # a skill nobody holds adds 0 for everyone
            covered += q.weight * np.minimum(index.level[:, j], q.level).astype(np.int64) / q.level
    return covered / total


@dataclass(frozen=True, slots=True)
class GapSkill:
    """A required skill held below the required level."""

    skill: str
    current: int
    """The level held (0: missing)."""
    required: int
    weight: int


def gap(levels: Mapping[str, int], role: RoleNeeds) -> list[GapSkill]:
    """The required skills held below their level, heaviest first, then the smaller gap."""
    found = [
        GapSkill(q.skill, levels.get(q.skill, 0), q.level, q.weight)
        for q in role.requires
        if levels.get(q.skill, 0) < q.level
    ]
    return sorted(found, key=_order)


def programme_goals(gaps: Iterable[GapSkill]) -> dict[str, int]:
    """A pipeline programme's learning goals for one person: their gap, prioritised by weight.

    Weight 3 or more is a high-priority goal (1), weight 2 medium (2), weight 1 low (3): the
    matcher then favours the skills the role counts most, as it favours a person's own
    high-priority goals.
    """
    return {g.skill: 1 if g.weight >= 3 else 2 if g.weight == 2 else 3 for g in gaps}


def _order(g: GapSkill) -> tuple[int, int, str]:
    return (-g.weight, g.required - g.current, g.skill)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a journey: a gap skill and the gap skills to take first."""

    skill: str
    current: int
    required: int
    weight: int
    prerequisites: tuple[str, ...]
    """Related gap skills the role requires at a lower level: earlier steps."""


def journey(
    levels: Mapping[str, int], role: RoleNeeds, related: Mapping[str, Iterable[str]]
) -> list[Step]:
    """The gap as ordered steps: prerequisites first, then weight, smaller gap, skill key.

    ``related`` is each skill's related skills (both ways). The prerequisite relation only
    runs from a lower required level to a higher one, so it has no cycles.

    >>> role = RoleNeeds("r", (Requirement("a", 4, 3), Requirement("b", 2, 1)))
    >>> [(s.skill, s.prerequisites) for s in journey({}, role, {"a": ["b"], "b": ["a"]})]
    [('b', ()), ('a', ('b',))]
    """
    missing = {g.skill: g for g in gap(levels, role)}
    before = {
        key: tuple(
            sorted(
                other
                for other in related.get(key, ())
                if other in missing and missing[other].required < g.required
            )
        )
        for key, g in missing.items()
    }
    waiting = {key: len(first) for key, first in before.items()}
    unlocks: dict[str, list[str]] = {}
    for key, first in before.items():
        for other in first:
            unlocks.setdefault(other, []).append(key)
    ready = [(_order(missing[k]), k) for k, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    steps: list[Step] = []
    while ready:
        _, key = heapq.heappop(ready)
        g = missing[key]
        steps.append(Step(key, g.current, g.required, g.weight, before[key]))
        for later in unlocks.get(key, ()):
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (_order(missing[later]), later))
    return steps


def levels_as_of(
    levels: Mapping[str, int],
    history: Iterable[tuple[dt.datetime, str, int]],
    when: dt.datetime,
) -> dict[str, int]:
    """The levels someone held at ``when``, from their levels now and their history.

    ``history`` holds (at, skill, new level; 0: removed) changes. A skill is at the level of
    its last change at or before ``when``; a skill first changed after ``when`` was not
    held then (0); a skill with no recorded change was held as it is now.
    """
    then = dict(levels)
    first_after: set[str] = set()
    last_before: dict[str, tuple[dt.datetime, int]] = {}
    for at, skill, level in history:
        if at <= when:
            if skill not in last_before or at >= last_before[skill][0]:
                last_before[skill] = (at, level)
        else:
            first_after.add(skill)
    for skill in first_after:
        then[skill] = 0
    for skill, (_, level) in last_before.items():
        then[skill] = level
    return {k: v for k, v in then.items() if v > 0}


def progress(
    levels: Mapping[str, int],
    history: Iterable[tuple[dt.datetime, str, int]],
    since: dt.datetime,
    role: RoleNeeds,
) -> float:
    """Readiness now minus readiness at ``since`` (negative when skills were lost)."""
    return readiness(levels, role) - readiness(levels_as_of(levels, history, since), role)


@dataclass(frozen=True, slots=True)
class BenchCounts:
    """How many people are ready now, ready soon, or further from a role."""

    ready_now: int = 0
    ready_soon: int = 0
    further: int = 0

    @property
    def total(self) -> int:
        """Everyone counted."""
        return self.ready_now + self.ready_soon + self.further


@dataclass(frozen=True)
class Bench:
    """Bench strength for one role: everyone counted, and by site and by function."""

    role: str
    overall: BenchCounts
    by_site: dict[str, BenchCounts]
    by_function: dict[str, BenchCounts]


def _counts(value: Floats, codes: npt.NDArray[np.int64], width: int) -> list[BenchCounts]:
    now = np.bincount(codes[value >= READY_NOW], minlength=width)
    soon = np.bincount(codes[(value >= READY_SOON) & (value < READY_NOW)], minlength=width)
    rest = np.bincount(codes[value < READY_SOON], minlength=width)
    return [BenchCounts(int(a), int(b), int(c)) for a, b, c in zip(now, soon, rest, strict=True)]


def bench_strength(index: MentorIndex, role: RoleNeeds, among: Mask) -> Bench:
    """Readiness buckets for ``role`` of the people ``among`` marks, by site and function.

    ``among`` (one flag per ``index.ids``) says who is on the bench: the caller's scope,
    without the people who hold the role already.
    """
    value = readiness_of_everyone(index, role)[among]
    overall = _counts(value, np.zeros(len(value), dtype=np.int64), 1)[0]
    by: dict[str, dict[str, BenchCounts]] = {}
    for kind in ("site", "function"):
        codes, values = index.coded(kind)
        counts = _counts(value, codes[among], len(values))
        named = sorted(
            ((str(v or ""), c) for v, c in zip(values, counts, strict=True)), key=lambda t: t[0]
        )
        by[kind] = {v: c for v, c in named if c.total}
    return Bench(role.id, overall, by["site"], by["function"])


def successors(
    index: MentorIndex,
    value: Floats,
    leads: Sequence[int],
    eligible: Mask,
    *,
    first: int = 3,
) -> dict[int, list[tuple[int, float]]]:
    """For each lead (a position), the ``first`` most ready people who could succeed them.

    A lead's successors are the ``eligible`` people in their team or reporting to them
    (never the lead), by readiness (``value``, one per position) descending, then id.
    """
    order = sorted(
        np.flatnonzero(eligible).tolist(), key=lambda i: (-round(float(value[i]), 9), index.ids[i])
    )
    by_team: dict[int, list[int]] = {}
    by_manager: dict[int, list[int]] = {}
    for i in order:
        by_team.setdefault(int(index.team[i]), []).append(i)
        if index.manager[i] >= 0:
            by_manager.setdefault(int(index.manager[i]), []).append(i)
    found: dict[int, list[tuple[int, float]]] = {}
    for lead in leads:
        chosen: list[int] = []
        for i in heapq.merge(
            by_team.get(int(index.team[lead]), []),
            by_manager.get(lead, []),
            key=lambda i: (-round(float(value[i]), 9), index.ids[i]),
        ):
            if i != lead and i not in chosen:
                chosen.append(i)
                if len(chosen) == first:
                    break
        found[lead] = [(i, float(value[i])) for i in chosen]
    return found
