"""Per-request DataLoaders: each turns many lookups into one Cypher query.

A page of 100 people with their skills costs the page query, one people
query and one skills query, not 100 of each. Loaders live in the request's
context, so their cache never outlives a request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graph import communities, mentorships, model, people, skills, squads, teams
from graph.store import Store, Tx

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
    """The DataLoaders of one request."""

    store: Store
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
        self.person = DataLoader(load_fn=self._load_people)
        self.skill = _by_id(store, skills.get_skills, lambda s: s.key)
        self.team = _by_id(store, teams.get_teams, lambda t: t.id)
        self.mentorship = _by_id(store, mentorships.get_mentorships, lambda m: m.id)
        self.squad = _by_id(store, squads.get_squads, lambda q: q.id)
        self.community = _by_id(store, communities.get_communities, lambda c: c.id)
        self.mentorships_of = _grouped(store, mentorships.mentorships_of_people)
        self.squads_of = _grouped(store, squads.squads_of_people)
        self.communities_of = _grouped(store, communities.communities_of_people)

    async def _load_people(self, ids: list[str]) -> list[model.Person | None]:
        """People with their teams in one statement; the teams prime the team loader."""
        found = {}
        for person, team in await self.store.fetch(people.get_people_with_teams, ids):
            found[person.id] = person
            if team is not None:
                self.team.prime(team.id, team)
        return [found.get(i) for i in ids]

    def forget(self, *, person: str | None = None) -> None:
        """Drop cached values a mutation has made stale."""
        if person is not None:
            for loader in (self.person, self.mentorships_of, self.squads_of, self.communities_of):
                with contextlib.suppress(KeyError):  # not cached yet
                    loader.clear(person)
