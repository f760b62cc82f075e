"""Per-request DataLoaders: each turns many lookups into one Cypher query.

A page of 100 people with their skills costs the page query, one people
query and one skills query, not 100 of each. Loaders live in the request's
context, so their cache never outlives a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api import directory
from graph import communities, mentorships, model, squads
from graph.projection import ProjectionKeeper
from graph.store import Store, Tx
from matching.projection import Projection

K = TypeVar("K")
V = TypeVar("V")


def _by_id(
    store: Store,
    fetch: Callable[[Tx, Sequence[str]], Awaitable[Sequence[Any]]],
    key: Callable[[Any], str],
) -> DataLoader[str, Any]:
    async def load(ids: list[str]) -> list[Any]:
        found = {key(item): item for item in await store.fetch(fetch, ids)}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _grouped(
    store: Store,
    fetch: Callable[[Tx, Sequence[str]], Awaitable[dict[str, Any]]],
) -> DataLoader[str, Any]:
    async def load(ids: list[str]) -> list[Any]:
        found = await store.fetch(fetch, ids)
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """The DataLoaders of one request.

    People, teams and skills come from the process's projection (brought up to
    date once per request, and again after a write); the rest from the store.
    """

    store: Store
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
        store = self.store
        self.person = DataLoader(load_fn=self._from_projection(directory.person_record))
        self.skill = DataLoader(load_fn=self._from_projection(directory.skill_record))
        self.team = DataLoader(load_fn=self._from_projection(directory.team_record))
        self.mentorship = _by_id(store, mentorships.get_mentorships, lambda m: m.id)
        self.squad = _by_id(store, squads.get_squads, lambda q: q.id)
        self.community = _by_id(store, communities.get_communities, lambda c: c.id)
        self.mentorships_of = _grouped(store, mentorships.mentorships_of_people)
        self.squads_of = _grouped(store, squads.squads_of_people)
        self.communities_of = _grouped(store, communities.communities_of_people)

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
