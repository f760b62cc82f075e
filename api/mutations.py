"""Write resolvers: the root ``Mutation`` type.

Each mutation checks :mod:`api.permissions` first, then makes one store
transaction, so a refused or failed mutation writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from api.context import Info
from api.errors import BadInput, NotFoundError
from api.health import HealthMutations
from api.idempotency import IdempotencyKeyArg, keyed_id, once
from api.inputs import CommunityInput, FeedbackInput, ProfileInput, SquadInput
from api.matching import MatchingMutations
from api.notifications import NotificationMutations
from api.paths import PathMutations, person_or_error
from api.permissions import Action, require
from api.sessions import SessionMutations
from api.types import Community, Mentorship, Offboarding, Person, Priority, Squad, SquadRole
from api.webhooks import WebhookMutations
from graph import communities, mentorships, model, offboarding, people, squads


def _subject(info: Info, person_id: strawberry.ID | None) -> str:
    return str(person_id) if person_id is not None else info.context.principal.person_id


async def _fresh_person(info: Info, person_id: str) -> Person:
    return await person_or_error(info, person_id)


async def _skill_key(info: Info, name: str) -> str:
    return (await info.context.catalog()).require(name).key


async def _edit_skills(
    info: Info,
    person_id: strawberry.ID | None,
    skill: str,
    work: Callable[..., Awaitable[Any]],
    *args: Any,
) -> Person:
    """Check the caller may edit the person, resolve the skill's name, write, and re-read."""
    subject = _subject(info, person_id)
    require(info.context.principal, Action.EDIT_PROFILE, subject)
    key = await _skill_key(info, skill)
    await person_or_error(info, subject)
    await info.context.write(work, subject, key, *args)
    return await _fresh_person(info, subject)


async def _mentorship(info: Info, id: strawberry.ID) -> model.Mentorship:
    found = await info.context.store.read(mentorships.get_mentorship, id)
    if found is None:
        raise NotFoundError(f"No mentorship with id {id!r}.")
    return found


PersonArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The person to change; yourself when left out (others need admin)."
    ),
]


