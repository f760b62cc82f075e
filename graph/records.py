"""Plain, immutable records of the skills graph, as the bulk export reads them.

The read model (:mod:`readmodel`) holds exactly these, one per person, skill, team,
mentorship, squad and community; everything else in memory is a view derived from them.
Two rules live here and nowhere else:

- :func:`read_person` turns a Person node's stored properties into a :class:`PersonRecord`,
  with the model's defaults for what the store lacks. An HRIS file without an
  ``open_to_being_mentored`` column writes none, and the person is then open to being
  mentored everywhere: profile, directory and matcher alike.
- :func:`effective_status`: a request past its ``expires_at`` is expired at once, before
  the sweep (:func:`graph.mentorships.expire_requests`) records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from graph.model import JobRole, MentorshipStatus

_NO_SKILLS: Mapping[str, int] = MappingProxyType({})
_NO_ROLES: Mapping[str, str] = MappingProxyType({})
_NO_DATES: Mapping[str, dt.datetime] = MappingProxyType({})
"""Shared empty mappings: most people are in no squad, and a dict each would cost memory."""


def empty_mapping() -> Mapping[Any, Any]:
    """The shared empty read-only mapping (a checkpoint restores records' empties as this)."""
    return _NO_SKILLS


def effective_status(status: str, expires_at: dt.datetime | None, now: dt.datetime) -> str:
    """The status a mentorship reads as at ``now``: a request past its expiry is expired."""
    if status == MentorshipStatus.REQUESTED and expires_at is not None and expires_at <= now:
        return str(MentorshipStatus.EXPIRED)
    return status


@dataclass(frozen=True, slots=True, order=True)
class LevelChange:
    """One change of a person's level in a skill: when, to what, and who made it."""

    at: dt.datetime
    skill: str
    level: int
    """The new level; 0 when the skill was removed."""
    source: str = ""
    """``profile``, ``admin``, ``import`` or ``seed``."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person with their skills, goals, team, manager and group memberships."""

    id: str
    name: str = ""
    title: str = ""
    role: str = str(JobRole.AGENT)
    function: str = ""
    site: str = ""
    shift: str = ""
    timezone: str = "UTC"
    languages: tuple[str, ...] = ()
    tenure_months: int = 0
    capacity: int = 0
    """``mentoring_capacity``: mentees taken at once."""
    open_to_mentoring: bool = False
    open_to_being_mentored: bool = True
    share_goals: bool = False
    auto_request_next_pick: bool = False
    requests_answered: int = 0
    requests_expired: int = 0
    team: str | None = None
    manager: str | None = None
    skills: Mapping[str, int] = field(default_factory=lambda: _NO_SKILLS)
    """Skill key to level."""
    goals: Mapping[str, int] = field(default_factory=lambda: _NO_SKILLS)
    """Skill key to priority (1 is the most wanted)."""
    squads: Mapping[str, str] = field(default_factory=lambda: _NO_ROLES)
    """Squad id to the person's role in it."""
    communities: tuple[str, ...] = ()
    moderates: tuple[str, ...] = ()
    joined: Mapping[str, dt.datetime] = field(default_factory=lambda: _NO_DATES)
    """Squad or community id to when the person joined it, where recorded."""
    target_role: str | None = None
    """The role (id) the person is growing towards, if they chose one."""
    target_since: dt.datetime | None = None
    """When the target role was set."""
    history: tuple[LevelChange, ...] = ()
    """Every recorded change of a skill level, oldest first."""


def read_person(
    id: str,
    props: Mapping[str, Any],
    *,
    team: str | None = None,
    manager: str | None = None,
    skills: Mapping[str, int] | None = None,
    goals: Mapping[str, int] | None = None,
    squads: Mapping[str, str] | None = None,
    communities: tuple[str, ...] = (),
    moderates: tuple[str, ...] = (),
    joined: Mapping[str, dt.datetime] | None = None,
    target_role: str | None = None,
    target_since: dt.datetime | None = None,
    history: Iterable[LevelChange] = (),
) -> PersonRecord:
    """The record of a person from their node's properties (missing or null: the default)."""

    def value(name: str, default: Any) -> Any:
        found = props.get(name)
        return default if found is None else found

    return PersonRecord(
        id=id,
        name=str(value("name", "")),
        title=str(value("title", "")),
        role=str(value("role", JobRole.AGENT)),
        function=str(value("function", "")),
        site=str(value("site", "")),
        shift=str(value("shift", "")),
        timezone=str(value("timezone", "UTC")),
        languages=tuple(value("languages", ())),
        tenure_months=int(value("tenure_months", 0)),
        capacity=int(value("mentoring_capacity", 0)),
        open_to_mentoring=bool(value("open_to_mentoring", False)),
        open_to_being_mentored=bool(value("open_to_being_mentored", True)),
        share_goals=bool(value("share_goals", False)),
        auto_request_next_pick=bool(value("auto_request_next_pick", False)),
        requests_answered=int(value("requests_answered", 0)),
        requests_expired=int(value("requests_expired", 0)),
        team=team,
        manager=manager,
        skills=dict(skills) if skills else _NO_SKILLS,
        goals=dict(goals) if goals else _NO_SKILLS,
        squads=dict(squads) if squads else _NO_ROLES,
        communities=tuple(sorted(communities)),
        moderates=tuple(sorted(moderates)),
        joined=dict(joined) if joined else _NO_DATES,
        target_role=target_role,
        target_since=target_since,
        history=tuple(sorted(history)),
    )


@dataclass(frozen=True, slots=True)
class SkillRecord:
    """A skill of the taxonomy."""

    key: str
    name: str = ""
    category: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A role profile: the skills a role needs, each at a level with a weight."""

    id: str
    name: str = ""
    job_role: str | None = None
    """The job role of the people whose current role this is, if any."""
    requires: tuple[tuple[str, int, int], ...] = ()
    """(skill key, level, weight), by skill key."""


@dataclass(frozen=True, slots=True)
class TeamRecord:
    """A team."""

    id: str
    name: str = ""
    function: str = ""
    site: str = ""


@dataclass(frozen=True, slots=True)
class MentorshipRecord:
    """A mentorship between two people, with its status as stored (see :meth:`status_at`)."""

    id: str
    mentor: str
    mentee: str
    status: str
    focus: tuple[str, ...] = ()
    requested_at: dt.datetime | None = None
    message: str = ""
    responded_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    rating: int | None = None
    """None until the mentorship ends with feedback."""
    comment: str = ""
    ended_by: str | None = None

    def status_at(self, now: dt.datetime) -> str:
        """The status this mentorship reads as at ``now`` (:func:`effective_status`)."""
        return effective_status(self.status, self.expires_at, now)


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A squad or a community; who belongs to it is recorded on the people."""

    kind: str
    """``squad`` or ``community``."""
    id: str
    name: str = ""
    status: str = ""
    """A squad's status (``open``, ``active``, ``archived``); empty for a community."""
    purpose: str = ""
    description: str = ""
    created_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None
    skills: tuple[str, ...] = ()
    """Focus skills of a squad, topic skills of a community."""


def read_group(
    kind: str, id: str, props: Mapping[str, Any], skills: Iterable[str] = ()
) -> GroupRecord:
    """The record of a squad or community from its node's properties and topic skills."""

    def text(name: str) -> str:
        return str(props.get(name) or "")

    return GroupRecord(
        kind=kind,
        id=id,
        name=text("name"),
        status=text("status"),
        purpose=text("purpose"),
        description=text("description"),
        created_at=props.get("created_at"),
        last_activity_at=props.get("last_activity_at"),
        skills=tuple(sorted(skills)),
    )


@dataclass
class GraphData:
    """Everything the read model holds, or a part of it (some people and groups)."""

    version: Any
    """The store's version stamp this data was read at (opaque to the readers)."""
    people: list[PersonRecord] = field(default_factory=list)
    skills: dict[str, SkillRecord] = field(default_factory=dict)
    related: list[tuple[str, str]] = field(default_factory=list)
    teams: dict[str, TeamRecord] = field(default_factory=dict)
    mentorships: list[MentorshipRecord] = field(default_factory=list)
    squads: list[GroupRecord] = field(default_factory=list)
    communities: list[GroupRecord] = field(default_factory=list)
    roles: dict[str, RoleRecord] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)
    """People who have left the organisation (among those read): not in ``people``, and
    their tokens are refused."""
