"""The GraphQL schema. ``schema.graphql`` at the project root is exported from it."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.types import Skill, Team
from graph import skills, teams


@strawberry.type(description="Read the skills graph.")
class Query:
    @strawberry.field(description="Skills whose name or alias contains `search` (any case).")
    async def skills(
        self, info: Info, search: str | None = None, category: str | None = None
    ) -> list[Skill]:
        found = await info.context.store.read(skills.list_skills, search=search, category=category)
        return [Skill.of(s) for s in found]

    @strawberry.field(description="Every team, by site then name.")
    async def teams(self, info: Info) -> list[Team]:
        return [Team.of(t) for t in await info.context.store.read(teams.list_teams)]


schema = strawberry.Schema(query=Query)
