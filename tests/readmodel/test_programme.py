"""A pipeline programme toward a role: its mentees learn their gap, and its plan is optimal.

The oracle is the one the exact matcher is held to: every eligible pair of the programme
scored by ``score_pair`` one at a time, and networkx's min-cost flow over all of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from matching import paths as rules
from matching.assignment import Objective
from matching.eligible import EligiblePairs
from matching.exact import points
from matching.mentor_index import MentorIndex
from matching.mentoring import Mode, Scope, eligible_mentees, plan_assignment
from readmodel.paths import programme, role_needs
from tests.matching.test_exact import brute_force, networkx_optimum, organisation


@pytest.mark.parametrize("objective", list(Objective))
@pytest.mark.parametrize("role_id", ["team lead", "senior agent"])
def test_a_programme_assigns_only_its_participants_their_gap_and_is_optimal(
    role_id: str, objective: Objective
) -> None:
    model = organisation(600, 3)
    role = model.roles[role_id]
    run = programme(model, role)
    targeting = {pid for pid, p in model.people.items() if p.target_role == role_id}
    assert run.participants and run.participants <= targeting
    for pid in run.participants:
        gaps = rules.gap(model.people[pid].skills, role_needs(role))
        assert dict(run.profiles[pid].goals) == rules.programme_goals(gaps)
    outsiders = [p for p in model.profiles.values() if p.id not in run.participants]
    assert all(run.profiles[p.id] is p for p in outsiders), "everyone else is as they are"

    plan = plan_assignment(run, Scope(), objective=objective, only=run.participants)
    assert plan.certificate is not None and plan.certificate.certified
    assert plan.assignment.pairs, "the seeded organisation has mentors for the gap"
    for pair in plan.assignment.pairs:
        assert pair.mentee in run.participants
        taught = {m.skill for m in plan.explanations[(pair.mentee, pair.mentor)].matched}
        assert taught <= set(run.profiles[pair.mentee].goals), "a pair teaches the gap"
    # a person with goals of their own but outside the programme is not a mentee of it
    assert any(p.goals and not p.mentored for p in outsiders)

    capacities = {p: q.spare for p, q in run.profiles.items() if q.spare > 0}
    mentees = eligible_mentees(run.profiles, Scope(), run.participants)
    pairs = EligiblePairs(run.mentor_index, mentees, capacities)
    every = brute_force(run, pairs)  # type: ignore[arg-type]
    scores = np.array([p.score for p in plan.assignment.pairs], dtype=np.float64)
    assert (len(scores), int(points(scores).sum())) == networkx_optimum(pairs, every, objective)


def test_the_plain_assignment_is_unchanged_by_a_programme_run() -> None:
    model = organisation(600, 3)
    before = plan_assignment(model, Scope(), mode=Mode.OPTIMAL)
    plan_assignment(
        run := programme(model, model.roles["team lead"]), Scope(), only=run.participants
    )
    after = plan_assignment(model, Scope(), mode=Mode.OPTIMAL)
    assert after.assignment.pairs == before.assignment.pairs


def test_a_programmes_index_equals_one_built_afresh_for_its_profiles() -> None:
    model = organisation(600, 3)
    base = model.mentor_index
    run = programme(model, model.roles["team lead"])
    fresh = MentorIndex(run.profiles, base.weights)
    index = run.mentor_index
    assert index is not base and index.ids == fresh.ids and index.skills == fresh.skills
    slots = fresh.goal_slot.shape[1]
    assert index.goal_slot.shape[1] >= slots
    # padded slots beyond the fresh index's hold share 0: the same goals
    assert not index.goal_slot_share[:, slots:].any()
    np.testing.assert_array_equal(index.goal_slot[:, :slots], fresh.goal_slot)
    np.testing.assert_array_equal(index.goal_slot_share[:, :slots], fresh.goal_slot_share)
    for column in ("level", "related_level", "responsiveness", "spare", "manager"):
        np.testing.assert_array_equal(getattr(index, column), getattr(fresh, column))
    participant = sorted(run.participants)[0]
    mentee = run.profiles[participant]
    np.testing.assert_array_equal(index.candidates(mentee), fresh.candidates(mentee))
    assert index.top(mentee, 10) == fresh.top(mentee, 10)
    # the read model's own index is untouched: a plain suggestion still reads own goals
    own = model.profiles[participant]
    assert base.top(own, 10) == MentorIndex(model.profiles, base.weights).top(own, 10)
