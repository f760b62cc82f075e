"""Impact of mentoring: skill-level gain on focus skills against comparable people, and feedback.

Pure: it reads the read model's own records (:class:`ImpactSource`: each person's levels,
goals and dated level changes, every mentorship's dates), described here as protocols so
this layer imports neither ``graph`` nor ``readmodel``; it copies none of them.

Definitions (``docs/health.md``, *Impact*, says the same in prose):

- **Level at a moment** of a person in a skill: the level of their last recorded change
  (``LEVEL_CHANGE``) in that skill at or before the moment; 0 when every recorded change
  comes later (not held then); their level now when no change of the skill is recorded
  (held as it is now, so no gain can show). The same rule as a growth path's progress.
- **Item**: one focus skill of one mentorship that became active (``responded_at`` set,
  status active or ended) whose mentee is in scope. Its window runs from ``responded_at``
  (*start*) to ``ended_at`` (ended) or the report's moment (active: *end*). *Gain during*:
  level at end − level at start. *Gain after*: level ``after_days`` after the end − level
  at start, for ended mentorships whose end is at least ``after_days`` old.
- **Comparable people** of an item: anyone but the mentee with the mentee's function who
  is *connected* to the skill (holds it now, wants it now, or has a recorded change in it),
  was never the mentee of an active or ended mentorship with the skill in its focus, and
  was at the mentee's starting level at the start. Their gain is taken over the item's
  own window. Drawn from the whole organisation, whatever the scope.
- An item with fewer than ``min_comparison`` comparable people is **left out** (counted).
  For the rest, *mentored gain* is the mean gain of the items; *comparison gain* is the
  mean over the items of the mean gain of each item's comparable people (each item
  weighs the same); *difference* is mentored − comparison.
- **Ratings**: of ended mentorships in scope (mentee in scope) that carry one: count,
  mean, and how many of each 1–5.
- **Responses**: requests in scope (mentee in scope). *Answered*: accepted or declined
  (``responded_at`` set); *unanswered*: expired. Share answered: answered over answered
  and expired (requests still pending are not counted yet). Hours from ``requested_at``
  to ``responded_at`` of answered requests that record both: median, and 90th percentile
  (linear between closest ranks, as ``numpy.percentile``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Protocol

import numpy as np

from matching.health._stats import median, share
from matching.health.scope import ORGANISATION, HealthScope

AFTER_DAYS = 90
"""How long after a mentorship ends its lasting gain is read."""
MIN_COMPARISON = 5
"""Items with fewer comparable people are left out."""
FORMED = frozenset({"active", "ended"})
_SKILL = attrgetter("skill")


class LevelChangeLike(Protocol):
    """One recorded change of a person's level in a skill (``graph.records.LevelChange``)."""

    @property
    def at(self) -> dt.datetime:
        """When the level changed."""

    @property
    def skill(self) -> str:
        """The skill's key."""

    @property
    def level(self) -> int:
        """The new level; 0 when the skill was removed."""


class PersonLike(Protocol):
    """What the report reads of one person (``graph.records.PersonRecord``)."""

    @property
    def id(self) -> str:
        """The person's id."""

    @property
    def function(self) -> str:
        """Their function (voice, chat, ...): comparable people share it."""

    @property
    def site(self) -> str:
        """Their site (scope)."""

    @property
    def team(self) -> str | None:
        """Their team's id, if any (scope)."""

    @property
    def skills(self) -> Mapping[str, int]:
        """Skill key to level now."""

    @property
    def goals(self) -> Collection[str]:
        """The keys of the skills they want."""

    @property
    def history(self) -> Sequence[LevelChangeLike]:
        """Every recorded change of a skill level, oldest first."""


class MentorshipLike(Protocol):
    """What the report reads of a mentorship (``graph.records.MentorshipRecord``)."""

    @property
    def id(self) -> str:
        """The mentorship's id."""

    @property
    def mentor(self) -> str:
        """The mentor's id."""

    @property
    def mentee(self) -> str:
        """The mentee's id."""

    @property
    def status(self) -> str:
        """Its status as stored (a request past its expiry may still read ``requested``)."""

    @property
    def focus(self) -> Sequence[str]:
        """The focus skills' keys."""

    @property
    def requested_at(self) -> dt.datetime | None:
        """When it was requested."""

    @property
    def responded_at(self) -> dt.datetime | None:
        """When the mentor accepted or declined (``None``: not yet, or expired)."""

    @property
    def ended_at(self) -> dt.datetime | None:
        """When it ended."""

    @property
    def expires_at(self) -> dt.datetime | None:
        """When an unanswered request expires."""

    @property
    def rating(self) -> int | None:
        """The mentee's rating (1–5) at the end, if given."""


class ImpactSource(Protocol):
    """Everyone and every mentorship by id: the read model itself (``readmodel.ReadModel``)."""

    @property
    def people(self) -> Mapping[str, PersonLike]:
        """Every person by id."""

    @property
    def mentorships(self) -> Mapping[str, MentorshipLike]:
        """Every mentorship by id."""


