"""The whole health report: every metric group for one scope, from one projection.

:func:`network_health` runs each group on the same views, so the numbers agree
with each other and with what the matcher sees. ``heavy=False`` skips brokers and
tie clusters, which walk shortest paths (seconds to tens of seconds at 50,000
people), leaving the metrics that are linear in people and ties (under 2 s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matching.health.brokers import DEFAULT_WORK, TOP_SHARE, Brokers, knowledge_brokers
from matching.health.clusters import TieClusters, tie_clusters
from matching.health.groups import GroupHealth, group_health
from matching.health.impact import Impact, ImpactSource, mentorship_impact
from matching.health.load import MentorLoad, mentor_load
from matching.health.reach import Reach, learning_reach
from matching.health.reciprocity import Reciprocity, peer_reciprocity
from matching.health.scope import ORGANISATION, HealthScope
from matching.health.skills import DEFAULT_BUS_FACTOR, SkillHealth, skill_health
from matching.health.ties import TieMix, tie_mix
from matching.views import Views


@dataclass(frozen=True)
class NetworkHealth:
    """Every health metric of one scope; ``brokers`` and ``clusters`` are ``None`` unless heavy."""

    scope: HealthScope
    as_of: dt.datetime
    people: int
    reach: Reach
    load: MentorLoad
    skills: SkillHealth
    ties: TieMix
    reciprocity: Reciprocity
    groups: GroupHealth
    brokers: Brokers | None = None
    clusters: TieClusters | None = None
    impact: Impact | None = None
    """Mentoring impact (:mod:`matching.health.impact`), when the caller gave its input."""


def network_health(
    views: Views,
    scope: HealthScope = ORGANISATION,
    *,
    heavy: bool = True,
    seed: int = 0,
    as_of: dt.datetime | None = None,
    bus_factor: int = DEFAULT_BUS_FACTOR,
    top_share: float = TOP_SHARE,
    work: float = DEFAULT_WORK,
    impact: ImpactSource | None = None,
) -> NetworkHealth:
    """Every health metric of ``scope`` in ``views``.

    Args:
        views: the read model's views (:class:`matching.views.Views`).
        scope: whose health; the whole organisation by default.
        heavy: also compute brokers and tie clusters (shortest paths, Louvain).
        seed: seeds Louvain and the cost probes of betweenness, for repeatable reports.
        as_of: the moment ages and growth windows are measured at; now by default.
        bus_factor: a skill with fewer people at teaching level is at risk.
        top_share: share of the people in scope listed as brokers.
        work: the betweenness budget (see :mod:`matching.health.brokers`).
        impact: people and mentorships with levels, skill history and dates (the read
            model itself): with it the report holds the mentoring impact too; without, its
            columns are NaN.
    """
    now = as_of or dt.datetime.now(dt.UTC)
    return NetworkHealth(
        scope=scope,
        as_of=now,
        people=int(views.population.table.mask(scope).sum()),
        reach=learning_reach(views, scope),
        load=mentor_load(views, scope, as_of=now),
        skills=skill_health(views, scope, bus_factor=bus_factor),
        ties=tie_mix(views, scope),
        reciprocity=peer_reciprocity(views, scope),
        groups=group_health(views, scope, as_of=now),
        brokers=knowledge_brokers(views, scope, top_share=top_share, work=work, seed=seed)
        if heavy
        else None,
        clusters=tie_clusters(views, scope, seed=seed) if heavy else None,
        impact=mentorship_impact(impact, scope, as_of=now) if impact is not None else None,
    )
