"""GraphQL object types, each a thin view over a record from :mod:`graph.model`."""

from __future__ import annotations

import strawberry

from graph import model


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