@strawberry.type(description="Change the skills graph.")
class Mutation(
    MatchingMutations,
    HealthMutations,
    PathMutations,
    NotificationMutations,
    SessionMutations,
    WebhookMutations,
):
    @strawberry.mutation(description="Update a profile and mentoring availability.")
    async def update_profile(
        self,
        info: Info,
        input: ProfileInput,
        person_id: PersonArg = None,
    ) -> Person:
        subject = _subject(info, person_id)
        require(info.context.principal, Action.EDIT_PROFILE, subject)
        changes: dict[str, Any] = {
            name: value for name, value in vars(input).items() if value is not None
        }
        await info.context.write(people.update_profile, subject, changes)
        return await _fresh_person(info, subject)

    @strawberry.mutation(description="Set a skill at a level from 1 to 5 (adds it if new).")
    async def set_skill(
        self,
        info: Info,
        skill: str,
        level: int,
        person_id: PersonArg = None,
    ) -> Person:
        own = _subject(info, person_id) == info.context.principal.person_id
        source = "profile" if own else "admin"
        return await _edit_skills(info, person_id, skill, people.set_skill, level, source)

    @strawberry.mutation(description="Remove a skill from a profile.")
    async def remove_skill(
        self,
        info: Info,
        skill: str,
        person_id: PersonArg = None,
    ) -> Person:
        own = _subject(info, person_id) == info.context.principal.person_id
        source = "profile" if own else "admin"
        return await _edit_skills(info, person_id, skill, people.remove_skill, source)

    @strawberry.mutation(description="Add a learning goal (or change its priority).")
    async def add_learning_goal(
        self,
        info: Info,
        skill: str,
        priority: Priority = Priority.MEDIUM,
        person_id: PersonArg = None,
    ) -> Person:
        return await _edit_skills(info, person_id, skill, people.add_learning_goal, int(priority))

    @strawberry.mutation(description="Drop a learning goal.")
    async def remove_learning_goal(
        self,
        info: Info,
        skill: str,
        person_id: PersonArg = None,
    ) -> Person:
        return await _edit_skills(info, person_id, skill, people.remove_learning_goal)

    @strawberry.mutation(
        description="Ask someone to be your mentor on some focus skills. You may have a few "
        "unanswered requests at once (3 by default); each expires if not answered in time."
    )
    async def request_mentorship(
        self,
        info: Info,
        mentor_id: strawberry.ID,
        focus_skills: list[str],
        message: str = "",
        idempotency_key: IdempotencyKeyArg = None,
    ) -> Mentorship:
        mentee = info.context.principal.person_id
        require(info.context.principal, Action.MENTORSHIP, mentee)
        record_id = keyed_id("mnt", mentee, idempotency_key)
        catalog = await info.context.catalog()
        keys = [catalog.require(name).key for name in focus_skills]
        settings = info.context.settings

        async def create() -> model.Mentorship:
            return await info.context.write(
                mentorships.request_mentorship,
                mentee_id=mentee,
                mentor_id=str(mentor_id),
                focus_skills=keys,
                message=message,
                pending_limit=settings.skillweave_pending_request_limit,
                ttl=settings.request_ttl,
                id=record_id,
            )

        return Mentorship.of(
            await once(
                record_id, lambda i: info.context.store.read(mentorships.get_mentorship, i), create
            )
        )

    @strawberry.mutation(description="Accept or decline a request; only its mentor may answer.")
    async def respond_to_mentorship(
        self, info: Info, id: strawberry.ID, accept: bool
    ) -> Mentorship:
        current = await _mentorship(info, id)
        require(info.context.principal, Action.MENTORSHIP, current.mentor_id)
        updated = await info.context.write(mentorships.respond_to_mentorship, id, accept=accept)
        return Mentorship.of(updated)

    @strawberry.mutation(description="End an active mentorship with feedback; either side may.")
    async def end_mentorship(
        self, info: Info, id: strawberry.ID, feedback: FeedbackInput
    ) -> Mentorship:
        current = await _mentorship(info, id)
        principal = info.context.principal
        require(principal, Action.MENTORSHIP, current.mentor_id, current.mentee_id)
        updated = await info.context.write(
            mentorships.end_mentorship,
            id,
            by=principal.person_id,
            rating=feedback.rating,
            comment=feedback.comment,
        )
        return Mentorship.of(updated)

    @strawberry.mutation(description="Form a squad with its members (moderators).")
    async def create_squad(
        self, info: Info, input: SquadInput, idempotency_key: IdempotencyKeyArg = None
    ) -> Squad:
        require(info.context.principal, Action.MANAGE_SQUADS)
        record_id = keyed_id("sqd", info.context.principal.person_id, idempotency_key)
        catalog = await info.context.catalog()

        async def create() -> model.Squad:
            return await info.context.write(
                squads.create_squad,
                name=input.name,
                purpose=input.purpose,
                focus_skills=[catalog.require(name).key for name in input.focus_skills],
                members=[model.SquadMember(str(m.person_id), m.role) for m in input.members],
                id=record_id,
                by=info.context.principal.person_id,
            )

        return Squad.of(
            await once(record_id, lambda i: info.context.store.read(squads.get_squad, i), create)
        )

    @strawberry.mutation(description="Add a member to an active squad (moderators).")
    async def add_squad_member(
        self,
        info: Info,
        squad_id: strawberry.ID,
        person_id: strawberry.ID,
        role: SquadRole = SquadRole.MEMBER,
    ) -> Squad:
        require(info.context.principal, Action.MANAGE_SQUADS)
        return Squad.of(
            await info.context.write(
                squads.add_squad_member,
                squad_id,
                person_id,
                role,
                by=info.context.principal.person_id,
            )
        )

    @strawberry.mutation(description="Take a member out of an active squad (moderators).")
    async def remove_squad_member(
        self, info: Info, squad_id: strawberry.ID, person_id: strawberry.ID
    ) -> Squad:
        require(info.context.principal, Action.MANAGE_SQUADS)
        return Squad.of(await info.context.write(squads.remove_squad_member, squad_id, person_id))

    @strawberry.mutation(description="Archive a squad; it then refuses changes (moderators).")
    async def archive_squad(self, info: Info, squad_id: strawberry.ID) -> Squad:
        require(info.context.principal, Action.MANAGE_SQUADS)
        return Squad.of(await info.context.write(squads.archive_squad, squad_id))

    @strawberry.mutation(description="Create a community of practice (moderators).")
    async def create_community(
        self, info: Info, input: CommunityInput, idempotency_key: IdempotencyKeyArg = None
    ) -> Community:
        principal = info.context.principal
        require(principal, Action.MANAGE_COMMUNITIES)
        record_id = keyed_id("cop", principal.person_id, idempotency_key)
        catalog = await info.context.catalog()
        moderators = (
            [str(m) for m in input.moderator_ids] if input.moderator_ids else [principal.person_id]
        )

        async def create() -> model.Community:
            return await info.context.write(
                communities.create_community,
                name=input.name,
                description=input.description,
                topic_skills=[catalog.require(name).key for name in input.topic_skills],
                moderator_ids=moderators,
                id=record_id,
                by=principal.person_id,
            )

        return Community.of(
            await once(
                record_id, lambda i: info.context.store.read(communities.get_community, i), create
            )
        )

    @strawberry.mutation(description="Join a community yourself.")
    async def join_community(
        self,
        info: Info,
        community_id: strawberry.ID,
        person_id: PersonArg = None,
    ) -> Community:
        subject = _subject(info, person_id)
        require(info.context.principal, Action.JOIN_COMMUNITY, subject)
        return Community.of(
            await info.context.write(
                communities.join_community,
                community_id,
                subject,
                by=info.context.principal.person_id,
            )
        )

    @strawberry.mutation(description="Leave a community you are a member of.")
    async def leave_community(
        self,
        info: Info,
        community_id: strawberry.ID,
        person_id: PersonArg = None,
    ) -> Community:
        subject = _subject(info, person_id)
        require(info.context.principal, Action.JOIN_COMMUNITY, subject)
        return Community.of(
            await info.context.write(communities.leave_community, community_id, subject)
        )

    @strawberry.mutation(description="Make someone a moderator of a community (moderators).")
    async def add_community_moderator(
        self, info: Info, community_id: strawberry.ID, person_id: strawberry.ID
    ) -> Community:
        require(info.context.principal, Action.MANAGE_COMMUNITIES)
        found = await info.context.write(
            communities.add_community_moderator,
            community_id,
            person_id,
            by=info.context.principal.person_id,
        )
        return Community.of(found)

    @strawberry.mutation(
        description="Close the account of someone who left the organisation (HR and admins), "
        "in one transaction: their open mentorships end (requests are declined), they leave "
        "every squad (one left with fewer than two members is archived) and community, their "
        "reports report to no one, and their tokens stop working. Their past mentorships "
        "stay in the record. The HRIS import does the same for rows with status `leaver`."
    )
    async def offboard_person(self, info: Info, person_id: strawberry.ID) -> Offboarding:
        require(info.context.principal, Action.OFFBOARD)
        if person_id == info.context.principal.person_id:
            raise BadInput("You cannot close your own account; ask another admin.")
        ended = await info.context.write(offboarding.offboard_person, str(person_id))
        return Offboarding(
            person_id=person_id,
            mentorships_ended=ended["mentorships"],
            squads_left=ended["squads"],
            squads_archived=ended["archived_squads"],
            communities_left=ended["communities"],
        )
