"""The skills graph's records, as the rest of Skillweave sees them.

Nodes and relationships (``docs/model.md`` draws them)::

    (Person)-[:MEMBER_OF]->(Team)          (Person)-[:REPORTS_TO]->(Person)
    (Person)-[:HAS_SKILL {level}]->(Skill)  (Person)-[:WANTS_TO_LEARN {priority}]->(Skill)
    (Skill)-[:RELATED_TO]->(Skill)
    (Person)-[:MENTOR_IN]->(Mentorship)<-[:MENTEE_IN]-(Person)
    (Mentorship)-[:FOCUSES_ON]->(Skill)
    (Person)-[:IN_SQUAD {role}]->(Squad)-[:FOCUSES_ON]->(Skill)
    (Person)-[:IN_COMMUNITY]->(Community)<-[:MODERATES]-(Person)
    (Community)-[:ABOUT]->(Skill)
    (Role)-[:REQUIRES {level, weight}]->(Skill)   (Person)-[:TARGETS {since}]->(Role)
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

MIN_LEVEL, MAX_LEVEL = 1, 5
"""Skill levels: 1 aware, 2 basic, 3 independent, 4 strong (can teach), 5 expert."""

TEACHING_LEVEL = 4
"""The level from which someone can teach a skill."""


class JobRole(enum.StrEnum):
    """What a person does at work (not what they may do in Skillweave)."""

    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    TEAM_LEAD = "team_lead"
    QA_ANALYST = "qa_analyst"
    TRAINER = "trainer"
    WFM_ANALYST = "wfm_analyst"
    DATA_ANALYST = "data_analyst"
    IT_SUPPORT = "it_support"
    MANAGER = "manager"


class Priority(enum.IntEnum):
    """How much a person wants to learn a skill; 1 is the most wanted."""

    HIGH = 1
    MEDIUM = 2
    LOW = 3


class MentorshipStatus(enum.StrEnum):
    """Where a mentorship is in its life."""

    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    ENDED = "ended"


OPEN_MENTORSHIP = (MentorshipStatus.REQUESTED, MentorshipStatus.ACTIVE)
"""Statuses that block a second mentorship between the same two people."""


class SquadStatus(enum.StrEnum):
    """A squad is active until a moderator archives it."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class SquadRole(enum.StrEnum):
    """What a member does in a squad."""

    LEAD = "lead"
    EXPERT = "expert"
    LEARNER = "learner"
    MEMBER = "member"


@dataclass(frozen=True)
class Team:
    """A team of a site and a function, led by a team lead."""

    id: str
    name: str
    function: str
    site: str


@dataclass(frozen=True)
class Skill:
    """A skill of the taxonomy; ``key`` is its normalised canonical name."""

    key: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillLevel:
    """A skill someone has, at a level from 1 to 5."""

    skill: str
    level: int


@dataclass(frozen=True)
class LearningGoal:
    """A skill someone wants to learn, with a priority (1 high to 3 low)."""

    skill: str
    priority: int


@dataclass(frozen=True)
class Person:
    """Someone in the organisation, with what they know and want to learn."""

    id: str
    name: str
    title: str = ""
    role: JobRole = JobRole.AGENT
    team_id: str | None = None
    function: str = ""
    site: str = ""
    shift: str = ""
    timezone: str = "UTC"
    languages: tuple[str, ...] = ()
    tenure_months: int = 0
    mentoring_capacity: int = 0
    open_to_mentoring: bool = False
    open_to_being_mentored: bool = True
    share_goals: bool = False
    """Whether colleagues may see this person's learning goals (and mentors' suggestions may
    count what they would learn back); moderators, HR and admins see them either way."""
    auto_request_next_pick: bool = False
    """When a request of theirs expires, ask their next best mentor for them (instead of
    only offering that mentor)."""
    manager_id: str | None = None
    skills: tuple[SkillLevel, ...] = ()
    goals: tuple[LearningGoal, ...] = ()

    def __post_init__(self) -> None:
        # Skills and goals are sets: keep them in one order so equal people compare equal.
        object.__setattr__(self, "skills", tuple(sorted(self.skills, key=lambda s: s.skill)))
        object.__setattr__(self, "goals", tuple(sorted(self.goals, key=lambda g: g.skill)))
        object.__setattr__(self, "languages", tuple(self.languages))


@dataclass(frozen=True)
class Feedback:
    """What a participant said when a mentorship ended."""

    rating: int
    comment: str = ""
    by: str | None = None


@dataclass(frozen=True)
class Mentorship:
    """A mentor and a mentee working on some focus skills."""

    id: str
    mentor_id: str
    mentee_id: str
    status: MentorshipStatus
    focus_skills: tuple[str, ...] = ()
    message: str = ""
    requested_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    """When a request nobody answered turns into ``expired``."""
    feedback: Feedback | None = None


@dataclass(frozen=True)
class SquadMember:
    """A person in a squad and their role there."""

    person_id: str
    role: SquadRole = SquadRole.MEMBER


@dataclass(frozen=True)
class Squad:
    """A small cross-functional learning group around a few focus skills."""

    id: str
    name: str
    purpose: str = ""
    status: SquadStatus = SquadStatus.ACTIVE
    focus_skills: tuple[str, ...] = ()
    members: tuple[SquadMember, ...] = ()
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class Community:
    """A community of practice: an open group around some topic skills."""

    id: str
    name: str
    description: str = ""
    topic_skills: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    moderator_ids: tuple[str, ...] = field(default=())
    created_at: dt.datetime | None = None


MIN_WEIGHT, MAX_WEIGHT = 1, 5
"""How much one requirement of a role counts towards readiness, relative to the others."""


@dataclass(frozen=True)
class RoleRequirement:
    """A skill a role needs, at a level, with its weight in readiness."""

    skill: str
    """The skill's key."""
    level: int
    weight: int = 1


@dataclass(frozen=True)
class RoleProfile:
    """A role people grow into (Team Lead, QA Analyst…) and the skills it needs."""

    id: str
    """The normalised name (:func:`graph.roles.role_id`)."""
    name: str
    requires: tuple[RoleRequirement, ...] = ()
    job_role: JobRole | None = None
    """The job role people hold when this is their current role, if any."""
