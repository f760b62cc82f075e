"""Mentoring impact on a small organisation, every figure worked out by hand.

Everyone is in function ``voice`` at site A unless said. ``sql`` levels, with their
recorded changes (date → level; "no history" means held as it is now, at every moment)::

    ana   2025-12-20 → 2, 2026-03-01 → 3        mentee of M1 (sql)
    bo    2025-11-01 → 1, 2026-01-10 → 2, 2026-04-01 → 3     mentee of M2 (sql, wfm)
    cy    2, no history, site B                 mentee of M3 (sql), active
    c1    2025-12-01 → 2, 2026-03-01 → 4
    c2    2, no history                         asked for sql (M6), was declined
    c3    2, no history
    c4    2025-06-01 → 2, 2026-05-01 → 3
    c5    2026-01-20 → 2, 2026-02-10 → 3
    c6    2, no history, function chat
    c7    3, no history
    c8    2026-02-15 → 2
    d1    1, no history
    d2    1, no history
    d3    2025-10-01 → 1, 2026-02-02 → 2        asked for sql (M7), expired
    d4    2025-10-01 → 1, 2026-01-01 → 3
    d5    1, no history; wants wfm
    zed   5, no history                         mentor of everyone

Mentorships (report at 2026-06-01):

    M1 zed→ana sql       requested 01-30 00:00, answered 02-01 00:00 (48 h), ended 03-15, rated 5
    M2 zed→bo  sql, wfm  requested 2025-11-30 12:00, answered 12-01 00:00 (12 h), ended 01-15, rated 3
    M3 zed→cy  sql       requested 04-30 00:00, answered 05-01 00:00 (24 h), active
    M4 zed→d1  sql       requested 05-30, pending (expires 06-10)
    M5 zed→d2  sql       requested 05-01, still 'requested' but expired 05-20
    M6 zed→c2  sql       requested 04-01 00:00, declined 04-02 06:00 (30 h)
    M7 zed→d3  sql       expired
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pytest

from graph.records import GraphData, LevelChange, MentorshipRecord, SkillRecord, read_person
from matching.health import (
    HealthScope,
    flatten,
    mentorship_impact,
    network_health,
)
from matching.health._stats import median
from matching.paths import levels_as_of
from readmodel.store import ReadModel

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def day(y: int, m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


SQL: dict[str, tuple[int, list[tuple[dt.datetime, int]]]] = {
    "ana": (3, [(day(2025, 12, 20), 2), (day(2026, 3, 1), 3)]),
    "bo": (3, [(day(2025, 11, 1), 1), (day(2026, 1, 10), 2), (day(2026, 4, 1), 3)]),
    "cy": (2, []),
    "c1": (4, [(day(2025, 12, 1), 2), (day(2026, 3, 1), 4)]),
    "c2": (2, []),
    "c3": (2, []),
    "c4": (3, [(day(2025, 6, 1), 2), (day(2026, 5, 1), 3)]),
    "c5": (3, [(day(2026, 1, 20), 2), (day(2026, 2, 10), 3)]),
    "c6": (2, []),
    "c7": (3, []),
    "c8": (2, [(day(2026, 2, 15), 2)]),
    "d1": (1, []),
    "d2": (1, []),
    "d3": (2, [(day(2025, 10, 1), 1), (day(2026, 2, 2), 2)]),
    "d4": (3, [(day(2025, 10, 1), 1), (day(2026, 1, 1), 3)]),
    "d5": (1, []),
    "zed": (5, []),
}


def small_org() -> ReadModel:
    people = [
        read_person(
            pid,
            {"site": "B" if pid == "cy" else "A", "function": "chat" if pid == "c6" else "voice"},
            skills={"sql": level},
            goals={"wfm": 1} if pid == "d5" else {},
            history=[LevelChange(at, "sql", lv, "profile") for at, lv in changes],
        )
        for pid, (level, changes) in SQL.items()
    ]
    ms = [
        MentorshipRecord("M1", "zed", "ana", "ended", ("sql",), day(2026, 1, 30),
                         responded_at=day(2026, 2, 1), ended_at=day(2026, 3, 15), rating=5),
        MentorshipRecord("M2", "zed", "bo", "ended", ("sql", "wfm"), day(2025, 11, 30, 12),
                         responded_at=day(2025, 12, 1), ended_at=day(2026, 1, 15), rating=3),
        MentorshipRecord("M3", "zed", "cy", "active", ("sql",), day(2026, 4, 30),
                         responded_at=day(2026, 5, 1)),
        MentorshipRecord("M4", "zed", "d1", "requested", ("sql",), day(2026, 5, 30),
                         expires_at=day(2026, 6, 10)),
        MentorshipRecord("M5", "zed", "d2", "requested", ("sql",), day(2026, 5, 1),
                         expires_at=day(2026, 5, 20)),
        MentorshipRecord("M6", "zed", "c2", "declined", ("sql",), day(2026, 4, 1),
                         responded_at=day(2026, 4, 2, 6)),
        MentorshipRecord("M7", "zed", "d3", "expired", ("sql",), day(2026, 3, 1)),
    ]  # fmt: skip
    skills = {k: SkillRecord(k, k) for k in ("sql", "wfm")}
    return ReadModel.build(GraphData(version=1, people=people, skills=skills, mentorships=ms))


def test_gain_against_comparable_people_by_hand() -> None:
    impact = mentorship_impact(small_org(), as_of=AS_OF)
    # Items: ana/sql (M1), bo/sql and bo/wfm (M2), cy/sql (M3); M4–M7 never became active.
    assert impact.items == 4
    # ana/sql, start 02-01 at level 2, end 03-15 at 3: gain 1. Comparable (voice, not
    # mentored on sql, level 2 on 02-01): c1 (2 → 4 by 03-15: +2), c2 (declined, still
    # comparable: 0), c3 (0), c4 (2 → 2: 0), c5 (2 → 3: +1) = 5 people, mean 3/5 = 0.6.
    # Not: c6 (chat), c7 (3), c8 (first recorded 02-15: 0 then), d3 (1), zed (5), bo (mentored).
    # bo/sql, start 2025-12-01 at 1, end 01-15 at 2: gain 1; 90 days after the end (04-15)
    # at 3: gain 2. Comparable at 1 on 12-01: d1 (0, 0), d2 (0, 0), d3 (1 → 1: 0; → 2: +1),
    # d4 (1 → 3: +2, +2), d5 (0, 0) = 5: during 2/5 = 0.4, after 3/5 = 0.6.
    # (c1's change to 2 is dated 12-01 00:00, the start itself: at 2 then, not comparable.)
    # bo/wfm: level 0, comparable only d5 (wants wfm) → 1 < 5: left out.
    # cy/sql, start 05-01 at 2: comparable c2, c3, d3, c8 (c4 reached 3 on 05-01) = 4: left out.
    assert impact.left_out == 2
    d = impact.during
    assert d.items == 2
    assert d.mentored_gain == pytest.approx((1 + 1) / 2)  # 1.0
    assert d.comparison_gain == pytest.approx((0.6 + 0.4) / 2)  # 0.5
    assert d.difference == pytest.approx(0.5)
    a = impact.after  # bo/sql only: M1 ended 03-15, 90 days on is past 06-01
    assert a.items == 1
    assert a.mentored_gain == 2 and a.comparison_gain == pytest.approx(0.6)
    assert a.difference == pytest.approx(1.4)
    cells = {(c.skill, c.function, c.start_level): c for c in impact.cells}
    assert list(cells) == [("sql", "voice", 1), ("sql", "voice", 2)]
    one, two = cells[("sql", "voice", 1)], cells[("sql", "voice", 2)]
    assert (one.items, one.comparable, one.during.comparison_gain) == (1, 5, pytest.approx(0.4))
    assert one.after.comparison_gain == pytest.approx(0.6)
    assert (two.items, two.comparable, two.after.items) == (1, 5, 0)
    assert two.after.mentored_gain is None and two.after.difference is None


def test_ratings_and_response_times_by_hand() -> None:
    impact = mentorship_impact(small_org(), as_of=AS_OF)
    r = impact.ratings
    # Ended with a rating: M1 (5), M2 (3): mean 4.
    assert (r.count, r.mean, r.distribution) == (2, 4.0, (0, 0, 1, 0, 1))
    s = impact.responses
    # Answered: M1 48 h, M2 12 h, M3 24 h, M6 30 h (declined counts as answered);
    # expired: M5 (past expires_at), M7; pending: M4. Share: 4 / (4 + 2).
    assert (s.requests, s.answered, s.expired, s.pending) == (7, 4, 2, 1)
    assert s.answered_share == pytest.approx(4 / 6)
    # Hours sorted 12, 24, 30, 48: median (24 + 30) / 2 = 27; p90 at rank 0.9 × 3 = 2.7,
    # 30 + 0.7 × (48 − 30) = 42.6.
    assert s.median_hours == 27.0 and s.p90_hours == pytest.approx(42.6)


def test_scope_admits_mentees_but_compares_with_everyone() -> None:
    model = small_org()
    b = mentorship_impact(model, HealthScope(site="B"), as_of=AS_OF)
    # Only cy is at site B: one item, left out (4 comparable, all at site A).
    assert (b.items, b.left_out, b.during.items, b.during.mentored_gain) == (1, 1, 0, None)
    assert b.ratings.count == 0 and b.responses.answered == 1  # M3, 24 h
    a = mentorship_impact(model, HealthScope(site="A"), as_of=AS_OF)
    assert (a.items, a.left_out, a.during.items) == (3, 1, 2)
    assert a.responses.median_hours == 30.0  # 12, 30, 48


def test_impact_columns_in_the_flat_report() -> None:
    model = small_org()
    flat = flatten(network_health(model, heavy=False, as_of=AS_OF, impact=model))
    assert flat["impact.items"] == 4 and flat["impact.compared"] == 2
    assert flat["impact.left_out"] == 2
    assert flat["impact.mentored_gain"] == pytest.approx(1.0)
    assert flat["impact.difference"] == pytest.approx(0.5)
    assert flat["impact.after_difference"] == pytest.approx(1.4)
    assert flat["impact.rating_mean"] == 4.0 and flat["impact.response_p90_hours"] == 42.6
    without = flatten(network_health(model, heavy=False, as_of=AS_OF))
    assert all(math.isnan(v) for k, v in without.items() if k.startswith("impact."))


# -- the oracle: the definition as a plain loop, on random organisations ----------------


class Change(NamedTuple):
    """A recorded level change, as ``levels_as_of`` reads it (at, skill, new level)."""

    at: dt.datetime
    skill: str
    level: int


@dataclass(frozen=True)
class Person:
    """Only what the report reads of a person (:class:`PersonLike`), nothing of the graph."""

    id: str
    function: str
    site: str
    team: str | None = None
    skills: dict[str, int] = field(default_factory=dict)
    goals: frozenset[str] = frozenset()
    history: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Mentorship:
    """Only what the report reads of a mentorship (:class:`MentorshipLike`)."""

    id: str
    mentor: str
    mentee: str
    status: str
    focus: tuple[str, ...] = ()
    requested_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    rating: int | None = None


@dataclass
class Source:
    """People and mentorships by id (:class:`ImpactSource`), as the read model holds them."""

    people: dict[str, Person]
    mentorships: dict[str, Mentorship]


def plain(data: Source, scope: HealthScope, now: dt.datetime, lag: int, least: int):  # type: ignore[no-untyped-def]
    """The docstring's definitions, walked person by person with ``levels_as_of``."""
    people = data.people

    def level(pid: str, skill: str, when: dt.datetime) -> int:
        p = people[pid]
        return levels_as_of(p.skills, p.history, when).get(skill, 0)

    ms = [m for m in data.mentorships.values() if m.mentee in people]
    formed = [m for m in ms if m.status in ("active", "ended") and m.responded_at is not None]
    mentored = {(m.mentee, s) for m in formed for s in m.focus}
    found = []
    for m in sorted(formed, key=lambda m: m.id):
        e = people[m.mentee]
        if not scope.admits(e.site, e.team, e.function):
            continue
        start = m.responded_at
        assert start is not None
        end = m.ended_at if m.status == "ended" else now
        assert end is not None
        for skill in dict.fromkeys(m.focus):
            at = level(m.mentee, skill, start)
            comparable = [
                c
                for c, p in sorted(people.items())
                if c != m.mentee
                and p.function == e.function
                and (c, skill) not in mentored
                and (skill in p.skills or skill in p.goals or any(h[1] == skill for h in p.history))
                and level(c, skill, start) == at
            ]
            if len(comparable) < least:
                found.append(None)
                continue
            moments = [end] + ([end + dt.timedelta(days=lag)] if m.status == "ended" else [])
            gains = []
            for t in moments:
                if t > now:
                    break
                mine = level(m.mentee, skill, t) - at
                theirs = np.mean([level(c, skill, t) - at for c in comparable])
                gains.append((mine, float(theirs)))
            found.append(gains)
    return found


