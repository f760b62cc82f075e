"""Org-wide assignment: feasibility, optimality against brute force, stability, reasons."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.assignment import (
    Assignment,
    Candidate,
    Objective,
    Pair,
    Unmatched,
    assign_greedy,
    assign_optimal,
    assign_optimal_arrays,
    assign_optimal_networkx,
    assign_stable,
)
from matching.candidate_table import CandidateTable

Instance = tuple[list[str], dict[str, int], list[Candidate]]
Algorithm = Callable[[Sequence[str], dict[str, int], list[Candidate]], Assignment]

SCORE, PARTICIPATION = Objective.SCORE, Objective.PARTICIPATION
ALGORITHMS: dict[str, Algorithm] = {
    "optimal-score": partial(assign_optimal, objective=SCORE),
    "optimal-participation": partial(assign_optimal, objective=PARTICIPATION),
    "networkx-score": partial(assign_optimal_networkx, objective=SCORE),
    "networkx-participation": partial(assign_optimal_networkx, objective=PARTICIPATION),
    "greedy": assign_greedy,
    "stable": assign_stable,
}
each_algorithm = pytest.mark.parametrize("algorithm", ALGORITHMS.values(), ids=ALGORITHMS.keys())
small = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Up to 6 mentees and 4 mentors drawn from the same people, so ids overlap.

    Scores are whole tenths, so ties are common and the solvers' integer points are exact.
    Some candidates are unusable: mentor at capacity 0 or missing, or mentee not listed.
    """
    people = [f"p{i}" for i in range(7)]
    mentees = people[: draw(st.integers(0, 6))]
    mentors = people[:4]
    listed = draw(st.lists(st.sampled_from(mentors), unique=True, max_size=4))
    capacities = {mentor: draw(st.integers(0, 2)) for mentor in listed}
    candidates = []
    for mentee in [*mentees, "p6"]:
        others = [mentor for mentor in mentors if mentor != mentee]
        for mentor in draw(st.lists(st.sampled_from(others), unique=True, max_size=3)):
            score, mentor_score = draw(st.integers(1, 10)), draw(st.integers(0, 4))
            candidates.append(Candidate(mentee, mentor, score / 10, mentor_score))
    return mentees, capacities, candidates


def usable(instance: Instance) -> dict[tuple[str, str], Candidate]:
    mentees, capacities, candidates = instance
    return {
        (c.mentee, c.mentor): c
        for c in candidates
        if c.mentee in mentees and capacities.get(c.mentor, 0) > 0
    }


def points(pairs: Sequence[Pair] | Sequence[Candidate]) -> int:
    return sum(round(pair.score * 1000) for pair in pairs)


def feasible(instance: Instance) -> Iterator[dict[str, str]]:
    """Every assignment respecting capacities, as mentee -> mentor (brute force)."""
    mentees, capacities, _ = instance
    pairs = usable(instance)
    options = [[None, *(r for m, r in pairs if m == mentee)] for mentee in mentees]
    for choice in itertools.product(*options):
        chosen = {mentee: mentor for mentee, mentor in zip(mentees, choice, strict=True) if mentor}
        if all(n <= capacities[mentor] for mentor, n in Counter(chosen.values()).items()):
            yield chosen


def value(instance: Instance, chosen: dict[str, str]) -> tuple[int, int]:
    pairs = usable(instance)
    return len(chosen), points([pairs[pair] for pair in chosen.items()])


