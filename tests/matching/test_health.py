"""Network-health metrics on a hand-made organisation, each value worked out by hand.

Nine people, four teams, two sites::

    site A: t1 = a (voice), b (voice)      t2 = c (chat), d (chat)
    site B: t3 = e (voice), f (voice)      t4 = h (voice), i (voice)      g (qa, no team)

Mentorships (mentor → mentee): m1 a→b active (sql), m2 a→c active (qa), m3 f→a ended,
m4 a→f active (sql), m5 d→e requested, m6 b→d declined, m7 b→h requested.
Squads: q1 active {c, e} on empathy; q2 archived {d, g} on qa.
Communities: k1 {b, e, f}; k2 {d}; k3 {a, b, c}, quiet for 200 days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from graph.records import (
    GraphData,
    MentorshipRecord,
    PersonRecord,
    SkillRecord,
    TeamRecord,
    read_group,
    read_person,
)
from matching.health import (
    HealthScope,
    TeamTies,
    group_health,
    learning_reach,
    mentor_load,
    peer_reciprocity,
    skill_health,
    tie_mix,
)
from matching.health._stats import as_utc, gini, median
from readmodel.store import ReadModel

AS_OF = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def someone(
    pid: str,
    site: str,
    function: str,
    team: str | None,
    *,
    capacity: int = 0,
    skills: dict[str, int] | None = None,
    goals: dict[str, int] | None = None,
    squads: dict[str, str] | None = None,
    communities: tuple[str, ...] = (),
) -> PersonRecord:
    props = {
        "site": site,
        "function": function,
        "mentoring_capacity": capacity,
        "open_to_mentoring": capacity > 0,
    }
    return read_person(
        pid,
        props,
        team=team,
        skills=skills or {},
        goals=goals or {},
        squads=squads or {},
        communities=communities,
    )


def people() -> list[PersonRecord]:
    return [
        someone("a", "A", "voice", "t1", capacity=2, skills={"sql": 5, "empathy": 3},
                goals={"wfm": 1}, communities=("k3",)),
        someone("b", "A", "voice", "t1", capacity=1, skills={"empathy": 4},
                goals={"sql": 1}, communities=("k1", "k3")),
        someone("c", "A", "chat", "t2", skills={"wfm": 4}, goals={"empathy": 2, "sql": 3},
                squads={"q1": "member"}, communities=("k3",)),
        someone("d", "A", "chat", "t2", capacity=1, skills={"qa": 2}, goals={"qa": 1},
                squads={"q2": "lead"}, communities=("k2",)),
        someone("e", "B", "voice", "t3", squads={"q1": "lead"}, communities=("k1",)),
        someone("f", "B", "voice", "t3", capacity=1, skills={"sql": 4},
                goals={"empathy": 1}, communities=("k1",)),
        someone("g", "B", "qa", None, goals={"python": 2}, squads={"q2": "member"}),
        someone("h", "B", "voice", "t4", goals={"qa": 2}),
        someone("i", "B", "voice", "t4"),
    ]  # fmt: skip


def org(*, dates: bool = True) -> ReadModel:
    """The organisation above; with ``dates``, the dates the store adds: two request times
    and c's joining q1."""
    days = dt.timedelta(days=1)
    everyone = people()
    if dates:
        c = everyone[2]
        everyone[2] = read_person(
            "c", {"site": "A", "function": "chat"}, team="t2", skills=c.skills, goals=c.goals,
            squads=c.squads, communities=c.communities, joined={"q1": AS_OF - 5 * days},
        )  # fmt: skip
    asked = {"m5": AS_OF - 2 * days, "m7": AS_OF - 4 * days} if dates else {}
    return ReadModel.build(
        GraphData(
            version=1,
            skills={k: SkillRecord(k, k) for k in ("sql", "empathy", "wfm", "qa", "python")},
            teams={t: TeamRecord(t, t) for t in ("t1", "t2", "t3", "t4")},
            people=everyone,
            mentorships=[
                MentorshipRecord("m1", "a", "b", "active", ("sql",)),
                MentorshipRecord("m2", "a", "c", "active", ("qa",)),
                MentorshipRecord("m3", "f", "a", "ended", ("empathy",)),
                MentorshipRecord("m4", "a", "f", "active", ("sql",)),
                MentorshipRecord("m5", "d", "e", "requested", ("qa",), asked.get("m5")),
                MentorshipRecord("m6", "b", "d", "declined", ("empathy",)),
                MentorshipRecord("m7", "b", "h", "requested", ("empathy",), asked.get("m7")),
            ],
            squads=[
                read_group(
                    "squad",
                    "q1",
                    {"status": "active", "created_at": AS_OF - 10 * days},
                    ("empathy",),
                ),
                read_group(
                    "squad", "q2", {"status": "archived", "created_at": AS_OF - 60 * days}, ("qa",)
                ),
            ],
            communities=[
                read_group("community", "k1", {"created_at": AS_OF - 100 * days}, ("empathy",)),
                read_group("community", "k2", {}, ("qa",)),
                read_group("community", "k3", {"last_activity_at": AS_OF - 200 * days}, ("sql",)),
            ],
        )
    )