def random_input(rng: random.Random) -> Source:
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    skills = ["sql", "wfm", "qa"]
    people = {}
    for i in range(rng.randint(5, 40)):
        pid = f"p{i:02d}"
        history = []
        for s in rng.sample(skills, rng.randint(0, 2)):
            for when in sorted(rng.sample(range(500), rng.randint(1, 3))):
                history.append(Change(base + dt.timedelta(days=when), s, rng.randint(0, 5)))
        history.sort()
        last = {s: lv for _, s, lv in history}  # the last change is the level now
        now_levels = {s: lv for s, lv in last.items() if lv > 0}
        for s in skills:
            if s not in {h[1] for h in history} and rng.random() < 0.4:
                now_levels[s] = rng.randint(1, 5)
        people[pid] = Person(
            id=pid,
            function=rng.choice(["voice", "chat"]),
            site=rng.choice(["A", "B"]),
            skills=now_levels,
            goals=frozenset(rng.sample(skills, rng.randint(0, 1))),
            history=tuple(history),
        )
    ids = sorted(people)
    mentorships = {}
    for j in range(rng.randint(0, 25)):
        start = base + dt.timedelta(days=rng.randint(0, 480), hours=rng.randint(0, 23))
        status = rng.choice(["active", "ended", "ended", "requested", "declined"])
        ended = start + dt.timedelta(days=rng.randint(1, 200)) if status == "ended" else None
        if ended is not None:
            ended = min(ended, dt.datetime(2026, 5, 31, tzinfo=dt.UTC))  # before the report
        mentorships[f"m{j}"] = Mentorship(
            id=f"m{j}",
            mentor=rng.choice(ids),
            mentee=rng.choice(ids),
            status=status,
            focus=tuple(rng.sample(skills, rng.randint(1, 2))),
            requested_at=start - dt.timedelta(hours=rng.randint(1, 90)),
            responded_at=None if status == "requested" else start,
            ended_at=ended,
            rating=rng.randint(1, 5) if status == "ended" else None,
        )
    return Source(people=people, mentorships=mentorships)