def skill_changes(person: PersonLike, skill: str) -> tuple[list[dt.datetime], list[int]]:
    """The moments and levels of ``person``'s recorded changes in ``skill``, oldest first."""
    times: list[dt.datetime] = []
    levels: list[int] = []
    for change in person.history:
        if change.skill == skill:
            times.append(change.at)
            levels.append(change.level)
    return times, levels


def level_at(person: PersonLike, skill: str, when: dt.datetime) -> int:
    """The level ``person`` held in ``skill`` at ``when`` (module docstring: *level at a moment*)."""
    times, levels = skill_changes(person, skill)
    if not times:
        return person.skills.get(skill, 0)
    index = bisect.bisect_right(times, when)
    return levels[index - 1] if index else 0


@dataclass(frozen=True)
class GainComparison:
    """Mean gain of mentored items against their comparable people's."""

    items: int
    """Items compared."""
    mentored_gain: float | None
    comparison_gain: float | None

    @property
    def difference(self) -> float | None:
        """Mentored gain − comparison gain (``None`` when nothing was compared)."""
        if self.mentored_gain is None or self.comparison_gain is None:
            return None
        return self.mentored_gain - self.comparison_gain


@dataclass(frozen=True)
class ImpactCell:
    """The items of one skill, starting level and function."""

    skill: str
    function: str
    start_level: int
    items: int
    """Items compared (left-out ones excluded)."""
    comparable: int
    """Distinct comparable people over those items."""
    during: GainComparison
    after: GainComparison


@dataclass(frozen=True)
class Ratings:
    """Mentee ratings of ended mentorships."""

    count: int
    mean: float | None
    distribution: tuple[int, int, int, int, int]
    """How many ratings of 1, 2, 3, 4 and 5."""


@dataclass(frozen=True)
class Responses:
    """How mentors answered requests."""

    requests: int
    answered: int
    expired: int
    pending: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def answered_share(self) -> float:
        """Answered over answered and expired (0 when neither)."""
        return share(self.answered, self.answered + self.expired)


@dataclass(frozen=True)
class Impact:
    """The impact report of one scope."""

    as_of: dt.datetime
    after_days: int
    min_comparison: int
    items: int
    """Focus skills of mentorships that became active, mentee in scope."""
    left_out: int
    """Items with fewer than ``min_comparison`` comparable people."""
    during: GainComparison
    after: GainComparison
    cells: tuple[ImpactCell, ...]
    """By skill, function, starting level."""
    ratings: Ratings
    responses: Responses


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


class _Comparable:
    """The possible comparable people of one function and skill, to match by level.

    Those with no recorded change in the skill hold the same level at every moment (gain
    0 over any window): only their number at each level is kept. The others' changes are
    rows of two arrays (times padded with +inf, laid out by :meth:`ready` from their
    records), read at a moment by counting the changes at or before it — the same as
    :func:`level_at`, for every row at once.
    """

    def __init__(self, skill: str) -> None:
        self.skill = skill
        self.static: dict[int, int] = {}
        """Level to how many hold it, of those with no recorded change in the skill."""
        self.changing: list[PersonLike] = []
        """Those with a recorded change in it (until :meth:`ready`)."""

    def ready(self) -> _Comparable:
        """Lay out the changing people's changes as arrays (once, when first needed)."""
        dynamic = [(p.id, *skill_changes(p, self.skill)) for p in self.changing]
        self.changing = []
        self.ids = [d[0] for d in dynamic]
        width = max((len(d[1]) for d in dynamic), default=0)
        self.times = np.full((len(dynamic), width), np.inf)
        self.levels = np.zeros((len(dynamic), max(width, 1)), np.int64)
        for row, (_, times, held) in enumerate(dynamic):
            self.times[row, : len(times)] = [t.timestamp() for t in times]
            self.levels[row, : len(held)] = held
        self._rows = np.arange(len(dynamic))
        return self

    def at(self, when: dt.datetime) -> np.ndarray:
        """Every changing person's level at ``when``."""
        count = (self.times <= when.timestamp()).sum(axis=1)
        return np.where(count > 0, self.levels[self._rows, np.maximum(count - 1, 0)], 0)


@dataclass
class _Tally:
    mentored: list[float] = field(default_factory=list)
    comparison: list[float] = field(default_factory=list)

    def add(self, mentored: float, comparison: float) -> None:
        self.mentored.append(mentored)
        self.comparison.append(comparison)

    def result(self) -> GainComparison:
        return GainComparison(len(self.mentored), _mean(self.mentored), _mean(self.comparison))


@dataclass
class _Cell:
    during: _Tally = field(default_factory=_Tally)
    after: _Tally = field(default_factory=_Tally)
    static: int = 0
    dynamic: set[str] = field(default_factory=set)


