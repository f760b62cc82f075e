"""Mentor suggestions for one person, and mentor assignment for a whole scope.

Both rank with :class:`~matching.mentor_index.MentorIndex` and explain with
:func:`~matching.scoring.score_pair`, so the score an agent reads is the score
that ranked the mentor, and a mentor ruled out by a hard constraint never shows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.assignment import (
    Assignment,
    Candidate,
    Objective,
    assign_greedy,
    assign_optimal,
    assign_stable,
)
from matching.mentor_index import CandidateFilter, MentorIndex
from matching.profiles import Profile, Profiles
from matching.projection import Projection
from matching.scoring import PairScore, score_pair

SHORTLIST_PER_GOAL = 12
"""Candidates per goal skill an org-wide assignment considers for each mentee."""


class Mode(enum.Enum):
    """How an org-wide assignment is computed."""

    OPTIMAL = "optimal"
    STABLE = "stable"
    GREEDY = "greedy"


@dataclass(frozen=True)
class Scope:
    """Who takes part in an assignment: everyone matching all given conditions."""

    site: str | None = None
    function: str | None = None
    team: str | None = None

    def admits(self, p: Profile) -> bool:
        """Whether ``p`` is inside the scope."""
        return (
            (self.site is None or p.site == self.site)
            and (self.function is None or p.function == self.function)
            and (self.team is None or p.team == self.team)
        )


@dataclass(frozen=True)
class AssignmentPlan:
    """An assignment with the explanation of every pair."""

    assignment: Assignment
    explanations: dict[tuple[str, str], PairScore]
    """(mentee, mentor) to the scored pair."""
    mentees: int
    mentors: int
    candidates: int


def suggest_mentors(
    projection: Projection,
    mentee_id: str,
    *,
    first: int = 10,
    filters: CandidateFilter | None = None,
) -> list[PairScore]:
    """The ``first`` best mentors for ``mentee_id``, best first, each with its explanation."""
    index = MentorIndex.of(projection)
    profiles = index.profiles
    mentee = profiles[mentee_id]
    found: list[PairScore] = []
    for mentor_id, _ in index.top(mentee, first, filters=filters):
        scored = score_pair(profiles[mentor_id], mentee, profiles, index.weights)
        if isinstance(scored, PairScore):
            found.append(scored)
    return found


def eligible_mentees(profiles: Profiles, scope: Scope) -> list[Profile]:
    """People in scope who want to learn something and have no mentor yet."""
    return [
        p
        for pid, p in sorted(profiles.items())
        if p.goals and p.open_to_being_mentored and not p.mentored and scope.admits(p)
    ]


def assignment_candidates(
    projection: Projection,
    scope: Scope,
    *,
    per_goal: int = SHORTLIST_PER_GOAL,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[str], dict[str, int], list[Candidate]]:
    """Mentees, mentor capacities and scored candidate pairs for an assignment in ``scope``."""
    index = MentorIndex.of(projection)
    profiles = index.profiles
    mentees = eligible_mentees(profiles, scope)
    capacities = {pid: p.spare for pid, p in profiles.items() if p.spare > 0 and scope.admits(p)}
    allowed = np.zeros(len(index.ids), dtype=bool)
    allowed[index.positions(sorted(capacities))] = True
    lists = index.shortlists(mentees, per_goal, allowed=allowed)
    candidates: list[Candidate] = []
    for start in range(0, len(mentees), batch):
        chunk = mentees[start : start + batch]
        scored = index.score_batch(chunk, lists[start : start + batch])
        for mentee, (cand, scores, liking) in zip(chunk, scored, strict=True):
            for pos, value, pref in zip(
                cand.tolist(), scores.tolist(), liking.tolist(), strict=True
            ):
                candidates.append(Candidate(mentee.id, index.ids[pos], value, pref))
        if progress is not None:
            progress(len(chunk))
    return [m.id for m in mentees], capacities, candidates


def plan_assignment(
    projection: Projection,
    scope: Scope,
    *,
    mode: Mode = Mode.OPTIMAL,
    objective: Objective = Objective.SCORE,
    per_goal: int = SHORTLIST_PER_GOAL,
) -> AssignmentPlan:
    """Assign mentors to the mentees of ``scope`` within every mentor's spare capacity."""
    profiles = Profiles.of(projection)
    mentees, capacities, candidates = assignment_candidates(projection, scope, per_goal=per_goal)
    if mode is Mode.STABLE:
        result = assign_stable(mentees, capacities, candidates)
    elif mode is Mode.GREEDY:
        result = assign_greedy(mentees, capacities, candidates)
    else:
        result = assign_optimal(mentees, capacities, candidates, objective=objective)
    explanations: dict[tuple[str, str], PairScore] = {}
    for pair in result.pairs:
        scored = score_pair(profiles[pair.mentor], profiles[pair.mentee], profiles)
        assert isinstance(scored, PairScore)
        explanations[(pair.mentee, pair.mentor)] = scored
    return AssignmentPlan(result, explanations, len(mentees), len(capacities), len(candidates))
