"""Mentor suggestions for one person, and mentor assignment for a whole scope.

Both rank with :class:`~matching.mentor_index.MentorIndex` and explain with
:func:`~matching.scoring.score_pair`, so the score an agent reads is the score
that ranked the mentor, and a mentor ruled out by a hard constraint never shows.
An assignment's OPTIMAL and STABLE plans are computed over every eligible pair
(:mod:`matching.exact`, :mod:`matching.stable`); the shortlist only warms OPTIMAL up
and feeds the GREEDY baseline.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.assignment import (
    Assignment,
    Candidate,
    Objective,
    Pair,
    Unmatched,
    assign_greedy,
)
from matching.candidate_table import CandidateTable
from matching.eligible import EligiblePairs
from matching.exact import (
    DEFAULT_TIME_LIMIT,
    Certificate,
    FlowSolver,
    flow_assignment,
    solve_exact,
)
from matching.mentor_index import CandidateFilter, Ints
from matching.profiles import Profile, Profiles
from matching.scoring import PairScore, score_pair
from matching.stable import stable_assignment
from matching.views import Views

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
    """Pairs in the shortlist (the warm start of OPTIMAL, the pairs of GREEDY)."""
    certificate: Certificate | None = None
    """What is proven about an OPTIMAL plan, over every eligible pair."""


def suggest_mentors(
    views: Views,
    mentee_id: str,
    *,
    first: int = 10,
    filters: CandidateFilter | None = None,
    goal: str | None = None,
) -> list[PairScore]:
    """The ``first`` best mentors for ``mentee_id``, best first, each with its explanation.

    With ``goal`` (a skill key), mentors for that one skill, as if it were the mentee's only
    goal: the same score, hard constraints and explanation (a growth path's steps).
    """
    index = views.mentor_index
    profiles = index.profiles
    mentee = profiles[mentee_id]
    if goal is not None:
        if goal not in index.skill_pos:
            return []  # a skill nobody holds or wants: nobody teaches it
        mentee = dataclasses.replace(mentee, goals={goal: 1})
    found: list[PairScore] = []
    for mentor_id, _ in index.top(mentee, first, filters=filters):
        scored = score_pair(profiles[mentor_id], mentee, profiles, index.weights)
        if isinstance(scored, PairScore):
            found.append(scored)
    return found


def eligible_mentees(
    profiles: Profiles, scope: Scope, only: Collection[str] | None = None
) -> list[Profile]:
    """People in scope who want to learn something and have no mentor yet (of ``only``)."""
    return [
        p
        for pid, p in sorted(profiles.items())
        if p.goals
        and p.open_to_being_mentored
        and not p.mentored
        and scope.admits(p)
        and (only is None or pid in only)
    ]


def candidate_table(
    views: Views,
    scope: Scope,
    *,
    per_goal: int = SHORTLIST_PER_GOAL,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    only: Collection[str] | None = None,
) -> tuple[list[str], dict[str, int], CandidateTable]:
    """Mentees (of ``only``, when given), mentor capacities and scored candidate pairs."""
    index = views.mentor_index
    profiles = index.profiles
    mentees = eligible_mentees(profiles, scope, only)
    capacities = {pid: p.spare for pid, p in profiles.items() if p.spare > 0 and scope.admits(p)}
    mentor_ids = sorted(capacities)
    mentor_of_position = np.full(len(index.ids), -1, dtype=np.int64)
    mentor_of_position[index.positions(mentor_ids)] = np.arange(len(mentor_ids))
    lists = index.shortlists(mentees, per_goal, allowed=mentor_of_position >= 0)
    parts: list[tuple[npt.NDArray[Any], ...]] = []
    for start in range(0, len(mentees), batch):
        chunk = mentees[start : start + batch]
        scored = index.score_batch(chunk, lists[start : start + batch])
        for offset, (cand, scores, liking) in enumerate(scored):
            parts.append(
                (np.full(len(cand), start + offset), mentor_of_position[cand], scores, liking)
            )
        if progress is not None:
            progress(len(chunk))
    columns = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in range(4)]
    table = CandidateTable(
        mentees=[m.id for m in mentees],
        mentors=mentor_ids,
        mentee=columns[0].astype(np.int64),
        mentor=columns[1].astype(np.int64),
        score=columns[2].astype(np.float64),
        mentor_score=columns[3].astype(np.float64),
    )
    return table.mentees, capacities, table


def assignment_candidates(
    views: Views, scope: Scope, *, per_goal: int = SHORTLIST_PER_GOAL
) -> tuple[list[str], dict[str, int], list[Candidate]]:
    """:func:`candidate_table` with the pairs as :class:`Candidate` objects."""
    mentees, capacities, table = candidate_table(views, scope, per_goal=per_goal)
    return mentees, capacities, table.candidates()


def plan_assignment(
    views: Views,
    scope: Scope,
    *,
    mode: Mode = Mode.OPTIMAL,
    objective: Objective = Objective.SCORE,
    per_goal: int = SHORTLIST_PER_GOAL,
    time_limit: float = DEFAULT_TIME_LIMIT,
    flow: FlowSolver = flow_assignment,
    only: Collection[str] | None = None,
) -> AssignmentPlan:
    """Assign mentors to the mentees of ``scope`` within every mentor's spare capacity.

    ``only`` limits the mentees to these people (a programme's participants).

    OPTIMAL and STABLE consider every eligible pair; OPTIMAL returns its best plan
    uncertified when ``time_limit`` seconds run out first.
    """
    profiles = views.profiles
    index = views.mentor_index
    mentees, capacities, table = candidate_table(views, scope, per_goal=per_goal, only=only)
    pairs = EligiblePairs(index, [profiles[m] for m in mentees], capacities)
    certificate = None
    if mode is Mode.GREEDY:
        greedy = assign_greedy(mentees, capacities, table.candidates())
        mentor_of = pairs.rows_of(greedy.pairs)
    elif mode is Mode.STABLE:
        mentor_of = stable_assignment(pairs)
    else:
        warm = (table.mentee, pairs.columns(table.mentors)[table.mentor])
        plan = solve_exact(pairs, objective=objective, warm=warm, time_limit=time_limit, flow=flow)
        mentor_of, certificate = plan.mentor_of, plan.certificate
    result = _assignment(pairs, mentor_of, capacities)
    explanations: dict[tuple[str, str], PairScore] = {}
    for pair in result.pairs:
        scored = score_pair(profiles[pair.mentor], profiles[pair.mentee], profiles, index.weights)
        assert isinstance(scored, PairScore)
        explanations[(pair.mentee, pair.mentor)] = scored
    return AssignmentPlan(
        result, explanations, len(mentees), len(capacities), len(table), certificate
    )


def _assignment(pairs: EligiblePairs, mentor_of: Ints, capacities: dict[str, int]) -> Assignment:
    """The plan by ids, each pair scored as the solvers scored it, and each reason."""
    rows = np.flatnonzero(mentor_of >= 0)
    scored = pairs.score(rows, mentor_of[rows])
    found = [
        Pair(pairs.mentees[e], pairs.mentors[r], s)
        for e, r, s in zip(
            scored.mentee.tolist(), scored.mentor.tolist(), scored.score.tolist(), strict=True
        )
    ]
    found.sort(key=lambda p: (p.mentee, p.mentor))
    load = dict.fromkeys(sorted(capacities), 0)
    for pair in found:
        load[pair.mentor] += 1
    unmatched = {
        pairs.mentees[row]: Unmatched(reason) for row, reason in pairs.reasons(mentor_of).items()
    }
    return Assignment(found, unmatched, math.fsum(p.score for p in found), load)
