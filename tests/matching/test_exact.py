"""OPTIMAL and STABLE over every eligible pair, checked against outside oracles.

The oracle pairs are found the slow way: ``score_pair`` for every (mentor, mentee) in scope,
never through the index or its bounds. The optimum over them comes from networkx's
``min_cost_flow`` / ``max_flow_min_cost``.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.organisation import graph_data
from graph.records import GraphData, SkillRecord, read_person
from graph.seed import generate_organisation
from matching.assignment import Objective
from matching.eligible import EligiblePairs, PairChunk
from matching.exact import points, solve_exact
from matching.mentoring import Mode, Scope, candidate_table, eligible_mentees, plan_assignment
from matching.scoring import PairScore, mentor_preference, score_pair
from matching.stable import stable_assignment
from matching.verify import blocking_pairs, certificate_problems, reason_problems
from readmodel.store import ReadModel

SEEDS = [(60, 1), (90, 2), (120, 3), (150, 4), (200, 5)]


@functools.cache
def organisation(people: int, seed: int) -> ReadModel:
    return ReadModel.build(graph_data(generate_organisation(people=people, seed=seed)))


WHOLE = Scope()


def problem(projection: ReadModel, scope: Scope = WHOLE) -> EligiblePairs:
    profiles = projection.profiles
    mentees = eligible_mentees(profiles, scope)
    capacities = {p: q.spare for p, q in profiles.items() if q.spare > 0 and scope.admits(q)}
    return EligiblePairs(projection.mentor_index, mentees, capacities)


def brute_force(projection: ReadModel, pairs: EligiblePairs) -> PairChunk:
    """Every eligible pair by ``score_pair``, one at a time."""
    profiles = projection.profiles
    found = []
    for row, mentee in enumerate(pairs.mentees):
        for col, mentor in enumerate(pairs.mentors):
            scored = score_pair(profiles[mentor], profiles[mentee], profiles)
            if isinstance(scored, PairScore):
                found.append((row, col, scored.score, mentor_preference(scored)))
    columns = list(zip(*found, strict=True)) if found else [(), (), (), ()]
    return PairChunk(
        np.array(columns[0], dtype=np.int64),
        np.array(columns[1], dtype=np.int64),
        np.array(columns[2], dtype=np.float64),
        np.array(columns[3], dtype=np.float64),
    )


def networkx_optimum(
    pairs: EligiblePairs, every: PairChunk, objective: Objective
) -> tuple[int, int]:
    """(mentees matched, points) of the optimum over every pair, by networkx."""
    graph = nx.DiGraph()
    weight = points(every.score)
    for e, r, w in zip(every.mentee.tolist(), every.mentor.tolist(), weight.tolist(), strict=True):
        graph.add_edge("s", ("e", e), capacity=1, weight=0)
        graph.add_edge(("e", e), ("r", r), capacity=1, weight=-w)
    for r, cap in enumerate(pairs.capacity.tolist()):
        graph.add_edge(("r", r), "t", capacity=cap, weight=0)
    if objective is Objective.PARTICIPATION:
        flow = nx.max_flow_min_cost(graph, "s", "t")
    else:
        rows = len(set(every.mentee.tolist()))
        graph.add_edge("s", "t", capacity=rows, weight=0)
        graph.nodes["s"]["demand"] = -rows
        graph.nodes["t"]["demand"] = rows
        flow = nx.min_cost_flow(graph)
    chosen = [
        w
        for e, r, w in zip(
            every.mentee.tolist(), every.mentor.tolist(), weight.tolist(), strict=True
        )
        if flow[("e", e)][("r", r)]
    ]
    return len(chosen), sum(chosen)


def weights_of(chunk: PairChunk, big_m: int) -> np.ndarray:
    return points(chunk.score) + big_m


def plan_points(plan_mentor_of: np.ndarray, every: PairChunk) -> tuple[int, int]:
    mine = plan_mentor_of[every.mentee] == every.mentor
    return int(mine.sum()), int(points(every.score[mine]).sum())


@pytest.mark.parametrize(("people", "seed"), SEEDS)
def test_the_pairs_are_exactly_score_pairs_and_the_bounds_hold(people: int, seed: int) -> None:
    projection = organisation(people, seed)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    listed = list(pairs.every_pair())
    mentee = np.concatenate([c.mentee for c in listed])
    mentor = np.concatenate([c.mentor for c in listed])
    score = np.concatenate([c.score for c in listed])
    ours = dict(
        zip(zip(mentee.tolist(), mentor.tolist(), strict=True), score.tolist(), strict=True)
    )
    theirs = dict(
        zip(
            zip(every.mentee.tolist(), every.mentor.tolist(), strict=True),
            every.score.tolist(),
            strict=True,
        )
    )
    assert ours.keys() == theirs.keys()
    assert all(abs(ours[k] - theirs[k]) < 1e-12 for k in ours)
    # No pair scores above its mentee's best bound, nor above a line it was left below.
    best = pairs.best_bound()
    assert (every.score <= best[every.mentee] + 1e-12).all()
    line = np.quantile(every.score, 0.7)
    above = {
        (e, r)
        for c in pairs.above(np.full(len(pairs.mentees), line))
        for e, r in zip(c.mentee.tolist(), c.mentor.tolist(), strict=True)
    }
    assert {k for k, s in theirs.items() if s > line} <= above


@pytest.mark.parametrize(("people", "seed"), SEEDS)
def test_pricing_with_mentor_prices_misses_no_pair_above_its_line(people: int, seed: int) -> None:
    # As a pricing pass asks: in points, each mentor with a price (some hidden), each mentee
    # with their own line. Every pair above its line must come back, however the tiers bound it.
    projection = organisation(people, seed)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        price = rng.uniform(0, 400_000, len(pairs.mentors)).round()
        price[rng.random(len(price)) < 0.1] = 0.0
        line = rng.uniform(0, 900_000, len(pairs.mentees)).round()
        found = {
            (e, r)
            for c in pairs.above(line, scale=1e6, offset=price)
            for e, r in zip(c.mentee.tolist(), c.mentor.tolist(), strict=True)
        }
        worth = 1e6 * every.score - price[every.mentor] > line[every.mentee]
        wanted = set(zip(every.mentee[worth].tolist(), every.mentor[worth].tolist(), strict=True))
        assert wanted and wanted <= found


@pytest.mark.parametrize("objective", list(Objective))
@pytest.mark.parametrize(("people", "seed"), SEEDS)
def test_optimal_equals_networkx_over_every_eligible_pair(
    people: int, seed: int, objective: Objective
) -> None:
    projection = organisation(people, seed)
    for scope in (Scope(), Scope(site="Manila")):
        pairs = problem(projection, scope)
        every = brute_force(projection, pairs)
        plan = solve_exact(pairs, objective=objective)
        assert plan.certificate.certified
        assert plan_points(plan.mentor_of, every) == networkx_optimum(pairs, every, objective)
        assert plan.certificate.bound >= plan.certificate.total_score
        assert plan.certificate.gap <= 1e-6 * max(1, plan.certificate.matched_bound) + 1e-9
        weigh = functools.partial(weights_of, big_m=plan.big_m)
        assert (
            certificate_problems(
                plan.mentor_of, pairs.capacity, plan.mentee_price, plan.mentor_price, [every], weigh
            )
            == []
        )


def test_the_best_pair_outside_any_shortlist_is_found() -> None:
    # One mentee wants SQL; forty mentors teach it at 5 and differ only in id, site and
    # language. m37 alone works the mentee's hours and speaks Tagalog, so it scores best, but
    # the shortlist (best 4 of the pool, then a window of 8 spread over the rest) skips it.
    manila = {"site": "Manila", "shift": "night", "timezone": "Asia/Manila"}
    far = {"site": "Krakow", "shift": "day", "timezone": "Europe/Warsaw", "languages": ("Polish",)}
    people = [
        read_person(
            "me", {**manila, "languages": ("Tagalog",)}, team="t1", skills={"sql": 1},
            goals={"sql": 1},
        )
    ]  # fmt: skip
    for i in range(40):
        props = {**manila, "languages": ("Tagalog",)} if i == 37 else dict(far)
        props.update(function="analytics", mentoring_capacity=1, open_to_mentoring=True)
        props["open_to_being_mentored"] = False
        people.append(read_person(f"m{i:02d}", props, team="t2", skills={"sql": 5}))
    projection = ReadModel.build(
        GraphData(version=1, skills={"sql": SkillRecord("sql", "SQL")}, people=people)
    )
    _, _, table = candidate_table(projection, Scope())
    assert "m37" not in {table.mentors[c] for c in table.mentor.tolist()}
    for mode in (Mode.OPTIMAL, Mode.STABLE):
        plan = plan_assignment(projection, Scope(), mode=mode)
        assert [(p.mentee, p.mentor) for p in plan.assignment.pairs] == [("me", "m37")]
    certified = plan_assignment(projection, Scope()).certificate
    assert certified is not None and certified.certified


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_a_tampered_certificate_is_refused(data: st.DataObject) -> None:
    projection = organisation(90, 2)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    objective = data.draw(st.sampled_from(list(Objective)))
    plan = solve_exact(pairs, objective=objective)
    weigh = functools.partial(weights_of, big_m=plan.big_m)
    u, v = plan.mentee_price.copy(), plan.mentor_price.copy()
    assert certificate_problems(plan.mentor_of, pairs.capacity, u, v, [every], weigh) == []
    # Lowering any positive price uncovers a pair or breaks the sum; so does moving a mentee.
    prices = data.draw(st.sampled_from(["u", "v"]))
    chosen = u if prices == "u" else v
    positive = np.flatnonzero(chosen > 0)
    if len(positive):
        at = data.draw(st.sampled_from(positive.tolist()))
        chosen[at] -= data.draw(st.integers(1, int(chosen[at])))
        assert certificate_problems(plan.mentor_of, pairs.capacity, u, v, [every], weigh)
    moved = plan.mentor_of.copy()
    matched = np.flatnonzero(moved >= 0)
    row = data.draw(st.sampled_from(matched.tolist()))
    moved[row] = -1
    assert certificate_problems(
        moved, pairs.capacity, plan.mentee_price, plan.mentor_price, [every], weigh
    )


def test_an_exhausted_budget_returns_a_proven_bound_not_a_certificate() -> None:
    projection = organisation(200, 5)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    plan = solve_exact(pairs, time_limit=0.0)
    matched, best = networkx_optimum(pairs, every, Objective.SCORE)
    assert not plan.certificate.certified
    assert plan.certificate.bound * 1e6 >= best - 0.5 * matched
    assert plan.certificate.bound >= plan.certificate.total_score


@pytest.mark.parametrize(("people", "seed"), SEEDS)
def test_stable_has_no_blocking_pair_over_every_eligible_pair(people: int, seed: int) -> None:
    projection = organisation(people, seed)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    mentor_of = stable_assignment(pairs)
    count, found = blocking_pairs(mentor_of, pairs.capacity, [every])
    assert (count, found) == (0, [])
    # Against the shortlist's stable plan, the full lists hold every mentee at least as well.
    assert (mentor_of >= 0).sum() >= 1


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("objective", list(Objective))
def test_every_reason_holds_over_every_eligible_pair(mode: Mode, objective: Objective) -> None:
    projection = organisation(150, 4)
    for scope in (Scope(), Scope(site="Cebu")):
        pairs = problem(projection, scope)
        every = brute_force(projection, pairs)
        plan = plan_assignment(projection, scope, mode=mode, objective=objective)
        mentor_of = pairs.rows_of(plan.assignment.pairs)
        reasons = {pairs.mentees.index(m): r.value for m, r in plan.assignment.unmatched.items()}
        assert reason_problems(mentor_of, pairs.capacity, reasons, [every]) == []
        if mode is not Mode.GREEDY:
            assert "not_reached" not in reasons.values()


MATCHING_LIBRARY = "matching==1.4.3"
ORACLE = """
import json, sys
from matching.games import HospitalResident
game = json.load(sys.stdin)
solved = HospitalResident.create_from_dictionaries(
    game["residents"], game["hospitals"], game["capacities"]
).solve(optimal="resident")
json.dump({str(h): sorted(str(r) for r in rs) for h, rs in solved.items()}, sys.stdout)
"""


@pytest.fixture(scope="session")
def matching_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PyPI `matching` library, installed apart: its import name is our package's."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = cache / "skillweave-tests" / MATCHING_LIBRARY.replace("==", "-")
    if not (target / "matching" / "games").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
             MATCHING_LIBRARY],
            check=True, timeout=600,
        )  # fmt: skip
    return target


@pytest.mark.parametrize(("people", "seed"), SEEDS[:4])
def test_stable_equals_the_matching_library(
    people: int, seed: int, matching_library: Path, tmp_path: Path
) -> None:
    projection = organisation(people, seed)
    pairs = problem(projection)
    every = brute_force(projection, pairs)
    ranked_score, ranked_liking = np.round(every.score, 9), np.round(every.preference, 9)
    residents: dict[str, list[str]] = {}
    for i in np.lexsort((every.mentor, -ranked_score, every.mentee)).tolist():
        residents.setdefault(pairs.mentees[every.mentee[i]], []).append(
            pairs.mentors[every.mentor[i]]
        )
    hospitals: dict[str, list[str]] = {}
    for i in np.lexsort((every.mentee, -ranked_liking, every.mentor)).tolist():
        hospitals.setdefault(pairs.mentors[every.mentor[i]], []).append(
            pairs.mentees[every.mentee[i]]
        )
    game = {
        "residents": residents,
        "hospitals": hospitals,
        "capacities": {
            m: int(pairs.capacity[c]) for c, m in enumerate(pairs.mentors) if m in hospitals
        },
    }
    # Run from an empty folder so our own `matching` package is not on the path.
    done = subprocess.run(
        [sys.executable, "-P", "-c", ORACLE], input=json.dumps(game), capture_output=True,
        text=True, check=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(matching_library)},
        timeout=300,
    )  # fmt: skip
    theirs = {(e, m) for m, held in json.loads(done.stdout).items() for e in held}
    mentor_of = stable_assignment(pairs)
    ours = {
        (pairs.mentees[e], pairs.mentors[r]) for e, r in enumerate(mentor_of.tolist()) if r >= 0
    }
    assert ours == theirs
    assert len(ours) > 0


@pytest.mark.parametrize("mode", list(Mode))
def test_a_scope_without_mentees_or_eligible_mentors_is_an_empty_plan(mode: Mode) -> None:
    projection = organisation(120, 3)
    team = sorted(projection.teams)[0]
    nobody = plan_assignment(projection, Scope(site="Nowhere"), mode=mode)
    assert nobody.assignment.pairs == [] and nobody.assignment.unmatched == {}
    no_mentors = plan_assignment(projection, Scope(team=team), mode=mode)
    assert no_mentors.mentees > 0 and no_mentors.assignment.pairs == []
    assert {r.value for r in no_mentors.assignment.unmatched.values()} == {"no_candidates"}
    if mode is Mode.OPTIMAL:
        assert no_mentors.certificate is not None and no_mentors.certificate.certified
        assert no_mentors.certificate.bound == 0
