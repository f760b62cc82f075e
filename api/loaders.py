"""Per-request DataLoaders over this process's projection of the graph.

Every profile read — people, teams, skills, mentorships, squads, communities —
comes from the projection (:mod:`api.directory`), brought up to date once per
request by :meth:`graph.projection.ProjectionKeeper.current` (one small query
when nothing changed), and again after a write. Loaders live in the request's
context, so their cache never outlives a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from strawberry.dataloader import DataLoader

from api import directory
from graph import model
from graph.projection import ProjectionKeeper
from matching.projection import Projection

V = TypeVar("V")


@dataclass
class Loaders:
    """The DataLoaders of one request, all reading the same projection."""

    keeper: ProjectionKeeper
    _projection: Projection | None = field(default=None, init=False)
    person: DataLoader[str, model.Person | None] = field(init=False)
    skill: DataLoader[str, model.Skill | None] = field(init=False)
    team: DataLoader[str, model.Team | None] = field(init=False)
    mentorship: DataLoader[str, model.Mentorship | None] = field(init=False)
    squad: DataLoader[str, model.Squad | None] = field(init=False)
    community: DataLoader[str, model.Community | None] = field(init=False)
    mentorships_of: DataLoader[str, list[model.Mentorship]] = field(init=False)
    squads_of: DataLoader[str, list[model.Squad]] = field(init=False)
    communities_of: DataLoader[str, list[model.Community]] = field(init=False)

    def __post_init__(self) -> None:
        self.person = DataLoader(load_fn=self._from_projection(directory.person_record))
        self.skill = DataLoader(load_fn=self._from_projection(directory.skill_record))
        self.team = DataLoader(load_fn=self._from_projection(directory.team_record))
        self.mentorship = DataLoader(load_fn=self._from_projection(directory.mentorship_record))
        self.squad = DataLoader(load_fn=self._from_projection(directory.squad_record))
        self.community = DataLoader(load_fn=self._from_projection(directory.community_record))
        self.mentorships_of = DataLoader(load_fn=self._from_projection(directory.mentorships_of))
        self.squads_of = DataLoader(load_fn=self._from_projection(directory.squads_of))
        self.communities_of = DataLoader(load_fn=self._from_projection(directory.communities_of))

    async def projection(self) -> Projection:
        """The projection, brought up to date on first use in this request (or after a write)."""
        if self._projection is None:
            self._projection = await self.keeper.current()
        return self._projection

    def skills_now(self, keys: Sequence[str]) -> list[model.Skill]:
        """Skills from the projection this request already loaded (people come from it too)."""
        assert self._projection is not None, "load a person before their skills"
        found = (directory.skill_record(self._projection, key) for key in keys)
        return [s for s in found if s is not None]

    def _from_projection(
        self, read: Callable[[Projection, str], V | None]
    ) -> Callable[[list[str]], Awaitable[list[V | None]]]:
        async def load(ids: list[str]) -> list[V | None]:
            projection = await self.projection()
            return [read(projection, i) for i in ids]

        return load

    def forget(self) -> None:
        """Drop everything cached: a write in this request made it stale."""
        self._projection = None
        for loader in (
            self.person, self.skill, self.team, self.mentorship, self.squad, self.community,
            self.mentorships_of, self.squads_of, self.communities_of,
        ):  # fmt: skip
            loader.clear_all()
