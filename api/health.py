"""GraphQL face of the network-health metrics for HR: the report, its history, snapshots.

Every number comes from :func:`matching.health.network_health` on this process's
projection, the one the matcher uses. Brokers and tie clusters come from
:class:`~api.health_worker.HeavyMetrics`, computed in the background.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import difflib
import math
import time
from typing import Annotated, Generic, TypeVar

import strawberry

from api.context import Info
from api.errors import BadInput
from api.health_worker import HeavyMetrics, HeavyResult
from api.matching import person_of, skill_of
from api.pagination import check_range, page_slice
from api.permissions import Action, require
from api.types import Person, Skill
from graph import snapshots
from matching.health.columns import COLUMNS, flatten
from matching.health.impact import Impact, mentorship_impact
from matching.health.report import NetworkHealth, network_health
from matching.health.scope import HealthScope
from matching.health.ties import TeamTies
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from readmodel.paths import bench_definition, with_bench
from readmodel.store import ReadModel

MAX_LIST = 500
DEFINITIONS = {c.name: c.definition for c in COLUMNS}


def definition_of(name: str) -> str | None:
    """What a metric column means: a health column, or a role's bench column; None if neither."""
    return DEFINITIONS.get(name) or bench_definition(name)


@strawberry.input(description="Whose health: everyone, or the people of a site, team or function.")
class HealthScopeInput:
    site: str | None = strawberry.field(default=None, description="Only this site.")
    team: strawberry.ID | None = strawberry.field(default=None, description="Only this team.")
    function: str | None = strawberry.field(default=None, description="Only this function.")


def to_scope(given: HealthScopeInput | None) -> HealthScope:
    """The matcher's scope for a GraphQL scope input."""
    if given is None:
        return HealthScope()
    return HealthScope(
        site=given.site, team=str(given.team) if given.team else None, function=given.function
    )


def scope_name(scope: HealthScope) -> str:
    """The key snapshots of ``scope`` are stored under."""
    return snapshots.scope_key(site=scope.site, team=scope.team, function=scope.function)


@strawberry.type(description="One number of the report, with its definition (docs/health.md).")
class HealthMetric:
    name: str = strawberry.field(description="Stable column name, such as `load.gini`.")
    value: float | None = strawberry.field(
        description="The value; null when not computed (brokers and clusters still computing)."
    )
    definition: str = strawberry.field(description="What the number means, in one line.")


MetricNames = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Only these metrics (by name), in this order; all when left out."
    ),
]