def blocking_pairs(instance: Instance, chosen: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs who would both rather be together than with whom ``chosen`` gives them."""
    _, capacities, _ = instance
    pairs = usable(instance)
    held: dict[str, list[str]] = {mentor: [] for _, mentor in pairs}
    for mentee, mentor in chosen.items():
        held[mentor].append(mentee)

    def mentee_rank(mentee: str, mentor: str) -> tuple[float, str]:
        return -pairs[mentee, mentor].score, mentor

    def mentor_rank(mentor: str, mentee: str) -> tuple[float, str]:
        return -pairs[mentee, mentor].mentor_score, mentee

    blocking = []
    for mentee, mentor in pairs:
        current = chosen.get(mentee)
        if current == mentor:
            continue
        mentee_wants = current is None or mentee_rank(mentee, mentor) < mentee_rank(mentee, current)
        mentor_wants = len(held[mentor]) < capacities[mentor] or mentor_rank(mentor, mentee) < max(
            mentor_rank(mentor, other) for other in held[mentor]
        )
        if mentee_wants and mentor_wants:
            blocking.append((mentee, mentor))
    return blocking


def as_dict(assignment: Assignment) -> dict[str, str]:
    return {pair.mentee: pair.mentor for pair in assignment.pairs}


@each_algorithm
@small
@given(instance=instances())
def test_assignment_is_feasible_and_explains_who_is_left_out(
    algorithm: Algorithm, instance: Instance
) -> None:
    mentees, capacities, _ = instance
    pairs = usable(instance)
    result = algorithm(*instance)

    assert result.pairs == sorted(result.pairs, key=lambda p: (p.mentee, p.mentor))
    for pair in result.pairs:
        assert pair.score == pairs[pair.mentee, pair.mentor].score
    matched = [pair.mentee for pair in result.pairs]
    assert len(matched) == len(set(matched))
    assert result.load == {
        mentor: sum(pair.mentor == mentor for pair in result.pairs) for mentor in capacities
    }
    assert all(result.load[mentor] <= capacity for mentor, capacity in capacities.items())
    assert result.total_score == pytest.approx(sum(pair.score for pair in result.pairs))
    assert set(result.unmatched) == set(mentees) - set(matched)
    for mentee, reason in result.unmatched.items():
        theirs = [mentor for m, mentor in pairs if m == mentee]
        expected = Unmatched.MENTORS_FULL if theirs else Unmatched.NO_CANDIDATES
        assert reason is expected
        assert all(result.load[mentor] == capacities[mentor] for mentor in theirs)


@small
@given(instance=instances())
def test_optimal_equals_brute_force_and_the_networkx_reference(instance: Instance) -> None:
    everything = [value(instance, chosen) for chosen in feasible(instance)]
    best_score = max(score for _, score in everything)
    best_participation = max(everything)

    for solve in (assign_optimal, assign_optimal_networkx):
        by_score = solve(*instance, objective=SCORE)
        by_participation = solve(*instance, objective=PARTICIPATION)
        assert points(by_score.pairs) == best_score
        assert (len(by_participation.pairs), points(by_participation.pairs)) == best_participation


@pytest.mark.parametrize("seed", range(5))
def test_or_tools_and_networkx_agree_on_larger_instances(seed: int) -> None:
    rng = random.Random(seed)
    mentees = [f"e{i}" for i in range(60)]
    capacities = {f"r{j}": rng.randint(0, 3) for j in range(20)}
    candidates = [
        Candidate(mentee, mentor, rng.randint(1, 1000) / 1000, rng.random())
        for mentee in mentees
        for mentor in rng.sample(sorted(capacities), 4)
    ]
    for objective in Objective:
        fast = assign_optimal(mentees, capacities, candidates, objective=objective)
        slow = assign_optimal_networkx(mentees, capacities, candidates, objective=objective)
        assert (len(fast.pairs), points(fast.pairs)) == (len(slow.pairs), points(slow.pairs))


def test_score_leaves_a_mentee_out_that_participation_matches() -> None:
    # Ana can only go to Xavi; Ben is great with Xavi and poor with Yara.
    candidates = [
        Candidate("ana", "xavi", 0.1, 0),
        Candidate("ben", "xavi", 1.0, 0),
        Candidate("ben", "yara", 0.2, 0),
    ]
    capacities = {"xavi": 1, "yara": 1}

    by_score = assign_optimal(["ana", "ben"], capacities, candidates, objective=SCORE)
    by_participation = assign_optimal(
        ["ana", "ben"], capacities, candidates, objective=PARTICIPATION
    )

    assert by_score.pairs == [Pair("ben", "xavi", 1.0)]
    assert by_score.unmatched == {"ana": Unmatched.MENTORS_FULL}
    assert by_score.load == {"xavi": 1, "yara": 0}
    assert by_participation.pairs == [Pair("ana", "xavi", 0.1), Pair("ben", "yara", 0.2)]
    assert by_participation.unmatched == {}
    assert by_participation.total_score == pytest.approx(0.3)


def test_a_score_below_the_rounding_still_counts() -> None:
    # 0.0001 rounds to 0 thousandths; it is counted as 1 so the pair beats leaving Ana out.
    result = assign_optimal(["ana"], {"xavi": 1}, [Candidate("ana", "xavi", 0.0001, 0)])

    assert result.pairs == [Pair("ana", "xavi", 0.0001)]


@small
@given(instance=instances())
def test_stable_has_no_blocking_pair_and_is_best_for_every_mentee(instance: Instance) -> None:
    pairs = usable(instance)
    result = as_dict(assign_stable(*instance))

    assert blocking_pairs(instance, result) == []

    def rank(mentee: str, mentor: str | None) -> tuple[float, str]:
        return (math.inf, "") if mentor is None else (-pairs[mentee, mentor].score, mentor)

    for other in feasible(instance):
        if not blocking_pairs(instance, other):
            assert all(rank(m, result.get(m)) <= rank(m, other.get(m)) for m in instance[0])


def test_stable_proposals_from_mentees_win_where_sides_disagree() -> None:
    # Ana and Ben each prefer the mentor who prefers the other: two stable assignments exist,
    # and mentee-proposing deferred acceptance gives each mentee their first choice.
    candidates = [
        Candidate("ana", "xavi", 0.9, 1),
        Candidate("ana", "yara", 0.5, 2),
        Candidate("ben", "xavi", 0.5, 2),
        Candidate("ben", "yara", 0.9, 1),
    ]

    result = assign_stable(["ana", "ben"], {"xavi": 1, "yara": 1}, candidates)

    assert as_dict(result) == {"ana": "xavi", "ben": "yara"}


def test_stable_mentor_drops_a_held_mentee_for_a_preferred_one() -> None:
    # Ana holds Xavi until Ben, whom Xavi prefers, proposes; Ana moves on to Yara, who then
    # prefers her to Cleo. Cleo's only mentor is full.
    candidates = [
        Candidate("ana", "xavi", 0.9, 1),
        Candidate("ana", "yara", 0.5, 2),
        Candidate("ben", "xavi", 0.8, 2),
        Candidate("cleo", "yara", 0.7, 1),
    ]

    result = assign_stable(["ana", "ben", "cleo"], {"xavi": 1, "yara": 1}, candidates)

    assert as_dict(result) == {"ana": "yara", "ben": "xavi"}
    assert result.unmatched == {"cleo": Unmatched.MENTORS_FULL}


@small
@given(instance=instances())
def test_greedy_never_beats_optimal(instance: Instance) -> None:
    greedy = assign_greedy(*instance)
    optimal = assign_optimal(*instance)

    assert points(greedy.pairs) <= points(optimal.pairs)


def test_greedy_takes_the_best_pair_first_even_when_it_costs_overall() -> None:
    candidates = [
        Candidate("ana", "xavi", 1.0, 0),
        Candidate("ana", "yara", 0.9, 0),
        Candidate("ben", "xavi", 0.8, 0),
    ]
    capacities = {"xavi": 1, "yara": 1}

    greedy = assign_greedy(["ana", "ben"], capacities, candidates)
    optimal = assign_optimal(["ana", "ben"], capacities, candidates)

    assert as_dict(greedy) == {"ana": "xavi"}
    assert as_dict(optimal) == {"ana": "yara", "ben": "xavi"}
    assert optimal.total_score == pytest.approx(1.7)


@each_algorithm
def test_unmatched_reasons(algorithm: Algorithm) -> None:
    candidates = [
        Candidate("bea", "zoe", 0.9, 0),  # Zoe has capacity 0
        Candidate("cai", "walt", 0.9, 0),  # Walt is not a mentor at all
        Candidate("dan", "xavi", 0.9, 2),
        Candidate("eve", "xavi", 0.5, 1),  # Dan takes Xavi, under every algorithm
    ]
    mentees = ["ada", "bea", "cai", "dan", "eve"]

    result = algorithm(mentees, {"xavi": 1, "zoe": 0}, candidates)

    assert as_dict(result) == {"dan": "xavi"}
    assert result.unmatched == {
        "ada": Unmatched.NO_CANDIDATES,
        "bea": Unmatched.NO_CANDIDATES,
        "cai": Unmatched.NO_CANDIDATES,
        "eve": Unmatched.MENTORS_FULL,
    }
    assert result.load == {"xavi": 1, "zoe": 0}


@each_algorithm
def test_a_person_can_mentor_and_be_mentored(algorithm: Algorithm) -> None:
    candidates = [Candidate("ana", "ben", 0.5, 0), Candidate("ben", "ana", 0.5, 0)]

    result = algorithm(["ana", "ben"], {"ana": 1, "ben": 1}, candidates)

    assert as_dict(result) == {"ana": "ben", "ben": "ana"}


@each_algorithm
def test_duplicate_candidates_keep_the_higher_score(algorithm: Algorithm) -> None:
    candidates = [Candidate("ana", "xavi", 0.2, 0), Candidate("ana", "xavi", 0.7, 0)]

    result = algorithm(["ana", "ana"], {"xavi": 1}, candidates)

    assert result.pairs == [Pair("ana", "xavi", 0.7)]


@each_algorithm
@small
@given(instance=instances(), rng=st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_result(
    algorithm: Algorithm, instance: Instance, rng: random.Random
) -> None:
    mentees, capacities, candidates = instance
    mentee_order, candidate_order = list(mentees), list(candidates)
    capacity_order = list(capacities.items())
    for items in (mentee_order, candidate_order, capacity_order):
        rng.shuffle(items)

    shuffled = algorithm(mentee_order, dict(capacity_order), candidate_order)

    assert shuffled == algorithm(*instance)


@pytest.mark.parametrize("score", [0.0, -0.5, math.nan, math.inf])
def test_candidate_needs_a_positive_finite_score(score: float) -> None:
    with pytest.raises(ValueError, match="score"):
        Candidate("ana", "xavi", score, 0)


def test_negative_capacity_and_huge_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="negative capacity"):
        assign_optimal(["ana"], {"xavi": -1}, [])
    with pytest.raises(ValueError, match="scores must be below"):
        assign_optimal(["ana"], {"xavi": 1}, [Candidate("ana", "xavi", 1e300, 0)])


def table_of(candidates: Sequence[Candidate]) -> CandidateTable:
    mentees = sorted({c.mentee for c in candidates})
    mentors = sorted({c.mentor for c in candidates})
    return CandidateTable(
        mentees=mentees,
        mentors=mentors,
        mentee=np.array([mentees.index(c.mentee) for c in candidates], dtype=np.int64),
        mentor=np.array([mentors.index(c.mentor) for c in candidates], dtype=np.int64),
        score=np.array([c.score for c in candidates], dtype=np.float64),
        mentor_score=np.array([c.mentor_score for c in candidates], dtype=np.float64),
    )


@pytest.mark.parametrize("objective", [SCORE, PARTICIPATION])
@small
@given(instance=instances())
def test_the_array_solver_gives_the_same_assignment(
    instance: Instance, objective: Objective
) -> None:
    mentees, capacities, candidates = instance
    expected = assign_optimal(mentees, capacities, candidates, objective=objective)
    got = assign_optimal_arrays(mentees, capacities, table_of(candidates), objective=objective)
    assert points(got.pairs) == points(expected.pairs)
    assert len(got.pairs) == len(expected.pairs)
    assert got.unmatched.keys() == expected.unmatched.keys()
    assert set(got.unmatched.values()) <= set(Unmatched)
    assert got.load.keys() == expected.load.keys()
    assert all(got.load[m] <= capacities[m] for m in got.load)
    assert {(p.mentee, p.mentor) for p in got.pairs} <= {(c.mentee, c.mentor) for c in candidates}


def test_the_array_solver_explains_who_is_left_out() -> None:
    candidates = [Candidate("ana", "xavi", 0.9, 0), Candidate("ben", "xavi", 0.5, 0)]
    got = assign_optimal_arrays(["ana", "ben", "cruz"], {"xavi": 1}, table_of(candidates))
    assert [(p.mentee, p.mentor) for p in got.pairs] == [("ana", "xavi")]
    assert got.unmatched == {"ben": Unmatched.MENTORS_FULL, "cruz": Unmatched.NO_CANDIDATES}
    assert got.load == {"xavi": 1} and got.total_score == 0.9
