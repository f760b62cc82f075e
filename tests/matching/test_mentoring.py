"""Org-wide assignment on a seeded organisation: capacities, eligibility, modes, scope."""

from __future__ import annotations

import pytest

from graph.organisation import graph_data
from graph.records import GraphData, MentorshipRecord
from graph.seed import generate_organisation
from matching.assignment import Objective
from matching.mentoring import Mode, Scope, plan_assignment
from matching.scoring import PairScore, score_pair
from readmodel.store import ReadModel


@pytest.fixture(scope="module")
def seeded() -> ReadModel:
    return ReadModel.build(graph_data(generate_organisation(people=600, seed=5)))


@pytest.mark.parametrize("mode", list(Mode))
def test_every_plan_is_feasible_and_explained(seeded: ReadModel, mode: Mode) -> None:
    profiles = seeded.profiles
    plan = plan_assignment(seeded, Scope(), mode=mode)
    pairs = plan.assignment.pairs
    assert pairs, "the seeded organisation has mentees and free mentors"
    mentees = [p.mentee for p in pairs]
    assert len(mentees) == len(set(mentees))
    load: dict[str, int] = {}
    for pair in pairs:
        mentee, mentor = profiles[pair.mentee], profiles[pair.mentor]
        assert mentee.id != mentor.id and not mentee.mentored and mentee.goals
        scored = score_pair(mentor, mentee, profiles)
        assert isinstance(scored, PairScore), (pair, scored)
        assert scored.score == pytest.approx(pair.score)
        assert plan.explanations[(pair.mentee, pair.mentor)].matched == scored.matched
        load[mentor.id] = load.get(mentor.id, 0) + 1
    assert all(n <= profiles[m].spare for m, n in load.items())
    assert sum(plan.assignment.load.values()) == len(pairs)


def test_optimal_beats_greedy_and_participation_matches_most(seeded: ReadModel) -> None:
    optimal = plan_assignment(seeded, Scope(), mode=Mode.OPTIMAL).assignment
    greedy = plan_assignment(seeded, Scope(), mode=Mode.GREEDY).assignment
    most = plan_assignment(
        seeded, Scope(), mode=Mode.OPTIMAL, objective=Objective.PARTICIPATION
    ).assignment
    assert optimal.total_score >= greedy.total_score - 1e-6
    assert len(most.pairs) >= max(len(optimal.pairs), len(greedy.pairs))


def test_scope_limits_mentees_and_mentors(seeded: ReadModel) -> None:
    profiles = seeded.profiles
    site = sorted({p.site for p in profiles.values()})[0]
    plan = plan_assignment(seeded, Scope(site=site))
    assert plan.assignment.pairs
    for pair in plan.assignment.pairs:
        assert profiles[pair.mentee].site == site and profiles[pair.mentor].site == site


def test_assigned_mentees_are_not_assigned_again() -> None:
    seeded = ReadModel.build(graph_data(generate_organisation(people=600, seed=5)))
    first = plan_assignment(seeded, Scope()).assignment.pairs
    version = seeded.version
    requested = GraphData(
        version=version,
        mentorships=[
            MentorshipRecord(f"new-{i}", p.mentor, p.mentee, "requested")
            for i, p in enumerate(first)
        ],
    )
    touched = sorted({x for p in first for x in (p.mentee, p.mentor)})
    # Replace the touched people with themselves plus the new requests.
    data = graph_data(generate_organisation(people=600, seed=5))
    requested.people = [p for p in data.people if p.id in set(touched)]
    requested.mentorships += [
        m for m in data.mentorships if m.mentor in set(touched) or m.mentee in set(touched)
    ]
    seeded.apply(requested, people=touched)
    again = plan_assignment(seeded, Scope()).assignment.pairs
    assert not {p.mentee for p in first} & {p.mentee for p in again}


def test_the_shortlist_only_warms_optimal_up(seeded: ReadModel) -> None:
    """OPTIMAL is the same plan, certified, whatever the shortlist's length."""
    for objective in Objective:
        short = plan_assignment(seeded, Scope(), objective=objective, per_goal=2)
        long = plan_assignment(seeded, Scope(), objective=objective, per_goal=40)
        assert short.certificate is not None and short.certificate.certified
        assert long.certificate is not None and long.certificate.certified
        assert len(short.assignment.pairs) == len(long.assignment.pairs)
        assert short.assignment.total_score == pytest.approx(long.assignment.total_score, abs=1e-3)
