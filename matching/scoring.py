"""The complementarity score of a (mentor, mentee) pair, with the explanation behind it.

This module is the definition: :mod:`matching.mentor_index` computes the same
numbers with numpy for many candidates at once, and the tests hold the two equal.

For each skill the mentee wants (goal priority 1–3, weighted by
:attr:`Weights.priority`), the mentor earns ``(mentor level − mentee level) / 5``
when they hold it at :attr:`Weights.teach_level` or above and ahead of the mentee;
through a *related* skill held the same way they earn :attr:`Weights.related_credit`
times that. A goal earns the larger of the two (ties go to the skill itself), so
holding a skill directly never lowers a mentor's score. Learning is the weighted
mean over the mentee's goals, 0 to 1. To it are added a **reciprocity** bonus (the
same measure the other way round: what the mentee can teach the mentor; counted only
when the mentor shares their goals, since it reads them), and **preferences**: overlap
of working hours (shift and time zone), the mentor speaking the mentee's first language, and
pairing across teams and functions. The sum is multiplied by the mentor's
**responsiveness**, ``(answered + 2) / (answered + expired + 2)``, so mentors who
let requests expire rank lower.

Hard constraints exclude a mentor outright (:class:`Exclusion`): oneself, not open
to mentoring, no spare capacity, an open mentorship already between the two, either
of them in the other's reporting line (above or below), or nothing to teach.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

from matching.profiles import Profile, Profiles

MAX_LEVEL = 5

SHIFT_HOURS: Mapping[str, tuple[int, int]] = {"day": (8, 16), "evening": (16, 24), "night": (0, 8)}
"""Local working hours of each shift; overlap is compared in UTC."""

_REFERENCE_DAY = dt.datetime(2026, 1, 15, 12)
"""Offsets are taken on one fixed day so scores do not move with daylight saving."""


@dataclass(frozen=True)
class Weights:
    """How much each part of the score counts. The defaults are documented in docs/matching.md."""

    priority: Mapping[int, float] = field(default_factory=lambda: {1: 1.0, 2: 0.6, 3: 0.3})
    """Weight of a goal by its priority (1 is the most wanted)."""
    teach_level: int = 3
    """The lowest level at which someone teaches a skill."""
    related_credit: float = 0.5
    """Share of the credit a related skill earns; a goal takes the better of direct and related."""
    reciprocity: float = 0.25
    """Bonus for each unit of what the mentee can teach the mentor back (0–1)."""
    shift_overlap: float = 0.15
    """Bonus for fully overlapping working hours (pro rata)."""
    shared_language: float = 0.1
    """Bonus when the mentor speaks the mentee's first language."""
    cross_team: float = 0.05
    """Bonus for a mentor from another team."""
    cross_function: float = 0.05
    """Bonus for a mentor from another function."""

    def goal_weight(self, priority: int) -> float:
        """The weight of a goal of this priority (unknown priorities count as the lowest)."""
        return self.priority.get(priority, min(self.priority.values()))


DEFAULT_WEIGHTS = Weights()


class Exclusion(enum.Enum):
    """Why a mentor can never be suggested to a mentee."""

    SELF = "self"
    NOT_OPEN = "not_open"
    NO_CAPACITY = "no_capacity"
    EXISTING_PAIR = "existing_pair"
    REPORTING_LINE = "reporting_line"
    NOTHING_TO_TEACH = "nothing_to_teach"


@dataclass(frozen=True)
class SkillMatch:
    """One goal skill the teacher can help with, and what it earned."""

    skill: str
    teacher_level: int
    """The teacher's level in ``via`` if given, else in ``skill``."""
    learner_level: int
    """The learner's level in ``skill`` (0 if they do not hold it)."""
    priority: int
    points: float
    """This skill's share of the learning score (the learning score is their sum)."""
    via: str | None = None
    """The related skill that earned partial credit, if the skill itself did not."""


@dataclass(frozen=True)
class Preference:
    """A preference that added to the score."""

    name: str
    points: float
    detail: str


@dataclass(frozen=True)
class PairScore:
    """A scored (mentor, mentee) pair and everything that went into the score."""

    mentor: str
    mentee: str
    score: float
    learning: float
    matched: tuple[SkillMatch, ...]
    """What the mentor teaches the mentee: exactly the goal skills that scored."""
    reciprocity: float
    taught_back: tuple[SkillMatch, ...]
    """What the mentee can teach the mentor (the mentor's goals)."""
    preferences: tuple[Preference, ...]
    responsiveness: float


def teaching(
    teacher: Profile, learner: Profile, profiles: Profiles, weights: Weights = DEFAULT_WEIGHTS
) -> tuple[float, tuple[SkillMatch, ...]]:
    """How much ``teacher`` covers of what ``learner`` wants (0–1), skill by skill."""
    total = sum(weights.goal_weight(p) for p in learner.goals.values())
    if total <= 0:
        return 0.0, ()
    matches: list[SkillMatch] = []
    for key, priority in sorted(learner.goals.items()):
        own = learner.skills.get(key, 0)
        best, via, level = 0.0, None, 0
        direct = teacher.skills.get(key, 0)
        if direct >= weights.teach_level and direct > own:
            best, level = (direct - own) / MAX_LEVEL, direct
        for other in sorted(profiles.related.get(key, ())):
            held = teacher.skills.get(other, 0)
            if held >= weights.teach_level and held > own:
                credit = weights.related_credit * (held - own) / MAX_LEVEL
                if credit > best:
                    best, via, level = credit, other, held
        if best > 0:
            points = weights.goal_weight(priority) * best / total
            matches.append(SkillMatch(key, level, own, priority, points, via))
    return sum(m.points for m in matches), tuple(matches)


