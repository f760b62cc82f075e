"""Plain records of the skills graph, as the store exports them for the projection.

Nothing here knows Cypher: :mod:`graph.export` fills these, :mod:`matching.projection`
reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class PersonData:
    """A person, with their skills and goals, team and manager."""

    id: str
    props: dict[str, Any]
    team: str | None = None
    manager: str | None = None
    skills: dict[str, int] = field(default_factory=dict)
    """Skill key to level."""
    goals: dict[str, int] = field(default_factory=dict)
    """Skill key to priority (1 is the most wanted)."""
    squads: dict[str, str] = field(default_factory=dict)
    """Squad id to the person's role in it."""
    communities: tuple[str, ...] = ()
    moderates: tuple[str, ...] = ()
    joined: dict[str, dt.datetime] = field(default_factory=dict)
    """Squad or community id to when the person joined it, where recorded."""


class MentorshipDetails(NamedTuple):
    """What profile reads show of a mentorship beyond who, status and focus."""

    message: str = ""
    responded_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    rating: int | None = None
    """None until the mentorship ends with feedback."""
    comment: str = ""
    ended_by: str | None = None


@dataclass(frozen=True)
class MentorshipData:
    """A mentorship between two people."""

    id: str
    mentor: str
    mentee: str
    status: str
    focus: tuple[str, ...] = ()
    requested_at: dt.datetime | None = None
    """When the mentee asked (pending requests' age in the health report)."""
    details: MentorshipDetails = field(default_factory=MentorshipDetails)


@dataclass(frozen=True)
class GroupData:
    """A squad or a community; who belongs to it is recorded on the people."""

    id: str
    props: dict[str, Any]
    skills: tuple[str, ...] = ()
    """Focus skills of a squad, topic skills of a community."""


@dataclass
class GraphData:
    """Everything the projection holds, or a part of it (some people and groups)."""

    version: Any
    """The store's version stamp this data was read at (opaque to the matcher)."""
    people: list[PersonData] = field(default_factory=list)
    skills: dict[str, dict[str, Any]] = field(default_factory=dict)
    related: list[tuple[str, str]] = field(default_factory=list)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    mentorships: list[MentorshipData] = field(default_factory=list)
    squads: list[GroupData] = field(default_factory=list)
    communities: list[GroupData] = field(default_factory=list)
    left: set[str] = field(default_factory=set)
    """People who have left the organisation (among those read): not in ``people``, and
    their tokens are refused."""
