"""Per-request reads of this process's projection of the graph.

Every profile read — people, teams, skills, mentorships, squads, communities —
comes from the projection (:mod:`api.directory`), brought up to date once per
request by :meth:`readmodel.keeper.ReadModelKeeper.current` (one small query
when nothing changed), and again after a write. Root fields load through
DataLoaders, which bring the projection up to date on first use; the nested
fields of what they return read that same projection synchronously
(:meth:`Loaders.now`). Loaders live in the request's context, so what they
cache never outlives a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api.errors import BadInput
from graph import model
from graph.changes import Version
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel

V = TypeVar("V")


@dataclass
class Loaders:
    """The loaders of one request, all reading the same projection."""

    keeper: ReadModelKeeper
    at_least: Version | None = None
    """The version the client asked to read at or after (``X-Skillweave-Version``)."""
    bad_version: str | None = None
    """Why the client's ``X-Skillweave-Version`` could not be read, if it could not."""
    on_read: Callable[[ReadModel], None] | None = None
    """Told which model the request read (the answer's ``X-Skillweave-Version``)."""
    _projection: ReadModel | None = field(default=None, init=False)
    _memo: dict[tuple[object, str], Any] = field(default_factory=dict, init=False)
    person: DataLoader[str, model.Person | None] = field(init=False)
    mentorship: DataLoader[str, model.Mentorship | None] = field(init=False)
    squad: DataLoader[str, model.Squad | None] = field(init=False)
    community: DataLoader[str, model.Community | None] = field(init=False)
    mentorships_of: DataLoader[str, list[model.Mentorship]] = field(init=False)

    def __post_init__(self) -> None:
        self.person = DataLoader(load_fn=self._from_projection(directory.person_record))
        self.mentorship = DataLoader(load_fn=self._from_projection(directory.mentorship_record))
        self.squad = DataLoader(load_fn=self._from_projection(directory.squad_record))
        self.community = DataLoader(load_fn=self._from_projection(directory.community_record))
        self.mentorships_of = DataLoader(load_fn=self._from_projection(directory.mentorships_of))

    def prime(self, projection: ReadModel) -> None:
        """Use ``projection`` (read for this request already, while signing in)."""
        if self._projection is None:
            self._projection = projection
            if self.on_read is not None:
                self.on_read(projection)

    async def projection(self, *, fresh: bool = False) -> ReadModel:
        """The model, brought up to date when a check is due, on first use in this request.

        With ``fresh`` (after this request's write) the check happens whatever the bound.

        Raises:
            BadInput: the client's ``X-Skillweave-Version`` is not one this service sent.
        """
        if self.bad_version is not None:
            raise BadInput(self.bad_version)
        if self._projection is None:
            self._projection = await self.keeper.current(at_least=self.at_least, fresh=fresh)
            if self.on_read is not None:
                self.on_read(self._projection)
        return self._projection

    def now(self, read: Callable[[ReadModel, str], V], key: str) -> V:
        """``read(projection, key)`` on the projection this request already holds, once per request.

        For the nested fields of objects made from that projection: they need not
        await anything. A write in the request drops the projection and what was read.
        """
        assert self._projection is not None, "load something through the loaders first"
        memo = (read, key)
        if memo not in self._memo:
            self._memo[memo] = read(self._projection, key)
        found: V = self._memo[memo]
        return found

    def _from_projection(
        self, read: Callable[[ReadModel, str], V | None]
    ) -> Callable[[list[str]], Awaitable[list[V | None]]]:
        async def load(ids: list[str]) -> list[V | None]:
            projection = await self.projection()
            return [read(projection, i) for i in ids]

        return load

    def forget(self) -> None:
        """Drop everything cached: a write in this request made it stale."""
        self._projection = None
        self._memo.clear()
        for loader in (self.person, self.mentorship, self.squad, self.community):
            loader.clear_all()
        self.mentorships_of.clear_all()
