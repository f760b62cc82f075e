"""Readiness, gap, journey and bench strength: by hand, and against plain loops over everyone."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from graph.organisation import graph_data
from graph.records import GraphData, PersonRecord, RoleRecord, SkillRecord, TeamRecord
from graph.seed import generate_organisation
from matching import paths as rules
from matching.mentoring import Scope
from matching.paths import Bucket, Requirement, RoleNeeds
from matching.scoring import PairScore, score_pair
from readmodel import paths as growth
from readmodel.store import ReadModel

# Coaching (4, weight 3), Feedback (4, weight 3), Scheduling (2, weight 1), Huddles (3, weight 1)
LEAD = RoleNeeds(
    "lead",
    (
        Requirement("coaching", 4, 3),
        Requirement("feedback", 4, 3),
        Requirement("scheduling", 2, 1),
        Requirement("huddles", 3, 1),
    ),
)
RELATED = {"coaching": {"feedback", "huddles"}, "feedback": {"coaching"}, "huddles": {"coaching"}}


def test_readiness_by_hand() -> None:
    levels = {"coaching": 2, "feedback": 4, "huddles": 1, "sql": 5}
    # (3·2/4 + 3·1 + 1·0 + 1·1/3) / 8 = (1.5 + 3 + 0 + 0.3333) / 8
    assert rules.readiness(levels, LEAD) == pytest.approx(4.833333333 / 8)
    assert rules.readiness({}, LEAD) == 0.0
    full = {"coaching": 5, "feedback": 4, "scheduling": 3, "huddles": 3}
    assert rules.readiness(full, LEAD) == 1.0  # above the level counts as the level
    assert rules.bucket(0.9) is Bucket.READY_NOW
    assert rules.bucket(0.7) is Bucket.READY_SOON
    assert rules.bucket(0.6999) is Bucket.FURTHER


def test_gap_and_journey_by_hand() -> None:
    levels = {"coaching": 2, "huddles": 1}
    gap = rules.gap(levels, LEAD)
    # heaviest first, then the smaller gap: coaching (2 short) before feedback (4 short)
    assert [(g.skill, g.current, g.required, g.weight) for g in gap] == [
        ("coaching", 2, 4, 3),
        ("feedback", 0, 4, 3),
        ("huddles", 1, 3, 1),
        ("scheduling", 0, 2, 1),
    ]
    steps = rules.journey(levels, LEAD, RELATED)
    # huddles (required 3) is related to coaching (required 4): a prerequisite, so coaching
    # waits for it. Feedback is related to coaching but required at the same level: free.
    # Free at first: feedback (weight 3), huddles and scheduling (weight 1, gap 2: by name).
    # Feedback goes first; then huddles, which frees coaching (weight 3), then scheduling.
    assert [(s.skill, s.prerequisites) for s in steps] == [
        ("feedback", ()),
        ("huddles", ()),
        ("coaching", ("huddles",)),
        ("scheduling", ()),
    ]
    assert rules.journey({"coaching": 4, "feedback": 4, "scheduling": 2, "huddles": 3}, LEAD,
                         RELATED) == []  # fmt: skip


def test_progress_reads_the_history_as_of_the_target() -> None:
    day = dt.timedelta(days=1)
    since = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    now = {"coaching": 4, "feedback": 3, "sql": 2}
    history = [
        (since - 30 * day, "coaching", 2),  # held at 2 when the target was set
        (since + 5 * day, "coaching", 4),
        (since + 9 * day, "feedback", 3),  # first recorded after: not held then
        (since - 9 * day, "huddles", 2),
        (since + 2 * day, "huddles", 0),  # removed since
    ]
    then = rules.levels_as_of(now, history, since)
    assert then == {"coaching": 2, "huddles": 2, "sql": 2}  # sql: no change recorded
    # now: (3·1 + 3·3/4 + 0 + 0) / 8; then: (3·2/4 + 0 + 0 + 1·2/3) / 8
    expected = (3 + 2.25) / 8 - (1.5 + 2 / 3) / 8
    assert rules.progress(now, history, since, LEAD) == pytest.approx(expected)


@pytest.fixture(scope="module")
def seeded() -> ReadModel:
    return ReadModel.build(graph_data(generate_organisation(people=600, seed=5)))


def test_vectorised_readiness_equals_a_loop_over_everyone(seeded: ReadModel) -> None:
    index = seeded.mentor_index
    assert seeded.roles, "the seeded organisation has role profiles"
    for role in seeded.roles.values():
        needs = growth.role_needs(role)
        value = rules.readiness_of_everyone(index, needs)
        for i, pid in enumerate(index.ids):
            assert value[i] == pytest.approx(rules.readiness(seeded.people[pid].skills, needs))


def test_bench_strength_equals_a_loop_over_everyone(seeded: ReadModel) -> None:
    role = seeded.roles["team lead"]
    needs = growth.role_needs(role)
    site = sorted({p.site for p in seeded.people.values()})[0]
    found = growth.bench(seeded, role, Scope(site=site))
    expected: dict[str, dict[Bucket, int]] = {}
    for p in seeded.people.values():
        if p.site != site or p.role == role.job_role:
            continue
        b = rules.bucket(rules.readiness(p.skills, needs))
        counts = expected.setdefault(p.function, dict.fromkeys(Bucket, 0))
        counts[b] += 1
    assert {
        f: {Bucket.READY_NOW: c.ready_now, Bucket.READY_SOON: c.ready_soon, Bucket.FURTHER: c.further}
        for f, c in found.by_function.items()
    } == expected  # fmt: skip
    assert list(found.by_site) == [site]
    assert found.overall.total == sum(sum(c.values()) for c in expected.values())


def test_successors_are_the_most_ready_in_the_leads_team(seeded: ReadModel) -> None:
    role = seeded.roles["team lead"]
    needs = growth.role_needs(role)
    found = growth.successions(seeded, Scope(), first=3)
    leads = sorted(p.id for p in seeded.people.values() if p.role == role.job_role)
    assert [s.lead for s in found] == leads
    for s in found[:20]:
        lead = seeded.people[s.lead]
        pool = [
            p
            for p in seeded.people.values()
            if p.id != lead.id
            and p.role != role.job_role
            and ((lead.team is not None and p.team == lead.team) or p.manager == lead.id)
        ]
        ranked = sorted(pool, key=lambda p: (-round(rules.readiness(p.skills, needs), 9), p.id))[:3]
        assert [pid for pid, _ in s.successors] == [p.id for p in ranked]


def test_promotion_trap_lists_leads_below_their_profile(seeded: ReadModel) -> None:
    found = growth.promotion_traps(seeded, Scope())
    assert found, "some seeded leads fall short of their role"
    for t in found:
        person = seeded.people[t.person]
        assert person.role == t.role.job_role in growth.LEAD_JOB_ROLES
        assert t.readiness == pytest.approx(
            rules.readiness(person.skills, growth.role_needs(t.role))
        )
        assert t.readiness < rules.READY_NOW and t.gap
    keys = [(round(t.readiness, 9), t.person) for t in found]
    assert keys == sorted(keys)


def test_step_mentors_are_the_matchers_suggestions_for_that_one_skill(seeded: ReadModel) -> None:
    """Brute force over everyone with the definition (score_pair) for a single goal."""
    profiles = seeded.profiles
    checked = 0
    for pid in sorted(seeded.people)[:40]:
        path = growth.growth_path(seeded, pid, seeded.roles["team lead"])
        for step in path.steps[:2]:
            mentee = dataclasses.replace(profiles[pid], goals={step.step.skill: 1})
            scored = [
                s
                for m in profiles.values()
                if isinstance(s := score_pair(m, mentee, profiles), PairScore)
            ]
            scored.sort(key=lambda s: (-round(s.score, 9), s.mentor))
            assert [s.mentor for s in step.mentors] == [s.mentor for s in scored[:3]]
            assert step.mentors == scored[: len(step.mentors)]
            checked += bool(step.mentors)
    assert checked > 10


def _small_model() -> ReadModel:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    people = [
        PersonRecord("ana", name="Ana", team="t", skills={"coaching": 2, "huddles": 1},
                     target_role="lead", target_since=at),
        PersonRecord("mia", name="Mia", team="t", capacity=2, open_to_mentoring=True,
                     skills={"huddles": 5, "coaching": 3}),
    ]  # fmt: skip
    return ReadModel.build(
        GraphData(
            version=1,
            people=people,
            skills={k: SkillRecord(k, k.title()) for k in ("coaching", "feedback", "huddles")},
            related=[("coaching", "huddles")],
            teams={"t": TeamRecord("t", "T")},
            roles={
                "lead": RoleRecord(
                    "lead", "Lead", "team_lead", (("coaching", 4, 3), ("huddles", 3, 1))
                )
            },
        )
    )


def test_a_growth_path_by_hand() -> None:
    model = _small_model()
    path = growth.growth_path(model, "ana", model.roles["lead"])
    assert path.readiness == pytest.approx((3 * 2 / 4 + 1 / 3) / 4)
    assert [(s.step.skill, s.step.prerequisites) for s in path.steps] == [
        ("huddles", ()),
        ("coaching", ("huddles",)),
    ]
    huddles, coaching = path.steps
    assert [m.mentor for m in huddles.mentors] == ["mia"]
    assert huddles.mentors[0].matched[0].teacher_level == 5
    # coaching: Mia holds it at 3 (gain 1/5), but huddles, related, at 5 earns more (½ · 3/5)
    assert [(m.mentor, m.matched[0].via) for m in coaching.mentors] == [("mia", "huddles")]
    assert coaching.mentors[0].learning == pytest.approx(0.3)
    assert path.progress == 0.0  # no history: the levels held then are the levels held now
    assert np.isclose(
        rules.readiness_of_everyone(model.mentor_index, growth.role_needs(model.roles["lead"]))[0],
        path.readiness,
    )