SITE_A = HealthScope(site="A")


def test_reach_isolated_and_goal_coverage() -> None:
    r = learning_reach(org())
    # g is only in an archived squad; h has only a request; i has nothing.
    assert r.people == 9 and r.isolated == ("g", "h", "i")
    assert r.isolated_share == pytest.approx(3 / 9)
    # Goals: a, b, c, d, f, g, h. b: m1's focus is b's goal; c: mentor a holds sql at 5
    # (and squad q1 is on empathy). a's mentorship with f ended; d's squad is archived;
    # f's mentor a holds empathy at 3 only; g and h have nobody.
    assert r.with_goals == 7 and r.covered == 2
    assert r.uncovered == ("a", "d", "f", "g", "h")
    assert r.goal_coverage == pytest.approx(2 / 7)


def test_reach_in_scope() -> None:
    r = learning_reach(org(), SITE_A)
    assert (r.people, r.isolated, r.with_goals, r.covered) == (4, (), 4, 2)
    assert r.goal_coverage == 0.5
    assert learning_reach(org(), HealthScope(team="t4")).isolated == ("h", "i")


def test_mentor_load() -> None:
    load = mentor_load(org(), as_of=AS_OF)
    # Mentors: a (capacity 2), b, d, f (capacity 1 each); a holds m1, m2 and m4.
    assert (load.mentors, load.capacity, load.active) == (4, 5, 3)
    assert load.utilisation == pytest.approx(3 / 5)
    assert load.distribution == {0: 3, 3: 1}
    assert load.over_capacity == ("a",) and load.over_capacity_share == 0.25
    assert load.gini == pytest.approx(0.75)  # [0, 0, 0, 3]: 18 / (2 × 4² × 0.75)
    assert load.pending == 2 and load.pending_ages == pytest.approx((4.0, 2.0))
    assert load.pending_median_days == pytest.approx(3.0)
    assert load.pending_oldest_days == pytest.approx(4.0)


def test_mentor_load_without_dates_counts_only() -> None:
    projection = org(dates=False)
    load = mentor_load(projection, HealthScope(site="B"), as_of=AS_OF)
    assert (load.mentors, load.active, load.pending) == (1, 0, 0)  # f, on site B
    assert load.gini == 0.0 and load.pending_median_days is None
    assert mentor_load(projection, SITE_A).pending == 2
    assert mentor_load(projection, SITE_A).pending_ages == ()


def test_skills_supply_demand_risk_and_unteachable() -> None:
    s = skill_health(org())
    balance = {b.skill: (b.holders, b.supply, b.demand) for b in s.balances}
    assert balance == {
        "sql": (2, 2, 2),
        "empathy": (2, 1, 2),
        "wfm": (1, 1, 1),
        "qa": (1, 0, 2),
        "python": (0, 0, 1),
    }
    assert [b.skill for b in s.balances] == ["qa", "empathy", "python", "sql", "wfm"]
    assert s.at_risk == ("qa", "empathy", "python", "wfm")
    assert s.unteachable == ("qa", "python")
    assert (s.goals, s.goals_unteachable) == (8, 3)
    assert s.goals_unteachable_share == pytest.approx(3 / 8)
    assert skill_health(org(), bus_factor=1).at_risk == ("qa", "python")


def test_skills_in_scope() -> None:
    s = skill_health(org(), SITE_A)
    balance = {b.skill: (b.holders, b.supply, b.demand) for b in s.balances}
    assert balance == {
        "sql": (1, 1, 2),
        "empathy": (2, 1, 1),
        "wfm": (1, 1, 1),
        "qa": (1, 0, 1),
    }
    assert s.unteachable == ("qa",)


def test_ties_across_teams_functions_and_sites() -> None:
    t = tie_mix(org())
    # Ties: a-b, a-c, a-f (m3 and m4, once), c-e (q1), d-g (q2, archived but formed).
    assert t.within == 5 and t.cross_scope == 0
    assert (t.cross_team, t.cross_function, t.cross_site) == (4, 3, 3)
    assert t.cross_team_share == 0.8 and t.cross_function_share == 0.6
    assert t.cross_site_share == 0.6
    assert t.teams == (
        TeamTies("t1", 2, 1, 2),
        TeamTies("t2", 2, 0, 3),
        TeamTies("t3", 2, 0, 2),
        TeamTies("t4", 2, 0, 0),
    )
    assert t.silos == ("t4",)