def exclusion(mentor: Profile, mentee: Profile, profiles: Profiles) -> Exclusion | None:
    """The hard constraint that rules ``mentor`` out for ``mentee``, if any (before skills)."""
    if mentor.id == mentee.id:
        return Exclusion.SELF
    if not mentor.open_to_mentoring:
        return Exclusion.NOT_OPEN
    if mentor.spare <= 0:
        return Exclusion.NO_CAPACITY
    if mentor.id in mentee.partners:
        return Exclusion.EXISTING_PAIR
    if in_reporting_line(mentor.id, mentee.id, profiles):
        return Exclusion.REPORTING_LINE
    return None


def in_reporting_line(a: str, b: str, profiles: Profiles) -> bool:
    """Whether either person is above the other in their reporting line.

    Managers neither mentor their reports nor learn from them, however many levels apart.
    """
    return a in profiles.reporting_line(b) or b in profiles.reporting_line(a)


def responsiveness(mentor: Profile) -> float:
    """Share of requests a mentor answered, smoothed so a new mentor starts at 1."""
    return (mentor.answered + 2) / (mentor.answered + mentor.expired + 2)


@functools.lru_cache(maxsize=256)
def _utc_hours(shift: str, timezone: str) -> frozenset[int]:
    """The half-hours of a day (0–47, UTC) a shift in a time zone covers."""
    hours = SHIFT_HOURS.get(shift)
    if hours is None:
        return frozenset()
    try:
        offset = zoneinfo.ZoneInfo(timezone).utcoffset(_REFERENCE_DAY)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return frozenset()
    shift_by = round((offset or dt.timedelta()).total_seconds() / 1800)
    return frozenset((h * 2 + i - shift_by) % 48 for h in range(*hours) for i in (0, 1))


def shift_overlap(a: Profile, b: Profile) -> float:
    """Share of a shift two people work at the same time (0–1)."""
    if not (a.shift and a.timezone and b.shift and b.timezone):
        return 0.0
    mine, theirs = _utc_hours(a.shift, a.timezone), _utc_hours(b.shift, b.timezone)
    if not mine or not theirs:
        return 0.0
    return len(mine & theirs) / max(len(mine), len(theirs))


def preferences(
    mentor: Profile, mentee: Profile, weights: Weights = DEFAULT_WEIGHTS
) -> tuple[Preference, ...]:
    """The preference bonuses that apply to this pair."""
    found: list[Preference] = []
    overlap = shift_overlap(mentor, mentee)
    if overlap > 0 and weights.shift_overlap:
        found.append(
            Preference(
                "shift_overlap",
                weights.shift_overlap * overlap,
                f"{overlap:.0%} of working hours overlap "
                f"({mentor.shift}, {mentor.timezone} / {mentee.shift}, {mentee.timezone})",
            )
        )
    if mentee.languages and mentee.languages[0] in mentor.languages and weights.shared_language:
        found.append(
            Preference(
                "shared_language", weights.shared_language, f"both speak {mentee.languages[0]}"
            )
        )
    if mentor.team != mentee.team and weights.cross_team:
        found.append(Preference("cross_team", weights.cross_team, "from another team"))
    if mentor.function != mentee.function and weights.cross_function:
        found.append(
            Preference(
                "cross_function",
                weights.cross_function,
                f"{mentor.function} mentoring {mentee.function}",
            )
        )
    return tuple(found)


def score_pair(
    mentor: Profile, mentee: Profile, profiles: Profiles, weights: Weights = DEFAULT_WEIGHTS
) -> PairScore | Exclusion:
    """The pair's score with its explanation, or why the pair is excluded."""
    excluded = exclusion(mentor, mentee, profiles)
    if excluded is not None:
        return excluded
    learning, matched = teaching(mentor, mentee, profiles, weights)
    if learning <= 0:
        return Exclusion.NOTHING_TO_TEACH
    # What the mentor would learn back counts only with the mentor's consent: it reads their
    # goals, and explanations would show them to the mentee.
    reciprocity, taught_back = (
        teaching(mentee, mentor, profiles, weights) if mentor.shares_goals else (0.0, ())
    )
    prefs = preferences(mentor, mentee, weights)
    factor = responsiveness(mentor)
    base = learning + weights.reciprocity * reciprocity + sum(p.points for p in prefs)
    return PairScore(
        mentor=mentor.id,
        mentee=mentee.id,
        score=base * factor,
        learning=learning,
        matched=matched,
        reciprocity=reciprocity,
        taught_back=taught_back,
        preferences=prefs,
        responsiveness=factor,
    )


def mentor_preference(pair: PairScore, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """How much a mentor would want this mentee: fit with their expertise, and what they get back.

    The stable assignment lets mentors rank mentees by this, and mentees rank mentors by
    the pair score.
    """
    return pair.learning + (1.0 + weights.reciprocity) * pair.reciprocity
