"""Read resolvers: the root ``Query`` type."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.errors import BadInput, NotFoundError
from api.health import HealthQueries
from api.impact import ImpactQueries
from api.inputs import PeopleFilter
from api.matching import MatchingQueries
from api.notifications import NotificationQueries
from api.pagination import decode_cursor, encode_cursor, page_size
from api.paths import PathQueries, person_or_error
from api.permissions import Action, require
from api.types import (
    Community,
    Facets,
    Mentorship,
    MentorshipStatus,
    PageInfo,
    Person,
    PersonConnection,
    PersonEdge,
    Skill,
    Squad,
    SquadStatus,
    Team,
)
from api.webhooks import WebhookQueries
from graph import skills, teams
from readmodel import directory


async def _filter(info: Info, where: PeopleFilter | None) -> directory.PeopleFilter:
    if where is None:
        return directory.PeopleFilter()
    skill = None
    if where.skill is not None:
        skill = (await info.context.catalog()).require(where.skill).key
    if not 1 <= where.min_level <= 5:
        raise BadInput(f"`minLevel` must be from 1 to 5, not {where.min_level}.")
    return directory.PeopleFilter(
        team_id=where.team,
        site=where.site,
        function=where.function,
        shift=where.shift,
        skill=skill,
        min_level=where.min_level,
        open_to_mentoring=where.open_to_mentoring,
    )


@strawberry.type(description="Read the skills graph.")
class Query(
    MatchingQueries, HealthQueries, ImpactQueries, PathQueries, NotificationQueries, WebhookQueries
):
    @strawberry.field(description="The signed-in person.")
    async def me(self, info: Info) -> Person:
        return await person_or_error(info, info.context.principal.person_id)

    @strawberry.field(description="A person by id.")
    async def person(self, info: Info, id: strawberry.ID) -> Person:
        require(info.context.principal, Action.READ_DIRECTORY)
        return await person_or_error(info, id)

    @strawberry.field(description="The people directory, by name, a page at a time.")
    async def people(
        self,
        info: Info,
        filter: PeopleFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PersonConnection:
        require(info.context.principal, Action.READ_DIRECTORY)
        size = page_size(first, cap=info.context.settings.skillweave_max_page_size)
        cursor = decode_cursor(after) if after is not None else None
        where = await _filter(info, filter)
        projection = await info.context.loaders.projection()
        keys, more, total = directory.page_of_people(projection, where, first=size, after=cursor)
        found = await info.context.loaders.person.load_many([pid for _, pid in keys])
        edges = [
            PersonEdge(cursor=encode_cursor(name, pid), node=Person.of(p))
            for (name, pid), p in zip(keys, found, strict=True)
            if p is not None
        ]

        async def count() -> int:
            return total

        return PersonConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
            count=count,
        )

    @strawberry.field(
        description="The sites, functions, shifts and languages people have, to offer as filters."
    )
    async def facets(self, info: Info) -> Facets:
        require(info.context.principal, Action.READ_DIRECTORY)
        found = directory.facets(await info.context.loaders.projection())
        return Facets(
            sites=list(found.sites),
            functions=list(found.functions),
            shifts=list(found.shifts),
            languages=list(found.languages),
        )

    @strawberry.field(description="Skills whose name or alias contains `search` (any case).")
    async def skills(
        self, info: Info, search: str | None = None, category: str | None = None
    ) -> list[Skill]:
        if search is not None and len(search) > 100:
            raise BadInput("`search` is limited to 100 characters.")
        found = await info.context.store.fetch(skills.list_skills, search=search, category=category)
        return [Skill.of(s) for s in found]

    @strawberry.field(description="Every team, by site then name.")
    async def teams(self, info: Info) -> list[Team]:
        return [Team.of(t) for t in await info.context.store.fetch(teams.list_teams)]

    @strawberry.field(
        description="Mentorships of a person (the caller when `personId` is left out), newest "
        "first. Someone else's need the HR or admin role."
    )
    async def mentorships(
        self,
        info: Info,
        person_id: strawberry.ID | None = None,
        status: MentorshipStatus | None = None,
    ) -> list[Mentorship]:
        subject = person_id or info.context.principal.person_id
        require(info.context.principal, Action.READ_MENTORSHIPS, subject)
        await person_or_error(info, subject)
        found = await info.context.loaders.mentorships_of.load(subject)
        return [Mentorship.of(m) for m in found if status is None or m.status is status]

    @strawberry.field(description="A mentorship by id; visible to its two people, HR and admins.")
    async def mentorship(self, info: Info, id: strawberry.ID) -> Mentorship:
        found = await info.context.loaders.mentorship.load(id)
        if found is None:
            raise NotFoundError(f"No mentorship with id {id!r}.")
        require(info.context.principal, Action.READ_MENTORSHIPS, found.mentor_id, found.mentee_id)
        return Mentorship.of(found)

    @strawberry.field(description="Squads, newest first, optionally of one status.")
    async def squads(self, info: Info, status: SquadStatus | None = None) -> list[Squad]:
        found = directory.list_squads(await info.context.loaders.projection(), status)
        return [Squad.of(q) for q in found]

    @strawberry.field(description="A squad by id, with its members.")
    async def squad(self, info: Info, id: strawberry.ID) -> Squad:
        found = await info.context.loaders.squad.load(id)
        if found is None:
            raise NotFoundError(f"No squad with id {id!r}.")
        return Squad.of(found)

    @strawberry.field(
        description="Communities of practice whose name or description contains `search`."
    )
    async def communities(self, info: Info, search: str | None = None) -> list[Community]:
        if search is not None and len(search) > 100:
            raise BadInput("`search` is limited to 100 characters.")
        found = directory.list_communities(await info.context.loaders.projection(), search)
        return [Community.of(c) for c in found]

    @strawberry.field(description="A community by id, with members and moderators.")
    async def community(self, info: Info, id: strawberry.ID) -> Community:
        found = await info.context.loaders.community.load(id)
        if found is None:
            raise NotFoundError(f"No community with id {id!r}.")
        return Community.of(found)