def test_ties_in_scope_and_cross_scope() -> None:
    t = tie_mix(org(), SITE_A)
    assert (t.within, t.cross_scope) == (2, 3)  # a-b, a-c inside; a-f, c-e, d-g leave
    assert (t.cross_team_share, t.cross_function_share, t.cross_site_share) == (0.5, 0.5, 0.0)
    assert [team.team for team in t.teams] == ["t1", "t2"] and t.silos == ()


def test_silo_and_ei_index() -> None:
    inward = TeamTies("x", members=5, inside=3, outside=1)
    assert inward.silo and inward.ei_index == -0.5
    assert not TeamTies("y", members=5, inside=1, outside=1).silo
    assert not TeamTies("z", members=1, inside=0, outside=0).silo  # one person is no team
    assert TeamTies("w", members=4, inside=0, outside=0).ei_index == 0.0


def test_reciprocity() -> None:
    r = peer_reciprocity(org())
    # a-c: mentee c holds wfm at 4, a's goal. a-f: mentorships both ways. a-b: b holds
    # empathy at 4, but a does not want it.
    assert (r.pairs, r.mutual) == (3, 1)
    assert r.exchanges == (("a", "c"), ("a", "f"))
    assert r.share == pytest.approx(2 / 3)
    assert peer_reciprocity(org(), SITE_A).exchanges == (("a", "c"),)
    assert peer_reciprocity(org(), SITE_A).pairs == 2


def test_groups() -> None:
    h = group_health(org(), as_of=AS_OF)
    squads, communities = h.squads, h.communities
    assert [(q.id, q.size, dict(q.functions), q.inactive) for q in squads.groups] == [
        ("q1", 2, {"chat": 1, "voice": 1}, False),
        ("q2", 2, {"chat": 1, "qa": 1}, True),
    ]
    assert squads.inactive == ("q2",) and squads.active == 1
    assert (squads.mean_size, squads.mean_functions, squads.cross_functional_share) == (2, 2, 1)
    # Only c's membership of q1 is dated; q1 was created 10 days ago, q2 60.
    g = squads.growth
    assert (g.joined_30d, g.joined_90d, g.created_30d, g.created_90d) == (1, 1, 1, 2)
    # k2 has one member; k3 has been quiet for 200 days.
    assert communities.inactive == ("k2", "k3") and communities.active == 1
    assert (communities.mean_size, communities.mean_functions) == (3, 1)
    assert communities.cross_functional_share == 0.0
    g = communities.growth
    assert (g.joined_30d, g.joined_90d, g.created_30d, g.created_90d) == (None, None, 0, 0)


def test_groups_in_scope() -> None:
    h = group_health(org(), HealthScope(site="B"), as_of=AS_OF)
    assert [q.id for q in h.squads.groups] == ["q1", "q2"]  # e and g are on site B
    assert h.squads.growth.joined_30d == 0  # c's membership is outside the scope
    assert [c.id for c in h.communities.groups] == ["k1"]
    assert group_health(org(), HealthScope(team="t4")).squads.groups == ()


def test_gini_by_hand() -> None:
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0 and gini([2, 2, 2]) == 0.0
    # |1−3| + |3−1| = 4 over 2 × 2² × mean 2.
    assert gini([1, 3]) == pytest.approx(4 / 16)
    # Pairs of [1, 2, 3, 4]: differences 1,2,3,1,2,1 twice = 20, over 2 × 16 × 2.5.
    assert gini([4, 1, 3, 2]) == pytest.approx(20 / 80)
    assert gini([0, 0, 0, 0, 10]) == pytest.approx(0.8)


def test_median_and_timestamps() -> None:
    assert median([]) is None and median([3.0, 1.0, 2.0]) == 2.0 and median([1.0, 2.0]) == 1.5
    naive = dt.datetime(2026, 1, 1, 12)
    assert as_utc(naive) == naive.replace(tzinfo=dt.UTC)
    assert as_utc("2026-01-01T13:00:00+01:00") == naive.replace(tzinfo=dt.UTC)
    assert as_utc("not a date") is None and as_utc(None) is None and as_utc(42) is None


def test_metrics_follow_changes_to_the_projection() -> None:
    projection = org()
    assert learning_reach(projection).isolated == ("g", "h", "i")
    i = projection.people["i"]
    projection.apply(
        GraphData(
            version=2,
            people=[i],
            mentorships=[MentorshipRecord("m8", "f", "i", "active", ("sql",))],
        ),
        people=["i"],
    )
    assert learning_reach(projection).isolated == ("g", "h")


def test_someone_known_only_as_a_manager_is_not_measured() -> None:
    projection = ReadModel.build(
        GraphData(
            version=1,
            people=[read_person("x", {}, manager="boss")],
            mentorships=[MentorshipRecord("m", "x", "boss", "active")],
        )
    )
    assert learning_reach(projection).isolated == ("x",)
    assert tie_mix(projection).within == 0 and peer_reciprocity(projection).pairs == 0
    assert mentor_load(projection).active == 0
