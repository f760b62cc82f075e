"""The Starlette application: ``/graphql``, the pages at ``/app``, ``/health.csv``, probes.

The probes are ``/healthz`` and ``/readyz``.

One :class:`~graph.store.Store` (one Bolt driver) per process, opened in the
lifespan, which also runs the sweep that records expired mentorship requests.
Run it with ``skillweave serve`` or ``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.applications import Starlette
from starlette.authentication import AuthenticationError
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.auth import BearerTokens, Principal, Tokens
from api.context import Context
from api.health import LightReports
from api.health_http import health_csv, snapshot_every
from api.health_worker import HeavyMetrics
from api.limits import BodyLimit
from api.schema import build_schema
from api.settings import AppSettings
from graph.errors import StoreError
from graph.mentorships import expire_requests
from graph.projection import ProjectionKeeper
from graph.settings import StoreSettings
from graph.store import Store
from web.routes import routes as web_routes

log = logging.getLogger(__name__)


def unauthenticated(message: str) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped body, so clients handle it like any other error."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="skillweave"'},
    )


def _auth_error(conn: HTTPConnection, error: AuthenticationError) -> Response:
    return unauthenticated(str(error))


class RequireToken:
    """Refuse GraphQL requests without a valid token (401); the GraphiQL page itself is open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401 for an unauthenticated call, else pass it on."""
        request = Request(scope)
        is_ide_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if not is_ide_page and not request.user.is_authenticated:
            response = unauthenticated("Sign in: send 'Authorization: Bearer <token>'.")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SkillweaveGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the caller, the store and the settings in the context."""

    def __init__(self, schema: Any, settings: AppSettings, **options: Any) -> None:
        super().__init__(schema, **options)
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:
        """A fresh context (and DataLoaders) for each request."""
        principal: Principal = request.user
        return Context(
            request=request,
            store=request.app.state.store,
            keeper=request.app.state.keeper,
            principal=principal,
            settings=self.settings,
        )


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


async def _sweep_expired_requests(store: Store, every: float) -> None:
    while True:
        try:
            expired = await store.write(expire_requests)
            if expired:
                log.info("recorded %d expired mentorship requests", expired)
        except StoreError as error:
            log.warning("expiry sweep skipped: %s", error)
        await asyncio.sleep(every)


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


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
    store_settings = store_settings or StoreSettings()
    tokens = Tokens.from_settings(settings, store_settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else await Store.open(store_settings)
        # a process of its own (not an app inside tests) keeps its projection out of the
        # garbage collector's walks
        app.state.keeper = ProjectionKeeper(app.state.store, freeze_heap=owned)
        try:
            await app.state.keeper.current()  # load the projection before the first request
        except StoreError as error:
            log.warning("the projection will load on first use: %s", error)
        app.state.heavy_metrics = HeavyMetrics(
            min_interval=settings.skillweave_health_max_age_seconds
        )
        app.state.light_reports = LightReports(settings.skillweave_health_max_age_seconds)
        background = [
            asyncio.create_task(
                _sweep_expired_requests(app.state.store, settings.skillweave_expiry_sweep_seconds)
            )
        ]
        if settings.skillweave_health_snapshot_hours > 0:
            background.append(
                asyncio.create_task(
                    snapshot_every(
                        app.state.store, app.state.keeper, settings.skillweave_health_snapshot_hours
                    )
                )
            )
        try:
            yield
        finally:
            await _stop(background)
            await app.state.heavy_metrics.close()
            if owned:
                await app.state.store.close()

    graphql = SkillweaveGraphQL(
        build_schema(settings),
        settings,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
    )
    app = Starlette(
        routes=[
            Route("/graphql", RequireToken(graphql), methods=["GET", "POST"]),
            Route("/health.csv", health_csv),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(),
        ],
        middleware=[
            Middleware(CorrelationIdMiddleware),
            Middleware(BodyLimit, max_bytes=settings.skillweave_max_body_bytes),
            Middleware(
                AuthenticationMiddleware, backend=BearerTokens(tokens), on_error=_auth_error
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.tokens = tokens
    return app
