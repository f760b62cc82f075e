"""Clusters of the tie graph: the learning communities people actually form.

Definitions: **clusters** are the Louvain communities of the tie graph (people tied
by active or ended mentorships and shared squads, and to the communities they are
in; weighted as for emerging communities), listed with their people only;
**modularity** is the weighted modularity of that partition — near 0, ties ignore
the clusters; towards 1, people learn almost only inside them. People with no tie
are in no cluster (see :mod:`matching.health.reach`).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from matching.health._stats import share
from matching.health.population import Population, louvain, scoped_tie_graph
from matching.health.scope import ORGANISATION, HealthScope
from matching.views import Views


@dataclass(frozen=True)
class TieClusters:
    """Louvain clusters of the tie graph in scope, and how clear-cut they are."""

    clusters: tuple[tuple[str, ...], ...]
    """Person ids of each cluster with people, largest first."""
    modularity: float

    @property
    def largest(self) -> int:
        """People in the largest cluster."""
        return len(self.clusters[0]) if self.clusters else 0

    @property
    def mean_size(self) -> float:
        """Mean people per cluster."""
        return share(sum(len(c) for c in self.clusters), len(self.clusters))


def tie_clusters(views: Views, scope: HealthScope = ORGANISATION, *, seed: int = 0) -> TieClusters:
    """Louvain clusters (seeded, so repeatable) of the tie graph in ``scope``, with modularity."""
    return clusters_of(views.population, scope, seed=seed)


def clusters_of(
    population: Population, scope: HealthScope = ORGANISATION, *, seed: int = 0
) -> TieClusters:
    """:func:`tie_clusters` from the plain records alone (safe in a worker thread)."""
    graph = scoped_tie_graph(population, scope)
    if graph.number_of_edges() == 0:
        return TieClusters((), 0.0)
    partition = louvain(graph, seed=seed)
    modularity = nx.community.modularity(graph, partition, weight="weight")
    clusters = [tuple(sorted(n[1] for n in part if n[0] == "person")) for part in partition]
    clusters = sorted((c for c in clusters if c), key=lambda c: (-len(c), c))
    return TieClusters(tuple(clusters), float(modularity))
