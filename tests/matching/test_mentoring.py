"""Org-wide assignment on a seeded organisation: capacities, eligibility, modes, scope."""

from __future__ import annotations

import pytest

from graph.organisation import graph_data
from graph.records import GraphData, MentorshipRecord
from graph.seed import generate_organisation
from matching.assignment import Objective
from matching.mentoring import Mode, Scope, assignment_candidates, plan_assignment
from matching.scoring import PairScore, mentor_preference, score_pair
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


def test_stable_has_no_blocking_pair(seeded: ReadModel) -> None:
    profiles = seeded.profiles
    plan = plan_assignment(seeded, Scope(), mode=Mode.STABLE)
    mentor_of = {p.mentee: p.mentor for p in plan.assignment.pairs}
    held: dict[str, list[str]] = {}
    for mentee, mentor in mentor_of.items():
        held.setdefault(mentor, []).append(mentee)
    _, capacities, candidates = assignment_candidates(seeded, Scope())
    score = {(c.mentee, c.mentor): c.score for c in candidates}
    liking = {(c.mentee, c.mentor): c.mentor_score for c in candidates}
    for c in candidates:
        pair = score_pair(profiles[c.mentor], profiles[c.mentee], profiles)
        assert isinstance(pair, PairScore)
        assert c.mentor_score == pytest.approx(mentor_preference(pair))
        current = mentor_of.get(c.mentee)
        if current == c.mentor:
            continue
        mentee_wants = current is None or c.score > score[(c.mentee, current)]
        mine = held.get(c.mentor, [])
        mentor_wants = len(mine) < capacities[c.mentor] or any(
            c.mentor_score > liking[(m, c.mentor)] for m in mine
        )
        assert not (mentee_wants and mentor_wants), f"{c.mentee} and {c.mentor} block"


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


def test_the_shortlist_reaches_the_capacity_there_is(seeded: ReadModel) -> None:
    """Mentees wanting the same skill must not all be offered the same few mentors."""
    short = plan_assignment(seeded, Scope(), objective=Objective.PARTICIPATION).assignment
    full = plan_assignment(
        seeded, Scope(), objective=Objective.PARTICIPATION, per_goal=10_000
    ).assignment
    assert len(short.pairs) >= 0.95 * len(full.pairs)
    assert short.total_score >= 0.85 * full.total_score
