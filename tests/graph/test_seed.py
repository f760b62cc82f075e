"""The synthetic organisation: deterministic, realistic in shape, and loadable."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest

from graph import people
from graph.export import export_graph
from graph.model import JobRole, MentorshipStatus
from graph.organisation import graph_data, write_organisation
from graph.seed import FUNCTIONS, SITES, generate_organisation
from graph.skills import load_taxonomy
from graph.store import Store
from readmodel.store import ReadModel

pytestmark = pytest.mark.anyio


def test_same_arguments_same_organisation() -> None:
    assert generate_organisation(people=400, seed=5) == generate_organisation(people=400, seed=5)
    assert generate_organisation(people=400, seed=5) != generate_organisation(people=400, seed=6)


def test_shape_of_the_organisation() -> None:
    org = generate_organisation(people=3000, seed=7)
    assert len(org.people) == 3000
    assert len({p.id for p in org.people}) == 3000
    assert {p.site for p in org.people} == {s.name for s in SITES}
    assert {f.key for f in FUNCTIONS} <= {p.function for p in org.people}
    assert 7 <= statistics.mean(len(p.skills) for p in org.people) <= 9
    assert 2.5 <= statistics.mean(len(p.goals) for p in org.people) <= 3.5
    roles = Counter(p.role for p in org.people)
    assert roles[JobRole.TEAM_LEAD] > 0 and roles[JobRole.MANAGER] == len(SITES)
    ids = {p.id for p in org.people}
    assert all(p.manager_id in ids for p in org.people if p.manager_id)
    known = {s.key for s in load_taxonomy().skills}
    assert all(s.skill in known for p in org.people for s in p.skills)
    assert all(g.skill in known for p in org.people for g in p.goals)
    # nobody wants to learn what they already do well
    for p in org.people:
        strong = {s.skill for s in p.skills if s.level >= 3}
        assert not strong & {g.skill for g in p.goals}

    # tenure shows in levels: veterans are stronger on average than new joiners
    def mean_level(group: list[int]) -> float:
        return statistics.mean(
            s.level for p in org.people if p.tenure_months in group for s in p.skills
        )

    assert mean_level(list(range(48, 200))) > mean_level(list(range(0, 6))) + 0.5
    # active mentorships respect capacity and never pair someone with their own manager
    load = Counter(m.mentor_id for m in org.mentorships if m.status is MentorshipStatus.ACTIVE)
    capacity = {p.id: p.mentoring_capacity for p in org.people}
    assert all(n <= capacity[mentor] for mentor, n in load.items())
    managers = {p.id: p.manager_id for p in org.people}
    assert all(managers[m.mentee_id] != m.mentor_id for m in org.mentorships)
    assert org.squads and org.communities


async def test_seeded_organisation_loads_whole(store: Store) -> None:
    org = generate_organisation(people=250, seed=2)
    written = await write_organisation(store, org, create=True)
    assert written["people"] == 250
    assert await store.read(people.count_people) == 250
    counts = await store.query(
        "MATCH (:Person)-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type"
    )
    by_type = {r["type"]: r["n"] for r in counts}
    assert by_type["HAS_SKILL"] == sum(len(p.skills) for p in org.people)
    assert by_type["WANTS_TO_LEARN"] == sum(len(p.goals) for p in org.people)
    assert by_type["MEMBER_OF"] == 250
    assert by_type["MENTOR_IN"] == by_type["MENTEE_IN"] == len(org.mentorships)
    sample = org.people[17]
    assert await store.read(people.get_person, sample.id) == sample


async def test_the_read_model_of_a_seed_equals_its_export(store: Store) -> None:
    """Benchmarks and pure tests build read models with graph_data(); it must match the store."""
    org = generate_organisation(people=150, seed=4)
    await write_organisation(store, org, create=True)
    exported = ReadModel.build(await store.read(export_graph))
    assert exported.differences(ReadModel.build(graph_data(org))) == []


@pytest.mark.parametrize(("people", "seed"), [(60, 1), (500, 7), (2000, 3)])
def test_generated_titles_never_repeat_a_word(people: int, seed: int) -> None:
    org = generate_organisation(people=people, seed=seed)
    titles = Counter(p.title for p in org.people)
    for title in titles:
        words = title.lower().split()
        assert len(words) == len(set(words)), f"{title!r} repeats a word"
    assert "Senior Agent" in titles and "Agent" in titles and "Team Lead" in titles
    # acronyms stay upper case
    assert not {"Qa Analyst", "Wfm Analyst", "It Support"} & set(titles)
    seniors = [p for p in org.people if p.role is JobRole.SENIOR_AGENT]
    assert seniors and {p.title for p in seniors} == {"Senior Agent"}


def test_the_demo_programme_looks_live() -> None:
    """``programme=True``, as ``serve --demo`` seeds: a few months into a mentoring programme."""
    from graph.seed import PROGRAMME_DAYS
    from matching.health import HealthScope, flatten, network_health

    as_of = dt.datetime.now(dt.UTC).date()  # pending requests are pending until today's clock
    org = generate_organisation(people=500, seed=7, as_of=as_of, programme=True)
    plain = generate_organisation(people=500, seed=7, as_of=as_of)
    assert org.people == plain.people, "the programme changes the ties, not the people"
    now = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    start = now - dt.timedelta(days=PROGRAMME_DAYS)

    statuses = Counter(m.status for m in org.mentorships)
    assert set(statuses) == set(MentorshipStatus)
    learners = [p for p in org.people if p.goals]
    mentees = {m.mentee_id for m in org.mentorships if m.status is MentorshipStatus.ACTIVE}
    assert 0.25 <= len(mentees) / len(learners) <= 0.45
    # capacity, managers and goals are respected
    load = Counter(m.mentor_id for m in org.mentorships if m.status is MentorshipStatus.ACTIVE)
    person = {p.id: p for p in org.people}
    assert all(n <= person[mentor].mentoring_capacity for mentor, n in load.items())
    for m in org.mentorships:
        mentor, mentee = person[m.mentor_id], person[m.mentee_id]
        assert mentee.manager_id != mentor.id and mentor.open_to_mentoring
        assert set(m.focus_skills) <= {g.skill for g in mentee.goals}
        assert m.requested_at is not None and start <= m.requested_at < now
        if m.status is MentorshipStatus.ENDED:
            assert m.feedback is not None and 1 <= m.feedback.rating <= 5
            assert m.responded_at and m.ended_at and m.responded_at < m.ended_at < now
        if m.status is MentorshipStatus.EXPIRED:
            assert m.expires_at is not None and m.expires_at < now
        if m.status is MentorshipStatus.REQUESTED:
            assert m.expires_at is not None and m.expires_at > now + dt.timedelta(days=1)
    assert all(q.created_at and start <= q.created_at < now for q in org.squads)

    # what HR's dashboard shows
    metrics = flatten(
        network_health(ReadModel.build(graph_data(org)), HealthScope(), heavy=False, as_of=now)
    )
    assert metrics["reach.isolated_share"] < 0.4
    assert 0.25 <= metrics["reach.goal_coverage"] <= 0.6
    assert metrics["squads.active"] >= 12 and metrics["communities.active"] == len(org.communities)
    assert metrics["load.over_capacity"] == 0
    assert metrics["load.pending"] == statuses[MentorshipStatus.REQUESTED]


def test_the_programme_as_it_stood_on_a_past_day() -> None:
    from graph.seed import PROGRAMME_DAYS, organisation_on

    org = generate_organisation(people=300, seed=7, programme=True)
    today = max(m.requested_at for m in org.mentorships if m.requested_at) + dt.timedelta(hours=1)
    assert organisation_on(org, today - dt.timedelta(days=PROGRAMME_DAYS)).mentorships == []
    when = today - dt.timedelta(weeks=6)
    then = organisation_on(org, when)
    assert {m.id for m in then.mentorships} == {
        m.id for m in org.mentorships if m.requested_at and m.requested_at <= when
    }
    now = {m.id: m for m in org.mentorships}
    for m in then.mentorships:
        if m.status is MentorshipStatus.ACTIVE:  # ended later, or still active
            assert now[m.id].status in (MentorshipStatus.ACTIVE, MentorshipStatus.ENDED)
            assert m.feedback is None and m.responded_at and m.responded_at <= when
        if m.status is MentorshipStatus.REQUESTED:
            answered = now[m.id].responded_at
            assert answered is None or answered > when
    assert all(q.created_at and q.created_at <= when for q in then.squads)
    assert len(then.squads) < len(org.squads)
    assert then.people == org.people
