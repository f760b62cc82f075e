"""Cross-functional squads: split a pool of people into squads that cover focus skills.

A moderator asks for ``count`` squads of ``size`` drawn from a pool. What makes a good
plan, in order: every squad has someone strong in each focus skill (coverage), squads mix
functions (Billing next to Tech Support next to Quality), and members who want a skill
find someone strong in it in their own squad (learners served).

:func:`suggest_squads` drafts greedily — holders of the scarcest focus skill first, then
the slots left by function mix and learners — and improves the draft by swapping two
members of different squads, or a placed member with a left-out one, while a swap helps.
Swaps are scored incrementally from per-squad counts, so a 2,000-person pool into squads
of 8 takes under a second and 10,000 people a few. Where no single swap adds to coverage
or function mix among the people tried (all of them, in small pools), the search stops.
:func:`random_partition` and :func:`round_robin_by_function` are the baselines it is
measured against; :func:`plan_of` scores any partition.

Example::

    plan = suggest_squads(pool, size=8, count=25, focus=["sql", "de_escalation"])
    print(f"{plan.coverage} of at most {plan.coverage_bound} focus skills covered")
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matching._squad_search import (
    COVERAGE_WEIGHT,
    FUNCTION_WEIGHT,
    LEARNER_WEIGHT,
    SquadSearch,
)

MIN_SIZE = 2
MAX_SIZE = 12

__all__ = [
    "COVERAGE_WEIGHT",
    "FUNCTION_WEIGHT",
    "LEARNER_WEIGHT",
    "MAX_SIZE",
    "MIN_SIZE",
    "Member",
    "SquadPlan",
    "SquadSuggestion",
    "plan_of",
    "random_partition",
    "round_robin_by_function",
    "suggest_squads",
]


@dataclass(frozen=True)
class Member:
    """A person of the pool, as far as squad formation cares."""

    id: str
    function: str
    """Line of work, e.g. ``"Billing"``, ``"Tech Support"``, ``"Quality"``."""
    skills: Mapping[str, int]
    """Skill key to level, 1 to 5."""
    goals: Mapping[str, int]
    """Skill key to priority, 1 (most wanted) to 3."""


@dataclass(frozen=True)
class SquadSuggestion:
    """One proposed squad and what it has going for it."""

    members: tuple[str, ...]
    """Member ids, sorted."""
    covered: tuple[str, ...]
    """Focus skills some member holds at ``strong_level`` or above, in focus order."""
    missing: tuple[str, ...]
    """Focus skills nobody in the squad is strong in, in focus order."""
    functions: Mapping[str, int]
    """Function to the number of members in it."""
    learners: tuple[tuple[str, str, str], ...]
    """``(learner id, skill, teacher id)``: the learner wants the skill and the teacher, in the
    same squad, holds it at ``strong_level`` or above and above the learner's own level."""


@dataclass(frozen=True)
class SquadPlan:
    """Squads for a pool, with the numbers a moderator judges them by."""

    squads: tuple[SquadSuggestion, ...]
    coverage: int
    """Sum over squads of the focus skills they cover."""
    coverage_bound: int
    """No plan covers more: sum over focus skills of ``min(count, people strong in it)``."""
    learners_served: int
    """Members with at least one teacher in their squad."""
    left_out: tuple[str, ...]
    """Pool members in no squad (the pool held more than ``size * count``), sorted."""


def suggest_squads(
    pool: Sequence[Member],
    *,
    size: int,
    count: int,
    focus: Sequence[str],
    strong_level: int = 4,
    seed: int = 0,
    time_budget: float | None = None,
) -> SquadPlan:
    """Squads covering the focus skills, cross-functional, with learners next to teachers.

    Args:
        pool: People to choose from; ids must be unique. Order does not matter.
        size: Members per squad, 2 to 12.
        count: Number of squads; ``size * count`` may not exceed the pool.
        focus: Skill keys every squad should have someone strong in; may be empty.
        strong_level: Level from which a member counts as strong in a skill.
        seed: Seed of the local search's random choices; the same inputs and seed give the
            same plan unless ``time_budget`` cuts the search short.
        time_budget: Seconds the local search may take at most (``0``: the greedy draft
            only); without it the search stops after a bounded number of passes.

    Raises:
        ValueError: On a size, count, strong level or pool that cannot make a plan, with a
            message fit for the person who asked.
    """
    people = sorted(pool, key=lambda m: m.id)
    _check(people, size=size, count=count, strong_level=strong_level)
    if time_budget is not None and time_budget < 0:
        raise ValueError(f"The time budget cannot be negative (got {time_budget}).")
    keys = _focus_keys(focus)
    search = SquadSearch(people, size=size, count=count, focus=keys, strong_level=strong_level)
    search.draft()
    deadline = None if time_budget is None else time.perf_counter() + time_budget
    search.improve(random.Random(seed), deadline)
    groups = sorted(
        (sorted((people[i] for i in squad), key=lambda m: m.id) for squad in search.members),
        key=lambda group: [m.id for m in group],
    )
    return plan_of(groups, focus=keys, strong_level=strong_level, pool=people)


