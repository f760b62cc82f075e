"""GraphQL object types, each a thin view over a record from :mod:`graph.model`.

Scalars are plain fields, copied from the record when the view is made; nested
fields (a person's team, mentorships, squads, a mentorship's people, …) read the
projection the request already holds (:meth:`api.loaders.Loaders.now`), without
awaiting: every view is made while the request holds it. Fields that are not
public check :mod:`api.permissions` first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.pagination import page_slice
from api.permissions import Action, allowed, require
from graph import model, sessions
from graph.records import LevelChange, RoleRecord
from readmodel import directory
from readmodel.store import ReadModel

if TYPE_CHECKING:
    from api.paths import GrowthPath

# The domain's enums are the GraphQL enums: registered once, named as in graph.model.
strawberry.enum(model.JobRole, description="What a person does at work.")
strawberry.enum(model.MentorshipStatus, description="Where a mentorship is in its life.")
strawberry.enum(model.SquadStatus, description="A squad is active until archived.")
strawberry.enum(model.SquadRole, description="What a member does in a squad.")
strawberry.enum(model.Priority, description="How much a person wants to learn a skill.")
JobRole = model.JobRole
MentorshipStatus = model.MentorshipStatus
SquadStatus = model.SquadStatus
SquadRole = model.SquadRole
Priority = model.Priority

MAX_MEMBERS_PAGE = 100
"""Most members one `Community.members` list returns."""


@strawberry.type(description="A skill of the taxonomy, with the other names people use for it.")
class Skill:
    key: str = strawberry.field(description="Stable key: the normalised canonical name.")
    name: str = strawberry.field(description="Canonical display name.")
    category: str = strawberry.field(description="Category key, such as `tools` or `soft_skills`.")
    aliases: list[str] = strawberry.field(
        description="Other names and abbreviations that mean this skill."
    )

    @classmethod
    def of(cls, skill: model.Skill) -> Skill:
        """The GraphQL view of a stored skill."""
        return cls(
            key=skill.key, name=skill.name, category=skill.category, aliases=list(skill.aliases)
        )


@strawberry.type(description="Values in use across the directory, each sorted.")
class Facets:
    sites: list[str] = strawberry.field(description="Delivery sites.")
    functions: list[str] = strawberry.field(description="Lines of work.")
    shifts: list[str] = strawberry.field(description="Shifts.")
    languages: list[str] = strawberry.field(description="Languages people speak.")


@strawberry.type(description="A team of one function at one site.")
class Team:
    id: strawberry.ID = strawberry.field(description="Stable team id.")
    name: str = strawberry.field(description="Team name.")
    function: str = strawberry.field(description="Line of work, such as `voice` or `qa`.")
    site: str = strawberry.field(description="Delivery site.")

    @classmethod
    def of(cls, team: model.Team) -> Team:
        """The GraphQL view of a stored team."""
        return cls(
            id=strawberry.ID(team.id), name=team.name, function=team.function, site=team.site
        )


@strawberry.type(description="A skill someone has, and how well.")
class SkillLevel:
    skill: Skill = strawberry.field(description="The skill.")
    level: int = strawberry.field(
        description="1 aware, 2 basic, 3 independent, 4 strong (can teach), 5 expert."
    )


@strawberry.type(description="A skill someone wants to learn.")
class LearningGoal:
    skill: Skill = strawberry.field(description="The skill to learn.")
    priority: Priority = strawberry.field(description="HIGH, MEDIUM or LOW.")


def _current_role(projection: ReadModel, person_id: str) -> RoleRecord | None:
    return projection.current_role(person_id)


def _target_role(
    projection: ReadModel, person_id: str
) -> tuple[RoleRecord, dt.datetime | None] | None:
    person = projection.people.get(person_id)
    if person is None or person.target_role is None:
        return None
    role = projection.roles.get(person.target_role)
    return None if role is None else (role, person.target_since)


@strawberry.type(description="A skill a role needs, at a level, with its weight in readiness.")
class RoleRequirement:
    skill: Skill = strawberry.field(description="The skill.")
    level: int = strawberry.field(description="The level the role needs (1–5).")
    weight: int = strawberry.field(
        description="How much it counts towards readiness, relative to the others (1–5)."
    )


@strawberry.type(description="A role people grow into, and the skills it needs.")
class Role:
    id: strawberry.ID = strawberry.field(description="Stable id: the normalised name.")
    name: str = strawberry.field(description="Display name, such as `Team Lead`.")
    job_role: JobRole | None = strawberry.field(
        description="The job role of the people whose current role this is, if any."
    )
    requirements: list[RoleRequirement] = strawberry.field(
        description="The skills it needs, heaviest first."
    )

    @classmethod
    def of(cls, info: Info, role: RoleRecord) -> Role:
        """The GraphQL view of a role profile of the projection."""
        ordered = sorted(role.requires, key=lambda q: (-q[2], q[0]))
        found = _skill_map(info, [key for key, _, _ in ordered])
        return cls(
            id=strawberry.ID(role.id),
            name=role.name,
            job_role=model.JobRole(role.job_role) if role.job_role else None,
            requirements=[
                RoleRequirement(skill=found[key], level=level, weight=weight)
                for key, level, weight in ordered
                if key in found
            ],
        )


def _history(projection: ReadModel, person_id: str) -> tuple[LevelChange, ...]:
    person = projection.people.get(person_id)
    return () if person is None else person.history


@strawberry.type(description="One change of a person's level in a skill.")
class SkillChange:
    skill: Skill = strawberry.field(description="The skill.")
    level: int = strawberry.field(description="The new level (0: the skill was removed).")
    at: dt.datetime = strawberry.field(description="When.")
    source: str = strawberry.field(
        description="`profile` (the person), `admin` (HR or an admin), `import` (HRIS) or `seed`."
    )


@strawberry.type(description="The role someone grows towards, and since when.")
class TargetRole:
    role: Role = strawberry.field(description="The role.")
    since: dt.datetime | None = strawberry.field(description="When it was chosen.")


def skill_view(projection: ReadModel, key: str) -> Skill | None:
    """The GraphQL view of a skill of the projection, if it holds it."""
    found = directory.skill_record(projection, key)
    return Skill.of(found) if found is not None else None


def _skill_map(info: Info, keys: list[str]) -> dict[str, Skill]:
    loaders = info.context.loaders
    found = ((key, loaders.now(skill_view, key)) for key in keys)
    return {key: s for key, s in found if s is not None}


@strawberry.type(
    description="Someone in the organisation: their public profile, and more for those allowed."
)
class Person:
    """A person's profile; nested fields read the request's projection, without awaiting.

    A ``Person`` is only made from a record the request read from its projection
    (:meth:`api.loaders.Loaders.now` says so if not), so its nested fields read
    that projection synchronously: no DataLoader round, no task per field.
    """

    record: strawberry.Private[model.Person]
    id: strawberry.ID = strawberry.field(description="Stable id (the HRIS employee id).")
    name: str = strawberry.field(description="Full name.")
    title: str = strawberry.field(description="Job title.")
    role: JobRole = strawberry.field(description="What the person does at work.")
    function: str = strawberry.field(description="Line of work, such as `voice`, `chat` or `qa`.")
    site: str = strawberry.field(description="Delivery site.")
    shift: str = strawberry.field(description="Usual shift, such as `day` or `night`.")
    timezone: str = strawberry.field(description="IANA time zone.")
    languages: list[str] = strawberry.field(description="Languages the person works in.")
    tenure_months: int = strawberry.field(description="Months with the organisation.")
    mentoring_capacity: int = strawberry.field(
        description="How many mentees the person takes at once."
    )
    open_to_mentoring: bool = strawberry.field(description="Whether the person takes mentees now.")
    open_to_being_mentored: bool = strawberry.field(
        description="Whether the person wants a mentor."
    )
    share_goals: bool = strawberry.field(
        description="Whether the person lets colleagues see their learning goals (and counts "
        "what they would learn back in mentor suggestions)."
    )
    auto_request_next_pick: bool = strawberry.field(
        description="When a request of theirs expires unanswered, ask their next best mentor "
        "for them (otherwise that mentor is only offered, in a NEXT_PICK_OFFERED notification)."
    )

    @classmethod
    def of(cls, person: model.Person) -> Person:
        """The GraphQL view of a stored person."""
        return cls(
            record=person,
            id=strawberry.ID(person.id),
            name=person.name,
            title=person.title,
            role=person.role,
            function=person.function,
            site=person.site,
            shift=person.shift,
            timezone=person.timezone,
            languages=list(person.languages),
            tenure_months=person.tenure_months,
            mentoring_capacity=person.mentoring_capacity,
            open_to_mentoring=person.open_to_mentoring,
            open_to_being_mentored=person.open_to_being_mentored,
            share_goals=person.share_goals,
            auto_request_next_pick=person.auto_request_next_pick,
        )

    @strawberry.field(description="The person's team.")
    def team(self, info: Info) -> Team | None:
        if self.record.team_id is None:
            return None
        found = info.context.loaders.now(directory.team_record, self.record.team_id)
        return Team.of(found) if found else None

    @strawberry.field(description="The person's team lead or manager.")
    def manager(self, info: Info) -> Person | None:
        if self.record.manager_id is None:
            return None
        found = info.context.loaders.now(directory.person_record, self.record.manager_id)
        return Person.of(found) if found else None

    @strawberry.field(
        description="The role profile of the person's job role (a team lead's is Team Lead), "
        "when there is one."
    )
    def current_role(self, info: Info) -> Role | None:
        found = info.context.loaders.now(_current_role, self.record.id)
        return Role.of(info, found) if found else None

    @strawberry.field(
        description="The role the person grows towards, if they chose one. Visible to the "
        "person, HR and admins."
    )
    def target_role(self, info: Info) -> TargetRole | None:
        require(info.context.principal, Action.READ_PATHS, self.record.id)
        found = info.context.loaders.now(_target_role, self.record.id)
        if found is None:
            return None
        role, since = found
        return TargetRole(role=Role.of(info, role), since=since)

    @strawberry.field(
        description="The person's growth path to `role` (by id or name; their target role when "
        "left out, null when they have none): readiness, gap, the journey with mentors, squads "
        "and communities per step, progress since the target. Visible to the person, HR and "
        "admins. See docs/paths.md."
    )
    async def path(
        self, info: Info, role: str | None = None
    ) -> Annotated[GrowthPath, strawberry.lazy("api.paths")] | None:
        from api.paths import path_of

        return await path_of(info, self.record.id, role)

    @strawberry.field(
        description="Every recorded change of a skill level, oldest first (level 0: removed). "
        "Visible to the person, HR and admins."
    )
    def skill_history(self, info: Info) -> list[SkillChange]:
        require(info.context.principal, Action.READ_PATHS, self.record.id)
        found = info.context.loaders.now(_history, self.record.id)
        skills = _skill_map(info, sorted({c.skill for c in found}))
        return [
            SkillChange(skill=skills[c.skill], level=c.level, at=c.at, source=c.source)
            for c in found
            if c.skill in skills
        ]

    @strawberry.field(description="Skills with levels, strongest first.")
    def skills(self, info: Info) -> list[SkillLevel]:
        ordered = sorted(self.record.skills, key=lambda s: (-s.level, s.skill))
        found = _skill_map(info, [s.skill for s in ordered])
        return [
            SkillLevel(skill=found[s.skill], level=s.level) for s in ordered if s.skill in found
        ]

    @strawberry.field(
        description="What the person wants to learn, most wanted first. Visible to the person, "
        "to moderators, HR and admins, and to everyone when the person shares them "
        "(`shareGoals`)."
    )
    def learning_goals(self, info: Info) -> list[LearningGoal]:
        require(
            info.context.principal,
            Action.READ_GOALS,
            self.record.id,
            shared=self.record.share_goals,
        )
        ordered = sorted(self.record.goals, key=lambda g: (g.priority, g.skill))
        found = _skill_map(info, [g.skill for g in ordered])
        return [
            LearningGoal(skill=found[g.skill], priority=model.Priority(g.priority))
            for g in ordered
            if g.skill in found
        ]

    def _mentorships(self, info: Info) -> list[model.Mentorship]:
        return info.context.loaders.now(directory.mentorships_of, self.record.id)

    @strawberry.field(
        description="The person's mentorships, as mentor or mentee, newest first. Visible to the "
        "person, HR and admins."
    )
    def mentorships(self, info: Info, status: MentorshipStatus | None = None) -> list[Mentorship]:
        require(info.context.principal, Action.READ_MENTORSHIPS, self.record.id)
        return [
            Mentorship.of(m)
            for m in self._mentorships(info)
            if status is None or m.status is status
        ]

    def _active(self, info: Info, side: str) -> list[Person]:
        require(info.context.principal, Action.READ_MENTORSHIPS, self.record.id)
        ids = [
            m.mentor_id if side == "mentors" else m.mentee_id
            for m in self._mentorships(info)
            if m.status is model.MentorshipStatus.ACTIVE
            and (m.mentee_id if side == "mentors" else m.mentor_id) == self.record.id
        ]
        return _people(info, ids)

    @strawberry.field(description="People who mentor this person now.")
    def mentors(self, info: Info) -> list[Person]:
        return self._active(info, "mentors")

    @strawberry.field(description="People this person mentors now.")
    def mentees(self, info: Info) -> list[Person]:
        return self._active(info, "mentees")

    @strawberry.field(
        description="How many people this person mentors now (public, to show availability)."
    )
    def active_mentee_count(self, info: Info) -> int:
        return sum(
            1
            for m in self._mentorships(info)
            if m.status is model.MentorshipStatus.ACTIVE and m.mentor_id == self.record.id
        )

    @strawberry.field(
        description="How the person answers mentorship requests: answered, let expire, the "
        "rate and the median hours to an answer. Visible to the person, HR and admins (null "
        "for others)."
    )
    def response_rate(self, info: Info) -> ResponseRate | None:
        if not allowed(info.context.principal, Action.READ_RESPONSE_RATE, self.record.id):
            return None
        answered, expired, median = info.context.loaders.now(
            directory.response_rate, self.record.id
        )
        asked = answered + expired
        return ResponseRate(
            answered=answered,
            expired=expired,
            rate=answered / asked if asked else None,
            median_response_hours=median,
        )

    @strawberry.field(description="Squads the person belongs to.")
    def squads(self, info: Info) -> list[Squad]:
        return [Squad.of(q) for q in info.context.loaders.now(directory.squads_of, self.record.id)]

    @strawberry.field(description="Communities of practice the person belongs to.")
    def communities(self, info: Info) -> list[Community]:
        found = info.context.loaders.now(directory.communities_of, self.record.id)
        return [Community.of(c) for c in found]


def _people(info: Info, ids: list[str]) -> list[Person]:
    found = (info.context.loaders.now(directory.person_record, i) for i in ids)
    return [Person.of(p) for p in found if p is not None]


def _person(info: Info, person_id: str) -> Person:
    found = info.context.loaders.now(directory.person_record, person_id)
    assert found is not None, f"person {person_id} vanished"
    return Person.of(found)


def _skills(info: Info, keys: tuple[str, ...]) -> list[Skill]:
    found = _skill_map(info, list(keys))
    return [found[key] for key in keys if key in found]


@strawberry.type(description="How a mentor answers requests (what the matcher ranks by).")
class ResponseRate:
    answered: int = strawberry.field(description="Requests accepted or declined.")
    expired: int = strawberry.field(description="Requests left to expire unanswered.")
    rate: float | None = strawberry.field(
        description="Answered over answered and expired, 0–1; null before the first request."
    )
    median_response_hours: float | None = strawberry.field(
        description="Median hours from a request to its answer; null before the first answer."
    )


@strawberry.type(description="What a participant said when a mentorship ended.")
class Feedback:
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    comment: str = strawberry.field(description="Free text.")
    by: strawberry.ID | None = strawberry.field(
        description="Id of the person who ended the mentorship."
    )


def _mentor(root: Mentorship, info: Info) -> Person:
    return _person(info, root.record.mentor_id)


def _mentee(root: Mentorship, info: Info) -> Person:
    return _person(info, root.record.mentee_id)


def _focus_skills(root: Mentorship, info: Info) -> list[Skill]:
    return _skills(info, root.record.focus_skills)


def _topic_skills(root: Community, info: Info) -> list[Skill]:
    return _skills(info, root.record.topic_skills)


@strawberry.type(description="A mentor and a mentee working on some focus skills.")
class Mentorship:
    """A mentorship; its people and skills come from the request's projection, like a person's."""

    record: strawberry.Private[model.Mentorship]
    id: strawberry.ID = strawberry.field(description="Stable id.")
    status: MentorshipStatus = strawberry.field(
        description="REQUESTED, ACTIVE, DECLINED, EXPIRED or ENDED."
    )

    mentor: Person = strawberry.field(description="The mentor.", resolver=_mentor)
    mentee: Person = strawberry.field(description="The mentee.", resolver=_mentee)
    focus_skills: list[Skill] = strawberry.field(
        description="The skills the mentorship works on.", resolver=_focus_skills
    )
    message: str = strawberry.field(description="The mentee's message with the request.")
    requested_at: dt.datetime | None = strawberry.field(description="When the mentee asked.")
    responded_at: dt.datetime | None = strawberry.field(description="When the mentor answered.")
    expires_at: dt.datetime | None = strawberry.field(
        description="When an unanswered request expires."
    )
    ended_at: dt.datetime | None = strawberry.field(description="When the mentorship ended.")
    feedback: Feedback | None = strawberry.field(description="Feedback left when it ended.")

    @classmethod
    def of(cls, mentorship: model.Mentorship) -> Mentorship:
        """The GraphQL view of a stored mentorship."""
        f = mentorship.feedback
        return cls(
            record=mentorship,
            id=strawberry.ID(mentorship.id),
            status=mentorship.status,
            message=mentorship.message,
            requested_at=mentorship.requested_at,
            responded_at=mentorship.responded_at,
            expires_at=mentorship.expires_at,
            ended_at=mentorship.ended_at,
            feedback=None
            if f is None
            else Feedback(
                rating=f.rating, comment=f.comment, by=strawberry.ID(f.by) if f.by else None
            ),
        )


@strawberry.type(description="A member of a squad and their role there.")
class SquadMember:
    person_id: strawberry.Private[str]
    role: SquadRole = strawberry.field(description="LEAD, EXPERT, LEARNER or MEMBER.")

    @strawberry.field(description="The member.")
    def person(self, info: Info) -> Person:
        return _person(info, self.person_id)


@strawberry.type(description="A small cross-functional learning group around a few focus skills.")
class Squad:
    """A squad; its members and skills come from the request's projection, like a person's."""

    record: strawberry.Private[model.Squad]
    id: strawberry.ID = strawberry.field(description="Stable id.")
    name: str = strawberry.field(description="Squad name.")
    purpose: str = strawberry.field(description="What the squad is for.")
    status: SquadStatus = strawberry.field(description="ACTIVE or ARCHIVED.")
    created_at: dt.datetime | None = strawberry.field(description="When it was formed.")

    @classmethod
    def of(cls, squad: model.Squad) -> Squad:
        """The GraphQL view of a stored squad."""
        return cls(
            record=squad,
            id=strawberry.ID(squad.id),
            name=squad.name,
            purpose=squad.purpose,
            status=squad.status,
            created_at=squad.created_at,
        )

    @strawberry.field(description="The skills the squad works on.")
    def focus_skills(self, info: Info) -> list[Skill]:
        return _skills(info, self.record.focus_skills)

    @strawberry.field(description="Members with their roles.")
    def members(self) -> list[SquadMember]:
        return [SquadMember(person_id=m.person_id, role=m.role) for m in self.record.members]


@strawberry.type(description="A community of practice: an open group around some topic skills.")
class Community:
    """A community; its members and skills come from the request's projection, like a person's."""

    record: strawberry.Private[model.Community]
    id: strawberry.ID = strawberry.field(description="Stable id.")
    name: str = strawberry.field(description="Community name.")
    description: str = strawberry.field(description="What the community is about.")
    created_at: dt.datetime | None = strawberry.field(description="When it was created.")
    topic_skills: list[Skill] = strawberry.field(
        description="The community's topic skills.", resolver=_topic_skills
    )
    member_count: int = strawberry.field(description="How many members it has.")

    @classmethod
    def of(cls, community: model.Community) -> Community:
        """The GraphQL view of a stored community."""
        return cls(
            record=community,
            id=strawberry.ID(community.id),
            name=community.name,
            description=community.description,
            created_at=community.created_at,
            member_count=len(community.member_ids),
        )

    @strawberry.field(
        description="Members, by id: the first `first` (1 to 100; more is refused, as on every "
        "list). `memberCount` says how many there are."
    )
    def members(self, info: Info, first: int = 50) -> list[Person]:
        return _people(info, page_slice(self.record.member_ids, 0, first, cap=MAX_MEMBERS_PAGE))

    @strawberry.field(description="Moderators.")
    def moderators(self, info: Info) -> list[Person]:
        return _people(info, list(self.record.moderator_ids))

    @strawberry.field(description="The community's sessions, soonest first.")
    async def sessions(self, info: Info) -> list[Session]:
        return await _community_sessions(info, self.record.id)


@strawberry.type(description="A session of a community: a time, topic skills and seats.")
class Session:
    record: strawberry.Private[sessions.Session]
    id: strawberry.ID = strawberry.field(description="Stable id.")
    community_id: strawberry.ID = strawberry.field(description="The community holding it.")
    title: str = strawberry.field(description="What it is about.")
    starts_at: dt.datetime | None = strawberry.field(description="When it starts (UTC).")
    capacity: int = strawberry.field(description="Seats, 1–1000.")
    going: int = strawberry.field(description="How many members said they come.")
    attended: int = strawberry.field(description="How many members were recorded as present.")
    seats_left: int = strawberry.field(description="Seats not taken yet.")

    @classmethod
    def of(cls, found: sessions.Session) -> Session:
        """The GraphQL view of a stored session."""
        return cls(
            record=found,
            id=strawberry.ID(found.id),
            community_id=strawberry.ID(found.community_id),
            title=found.title,
            starts_at=found.starts_at,
            capacity=found.capacity,
            going=len(found.going),
            attended=len(found.attended),
            seats_left=max(0, found.capacity - len(found.going)),
        )

    @strawberry.field(description="The session's topic skills.")
    def topic_skills(self, info: Info) -> list[Skill]:
        return _skills(info, self.record.topic_skills)

    @strawberry.field(description="Whether the signed-in person said they come.")
    def you_are_going(self, info: Info) -> bool:
        return info.context.principal.person_id in self.record.going


async def _community_sessions(info: Info, community_id: str) -> list[Session]:
    """A community's sessions, soonest first (public, like the community)."""
    await info.context.loaders.projection()  # the topic skills resolve from it
    found = await info.context.store.read(sessions.sessions_of, community_id)
    return [Session.of(s) for s in found]


@strawberry.type(description="One person in a page of the directory.")
class PersonEdge:
    cursor: str = strawberry.field(description="Pass as `after` to get the people after this one.")
    node: Person = strawberry.field(description="The person.")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more people follow.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last person on this page.")


@strawberry.type(description="A page of the people directory.")
class PersonConnection:
    edges: list[PersonEdge] = strawberry.field(description="The people on this page, by name.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    count: strawberry.Private[object]

    @strawberry.field(description="How many people match the filter, across all pages.")
    async def total_count(self) -> int:
        counter = self.count
        assert callable(counter)
        return int(await counter())


@strawberry.type(description="What closing a leaver's account ended.")
class Offboarding:
    person_id: strawberry.ID = strawberry.field(description="Who left.")
    mentorships_ended: int = strawberry.field(
        description="Open mentorships ended (active ones) or declined (requests)."
    )
    squads_left: int = strawberry.field(description="Squads they were taken out of.")
    squads_archived: int = strawberry.field(
        description="Of those, squads archived for having fewer than two members left."
    )
    communities_left: int = strawberry.field(description="Communities they were taken out of.")
