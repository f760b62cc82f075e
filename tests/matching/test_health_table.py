"""The column-wise light metrics equal a plain walk over every person, as the population changes.

The oracle below is the straightforward definition of each metric (the code they replaced),
visiting every person in Python; the metrics read :class:`PeopleTable` columns kept in step
by profile edits, arrivals, departures, mentorship and squad changes.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from matching.health import (
    HealthScope,
    group_health,
    learning_reach,
    mentor_load,
    peer_reciprocity,
    skill_health,
    tie_mix,
)
from matching.health.population import GroupRecord, MentorshipRecord, Population
from matching.health.table import EXPERT_LEVEL
from matching.profiles import Profile

SKILLS = ("sql", "qa", "empathy", "wfm", "python")
STATUSES = ("active", "ended", "requested", "declined")
SCOPES = (
    HealthScope(),
    HealthScope(site="s0"),
    HealthScope(team="t1"),
    HealthScope(function="f1"),
    HealthScope(site="s1", function="f0"),
    HealthScope(site="nowhere"),
)


class _Views:
    def __init__(self, population: Population) -> None:
        self.population = population


def _profile(rng: random.Random, pid: str) -> Profile:
    return Profile(
        id=pid,
        team=rng.choice(["t0", "t1", "t2", None]),
        function=rng.choice(["f0", "f1"]),
        site=rng.choice(["s0", "s1"]),
        skills={s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(0, 3))},
        goals={s: rng.randint(1, 3) for s in rng.sample(SKILLS, rng.randint(0, 2))},
        capacity=rng.randint(0, 2),
        open_to_mentoring=rng.random() < 0.6,
        communities=("c1",) if rng.random() < 0.2 else (),
    )


def _mentorship(rng: random.Random, mid: str, ids: list[str]) -> MentorshipRecord:
    mentor, mentee = rng.sample(ids, 2)
    focus = tuple(rng.sample(SKILLS, rng.randint(0, 2)))
    return MentorshipRecord(mid, mentor, mentee, rng.choice(STATUSES), focus)


def _squad(rng: random.Random, gid: str, ids: list[str]) -> GroupRecord:
    members = tuple(sorted(rng.sample(ids, min(len(ids), rng.randint(2, 5)))))
    return GroupRecord(
        "squad",
        gid,
        status=rng.choice(["open", "active", "archived"]),
        skills=tuple(rng.sample(SKILLS, 2)),
        members=members,
    )


# -- the oracle: each metric by its definition, one person at a time ----------------------


def _in_scope(population: Population, scope: HealthScope) -> list[Profile]:
    people = population.people
    return [
        people[p]
        for p in sorted(people)
        if scope.admits(people[p].site, people[p].team, people[p].function)
    ]


def _reach(population: Population, scope: HealthScope) -> tuple[object, ...]:
    people = _in_scope(population, scope)
    active_squads = {q.id: q for q in population.squads() if q.status != "archived"}
    tied: set[str] = set()
    covered: set[str] = set()
    for m in population.mentorships:
        if m.status != "active":
            continue
        tied.update((m.mentor, m.mentee))
        mentee, mentor = population.people.get(m.mentee), population.people.get(m.mentor)
        if mentee is None:
            continue
        if any(s in mentee.goals for s in m.focus) or (
            mentor is not None
            and any(mentor.skills.get(g, 0) >= EXPERT_LEVEL for g in mentee.goals)
        ):
            covered.add(mentee.id)
    isolated, uncovered, with_goals = [], [], 0
    for p in people:
        squads = [q for q in active_squads.values() if p.id in q.members]
        if p.id not in tied and not squads and not p.communities:
            isolated.append(p.id)
        if not p.goals:
            continue
        with_goals += 1
        if p.id not in covered and not any(s in p.goals for q in squads for s in q.skills):
            uncovered.append(p.id)
    return len(people), tuple(isolated), with_goals, tuple(uncovered)


def _load(population: Population, scope: HealthScope) -> tuple[object, ...]:
    people = {p.id: p for p in _in_scope(population, scope)}
    active: Counter[str] = Counter()
    pending = 0
    for m in population.mentorships:
        if m.mentor in people:
            active[m.mentor] += m.status == "active"
            pending += m.status == "requested"
    mentors = [
        p for p in people.values() if (p.open_to_mentoring and p.capacity > 0) or active[p.id]
    ]
    loads = [active[p.id] for p in mentors]
    return (
        len(mentors),
        sum(p.capacity for p in mentors),
        sum(loads),
        dict(sorted(Counter(loads).items())),
        tuple(p.id for p in mentors if active[p.id] > p.capacity),
        pending,
    )


def _skills(population: Population, scope: HealthScope) -> dict[str, tuple[int, int, int]]:
    people = _in_scope(population, scope)
    found: dict[str, list[int]] = {}
    for p in people:
        for k, level in p.skills.items():
            found.setdefault(k, [0, 0, 0])[0] += 1
            found[k][1] += level >= EXPERT_LEVEL
        for k in p.goals:
            found.setdefault(k, [0, 0, 0])[2] += 1
    return {k: (h, s, d) for k, (h, s, d) in found.items()}


def _ties(population: Population, scope: HealthScope) -> tuple[object, ...]:
    people = population.people
    admitted = {p.id for p in _in_scope(population, scope)}
    pairs = {
        tuple(sorted((m.mentor, m.mentee)))
        for m in population.mentorships
        if m.status in ("active", "ended") and m.mentor in people and m.mentee in people
    }
    for q in population.squads():
        members = [p for p in q.members if p in people]
        pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    members_of: Counter[str] = Counter(people[p].team for p in admitted if people[p].team)
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    within = team = function = site = scope_ = 0
    for a_id, b_id in pairs:
        a, b = people[a_id], people[b_id]
        a_in, b_in = a_id in admitted, b_id in admitted
        if a.team is not None and a.team == b.team:
            if a_in or b_in:
                inside[a.team] += 1
        else:
            for p, p_in in ((a, a_in), (b, b_in)):
                if p_in and p.team is not None:
                    outside[p.team] += 1
        if a_in and b_in:
            within += 1
            team += a.team != b.team
            function += a.function != b.function
            site += a.site != b.site
        elif a_in or b_in:
            scope_ += 1
    teams = tuple((t, n, inside[t], outside[t]) for t, n in sorted(members_of.items()))
    return within, team, function, site, scope_, teams


def _groups(population: Population, scope: HealthScope) -> list[tuple[object, ...]]:
    people = population.people
    admitted = {p.id for p in _in_scope(population, scope)}
    found = []
    for q in population.squads():
        members = [p for p in q.members if p in people]
        if admitted.intersection(members):
            functions = Counter(people[p].function for p in members)
            found.append((q.id, len(q.members), dict(sorted(functions.items()))))
    return found


def _reciprocity(population: Population, scope: HealthScope) -> tuple[object, ...]:
    people = population.people
    admitted = {p.id for p in _in_scope(population, scope)}
    directions: dict[tuple[str, str], set[str]] = {}
    exchanges = set()
    for m in population.mentorships:
        if m.status not in ("active", "ended") or not {m.mentor, m.mentee} <= admitted:
            continue
        pair = (min(m.mentor, m.mentee), max(m.mentor, m.mentee))
        directions.setdefault(pair, set()).add(m.mentor)
        if any(people[m.mentee].skills.get(g, 0) >= EXPERT_LEVEL for g in people[m.mentor].goals):
            exchanges.add(pair)
    mutual = {pair for pair, mentors in directions.items() if len(mentors) == 2}
    return len(directions), len(mutual), tuple(sorted(exchanges | mutual))


def _check(population: Population) -> None:
    views = _Views(population)
    for scope in SCOPES:
        r = learning_reach(views, scope)  # type: ignore[arg-type]
        assert (r.people, r.isolated, r.with_goals, r.uncovered) == _reach(population, scope)
        ld = mentor_load(views, scope)  # type: ignore[arg-type]
        assert (
            ld.mentors,
            ld.capacity,
            ld.active,
            ld.distribution,
            ld.over_capacity,
            ld.pending,
        ) == _load(population, scope)
        s = skill_health(views, scope)  # type: ignore[arg-type]
        assert {b.skill: (b.holders, b.supply, b.demand) for b in s.balances} == {
            k: v for k, v in _skills(population, scope).items()
        }
        g = group_health(views, scope)  # type: ignore[arg-type]
        assert [(x.id, x.size, dict(x.functions)) for x in g.squads.groups] == _groups(
            population, scope
        )
        rc = peer_reciprocity(views, scope)  # type: ignore[arg-type]
        assert (rc.pairs, rc.mutual, rc.exchanges) == _reciprocity(population, scope)
        t = tie_mix(views, scope)  # type: ignore[arg-type]
        assert (
            t.within,
            t.cross_team,
            t.cross_function,
            t.cross_site,
            t.cross_scope,
            tuple((x.team, x.members, x.inside, x.outside) for x in t.teams),
        ) == _ties(population, scope)


@pytest.mark.parametrize("seed", range(12))
def test_column_metrics_equal_the_plain_walk_through_every_kind_of_change(seed: int) -> None:
    rng = random.Random(seed)
    people = {f"p{i:02d}": _profile(rng, f"p{i:02d}") for i in range(rng.randint(6, 30))}
    ids = sorted(people)
    population = Population(
        people,
        [_mentorship(rng, f"m{i}", ids) for i in range(rng.randint(0, 25))],
        [_squad(rng, f"q{i}", ids) for i in range(rng.randint(0, 4))],
    )
    _check(population)
    serial = 100
    for _ in range(30):
        serial += 1
        ids = sorted(people)
        move = rng.randrange(6)
        if move == 0:  # someone edits their profile: skills, goals, team, site, capacity
            pid = rng.choice(ids)
            people[pid] = replace(_profile(rng, pid))
            population.profiles_changed([pid])
        elif move == 1:
            population.put_mentorship(_mentorship(rng, f"m{serial}", ids))
        elif move == 2 and population.mentorships:
            population.drop_mentorship(rng.choice(population.mentorships).id)
        elif move == 3:
            population.put_group(_squad(rng, f"q{rng.randint(0, 5)}", ids))
        elif move == 4:  # someone joins
            pid = f"p{serial}"
            people[pid] = _profile(rng, pid)
            population.people_changed()
        elif len(ids) > 4:  # someone leaves
            del people[rng.choice(ids)]
            population.people_changed()
        _check(population)
