"""A picture of the tie clusters: one dot per cluster, lines for the ties between them.

HR wants to *see* where people learn together and where groups are cut off. Drawing
tens of thousands of people says nothing; drawing the clusters does. Each dot is a
Louvain cluster of :mod:`matching.health.clusters`, labelled by the team, function and
site most of its people share (with that share, so a mixed cluster reads as mixed);
each line counts the person-to-person ties (mentorships, shared squads) joining two
clusters. Positions come from NetworkX's seeded spring layout, so the same graph
gives the same picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from matching.health.clusters import TieClusters
from matching.health.population import Population, scoped_tie_graph
from matching.health.scope import ORGANISATION, HealthScope

DRAWN = 40
"""Clusters drawn at most (the largest); the rest are listed by size only."""


@dataclass(frozen=True)
class ClusterDot:
    """One cluster as drawn."""

    index: int
    """Its place among the clusters, largest first (0 is the largest)."""
    size: int
    team: str | None
    """The team id most of its people are in."""
    team_share: float
    function: str
    function_share: float
    site: str
    x: float
    y: float


@dataclass(frozen=True)
class ClusterLink:
    """Ties between the people of two drawn clusters."""

    a: int
    b: int
    ties: int


@dataclass(frozen=True)
class ClusterMap:
    """The drawn clusters and the ties between them."""

    dots: tuple[ClusterDot, ...]
    links: tuple[ClusterLink, ...]


def _most_common(values: Sequence[str | None]) -> tuple[str | None, float]:
    if not values:
        return None, 0.0
    value, count = Counter(values).most_common(1)[0]
    return value, count / len(values)


def cluster_map(
    population: Population,
    clusters: TieClusters,
    scope: HealthScope = ORGANISATION,
    *,
    drawn: int = DRAWN,
    seed: int = 0,
) -> ClusterMap:
    """Lay out the ``drawn`` largest clusters and count the ties between them."""
    kept = clusters.clusters[:drawn]
    cluster_of = {pid: i for i, members in enumerate(kept) for pid in members}
    ties: Counter[tuple[int, int]] = Counter()
    for u, v in scoped_tie_graph(population, scope).edges():
        if u[0] != "person" or v[0] != "person":
            continue
        a, b = cluster_of.get(u[1]), cluster_of.get(v[1])
        if a is not None and b is not None and a != b:
            ties[(min(a, b), max(a, b))] += 1
    quotient = nx.Graph()
    quotient.add_nodes_from(range(len(kept)))
    quotient.add_weighted_edges_from((a, b, n) for (a, b), n in ties.items())
    positions = nx.spring_layout(quotient, weight="weight", seed=seed) if kept else {}
    dots = []
    for i, members in enumerate(kept):
        records = [population.people[pid] for pid in members if pid in population.people]
        team, team_share = _most_common([r.team for r in records])
        function, function_share = _most_common([r.function for r in records])
        site, _ = _most_common([r.site for r in records])
        x, y = positions[i]
        dots.append(
            ClusterDot(
                index=i,
                size=len(members),
                team=team,
                team_share=team_share,
                function=function or "",
                function_share=function_share,
                site=site or "",
                x=float(x),
                y=float(y),
            )
        )
    links = tuple(ClusterLink(a, b, n) for (a, b), n in sorted(ties.items()))
    return ClusterMap(tuple(dots), links)
