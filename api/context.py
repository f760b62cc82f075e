"""What every resolver receives: the caller, the store, the loaders and the settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from api.auth import EXPIRED, Principal
from api.errors import Unauthenticated
from api.loaders import Loaders
from api.settings import AppSettings
from graph.skills import SkillCatalog
from graph.store import Store, Work
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel

if TYPE_CHECKING:
    from api.feed import EventFeed

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Context:
    """Per-request context handed to resolvers as ``info.context``.

    Over HTTP the caller is known before any resolver runs. A WebSocket signs in with its
    ``connection_init`` payload (``connection_params``), which sets ``signed_in``.
    """

    request: HTTPConnection
    store: Store
    keeper: ReadModelKeeper
    signed_in: Principal | None
    settings: AppSettings
    feed: EventFeed | None = None
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.keeper)

    @property
    def principal(self) -> Principal:
        """The signed-in caller.

        Raises:
            Unauthenticated: nobody has signed in on this connection yet, or its token has
                expired since (a WebSocket's).
        """
        if self.signed_in is None:
            raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'.")
        if isinstance(self.request, WebSocket) and self.signed_in.expired():
            # a socket outlives its token: what it sends next is refused as HTTP would
            raise Unauthenticated(EXPIRED)
        return self.signed_in

    async def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Write through the store, then bring this request's model up to date at once.

        What the request had read may be stale, so it is forgotten; the model is checked
        against the change log now (whatever the staleness bound), since the views a
        mutation returns resolve their nested fields from it: a writer reads its writes.
        """
        result = await self.store.write(work, *args, **kwargs)
        if self.feed is not None:
            self.feed.nudge()  # the write may have emitted events: subscriptions look now
        self.loaders.forget()
        await self.loaders.projection(fresh=True)
        return result

    async def catalog(self) -> SkillCatalog:
        """Every skill, to resolve typed names and aliases (kept with the projection)."""
        return directory.skill_catalog(await self.loaders.projection())


Info = StrawberryInfo[Context, Any]


async def off_the_loop(info: Info, work: Callable[[ReadModel], T]) -> tuple[ReadModel, T]:
    """``work(projection)`` in a worker thread, with the projection it read.

    The matcher's work grows with the organisation; on the event loop it would hold every
    other request (``/healthz`` too) for as long as it runs.
    """
    await info.context.loaders.projection()  # nested fields read the request's projection
    async with info.context.keeper.lease() as projection:
        return projection, await asyncio.to_thread(work, projection)
