"""The Starlette application: GraphQL at ``/graphql``, ``/healthz`` and ``/readyz``.

One :class:`~graph.store.Store` (one Bolt driver) per process, opened in the
lifespan. Run it with ``skillweave serve`` or
``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.context import Context
from api.schema import schema
from api.settings import AppSettings
from graph.settings import StoreSettings
from graph.store import Store


class SkillweaveGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the store in the context."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        """Give resolvers the request and the store opened in the lifespan."""
        return Context(request=request, store=request.app.state.store)


async def healthz(request: Request) -> JSONResponse:
    """The process is alive (it answers HTTP)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The store answers; load balancers send traffic only when this is 200."""
    store: Store = request.app.state.store
    if await store.ping():
        return JSONResponse({"status": "ready", "store": store.backend.value})
    return JSONResponse(
        {"status": "unavailable", "detail": "The skills graph store is not answering."},
        status_code=503,
    )


def create_app(
    settings: AppSettings | None = None,
    *,
    store_settings: StoreSettings | None = None,
    store: Store | None = None,
) -> Starlette:
    """Build the application.

    Args:
        settings: service settings; read from the environment when omitted.
        store_settings: where the graph lives; read from the environment when omitted.
        store: an already open store to use (tests); the app then leaves it open.
    """
    settings = settings or AppSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else await Store.open(store_settings)
        try:
            yield
        finally:
            if owned:
                await app.state.store.close()

    graphql: Any = SkillweaveGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
