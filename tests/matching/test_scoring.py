"""The complementarity score: hard constraints, explanations, and the fast index agreeing with it."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from graph.organisation import graph_data
from graph.records import GraphData, MentorshipRecord, PersonRecord, SkillRecord, read_person
from graph.seed import generate_organisation
from matching.mentor_index import TIE_DIGITS, CandidateFilter, MentorIndex
from matching.mentoring import suggest_mentors
from matching.scoring import (
    DEFAULT_WEIGHTS,
    MAX_LEVEL,
    Exclusion,
    PairScore,
    Weights,
    in_reporting_line,
    score_pair,
    shift_overlap,
)
from readmodel.store import ReadModel

MANILA: dict[str, Any] = {
    "function": "voice", "site": "Manila", "shift": "night", "timezone": "Asia/Manila",
    "languages": ("Tagalog", "English"),
}  # fmt: skip


def mentor(pid: str, skills: dict[str, int], **props: Any) -> PersonRecord:
    values = {**MANILA, "mentoring_capacity": 2, "open_to_mentoring": True, **props}
    team = values.pop("team", "t2")
    manager = values.pop("manager", None)
    goals = values.pop("goals", {})
    return read_person(pid, values, team=team, manager=manager, skills=skills, goals=goals)


def hand_made(*people: PersonRecord, mentorships: tuple[MentorshipRecord, ...] = ()) -> ReadModel:
    """A read model of skills sql, excel (related to sql), empathy, and the given people."""
    mentee = read_person(
        "me", {**MANILA}, team="t1", manager="lead", skills={"empathy": 4, "sql": 1},
        goals={"sql": 1, "coaching": 3},
    )  # fmt: skip
    lead = mentor("lead", {"sql": 5, "coaching": 5}, team="t1", manager="boss")
    boss = mentor("boss", {"sql": 5}, team="t0")
    data = GraphData(
        version=1,
        skills={k: SkillRecord(k, k.title()) for k in ("sql", "excel", "empathy", "coaching")},
        related=[("excel", "sql")],
        people=[mentee, lead, boss, *people],
        mentorships=list(mentorships),
    )
    return ReadModel.build(data)


def suggested(projection: ReadModel, first: int = 10, **filters: Any) -> list[str]:
    where = CandidateFilter(**filters) if filters else None
    return [p.mentor for p in suggest_mentors(projection, "me", first=first, filters=where)]


def test_hard_constraints_keep_strong_mentors_out() -> None:
    projection = hand_made(
        mentor("closed", {"sql": 5}, open_to_mentoring=False),
        mentor("full", {"sql": 5}, mentoring_capacity=1),
        mentor("paired", {"sql": 5}),
        mentor("weak", {"sql": 4}),
        mentor("x", {"empathy": 5}),
        mentor("someone", {"sql": 1}),
        mentorships=(
            MentorshipRecord("m1", "full", "someone", "active"),
            MentorshipRecord("m2", "paired", "me", "requested"),
        ),
    )
    profiles = projection.profiles
    me = profiles["me"]
    reasons = {pid: score_pair(profiles[pid], me, profiles) for pid in profiles}
    assert reasons["me"] is Exclusion.SELF
    assert reasons["closed"] is Exclusion.NOT_OPEN
    assert reasons["full"] is Exclusion.NO_CAPACITY
    assert reasons["paired"] is Exclusion.EXISTING_PAIR
    assert reasons["lead"] is Exclusion.REPORTING_LINE
    assert reasons["boss"] is Exclusion.REPORTING_LINE, "the manager's manager too"
    assert reasons["x"] is Exclusion.NOTHING_TO_TEACH
    # Every excluded mentor teaches SQL at 5; only the one at 4 is left.
    assert suggested(projection) == ["weak"]


def test_an_ended_mentorship_frees_the_pair_and_the_capacity() -> None:
    projection = hand_made(
        mentor("full", {"sql": 5}, mentoring_capacity=1),
        mentorships=(MentorshipRecord("m1", "full", "me", "ended"),),
    )
    assert suggested(projection) == ["full"]


def test_explanations_list_exactly_the_skills_that_scored() -> None:
    projection = hand_made(
        mentor("direct", {"sql": 4, "coaching": 2}),
        mentor("related", {"excel": 5}),
        mentor("below", {"sql": 1, "coaching": 3}),
    )
    profiles = projection.profiles
    me = profiles["me"]
    direct = score_pair(profiles["direct"], me, profiles)
    assert isinstance(direct, PairScore)
    assert [(m.skill, m.teacher_level, m.learner_level, m.via) for m in direct.matched] == [
        ("sql", 4, 1, None)
    ], "coaching at level 2 is below teaching level and does not score"
    weight = {1: 1.0, 3: 0.3}
    assert direct.learning == pytest.approx(weight[1] * 3 / MAX_LEVEL / (weight[1] + weight[3]))
    related = score_pair(profiles["related"], me, profiles)
    assert isinstance(related, PairScore)
    assert [(m.skill, m.via) for m in related.matched] == [("sql", "excel")]
    assert related.matched[0].points == pytest.approx(
        DEFAULT_WEIGHTS.related_credit * (5 - 1) / MAX_LEVEL * weight[1] / (weight[1] + weight[3])
    )
    below = score_pair(profiles["below"], me, profiles)
    assert isinstance(below, PairScore)
    assert [m.skill for m in below.matched] == ["coaching"]


def test_reciprocity_and_responsiveness_move_the_ranking() -> None:
    projection = hand_made(
        mentor("plain", {"sql": 5}),
        mentor("swap", {"sql": 5}, goals={"empathy": 1}, share_goals=True),
        mentor("slow", {"sql": 5}, requests_answered=1, requests_expired=3),
    )
    ranked = suggest_mentors(projection, "me")
    assert [p.mentor for p in ranked] == ["swap", "plain", "slow"]
    swap, plain, slow = ranked
    assert [m.skill for m in swap.taught_back] == ["empathy"] and swap.reciprocity > 0
    assert swap.score - plain.score == pytest.approx(DEFAULT_WEIGHTS.reciprocity * swap.reciprocity)
    assert slow.responsiveness == pytest.approx(3 / 6)
    assert slow.score == pytest.approx(plain.score * 0.5)


def test_what_a_mentor_would_learn_back_counts_only_if_they_share_their_goals() -> None:
    projection = hand_made(
        mentor("plain", {"sql": 5}),
        mentor("private", {"sql": 5}, goals={"empathy": 1}),
        mentor("open", {"sql": 5}, goals={"empathy": 1}, share_goals=True),
    )
    ranked = {p.mentor: p for p in suggest_mentors(projection, "me")}
    private, plain, open_ = ranked["private"], ranked["plain"], ranked["open"]
    assert private.reciprocity == 0 and private.taught_back == ()
    assert private.score == pytest.approx(plain.score), "a private goal moves nothing"
    assert open_.reciprocity > 0 and [m.skill for m in open_.taught_back] == ["empathy"]
    profiles = projection.profiles
    for pid in ("private", "open"):  # the array index and the definition agree
        exact = score_pair(profiles[pid], profiles["me"], profiles)
        assert isinstance(exact, PairScore)
        assert ranked[pid].score == pytest.approx(exact.score)
        assert ranked[pid].reciprocity == pytest.approx(exact.reciprocity)


def test_preferences_apply_as_documented() -> None:
    far = {"site": "Austin", "timezone": "America/Chicago", "shift": "day"}
    projection = hand_made(
        mentor("near", {"sql": 5}, team="t1b"),
        mentor("far", {"sql": 5}, function="chat", languages=("English",), **far),
    )
    by_id = {p.mentor: p for p in suggest_mentors(projection, "me")}
    near = {p.name for p in by_id["near"].preferences}
    assert near == {"shift_overlap", "shared_language", "cross_team"}
    # Austin day (08–16 at UTC-6) is 14–22 UTC; Manila night (00–08 at UTC+8) is 16–24 UTC.
    assert {p.name: p.points for p in by_id["far"].preferences} == pytest.approx(
        {"shift_overlap": DEFAULT_WEIGHTS.shift_overlap * 6 / 8, "cross_team": 0.05,
         "cross_function": 0.05}
    )  # fmt: skip


def test_shift_overlap_is_symmetric_and_zero_without_a_shift() -> None:
    profiles = hand_made(mentor("x", {}, shift=None)).profiles
    me, lead, x = profiles["me"], profiles["lead"], profiles["x"]
    assert shift_overlap(me, lead) == 1.0
    assert shift_overlap(me, x) == shift_overlap(x, me) == 0.0


def test_filters_keep_only_matching_mentors() -> None:
    projection = hand_made(
        mentor("chat", {"sql": 5}, function="chat"),
        mentor("voice", {"sql": 4, "excel": 4}),
    )
    assert suggested(projection, function="chat") == ["chat"]
    assert suggested(projection, teaches="excel") == ["voice"]
    assert suggested(projection, language="Klingon") == []


@pytest.fixture(scope="module")
def seeded() -> ReadModel:
    return ReadModel.build(graph_data(generate_organisation(people=400, seed=11)))


def test_the_index_scores_every_pair_as_the_definition_does(seeded: ReadModel) -> None:
    profiles = seeded.profiles
    index = seeded.mentor_index
    for mentee_id in random.Random(3).sample(sorted(profiles), 60):
        mentee = profiles[mentee_id]
        cand, scores = index.score(mentee)
        fast = {index.ids[c]: s for c, s in zip(cand.tolist(), scores.tolist(), strict=True)}
        slow = {
            pid: pair.score
            for pid in profiles
            if isinstance(pair := score_pair(profiles[pid], mentee, profiles), PairScore)
        }
        assert fast.keys() == slow.keys(), mentee_id
        assert all(fast[k] == pytest.approx(slow[k], abs=1e-12) for k in slow)


def test_suggestions_are_the_best_eligible_mentors_in_order(seeded: ReadModel) -> None:
    profiles = seeded.profiles
    for mentee_id in random.Random(4).sample(sorted(profiles), 20):
        mentee = profiles[mentee_id]
        found = suggest_mentors(seeded, mentee_id, first=5)
        everyone = sorted(
            (
                (-round(pair.score, TIE_DIGITS), pid)
                for pid in profiles
                if isinstance(pair := score_pair(profiles[pid], mentee, profiles), PairScore)
            ),
        )
        assert [p.mentor for p in found] == [pid for _, pid in everyone[:5]]
        for pair in found:
            assert sum(m.points for m in pair.matched) == pytest.approx(pair.learning)
            assert pair.mentor != mentee_id and pair.mentor not in mentee.partners


@pytest.mark.parametrize(
    ("seed", "weights"),
    [(1, Weights()), (2, Weights()), (3, Weights(reciprocity=2.0, shared_language=0.5))],
)
def test_the_top_mentors_skip_no_one_the_bounds_rule_out(seed: int, weights: Weights) -> None:
    """``MentorIndex.top`` scores exactly only the mentors whose bounds could rank (reciprocity,
    the costly part, for a few): it must still return what scoring everyone gives."""
    model = ReadModel.build(graph_data(generate_organisation(people=500, seed=seed)))
    profiles = model.profiles
    index = MentorIndex(profiles, weights)
    pruned = 0
    mentees = [pid for pid in sorted(profiles) if profiles[pid].goals]
    for mentee_id in random.Random(seed).sample(mentees, 60):
        mentee = profiles[mentee_id]
        everyone = sorted(
            (-round(pair.score, TIE_DIGITS), pid)
            for pid in profiles
            if isinstance(pair := score_pair(profiles[pid], mentee, profiles, weights), PairScore)
        )
        for first in (1, 3, 10, 40):
            assert [pid for pid, _ in index.top(mentee, first)] == [
                pid for _, pid in everyone[:first]
            ], (mentee_id, first)
        scored, _ = index.score(mentee, best=3)
        pruned += len(scored) < len(everyone)
    assert pruned > 30  # the bounds did leave mentors out, for most mentees


def test_the_index_follows_changes_without_a_rebuild(seeded: ReadModel) -> None:
    index = seeded.mentor_index
    profiles = seeded.profiles
    mentee = next(p for p in profiles.values() if p.goals and not p.mentored)
    goal = sorted(mentee.goals)[0]
    newcomer = next(
        p for p in profiles.values()
        if p.id != mentee.id and p.spare == 0 and not in_reporting_line(p.id, mentee.id, profiles)
    )  # fmt: skip
    assert newcomer.id not in [p.mentor for p in suggest_mentors(seeded, mentee.id, first=400)]
    record = seeded.people[newcomer.id]
    fresh = GraphData(
        version=2,
        people=[
            replace(record, open_to_mentoring=True, capacity=3, skills={**record.skills, goal: 5})
        ],
        mentorships=seeded.mentorships_of(newcomer.id),
    )
    seeded.apply(fresh, people=[newcomer.id])
    assert seeded.mentor_index is index, "refreshed in place"
    found = [p.mentor for p in suggest_mentors(seeded, mentee.id, first=400)]
    assert newcomer.id in found
    rebuilt = MentorIndex(seeded.profiles)
    cand, scores = rebuilt.score(seeded.profiles[mentee.id])
    again, scores_again = index.score(seeded.profiles[mentee.id])
    assert cand.tolist() == again.tolist() and scores == pytest.approx(scores_again)


def test_more_goals_than_anyone_had_widen_the_index_in_place(seeded: ReadModel) -> None:
    index = seeded.mentor_index
    profiles = seeded.profiles
    slots = index.goal_slot.shape[1]
    mentee = next(p for p in profiles.values() if p.goals and not p.mentored)
    wanted = [k for k in sorted(profiles.skill_names) if k not in mentee.goals][: slots + 2]
    record = seeded.people[mentee.id]
    fresh = GraphData(
        version=2,
        people=[replace(record, goals={**record.goals, **dict.fromkeys(wanted, 2)})],
        mentorships=seeded.mentorships_of(mentee.id),
    )
    seeded.apply(fresh, people=[mentee.id])
    assert seeded.mentor_index is index, "widened in place, not rebuilt"
    assert index.goal_slot.shape[1] == len(mentee.goals) + len(wanted) > slots
    rebuilt = MentorIndex(seeded.profiles)
    for pid in (mentee.id, *sorted(profiles)[:25]):
        cand, scores = rebuilt.score(seeded.profiles[pid])
        again, scores_again = index.score(seeded.profiles[pid])
        assert cand.tolist() == again.tolist() and scores == pytest.approx(scores_again), pid


def test_nobody_mentors_or_learns_from_anyone_in_their_reporting_line() -> None:
    # "me" reports to lead, who reports to boss. "report" reports to me. Each is a strong
    # mentor for the others' goals; only "peer" (outside the line) may pair with anyone.
    report = mentor("report", {"sql": 5, "coaching": 5}, team="t1", manager="me")
    peer = mentor("peer", {"sql": 5, "coaching": 5}, team="t3", goals={"empathy": 1})
    projection = hand_made(report, peer)
    profiles = projection.profiles
    index = projection.mentor_index
    line = {("me", "report"), ("me", "lead"), ("me", "boss"), ("report", "lead")}
    line |= {("report", "boss"), ("lead", "boss")}
    for a in profiles:
        for b in profiles:
            if a == b:
                continue
            related = (a, b) in line or (b, a) in line
            assert in_reporting_line(a, b, profiles) is related
            scored = score_pair(profiles[a], profiles[b], profiles)
            assert (scored is Exclusion.REPORTING_LINE) is (
                related and profiles[a].spare > 0 and scored is not Exclusion.EXISTING_PAIR
            )
            pos = np.array([index.pos[a]]), np.array([index.pos[b]])
            assert bool(index.in_line(*pos)[0]) is related
    # The manager is not offered their report as a mentor, nor the report their manager.
    assert "report" not in suggested(projection)
    assert "me" not in [p.mentor for p in suggest_mentors(projection, "report")]


def test_a_goal_earns_the_better_of_direct_and_related_credit() -> None:
    # "mixed" holds SQL at 3 and excel (related to SQL) at 5. For "me" (SQL at 1) both earn
    # 2/5 and the tie goes to the skill itself; for "learner" (SQL at 2) the skill earns 1/5
    # and the related one half of 3/5: the related credit counts, whatever the docs' table.
    learner = mentor("learner", {"sql": 2}, goals={"sql": 1}, open_to_mentoring=False)
    projection = hand_made(mentor("mixed", {"sql": 3, "excel": 5}), learner)
    profiles = projection.profiles
    index = projection.mentor_index
    weight = {1: 1.0, 3: 0.3}
    for mentee, expected, via in (
        ("me", 2 / MAX_LEVEL * weight[1] / (weight[1] + weight[3]), None),
        ("learner", DEFAULT_WEIGHTS.related_credit * 3 / MAX_LEVEL, "excel"),
    ):
        pair = score_pair(profiles["mixed"], profiles[mentee], profiles)
        assert isinstance(pair, PairScore)
        assert [(m.skill, m.via) for m in pair.matched] == [("sql", via)]
        assert pair.learning == pytest.approx(expected)
        cand, scores = index.score(profiles[mentee])
        assert scores[cand.tolist().index(index.pos["mixed"])] == pytest.approx(pair.score)