def pick_metrics(metrics: list[HealthMetric], names: list[str] | None) -> list[HealthMetric]:
    """The metrics named, in the order named; an unknown name is refused, with a suggestion."""
    if names is None:
        return metrics
    by_name = {m.name: m for m in metrics}
    for name in names:
        if definition_of(name) is None:
            close = difflib.get_close_matches(name, list(DEFINITIONS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise BadInput(f"There is no metric named {name!r}.{hint}")
    return [by_name[n] for n in dict.fromkeys(names) if n in by_name]


def metrics_of(values: dict[str, float | int]) -> list[HealthMetric]:
    """Column values as GraphQL metrics, NaN as null."""
    return [
        HealthMetric(
            name=name,
            value=None if isinstance(v, float) and math.isnan(v) else float(v),
            definition=definition_of(name) or "",
        )
        for name, v in values.items()
    ]


@strawberry.type(description="Supply and demand of one skill in scope.")
class SkillBalanceRow:
    skill: Skill = strawberry.field(description="The skill.")
    holders: int = strawberry.field(description="People holding it at any level.")
    supply: int = strawberry.field(description="People at level 4 or more.")
    demand: int = strawberry.field(description="People wanting to learn it.")


@strawberry.type(description="A knowledge broker: someone many learning paths run through.")
class BrokerRow:
    person: Person = strawberry.field(description="The broker.")
    betweenness: float = strawberry.field(description="Normalised betweenness in the tie graph.")
    ties: int = strawberry.field(description="People they are tied to.")
    effective_size: float = strawberry.field(
        description="Burt's effective size: ties that do not know each other."
    )


@strawberry.type(description="How a team's learning ties split between inside and outside.")
class TeamTiesRow:
    team_id: strawberry.ID = strawberry.field(description="The team.")
    name: str = strawberry.field(description="Its name.")
    members: int = strawberry.field(description="People in the team (in scope).")
    inside: int = strawberry.field(description="Ties between two of its members.")
    outside: int = strawberry.field(description="Ties from a member to someone outside it.")


@strawberry.type(description="One tie cluster as drawn on the cluster map.")
class ClusterDotRow:
    index: int = strawberry.field(description="Its place among the clusters, largest first.")
    size: int = strawberry.field(description="People in it.")
    team: str | None = strawberry.field(description="Name of the team most of its people are in.")
    team_share: float = strawberry.field(description="Share of its people in that team.")
    function: str = strawberry.field(description="The function most of its people share.")
    function_share: float = strawberry.field(description="Share of its people in that function.")
    site: str = strawberry.field(description="The site most of its people are at.")
    x: float = strawberry.field(description="Horizontal position (spring layout, seeded).")
    y: float = strawberry.field(description="Vertical position.")


@strawberry.type(description="Person-to-person ties between two drawn clusters.")
class ClusterLinkRow:
    a: int = strawberry.field(description="Index of one cluster.")
    b: int = strawberry.field(description="Index of the other.")
    ties: int = strawberry.field(description="Mentorships and shared squads joining them.")


@strawberry.type(description="The largest tie clusters and the ties between them, to draw.")
class ClusterMapView:
    clusters: list[ClusterDotRow] = strawberry.field(description="The drawn clusters.")
    links: list[ClusterLinkRow] = strawberry.field(description="Ties between drawn clusters.")


@strawberry.type(description="How many mentors carry how many active mentees.")
class LoadLevel:
    active: int = strawberry.field(description="Active mentees.")
    mentors: int = strawberry.field(description="Mentors with that many.")


@strawberry.type(description="The health of the learning network in one scope.")
class NetworkHealthReport:
    report: strawberry.Private[NetworkHealth]
    heavy: strawberry.Private[HeavyResult | None]
    projection: strawberry.Private[ReadModel]
    scope: str = strawberry.field(description="`org`, or the scope's conditions.")
    as_of: dt.datetime = strawberry.field(description="When the report was computed.")
    people: int = strawberry.field(description="People in scope.")
    all_metrics: strawberry.Private[list[HealthMetric]]
    heavy_status: str = strawberry.field(
        description="Brokers and clusters: `ready` (current), `stale` (of an older graph; "
        "recomputed at most every SKILLWEAVE_HEALTH_MAX_AGE_SECONDS) or `computing` (not "
        "available yet)."
    )
    load_distribution: list[LoadLevel] = strawberry.field(description="Mentors by active mentees.")

    @strawberry.field(description="Every number, with definitions (or only those named).")
    def metrics(self, names: MetricNames = None) -> list[HealthMetric]:
        return pick_metrics(self.all_metrics, names)

    @strawberry.field(description="People with no learning tie, by id, a slice at a time.")
    def isolated(self, offset: int = 0, first: int = 50) -> list[Person]:
        ids = page_slice(self.report.reach.isolated, offset, first, cap=MAX_LIST)
        return [person_of(self.projection, pid) for pid in ids]

    @strawberry.field(description="People with goals that no active mentor or squad covers.")
    def uncovered(self, offset: int = 0, first: int = 50) -> list[Person]:
        ids = page_slice(self.report.reach.uncovered, offset, first, cap=MAX_LIST)
        return [person_of(self.projection, pid) for pid in ids]

    @strawberry.field(description="Skills held at level 4+ by fewer people than the bus factor.")
    def at_risk_skills(self, offset: int = 0, first: int = 50) -> list[Skill]:
        keys = page_slice(self.report.skills.at_risk, offset, first, cap=MAX_LIST)
        return [skill_of(self.projection, k) for k in keys]

    @strawberry.field(description="Skills people want that nobody in scope can teach.")
    def unteachable_skills(self, offset: int = 0, first: int = 50) -> list[Skill]:
        keys = page_slice(self.report.skills.unteachable, offset, first, cap=MAX_LIST)
        return [skill_of(self.projection, k) for k in keys]

    @strawberry.field(
        description="Supply and demand per skill, the largest shortfall (demand − supply) first."
    )
    def skill_balance(self, offset: int = 0, first: int = 50) -> list[SkillBalanceRow]:
        rows = sorted(self.report.skills.balances, key=lambda b: (b.supply - b.demand, b.skill))
        return [
            SkillBalanceRow(
                skill=skill_of(self.projection, b.skill),
                holders=b.holders,
                supply=b.supply,
                demand=b.demand,
            )
            for b in page_slice(rows, offset, first, cap=MAX_LIST)
        ]

    @strawberry.field(
        description="Teams by the share of their ties that leave the team, lowest first (silos)."
    )
    def team_ties(self, offset: int = 0, first: int = 50) -> list[TeamTiesRow]:
        def outward(t: TeamTies) -> tuple[float, str]:
            total = t.inside + t.outside
            return (t.outside / total if total else 0.0, t.team)

        rows = sorted(self.report.ties.teams, key=outward)
        found = []
        for t in page_slice(rows, offset, first, cap=MAX_LIST):
            team = directory.team_record(self.projection, t.team)
            found.append(
                TeamTiesRow(
                    team_id=strawberry.ID(t.team),
                    name=team.name if team else t.team,
                    members=t.members,
                    inside=t.inside,
                    outside=t.outside,
                )
            )
        return found

    @strawberry.field(description="Knowledge brokers, highest betweenness first.")
    def brokers(self, offset: int = 0, first: int = 50) -> list[BrokerRow]:
        if self.heavy is None:
            return []
        return [
            BrokerRow(
                person=person_of(self.projection, b.id),
                betweenness=b.betweenness,
                ties=b.ties,
                effective_size=b.effective_size,
            )
            for b in page_slice(self.heavy.brokers.people, offset, first, cap=MAX_LIST)
            if b.id in self.projection.people
        ]

    @strawberry.field(description="Sizes of the clusters found in the tie graph, largest first.")
    def cluster_sizes(self, first: int = 50) -> list[int]:
        if self.heavy is None:
            return []
        return [len(c) for c in page_slice(self.heavy.clusters.clusters, 0, first, cap=MAX_LIST)]

    @strawberry.field(
        description="The largest clusters (up to 40) laid out to draw, with the ties between "
        "them; empty until brokers and clusters are computed."
    )
    def cluster_map(self) -> ClusterMapView:
        if self.heavy is None:
            return ClusterMapView(clusters=[], links=[])
        drawn = self.heavy.cluster_map

        def team_name(team_id: str | None) -> str | None:
            team = directory.team_record(self.projection, team_id) if team_id else None
            return team.name if team else team_id

        return ClusterMapView(
            clusters=[
                ClusterDotRow(
                    index=d.index,
                    size=d.size,
                    team=team_name(d.team),
                    team_share=d.team_share,
                    function=d.function,
                    function_share=d.function_share,
                    site=d.site,
                    x=d.x,
                    y=d.y,
                )
                for d in drawn.dots
            ],
            links=[ClusterLinkRow(a=k.a, b=k.b, ties=k.ties) for k in drawn.links],
        )


@strawberry.type(description="A stored snapshot of one scope's metrics.")
class HealthSnapshot:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    scope: str = strawberry.field(description="`org`, or the scope's conditions.")
    taken_at: dt.datetime = strawberry.field(description="When it was taken.")
    version: int = strawberry.field(description="The graph version it describes.")
    all_metrics: strawberry.Private[list[HealthMetric]]

    @strawberry.field(description="Every number, with definitions (or only those named).")
    def metrics(self, names: MetricNames = None) -> list[HealthMetric]:
        return pick_metrics(self.all_metrics, names)

    @classmethod
    def of(cls, s: snapshots.Snapshot) -> HealthSnapshot:
        """The GraphQL view of a stored snapshot."""
        return cls(
            id=strawberry.ID(s.id),
            scope=s.scope,
            taken_at=s.taken_at,
            version=s.version,
            all_metrics=metrics_of(dict(s.metrics)),
        )


def heavy_metrics(info: Info) -> HeavyMetrics:
    """This process's background computation of brokers and clusters."""
    found: HeavyMetrics = info.context.request.app.state.heavy_metrics
    return found


R = TypeVar("R")


class LightReports(Generic[R]):
    """The latest light report per scope, reused while it is younger than ``max_age`` seconds.

    On a busy graph every write makes a new version, and recomputing a report (a fifth of
    a second at 10,000 people, on the event loop) for each HR request after each write
    would starve everyone else. A dashboard is fine a few seconds behind, and says how
    old it is (``asOf``); snapshots are always computed fresh.
    """

    def __init__(self, max_age: float) -> None:
        self.max_age = max_age
        self._entries: dict[HealthScope, tuple[object, float, R]] = {}

    def get(self, projection: ReadModel, scope: HealthScope) -> R | None:
        """The cached report of ``scope`` if it is of this version or young enough."""
        entry = self._entries.get(scope)
        if entry is None:
            return None
        version, made, report = entry
        if version == projection.version or time.monotonic() - made < self.max_age:
            return report
        return None

    def put(self, projection: ReadModel, scope: HealthScope, report: R) -> None:
        """Keep ``report`` as the latest of ``scope``."""
        self._entries[scope] = (projection.version, time.monotonic(), report)


def report_for(
    projection: ReadModel,
    heavy: HeavyMetrics,
    scope: HealthScope,
    *,
    cache: LightReports[NetworkHealth] | None = None,
    impact: Impact | None = None,
) -> tuple[NetworkHealth, HeavyResult | None, str]:
    """The light report, the latest heavy result merged in, and how fresh that is.

    The light report comes from ``cache`` when it holds a young enough one. Asks the
    worker to recompute brokers and clusters if they are not current.
    """
    check_scope(projection, scope)
    heavy.request(projection, scope)
    report = cache.get(projection, scope) if cache is not None else None
    if report is None:
        report = network_health(projection, scope, heavy=False)
        if cache is not None:
            cache.put(projection, scope, report)
    if impact is not None:
        report = dataclasses.replace(report, impact=impact)
    latest = heavy.latest(scope)
    if latest is None:
        status = "computing"
    elif latest.version == projection.version:
        status = "ready"
    else:
        status = "stale"
    if latest is not None:
        report = dataclasses.replace(report, brokers=latest.brokers, clusters=latest.clusters)
    return report, latest, status


def light_reports(info: Info) -> LightReports[NetworkHealth]:
    """This process's report cache (see :class:`LightReports`)."""
    found: LightReports[NetworkHealth] = info.context.request.app.state.light_reports
    return found


async def impact_in(
    keeper: ReadModelKeeper,
    cache: LightReports[Impact],
    projection: ReadModel,
    scope: HealthScope,
    *,
    fresh: bool = False,
) -> Impact:
    """Mentoring impact in ``scope``, cached as light reports are, computed off the loop.

    Kept apart from the light report: at 300,000 people it takes seconds where the rest of
    the light report takes one, and only the impact report, snapshots and CSV need it.
    """
    found = None if fresh else cache.get(projection, scope)
    if found is None:
        async with keeper.lease() as leased:
            found = await asyncio.to_thread(mentorship_impact, leased, scope)
        cache.put(leased, scope, found)
    return found


async def current_impact(info: Info, scope: HealthScope, *, fresh: bool = False) -> Impact:
    """:func:`impact_in` for this request's projection (a scope naming nobody is refused)."""
    projection = await info.context.loaders.projection()
    check_scope(projection, scope)
    app = info.context.request.app
    return await impact_in(
        info.context.keeper, app.state.impact_reports, projection, scope, fresh=fresh
    )


def cached_impact(info: Info, projection: ReadModel, scope: HealthScope) -> Impact | None:
    """The impact of ``scope`` if this process has a young enough one; else start computing it.

    The light report does not wait for it (at 300,000 people it takes seconds): its impact
    columns are empty until a later report finds it done, as brokers and clusters arrive.
    """
    app = info.context.request.app
    cache: LightReports[Impact] = app.state.impact_reports
    found = cache.get(projection, scope)
    jobs: dict[HealthScope, asyncio.Task[Impact]] = app.state.impact_jobs
    if found is None and (scope not in jobs or jobs[scope].done()):
        jobs[scope] = asyncio.create_task(
            impact_in(info.context.keeper, cache, projection, scope), name=f"impact {scope}"
        )
    return found


async def current_report(
    info: Info, scope: HealthScope, *, fresh: bool = False, with_impact: bool = False
) -> tuple[ReadModel, NetworkHealth, HeavyResult | None, str]:
    """:func:`report_for` on this request's projection; ``fresh`` skips the cache.

    A report not in the cache is computed in a worker thread, on a leased projection: at a
    large organisation it takes long enough to hold every other request on the event loop.
    """
    projection = await info.context.loaders.projection()
    check_scope(projection, scope)
    cache = light_reports(info)
    if fresh or cache.get(projection, scope) is None:
        async with info.context.keeper.lease() as leased:
            report = await asyncio.to_thread(network_health, leased, scope, heavy=False)
        cache.put(leased, scope, report)
    impact = await current_impact(info, scope, fresh=fresh) if with_impact else None
    impact = impact or cached_impact(info, projection, scope)
    return (
        projection,
        *report_for(projection, heavy_metrics(info), scope, cache=cache, impact=impact),
    )


def check_scope(projection: ReadModel, scope: HealthScope) -> None:
    """Refuse a scope that names no team, site or function of the graph."""
    if scope.team is not None and scope.team not in projection.teams:
        raise BadInput(f"No team with id {scope.team!r}.")
    in_use = directory.facets(projection)
    for kind, value, known in (
        ("site", scope.site, in_use.sites),
        ("function", scope.function, in_use.functions),
    ):
        if value is not None and value not in known:
            raise BadInput(f"Nobody works at {kind} {value!r}.")


@strawberry.type(description="Read the skills graph.")
class HealthQueries:
    @strawberry.field(
        description="The health of the learning network, for everyone or one site, team or "
        "function (HR and admins)."
    )
    async def network_health(
        self, info: Info, scope: HealthScopeInput | None = None
    ) -> NetworkHealthReport:
        require(info.context.principal, Action.READ_NETWORK_HEALTH)
        where = to_scope(scope)
        projection, report, heavy, status = await current_report(info, where)
        return NetworkHealthReport(
            report=report,
            heavy=heavy,
            projection=projection,
            scope=scope_name(where),
            as_of=report.as_of,
            people=report.people,
            all_metrics=metrics_of(with_bench(flatten(report), projection, where)),
            heavy_status=status,
            load_distribution=[
                LoadLevel(active=k, mentors=v) for k, v in sorted(report.load.distribution.items())
            ],
        )

    @strawberry.field(description="Stored snapshots of a scope, oldest first (HR and admins).")
    async def network_health_history(
        self,
        info: Info,
        scope: HealthScopeInput | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        last: Annotated[
            int,
            strawberry.argument(
                description=f"Only the newest `last` snapshots of the range (1 to {MAX_LIST})."
            ),
        ] = 30,
    ) -> list[HealthSnapshot]:
        require(info.context.principal, Action.READ_NETWORK_HEALTH)
        if since is not None and until is not None and since > until:
            raise BadInput("`since` must not be after `until`.")
        check_range("last", last, 1, MAX_LIST)
        found = await info.context.store.fetch(
            snapshots.snapshot_history,
            scope=scope_name(to_scope(scope)),
            since=since,
            until=until,
            last=last,
        )
        return [HealthSnapshot.of(s) for s in found]


@strawberry.type(description="Change the skills graph.")
class HealthMutations:
    @strawberry.mutation(
        description="Store a snapshot of a scope's metrics now (HR and admins). Brokers and "
        "clusters are included when they are current for this graph version."
    )
    async def take_health_snapshot(
        self, info: Info, scope: HealthScopeInput | None = None
    ) -> HealthSnapshot:
        require(info.context.principal, Action.READ_NETWORK_HEALTH)
        where = to_scope(scope)
        projection, report, _, status = await current_report(
            info, where, fresh=True, with_impact=True
        )
        values = with_bench(
            flatten(report if status == "ready" else light(report)), projection, where
        )
        saved = await info.context.store.write(
            snapshots.save_snapshot,
            scope=scope_name(where),
            metrics=values,
            version=version_number(projection),
        )
        return HealthSnapshot.of(saved)


def light(report: NetworkHealth) -> NetworkHealth:
    """The report without brokers and clusters (when those are of an older graph)."""
    return dataclasses.replace(report, brokers=None, clusters=None)


def version_number(projection: ReadModel) -> int:
    """The projection's graph version as the integer snapshots store."""
    version = projection.version
    number = getattr(version, "number", version)
    return int(number) if isinstance(number, int) else 0
