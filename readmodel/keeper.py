"""Keeps this process's read model of the graph fresh.

The freshness rule, for one process or many sharing one Neo4j: every write
records a change (:mod:`graph.changes`) in its own transaction. When the
model is used and a check is due, :meth:`ReadModelKeeper.current` asks for the changes since
the version it holds (one small query) and reloads just the people and groups
they name (:meth:`ReadModel.apply`); a bulk write, or a history pruned past its
version, reloads all.
A check is due, as with Neo4j's causal-consistency bookmarks: after this process's own
write (read-your-writes), when a request asks for a newer version than the one held
(a client that wrote through another process sends the version it was answered with),
or when the last check started more than ``staleness`` seconds ago. So every read is at
most ``staleness`` old, a writer always reads its own writes, and a request that names a
version never reads an older one; within the bound, reads cost no round trip.

With a :class:`~readmodel.checkpoint.Checkpoint`, the first load reads the records saved on
local disk and then only what the change log names since; every full load from the store,
and :meth:`ReadModelKeeper.save_checkpoint` (on a timer), saves them again, in a worker
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

from graph.changes import Version
from graph.export import export_changes, export_graph
from graph.records import GraphData
from graph.store import Store
from readmodel.checkpoint import Checkpoint
from readmodel.store import ReadModel
from readmodel.views import ViewSpec

log = logging.getLogger(__name__)

T = TypeVar("T")


class SharedCheck:
    """Lets the requests that wait for the model at the same time share one check.

    A request joins only a check that starts after it asked — the next one, if one is
    already under way — so it still sees every write committed before it asked, as if
    it had checked alone. Under load, the change log is then read once per batch of
    waiting requests rather than once per request, each after the last.
    """

    def __init__(self, check: Callable[[], Awaitable[ReadModel]]) -> None:
        self._check = check
        self._next: asyncio.Future[ReadModel] | None = None
        self._runner: asyncio.Task[None] | None = None

    async def current(self) -> ReadModel:
        """The model, brought up to date by a check that starts after this call."""
        loop = asyncio.get_running_loop()
        if self._next is None or self._next.get_loop() is not loop:
            self._next = loop.create_future()
            self._next.add_done_callback(_retrieved)
        ticket = self._next
        if self._runner is None or self._runner.done() or self._runner.get_loop() is not loop:
            self._runner = loop.create_task(self._run())
        return await asyncio.shield(ticket)

    async def _run(self) -> None:
        while self._next is not None:
            ticket, self._next = self._next, None
            try:
                ticket.set_result(await self._check())
            except Exception as error:  # every request that waited gets it
                ticket.set_exception(error)


def newer(asked: Version, held: Version) -> bool:
    """Whether a reader asking for ``asked`` must check past ``held`` (another epoch: yes)."""
    return asked.epoch != held.epoch or asked.number > held.number


def _retrieved(ticket: asyncio.Future[ReadModel]) -> None:
    if not ticket.cancelled():
        ticket.exception()  # its waiters may all have gone: do not log it as never retrieved


class ReadModelKeeper:
    """Holds one :class:`~readmodel.store.ReadModel` and brings it up to date on use.

    With ``freeze_heap`` (the served app), each full load ends by moving everything the
    process holds into the garbage collector's permanent generation (:func:`gc.freeze`).
    A model of 10,000 people is about a million objects; left in the collector's
    oldest generation, each full collection walked them all, pausing every request for
    about 160 ms, several times a minute under load. Partial refreshes replace little,
    and what they free is freed by reference counting.
    """

    def __init__(
        self,
        store: Store,
        *,
        freeze_heap: bool = False,
        staleness: float = 0.0,
        checkpoint: Checkpoint | None = None,
        warm: Iterable[ViewSpec[Any]] = (),
    ) -> None:
        self.store = store
        self.warm = tuple(warm)
        """Views built with every full load, before it is served (the first request that
        reads them would otherwise wait: at 300,000 people, seconds each)."""
        self.checkpoint = checkpoint
        self._saving: asyncio.Task[None] | None = None
        self._saved_version: object = None
        self.checkpoint_loads = 0
        self.freeze_heap = freeze_heap
        self.staleness = staleness
        """Seconds a check stays good for; 0 checks on every use."""
        self._checked_at = -math.inf
        self.model: ReadModel | None = None
        self.full_loads = 0
        self.partial_loads = 0
        self._shared = SharedCheck(self._refresh)
        self._readers = 0
        self._drained = asyncio.Event()
        self._drained.set()

    async def current(self, *, at_least: Version | None = None, fresh: bool = False) -> ReadModel:
        """The model, refreshed from the change log when a check is due.

        A check is due with ``fresh`` (this process just wrote), when ``at_least`` is newer
        than the version held, or when the last check started ``staleness`` seconds ago or
        more. Callers waiting at the same time share one check (:class:`SharedCheck`).
        """
        held = self.model
        if (
            held is not None
            and not fresh
            and (at_least is None or not newer(at_least, held.version))
            and time.monotonic() - self._checked_at < self.staleness
        ):
            return held
        return await self._shared.current()

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[ReadModel]:
        """The current model, kept unchanged until the block ends.

        For work that reads it in a worker thread (the matcher, HR's reports, so the event
        loop keeps answering other requests, ``/healthz`` among them): a refresh that
        would change it in place waits for every lease to end, and a lease asked for while
        a refresh is under way waits for that refresh (:class:`SharedCheck`), so neither
        starves the other.
        """
        model = await self.current()
        self._readers += 1
        self._drained.clear()
        try:
            yield model
        finally:
            self._readers -= 1
            if self._readers == 0:
                self._drained.set()

    async def _refresh(self) -> ReadModel:
        started = time.monotonic()
        model = await self._check()
        self._checked_at = started
        return model

    async def _check(self) -> ReadModel:
        if self.model is None:
            return await self._load_all()
        changes, data = await self.store.read(export_changes, self.model.version)
        if changes.empty:
            return self.model
        if changes.everything or data is None:
            return await self._load_all()
        await self._drained.wait()  # a worker thread may be reading it: change it after
        self.model.apply(
            data,
            people=changes.people,
            squads=changes.squads,
            communities=changes.communities,
            roles=changes.roles,
        )
        self.partial_loads += 1
        return self.model

    async def _load_all(self) -> ReadModel:
        if self.model is None and self.checkpoint is not None:
            saved = await asyncio.to_thread(self.checkpoint.read)
            if saved is not None:
                await self._install(saved)
                self._saved_version = saved.version
                self.checkpoint_loads += 1
                return await self._check()  # what changed since: a few people, or everything
        data = await self.store.read(export_graph)
        model = await self._install(data)
        self.full_loads += 1
        if self.checkpoint is not None:
            self._save(data)
        return model

    async def _install(self, data: GraphData) -> ReadModel:
        """Build a model of ``data`` (and the warm views) and hold it from now on."""
        # built in a worker thread: at 300,000 people seconds of work the event loop (and
        # /healthz) need not wait for; requests wait for this load through SharedCheck
        model = await asyncio.to_thread(self._build, data)
        if self.freeze_heap:
            gc.unfreeze()  # the model this load replaces may now be garbage
        self.model = model
        if self.freeze_heap:
            gc.collect()
            gc.freeze()
        return model

    def _build(self, data: GraphData) -> ReadModel:
        model = ReadModel.build(data)
        for spec in self.warm:
            model.view(spec)
        return model

    # -- checkpoints ---------------------------------------------------------------------

    async def save_checkpoint(self) -> bool:
        """Save the model held to the checkpoint unless it is saved at this version already.

        Returns whether it saved (False also while another save is under way). The file is
        written in a worker thread: records are immutable, and the lists and dicts are
        copied here first, so refreshes go on meanwhile.
        """
        model = self.model
        if self.checkpoint is None or model is None or model.version == self._saved_version:
            return False
        if self._saving is not None and not self._saving.done():
            return False
        self._save(model.snapshot())
        await asyncio.shield(self._saving)  # type: ignore[arg-type]
        return True

    def _save(self, data: GraphData) -> None:
        checkpoint = self.checkpoint
        assert checkpoint is not None

        async def save() -> None:
            try:
                await asyncio.to_thread(checkpoint.write, data)
            except Exception as error:  # a full disk slows the next start, nothing else
                log.warning("could not save the read-model checkpoint: %s", error)
            else:
                self._saved_version = data.version

        if self._saving is None or self._saving.done():
            self._saving = asyncio.get_running_loop().create_task(save())

    async def aclose(self) -> None:
        """Let a checkpoint being saved finish (the file is replaced whole, or not at all)."""
        if self._saving is not None:
            await asyncio.gather(self._saving, return_exceptions=True)
