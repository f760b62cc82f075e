"""Network health outside GraphQL: the CSV download and the scheduled snapshots."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import math
import unicodedata
import urllib.parse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import Principal
from api.errors import ApiError
from api.health import (
    check_scope,
    definition_of,
    impact_in,
    light,
    report_for,
    scope_name,
    version_number,
)
from api.health_worker import HeavyMetrics, compute_heavy_apart
from api.permissions import Action, allowed
from graph import snapshots
from graph.errors import StoreError
from graph.store import Store
from matching.health.columns import flatten
from matching.health.report import network_health
from matching.health.scope import HealthScope
from readmodel.keeper import ReadModelKeeper
from readmodel.paths import with_bench

log = logging.getLogger(__name__)


def metrics_csv(values: dict[str, float | int]) -> str:
    """``metric,value,definition`` rows (empty value where not computed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "value", "definition"])
    for name, value in values.items():
        shown = "" if isinstance(value, float) and math.isnan(value) else value
        writer.writerow([name, shown, definition_of(name) or ""])
    return out.getvalue()


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` for a download of any name (RFC 6266, RFC 8187).

    HTTP headers are Latin-1, so a name such as ``health-site-Łódź.csv`` goes in
    ``filename*`` as percent-encoded UTF-8, which browsers prefer; ``filename`` carries an
    ASCII fallback for the others (accents dropped, any other character, quote or
    backslash as ``_``).

    >>> print(attachment("health-site-Łódź.csv"))
    attachment; filename="health-site-_odz.csv"; filename*=UTF-8''health-site-%C5%81%C3%B3d%C5%BA.csv
    """
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(c)
    )
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in plain)
    encoded = urllib.parse.quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


async def health_csv(request: Request) -> Response:
    """``GET /health.csv?site=…&team=…&function=…``: a scope's metrics as a spreadsheet."""
    principal = request.user
    if not isinstance(principal, Principal):
        return _error(401, "UNAUTHENTICATED", "Sign in: send 'Authorization: Bearer <token>'.")
    if not allowed(principal, Action.READ_NETWORK_HEALTH):
        return _error(403, "FORBIDDEN", "Your role may not read network health.")
    scope = HealthScope(
        site=request.query_params.get("site") or None,
        team=request.query_params.get("team") or None,
        function=request.query_params.get("function") or None,
    )
    keeper: ReadModelKeeper = request.app.state.keeper
    heavy: HeavyMetrics = request.app.state.heavy_metrics
    try:
        projection = await keeper.current()
        check_scope(projection, scope)
        impact = await impact_in(keeper, request.app.state.impact_reports, projection, scope)
        report, _, status = report_for(
            projection, heavy, scope, cache=request.app.state.light_reports, impact=impact
        )
    except StoreError as error:
        return _error(503, "UNAVAILABLE", str(error))
    except ApiError as error:
        return _error(400, error.code, str(error))
    values = with_bench(flatten(report if status == "ready" else light(report)), projection, scope)
    name = scope_name(scope).replace(":", "-").replace(",", "_").replace("/", "_")
    day = dt.date.today().isoformat()
    return Response(
        metrics_csv(values),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"health-{name}-{day}.csv")},
    )


async def take_full_snapshot(store: Store, keeper: ReadModelKeeper, scope: HealthScope) -> None:
    """Every metric of ``scope``, brokers and clusters included, stored as a snapshot."""
    projection = await keeper.current()
    population = projection.population.snapshot()  # the child reads a still copy
    heavy = await compute_heavy_apart(population, scope, version=projection.version)
    report = network_health(projection, scope, heavy=False, impact=projection)
    report = dataclasses.replace(report, brokers=heavy.brokers, clusters=heavy.clusters)
    await store.write(
        snapshots.save_snapshot,
        scope=scope_name(scope),
        metrics=with_bench(flatten(report), projection, scope),
        version=version_number(projection),
    )


async def take_scheduled_snapshot(store: Store, keeper: ReadModelKeeper) -> None:
    """The organisation-wide snapshot the app takes every ``SKILLWEAVE_HEALTH_SNAPSHOT_HOURS``."""
    await take_full_snapshot(store, keeper, HealthScope())
    log.info("stored the scheduled network-health snapshot")