def mentorship_impact(
    data: ImpactSource,
    scope: HealthScope = ORGANISATION,
    *,
    as_of: dt.datetime | None = None,
    after_days: int = AFTER_DAYS,
    min_comparison: int = MIN_COMPARISON,
) -> Impact:
    """The impact report of ``scope`` (mentees in scope) at ``as_of`` (default now)."""
    now = as_of or dt.datetime.now(dt.UTC)
    people = data.people
    mentorships = sorted(
        (m for m in data.mentorships.values() if m.mentee in people), key=lambda m: m.id
    )

    def admitted(pid: str) -> bool:
        p = people[pid]
        return scope.admits(p.site, p.team, p.function)

    formed = [m for m in mentorships if m.status in FORMED and m.responded_at is not None]
    mentored_on: dict[str, set[str]] = {}
    for m in formed:
        for skill in m.focus:
            mentored_on.setdefault(skill, set()).add(m.mentee)
    wanted: dict[str, set[str]] = {}
    for m in formed:
        if admitted(m.mentee):
            wanted.setdefault(people[m.mentee].function, set()).update(m.focus)
    connected: dict[tuple[str, str], _Comparable] = {}
    for pid in sorted(people):
        p = people[pid]
        skills = wanted.get(p.function)
        if not skills:
            continue
        changed = set(map(_SKILL, p.history))
        for skill in skills.intersection({*p.skills, *p.goals, *changed}):
            if pid not in mentored_on.get(skill, ()):
                key = (p.function, skill)
                found = connected.get(key)
                if found is None:
                    found = connected[key] = _Comparable(skill)
                if skill in changed:
                    found.changing.append(p)
                else:
                    level = p.skills.get(skill, 0)
                    found.static[level] = found.static.get(level, 0) + 1
    pools: dict[tuple[str, str], _Comparable] = {}

    items = left_out = 0
    during, after = _Tally(), _Tally()
    cells: dict[tuple[str, str, int], _Cell] = {}
    lag = dt.timedelta(days=after_days)
    for m in formed:
        if not admitted(m.mentee):
            continue
        start = m.responded_at
        assert start is not None
        end = m.ended_at if m.status == "ended" else now
        if end is None or end < start:
            continue
        mentee = people[m.mentee]
        function = mentee.function
        for skill in dict.fromkeys(m.focus):
            items += 1
            level = level_at(mentee, skill, start)
            pool = pools.get((function, skill))
            if pool is None:
                found = connected.get((function, skill)) or _Comparable(skill)
                pool = pools[(function, skill)] = found.ready()
            matched = pool.at(start) == level
            static = pool.static.get(level, 0)
            size = static + int(matched.sum())
            if size < min_comparison:
                left_out += 1
                continue
            cell = cells.setdefault((skill, function, level), _Cell())
            cell.static = static
            cell.dynamic.update(pool.ids[i] for i in np.flatnonzero(matched))
            moments = [(during, cell.during, end)]
            if m.status == "ended" and end + lag <= now:
                moments.append((after, cell.after, end + lag))
            for whole, part, moment in moments:
                gain = level_at(mentee, skill, moment) - level
                others = float((pool.at(moment)[matched] - level).sum()) / size
                whole.add(gain, others)
                part.add(gain, others)

    return Impact(
        as_of=now,
        after_days=after_days,
        min_comparison=min_comparison,
        items=items,
        left_out=left_out,
        during=during.result(),
        after=after.result(),
        cells=tuple(
            ImpactCell(
                skill=skill,
                function=function,
                start_level=level,
                items=len(cell.during.mentored),
                comparable=cell.static + len(cell.dynamic),
                during=cell.during.result(),
                after=cell.after.result(),
            )
            for (skill, function, level), cell in sorted(cells.items())
        ),
        ratings=_ratings([m for m in mentorships if admitted(m.mentee)]),
        responses=_responses([m for m in mentorships if admitted(m.mentee)], now),
    )


def _ratings(mentorships: list[MentorshipLike]) -> Ratings:
    given = [m.rating for m in mentorships if m.status == "ended" and m.rating is not None]
    counts = [0] * 5
    for r in given:
        if 1 <= r <= 5:
            counts[r - 1] += 1
    return Ratings(
        count=len(given),
        mean=_mean([float(r) for r in given]),
        distribution=(counts[0], counts[1], counts[2], counts[3], counts[4]),
    )


def _responses(mentorships: list[MentorshipLike], now: dt.datetime) -> Responses:
    answered = expired = pending = 0
    hours: list[float] = []
    for m in mentorships:
        if m.responded_at is not None:
            answered += 1
            if m.requested_at is not None:
                hours.append((m.responded_at - m.requested_at).total_seconds() / 3600)
        elif m.status == "expired" or (
            m.status == "requested" and m.expires_at is not None and m.expires_at <= now
        ):
            expired += 1
        elif m.status == "requested":
            pending += 1
    return Responses(
        requests=len(mentorships),
        answered=answered,
        expired=expired,
        pending=pending,
        median_hours=median(hours),
        p90_hours=float(np.percentile(hours, 90)) if hours else None,
    )