def random_partition(
    pool: Sequence[Member],
    *,
    size: int,
    count: int,
    focus: Sequence[str],
    strong_level: int = 4,
    seed: int = 0,
) -> SquadPlan:
    """Baseline: shuffle the pool and cut it into squads; the rest is left out."""
    people = sorted(pool, key=lambda m: m.id)
    _check(people, size=size, count=count, strong_level=strong_level)
    random.Random(seed).shuffle(people)
    groups = [people[k * size : (k + 1) * size] for k in range(count)]
    return plan_of(groups, focus=focus, strong_level=strong_level, pool=people)


def round_robin_by_function(
    pool: Sequence[Member],
    *,
    size: int,
    count: int,
    focus: Sequence[str],
    strong_level: int = 4,
) -> SquadPlan:
    """Baseline: sort by function then id and deal people to squads in turn until full."""
    people = sorted(pool, key=lambda m: (m.function, m.id))
    _check(people, size=size, count=count, strong_level=strong_level)
    groups: list[list[Member]] = [[] for _ in range(count)]
    for k, member in enumerate(people[: size * count]):
        groups[k % count].append(member)
    return plan_of(groups, focus=focus, strong_level=strong_level, pool=people)


def plan_of(
    groups: Sequence[Sequence[Member]],
    *,
    focus: Sequence[str],
    strong_level: int = 4,
    pool: Sequence[Member] | None = None,
) -> SquadPlan:
    """Score a partition, however it was made.

    Args:
        groups: The squads, in the order the plan should list them.
        focus: Focus skill keys.
        strong_level: Level from which a member counts as strong in a skill.
        pool: Everyone who could have been placed (for ``left_out`` and the bound);
            by default the members of ``groups``.

    Raises:
        ValueError: If someone is in two squads.
    """
    keys = _focus_keys(focus)
    placed: set[str] = set()
    squads = []
    for group in groups:
        for member in group:
            if member.id in placed:
                raise ValueError(f"{member.id} is in two squads.")
            placed.add(member.id)
        squads.append(_suggestion(group, keys, strong_level))
    everyone = [m for group in groups for m in group] if pool is None else list(pool)
    bound = sum(
        min(len(groups), sum(1 for m in everyone if m.skills.get(key, 0) >= strong_level))
        for key in keys
    )
    return SquadPlan(
        squads=tuple(squads),
        coverage=sum(len(s.covered) for s in squads),
        coverage_bound=bound,
        learners_served=sum(len({learner for learner, _, _ in s.learners}) for s in squads),
        left_out=tuple(sorted(m.id for m in everyone if m.id not in placed)),
    )


def _suggestion(group: Sequence[Member], keys: Sequence[str], strong: int) -> SquadSuggestion:
    covered = tuple(k for k in keys if any(m.skills.get(k, 0) >= strong for m in group))
    learners = {
        (learner.id, skill, teacher.id)
        for learner in group
        for skill in learner.goals
        for teacher in group
        if teacher.id != learner.id
        and teacher.skills.get(skill, 0) >= strong
        and teacher.skills.get(skill, 0) > learner.skills.get(skill, 0)
    }
    return SquadSuggestion(
        members=tuple(sorted(m.id for m in group)),
        covered=covered,
        missing=tuple(k for k in keys if k not in covered),
        functions=dict(sorted(Counter(m.function for m in group).items())),
        learners=tuple(sorted(learners)),
    )


def _focus_keys(focus: Sequence[str]) -> list[str]:
    if isinstance(focus, str):
        raise ValueError("Focus skills must be a list of skill keys, not one string.")
    return list(dict.fromkeys(focus))


def _check(people: Sequence[Member], *, size: int, count: int, strong_level: int) -> None:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"A squad has {MIN_SIZE} to {MAX_SIZE} members (got size {size}).")
    if count < 1:
        raise ValueError(f"Ask for at least one squad (got count {count}).")
    if not 1 <= strong_level <= 5:
        raise ValueError(f"Skill levels run from 1 to 5 (got strong level {strong_level}).")
    if size * count > len(people):
        raise ValueError(
            f"{count} squads of {size} need {size * count} people, "
            f"but the pool has only {len(people)}."
        )
    seen: set[str] = set()
    for member in people:
        if member.id in seen:
            raise ValueError(f"{member.id} appears twice in the pool.")
        seen.add(member.id)