@pytest.mark.parametrize("seed", range(40))
def test_the_arrays_agree_with_a_plain_loop(seed: int) -> None:
    rng = random.Random(seed)
    data = random_input(rng)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for scope in (HealthScope(), HealthScope(site="A"), HealthScope(function="chat")):
        least = rng.choice([1, 2, 5])
        got = mentorship_impact(data, scope, as_of=now, after_days=90, min_comparison=least)
        expected = plain(data, scope, now, 90, least)
        assert got.items == len(expected)
        assert got.left_out == sum(e is None for e in expected)
        during = [e[0] for e in expected if e]
        after = [e[1] for e in expected if e and len(e) > 1]
        for result, pairs in ((got.during, during), (got.after, after)):
            assert result.items == len(pairs)
            if pairs:
                assert result.mentored_gain == pytest.approx(np.mean([p[0] for p in pairs]))
                assert result.comparison_gain == pytest.approx(np.mean([p[1] for p in pairs]))
            else:
                assert result.mentored_gain is None
        hours = [
            (m.responded_at - m.requested_at).total_seconds() / 3600
            for m in data.mentorships.values()
            if m.responded_at and m.requested_at and scope.admits(
                data.people[m.mentee].site, None, data.people[m.mentee].function
            )
        ]  # fmt: skip
        assert got.responses.median_hours == median(hours)
