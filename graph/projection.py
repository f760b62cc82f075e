"""Keeps this process's in-memory projection of the graph fresh.

The freshness rule, for one process or many sharing one Neo4j: every write
records a change (:mod:`graph.changes`) in its own transaction. Before the
projection is used, :meth:`ProjectionKeeper.current` asks for the changes since
the version it holds (one small query) and reloads just the people and groups
they name; a bulk write, or a history pruned past its version, reloads all.
So a process sees its own writes at once and other processes' writes at its
next use, never an older graph than the version it checked.
"""

from __future__ import annotations

import asyncio

from graph.changes import changes_since
from graph.export import export_graph
from graph.store import Store
from matching.projection import Projection


class ProjectionKeeper:
    """Holds one :class:`~matching.projection.Projection` and brings it up to date on use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.projection: Projection | None = None
        self.full_loads = 0
        self.partial_loads = 0
        self._lock = asyncio.Lock()

    async def current(self) -> Projection:
        """The projection, refreshed from the change log if the graph moved on."""
        async with self._lock:
            if self.projection is None:
                return await self._load_all()
            changes = await self.store.read(changes_since, self.projection.version)
            if changes.empty:
                return self.projection
            if changes.everything:
                return await self._load_all()
            data = await self.store.read(
                export_graph,
                people=changes.people,
                squads=changes.squads,
                communities=changes.communities,
            )
            data.version = changes.version
            self.projection.replace(
                data, people=changes.people, squads=changes.squads, communities=changes.communities
            )
            self.partial_loads += 1
            return self.projection

    async def _load_all(self) -> Projection:
        self.projection = Projection.build(await self.store.read(export_graph))
        self.full_loads += 1
        return self.projection
