"""The Starlette application: ``/graphql``, the pages at ``/app``, ``/health.csv``, probes.

The probes are ``/healthz`` and ``/readyz``.

One :class:`~graph.store.Store` (one Bolt driver) per process, opened in the
lifespan, which also runs the requests sweep: reminders, expiries and next picks
(:mod:`api.requests_sweep`).
Run it with ``skillweave serve`` or ``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any, cast

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.authentication import AuthenticationError
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api import bookmarks
from api.auth import BearerTokens, Principal, Tokens, sign_in
from api.background import Jobs
from api.context import Context
from api.demo import demo_sign_in
from api.feed import EventFeed
from api.health import LightReports
from api.health_http import health_csv, take_scheduled_snapshot
from api.health_worker import HeavyMetrics
from api.limits import BodyLimit
from api.requests_sweep import sweep_requests
from api.schema import build_schema
from api.settings import AppSettings
from api.text_input import not_unicode, unencodable
from api.webhooks import WebhookSender
from graph.changes import prune_changes
from graph.errors import StoreError
from graph.retention import prune_outbox
from graph.settings import StoreSettings
from graph.store import Store
from readmodel.checkpoint import Checkpoint
from readmodel.keeper import ReadModelKeeper
from readmodel.matching import MENTOR_INDEX, POPULATION, PROFILES
from readmodel.store import ReadModel
from web.headers import SECURITY_HEADERS, SecurityHeaders, graphiql_policy
from web.routes import routes as web_routes

SWITCH_INTERVAL = 0.0005
"""Seconds a thread holds the GIL before the event loop's thread may take it back."""
log = logging.getLogger(__name__)


def http_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An error outside GraphQL execution, in a GraphQL-shaped body like any other error."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def unauthenticated(message: str) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped body, so clients handle it like any other error."""
    return http_error(
        401, "UNAUTHENTICATED", message, {"WWW-Authenticate": 'Bearer realm="skillweave"'}
    )


async def internal_error(request: Request, error: Exception) -> Response:
    """HTTP 500 for an unexpected exception: GraphQL-shaped, masked, with the request id.

    Starlette sends it from outside every middleware, so it carries the security headers
    itself; the exception is logged by the server as it propagates.
    """
    response = http_error(
        500,
        "INTERNAL_SERVER_ERROR",
        "Internal server error; it was logged with the request id in X-Request-ID.",
        dict(SECURITY_HEADERS),
    )
    if request_id := correlation_id.get():
        response.headers["X-Request-ID"] = request_id
    return response


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


class BadText(HTTPException):
    """A body holding text UTF-8 cannot encode, in any of its fields: ``BAD_USER_INPUT``.

    See :mod:`api.text_input`: the store could not save it, nor the answer echo it.
    """

    code = "BAD_USER_INPUT"

    def __init__(self, where: str) -> None:
        super().__init__(400, not_unicode(where))


class SkillweaveGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the caller, the store and the settings in the context."""

    def __init__(self, schema: Any, settings: AppSettings, **options: Any) -> None:
        super().__init__(schema, **options)
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request, refusals in the GraphQL error shape.

        A request that is not one GraphQL operation over POST gets ``BAD_REQUEST`` in
        JSON, where Strawberry would answer in plain text.
        """
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self._serve(request)
        except HTTPException as error:
            response = self._refusal(request, error)
        await response(scope, receive, send)

    async def _serve(self, request: Request) -> Response:
        if request.method == "GET" and not self.should_render_graphql_ide(
            self.request_adapter_class(request)
        ):
            raise HTTPException(405, "GraphQL operations are sent with POST, not GET.")
        return await self.run(request)

    @staticmethod
    def _refusal(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:  # GraphiQL switched off
            message = "GraphiQL is off here; send GraphQL operations with POST."
            return http_error(404, "NOT_FOUND", message)
        if error.status_code == 405:
            return http_error(405, "BAD_REQUEST", error.reason, {"Allow": "POST"})
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and "application/json" not in content_type:
            message = "Send the operation as JSON, with 'Content-Type: application/json'."
            return http_error(415, "BAD_REQUEST", message)
        return http_error(error.status_code, getattr(error, "code", "BAD_REQUEST"), error.reason)

    def decode_json(self, data: str | bytes) -> object:
        """A request body: one JSON object; a batch (an array) or any other value is refused."""
        decoded = super().decode_json(data)
        if isinstance(decoded, list):
            raise HTTPException(
                400, "Batched operations (a JSON array) are not supported: send one per request."
            )
        if not isinstance(decoded, dict):
            raise HTTPException(
                400, 'The body must be a JSON object: {"query": "...", "variables": {...}}.'
            )
        where = unencodable(decoded, "the request")
        if where is not None:
            raise BadText(where)
        return decoded

    async def render_graphql_ide(self, request: Any) -> Response:
        """GraphiQL, with a policy naming the CDN it loads from (see :mod:`web.headers`)."""
        html = self.graphql_ide_html
        return HTMLResponse(html, headers={"Content-Security-Policy": graphiql_policy(html)})

    async def get_context(self, request: Any, response: Any) -> Context:
        """A fresh context (and DataLoaders) for each request, or each WebSocket."""
        user = request.user
        context = Context(
            request=request,
            store=request.app.state.store,
            keeper=request.app.state.keeper,
            signed_in=user if isinstance(user, Principal) else None,
            settings=self.settings,
            feed=request.app.state.feed,
        )
        asked = request.headers.get(bookmarks.HEADER)
        if asked is not None:
            try:
                context.loaders.at_least = bookmarks.parse_version(asked)
            except ValueError as error:
                context.loaders.bad_version = str(error)

        def answered_at(model: ReadModel) -> None:
            response.headers[bookmarks.HEADER] = bookmarks.format_version(model.version)

        if not isinstance(request, WebSocket):  # a socket's answers carry no headers
            context.loaders.on_read = answered_at
        read = getattr(request.state, "projection", None)  # while signing in
        if read is not None:
            context.loaders.prime(read)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Sign a WebSocket in as HTTP does, with ``Authorization: Bearer <token>``.

        The value comes in the ``connection_init`` payload, ``{"Authorization": "Bearer …"}``,
        unless the handshake carried the header. Refused, the socket closes with 4403
        (graphql-transport-ws's "Forbidden").
        """
        if context.signed_in is not None:
            return cast(UnsetType, UNSET)
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        try:
            context.signed_in = await sign_in(
                context.request, context.request.app.state.tokens, header
            )
        except AuthenticationError as error:
            raise ConnectionRejectionError({"message": str(error)}) from None
        return cast(UnsetType, UNSET)


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


async def _prune_change_log(store: Store, keep: dt.timedelta) -> None:
    """Delete changes older than ``keep``: a process that far behind reloads everything."""
    pruned = await store.write(prune_changes, older_than=keep)
    if pruned:
        log.info("pruned %d changes older than %s from the change log", pruned, keep)


async def _prune_outbox(store: Store, settings: AppSettings, jobs: Jobs) -> None:
    """Delete notification events and webhook deliveries past their retention."""
    pruned = await prune_outbox(
        store,
        events_older_than=settings.event_retention,
        dead_letters_older_than=settings.dead_letter_retention,
        stopping=jobs.stopping,
    )
    if pruned.total:
        log.info(
            "pruned %d events, %d delivered webhook deliveries and %d dead letters",
            pruned.events,
            pruned.delivered,
            pruned.dead_letters,
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
    store_settings = store_settings or StoreSettings()
    tokens = Tokens.from_settings(settings, store_settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The matcher and HR's reports run in worker threads; the event loop waits for the
        # GIL at each of its steps. At the default 5 ms switch interval, three busy threads
        # held /healthz for a quarter of a second; at 0.5 ms it gets the GIL back sooner.
        sys.setswitchinterval(SWITCH_INTERVAL)
        owned = store is None
        app.state.store = store if store is not None else await Store.open(store_settings)
        # a process of its own (not an app inside tests) keeps its projection out of the
        # garbage collector's walks
        folder = settings.skillweave_checkpoint_dir
        app.state.keeper = ReadModelKeeper(
            app.state.store,
            freeze_heap=owned,
            staleness=settings.skillweave_read_staleness_seconds,
            checkpoint=Checkpoint(folder, store_settings.address) if folder else None,
            warm=(PROFILES, MENTOR_INDEX, POPULATION),  # what suggestions and HR's reports read
        )
        try:
            await app.state.keeper.current()  # load the projection before the first request
        except StoreError as error:
            log.warning("the projection will load on first use: %s", error)
        app.state.heavy_metrics = HeavyMetrics(
            min_interval=settings.skillweave_health_max_age_seconds
        )
        app.state.light_reports = LightReports(settings.skillweave_health_max_age_seconds)
        app.state.impact_reports = LightReports(settings.skillweave_health_max_age_seconds)
        app.state.impact_jobs = {}
        app.state.feed = EventFeed(app.state.store)
        jobs = Jobs()
        jobs.every(
            settings.skillweave_expiry_sweep_seconds,
            lambda: sweep_requests(app.state.store, app.state.keeper, app.state.feed, settings),
            name="requests sweep (reminders, expiries, next picks)",
        )
        keep = dt.timedelta(days=settings.skillweave_change_log_days)
        jobs.every(
            settings.skillweave_change_log_prune_seconds,
            lambda: _prune_change_log(app.state.store, keep),
            name="change-log pruning",
        )
        if settings.event_retention is not None or settings.dead_letter_retention is not None:
            jobs.every(
                settings.skillweave_outbox_prune_seconds,
                lambda: _prune_outbox(app.state.store, settings, jobs),
                name="outbox pruning (events, webhook deliveries)",
            )
        sender: WebhookSender | None = None
        if settings.skillweave_webhook_poll_seconds > 0:
            sender = app.state.webhook_sender = WebhookSender(app.state.store, settings)
            jobs.every(
                settings.skillweave_webhook_poll_seconds, sender.step, name="webhook deliveries"
            )
        if folder:
            jobs.every(
                settings.skillweave_checkpoint_seconds,
                app.state.keeper.save_checkpoint,
                name="read-model checkpoint",
                first_after=True,
            )
        if settings.skillweave_health_snapshot_hours > 0:
            jobs.every(
                settings.skillweave_health_snapshot_hours * 3600,
                lambda: take_scheduled_snapshot(app.state.store, app.state.keeper),
                name="scheduled health snapshot",
                first_after=True,
            )
        try:
            yield
        finally:
            await app.state.feed.close()
            if sender is not None:
                sender.stop()  # the batch in flight is sent and recorded, no other starts
            await jobs.stop()
            if sender is not None:
                await sender.aclose()
            # impact computations started by reports finish (cancelled, a lease's read of
            # the change log could leave a socket behind)
            await asyncio.gather(*app.state.impact_jobs.values(), return_exceptions=True)
            await app.state.keeper.aclose()  # a checkpoint being written is finished
            await app.state.heavy_metrics.close()
            if owned:
                await app.state.store.close()

    graphql = SkillweaveGraphQL(
        build_schema(settings),
        settings,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=dt.timedelta(seconds=10),
    )
    app = Starlette(
        routes=[
            # every method reaches the view, which answers in JSON (405 but for GET and POST)
            Route("/graphql", RequireToken(graphql)),
            # subscriptions: the socket signs in with its connection_init (on_ws_connect)
            WebSocketRoute("/graphql", graphql),
            Route("/health.csv", health_csv),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(demo_users=demo_sign_in(tokens) if settings.demo_signin else None),
        ],
        middleware=[
            Middleware(SecurityHeaders),  # outermost: on every response, refusals included
            Middleware(
                TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False
            ),
            Middleware(CorrelationIdMiddleware),
            Middleware(BodyLimit, max_bytes=settings.skillweave_max_body_bytes),
            Middleware(
                AuthenticationMiddleware, backend=BearerTokens(tokens), on_error=_auth_error
            ),
        ],
        exception_handlers={Exception: internal_error},
        lifespan=lifespan,
    )
    # Starlette's trailing-slash redirect writes the request's Host header into Location;
    # the pages link without trailing slashes, so another address is a plain 404
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.tokens = tokens
    return app
