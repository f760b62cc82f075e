"""GraphQL object types, each a thin view over a record from :mod:`graph.model`.

Nested fields load through the request's DataLoaders (:mod:`api.loaders`);
fields that are not public check :mod:`api.permissions` first.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from api.context import Info
from api.permissions import Action, require
from graph import model

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


async def _skills(info: Info, keys: tuple[str, ...] | list[str]) -> list[Skill]:
    found = await info.context.loaders.skill.load_many(list(keys))
    return [Skill.of(s) for s in found if s is not None]


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


def _skill_map(info: Info, keys: list[str]) -> dict[str, Skill]:
    return {s.key: Skill.of(s) for s in info.context.loaders.skills_now(keys)}


@strawberry.type(
    description="Someone in the organisation: their public profile, and more for those allowed."
)
class Person:
    record: strawberry.Private[model.Person]

    @classmethod
    def of(cls, person: model.Person) -> Person:
        """The GraphQL view of a stored person."""
        return cls(record=person)

    @strawberry.field(description="Stable id (the HRIS employee id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Full name.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="Job title.")
    def title(self) -> str:
        return self.record.title

    @strawberry.field(description="What the person does at work.")
    def role(self) -> JobRole:
        return self.record.role

    @strawberry.field(description="Line of work, such as `voice`, `chat` or `qa`.")
    def function(self) -> str:
        return self.record.function

    @strawberry.field(description="Delivery site.")
    def site(self) -> str:
        return self.record.site

    @strawberry.field(description="Usual shift, such as `day` or `night`.")
    def shift(self) -> str:
        return self.record.shift

    @strawberry.field(description="IANA time zone.")
    def timezone(self) -> str:
        return self.record.timezone

    @strawberry.field(description="Languages the person works in.")
    def languages(self) -> list[str]:
        return list(self.record.languages)

    @strawberry.field(description="Months with the organisation.")
    def tenure_months(self) -> int:
        return self.record.tenure_months

    @strawberry.field(description="How many mentees the person takes at once.")
    def mentoring_capacity(self) -> int:
        return self.record.mentoring_capacity

    @strawberry.field(description="Whether the person takes mentees now.")
    def open_to_mentoring(self) -> bool:
        return self.record.open_to_mentoring

    @strawberry.field(description="Whether the person wants a mentor.")
    def open_to_being_mentored(self) -> bool:
        return self.record.open_to_being_mentored

    @strawberry.field(description="The person's team.")
    async def team(self, info: Info) -> Team | None:
        if self.record.team_id is None:
            return None
        found = await info.context.loaders.team.load(self.record.team_id)
        return Team.of(found) if found else None

    @strawberry.field(description="The person's team lead or manager.")
    async def manager(self, info: Info) -> Person | None:
        if self.record.manager_id is None:
            return None
        found = await info.context.loaders.person.load(self.record.manager_id)
        return Person.of(found) if found else None

    @strawberry.field(description="Skills with levels, strongest first.")
    def skills(self, info: Info) -> list[SkillLevel]:
        ordered = sorted(self.record.skills, key=lambda s: (-s.level, s.skill))
        found = _skill_map(info, [s.skill for s in ordered])
        return [
            SkillLevel(skill=found[s.skill], level=s.level) for s in ordered if s.skill in found
        ]

    @strawberry.field(
        description="What the person wants to learn, most wanted first. Visible to the person, "
        "moderators, HR and admins."
    )
    def learning_goals(self, info: Info) -> list[LearningGoal]:
        require(info.context.principal, Action.READ_GOALS, self.record.id)
        ordered = sorted(self.record.goals, key=lambda g: (g.priority, g.skill))
        found = _skill_map(info, [g.skill for g in ordered])
        return [
            LearningGoal(skill=found[g.skill], priority=model.Priority(g.priority))
            for g in ordered
            if g.skill in found
        ]

    @strawberry.field(
        description="The person's mentorships, as mentor or mentee, newest first. Visible to the "
        "person, HR and admins."
    )
    async def mentorships(
        self, info: Info, status: MentorshipStatus | None = None
    ) -> list[Mentorship]:
        require(info.context.principal, Action.READ_MENTORSHIPS, self.record.id)
        found = await info.context.loaders.mentorships_of.load(self.record.id)
        return [Mentorship.of(m) for m in found if status is None or m.status is status]

    async def _active(self, info: Info, side: str) -> list[Person]:
        require(info.context.principal, Action.READ_MENTORSHIPS, self.record.id)
        found = await info.context.loaders.mentorships_of.load(self.record.id)
        ids = [
            m.mentor_id if side == "mentors" else m.mentee_id
            for m in found
            if m.status is model.MentorshipStatus.ACTIVE
            and (m.mentee_id if side == "mentors" else m.mentor_id) == self.record.id
        ]
        return [Person.of(p) for p in await info.context.loaders.person.load_many(ids) if p]

    @strawberry.field(description="People who mentor this person now.")
    async def mentors(self, info: Info) -> list[Person]:
        return await self._active(info, "mentors")

    @strawberry.field(description="People this person mentors now.")
    async def mentees(self, info: Info) -> list[Person]:
        return await self._active(info, "mentees")

    @strawberry.field(
        description="How many people this person mentors now (public, to show availability)."
    )
    async def active_mentee_count(self, info: Info) -> int:
        found = await info.context.loaders.mentorships_of.load(self.record.id)
        return sum(
            1
            for m in found
            if m.status is model.MentorshipStatus.ACTIVE and m.mentor_id == self.record.id
        )

    @strawberry.field(description="Squads the person belongs to.")
    async def squads(self, info: Info) -> list[Squad]:
        return [Squad.of(q) for q in await info.context.loaders.squads_of.load(self.record.id)]

    @strawberry.field(description="Communities of practice the person belongs to.")
    async def communities(self, info: Info) -> list[Community]:
        return [
            Community.of(c) for c in await info.context.loaders.communities_of.load(self.record.id)
        ]


async def _person(info: Info, person_id: str) -> Person:
    found = await info.context.loaders.person.load(person_id)
    assert found is not None, f"person {person_id} vanished"
    return Person.of(found)


@strawberry.type(description="What a participant said when a mentorship ended.")
class Feedback:
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    comment: str = strawberry.field(description="Free text.")
    by: strawberry.ID | None = strawberry.field(
        description="Id of the person who ended the mentorship."
    )


@strawberry.type(description="A mentor and a mentee working on some focus skills.")
class Mentorship:
    record: strawberry.Private[model.Mentorship]

    @classmethod
    def of(cls, mentorship: model.Mentorship) -> Mentorship:
        """The GraphQL view of a stored mentorship."""
        return cls(record=mentorship)

    @strawberry.field(description="Stable id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="REQUESTED, ACTIVE, DECLINED, EXPIRED or ENDED.")
    def status(self) -> MentorshipStatus:
        return self.record.status

    @strawberry.field(description="The mentor.")
    async def mentor(self, info: Info) -> Person:
        return await _person(info, self.record.mentor_id)

    @strawberry.field(description="The mentee.")
    async def mentee(self, info: Info) -> Person:
        return await _person(info, self.record.mentee_id)

    @strawberry.field(description="The skills the mentorship works on.")
    async def focus_skills(self, info: Info) -> list[Skill]:
        return await _skills(info, self.record.focus_skills)

    @strawberry.field(description="The mentee's message with the request.")
    def message(self) -> str:
        return self.record.message

    @strawberry.field(description="When the mentee asked.")
    def requested_at(self) -> dt.datetime | None:
        return self.record.requested_at

    @strawberry.field(description="When the mentor answered.")
    def responded_at(self) -> dt.datetime | None:
        return self.record.responded_at

    @strawberry.field(description="When an unanswered request expires.")
    def expires_at(self) -> dt.datetime | None:
        return self.record.expires_at

    @strawberry.field(description="When the mentorship ended.")
    def ended_at(self) -> dt.datetime | None:
        return self.record.ended_at

    @strawberry.field(description="Feedback left when it ended.")
    def feedback(self) -> Feedback | None:
        f = self.record.feedback
        if f is None:
            return None
        return Feedback(
            rating=f.rating, comment=f.comment, by=strawberry.ID(f.by) if f.by else None
        )


@strawberry.type(description="A member of a squad and their role there.")
class SquadMember:
    person_id: strawberry.Private[str]
    role: SquadRole = strawberry.field(description="LEAD, EXPERT, LEARNER or MEMBER.")

    @strawberry.field(description="The member.")
    async def person(self, info: Info) -> Person:
        return await _person(info, self.person_id)


@strawberry.type(description="A small cross-functional learning group around a few focus skills.")
class Squad:
    record: strawberry.Private[model.Squad]

    @classmethod
    def of(cls, squad: model.Squad) -> Squad:
        """The GraphQL view of a stored squad."""
        return cls(record=squad)

    @strawberry.field(description="Stable id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Squad name.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="What the squad is for.")
    def purpose(self) -> str:
        return self.record.purpose

    @strawberry.field(description="ACTIVE or ARCHIVED.")
    def status(self) -> SquadStatus:
        return self.record.status

    @strawberry.field(description="When it was formed.")
    def created_at(self) -> dt.datetime | None:
        return self.record.created_at

    @strawberry.field(description="The skills the squad works on.")
    async def focus_skills(self, info: Info) -> list[Skill]:
        return await _skills(info, self.record.focus_skills)

    @strawberry.field(description="Members with their roles.")
    def members(self) -> list[SquadMember]:
        return [SquadMember(person_id=m.person_id, role=m.role) for m in self.record.members]


@strawberry.type(description="A community of practice: an open group around some topic skills.")
class Community:
    record: strawberry.Private[model.Community]

    @classmethod
    def of(cls, community: model.Community) -> Community:
        """The GraphQL view of a stored community."""
        return cls(record=community)

    @strawberry.field(description="Stable id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Community name.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="What the community is about.")
    def description(self) -> str:
        return self.record.description

    @strawberry.field(description="When it was created.")
    def created_at(self) -> dt.datetime | None:
        return self.record.created_at

    @strawberry.field(description="The community's topic skills.")
    async def topic_skills(self, info: Info) -> list[Skill]:
        return await _skills(info, self.record.topic_skills)

    @strawberry.field(description="How many members it has.")
    def member_count(self) -> int:
        return len(self.record.member_ids)

    @strawberry.field(description="Members, by id; `first` caps how many (at most 100).")
    async def members(self, info: Info, first: int = 50) -> list[Person]:
        ids = list(self.record.member_ids[: max(0, min(first, 100))])
        return [Person.of(p) for p in await info.context.loaders.person.load_many(ids) if p]

    @strawberry.field(description="Moderators.")
    async def moderators(self, info: Info) -> list[Person]:
        found = await info.context.loaders.person.load_many(list(self.record.moderator_ids))
        return [Person.of(p) for p in found if p]


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
