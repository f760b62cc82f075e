"""GraphQL input types."""

from __future__ import annotations

import strawberry

from api.types import JobRole, SquadRole


@strawberry.input(description="Conditions on the people directory; all given ones must hold.")
class PeopleFilter:
    team: strawberry.ID | None = strawberry.field(default=None, description="Team id.")
    site: str | None = strawberry.field(default=None, description="Delivery site.")
    function: str | None = strawberry.field(default=None, description="Line of work.")
    shift: str | None = strawberry.field(default=None, description="Shift.")
    skill: str | None = strawberry.field(
        default=None, description="A skill name or alias (any case); with `minLevel`."
    )
    min_level: int = strawberry.field(default=1, description="Lowest level of `skill`, 1–5.")
    open_to_mentoring: bool | None = strawberry.field(
        default=None, description="Only people who do (or do not) take mentees now."
    )


@strawberry.input(description="Changes to a profile; fields left out stay as they are.")
class ProfileInput:
    name: str | None = strawberry.field(default=None, description="Full name.")
    title: str | None = strawberry.field(default=None, description="Job title.")
    shift: str | None = strawberry.field(default=None, description="Usual shift.")
    timezone: str | None = strawberry.field(default=None, description="IANA time zone.")
    languages: list[str] | None = strawberry.field(default=None, description="Working languages.")
    mentoring_capacity: int | None = strawberry.field(
        default=None, description="Mentees at once, 0–20."
    )
    open_to_mentoring: bool | None = strawberry.field(default=None, description="Take mentees now.")
    open_to_being_mentored: bool | None = strawberry.field(
        default=None, description="Want a mentor."
    )
    share_goals: bool | None = strawberry.field(
        default=None,
        description="Let colleagues see your learning goals, and mentors' suggestions count "
        "what you could learn from them.",
    )
    auto_request_next_pick: bool | None = strawberry.field(
        default=None,
        description="When a request of yours expires unanswered, ask your next best mentor "
        "for you (instead of only offering them).",
    )


@strawberry.input(description="Feedback when ending a mentorship.")
class FeedbackInput:
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    comment: str = strawberry.field(default="", description="Free text, up to 2000 characters.")


@strawberry.input(description="A member to put in a squad.")
class SquadMemberInput:
    person_id: strawberry.ID = strawberry.field(description="The person.")
    role: SquadRole = strawberry.field(
        default=SquadRole.MEMBER, description="Their role in the squad."
    )


@strawberry.input(description="A new squad.")
class SquadInput:
    name: str = strawberry.field(description="Squad name.")
    purpose: str = strawberry.field(default="", description="What the squad is for.")
    focus_skills: list[str] = strawberry.field(
        default_factory=list, description="Skill names or aliases the squad works on."
    )
    members: list[SquadMemberInput] = strawberry.field(description="2 to 12 members.")


@strawberry.input(description="A new community of practice.")
class CommunityInput:
    name: str = strawberry.field(description="Community name.")
    description: str = strawberry.field(default="", description="What it is about.")
    topic_skills: list[str] = strawberry.field(
        default_factory=list, description="Skill names or aliases it is about."
    )
    moderator_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Its moderators; the caller when left out."
    )


@strawberry.input(description="A skill a role needs.")
class RoleRequirementInput:
    skill: str = strawberry.field(description="A skill name or alias (any case).")
    level: int = strawberry.field(description="The level the role needs, 1–5.")
    weight: int = strawberry.field(default=1, description="Its weight in readiness, 1–5.")


@strawberry.input(description="A role profile; saving one with an existing name replaces it.")
class RoleInput:
    name: str = strawberry.field(description="Display name, such as `Team Lead`.")
    requirements: list[RoleRequirementInput] = strawberry.field(
        description="The skills it needs (1–30)."
    )
    job_role: JobRole | None = strawberry.field(
        default=None,
        description="The job role of the people whose current role this is (one role per job).",
    )
