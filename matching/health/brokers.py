"""Knowledge brokers: the people most shortest learning paths run through.

Definition: **betweenness** of a person in the tie graph (people tied by active or
ended mentorships and shared squads, and to the communities they are in — the graph
emerging communities are found in), unweighted, normalised as NetworkX does; the
**brokers** are the top 1% of people in scope by betweenness (at least one, and only
people with betweenness above 0). Each also carries its **ties** (degree) and
Burt's **effective size**, ``degree − 2 × triangles / degree``.

Betweenness is exact (Brandes, in igraph's C core) whenever its estimated cost —
node and edge visits — fits ``work``. The seeded organisations stay exact up to 50,000
people (7 s there). On denser graphs that do not fit, shortest paths are cut off at the
longest length that fits: brokerage is mostly local. On an org-like synthetic graph
(teams of 12, ties across sites, 4 ties a person) at 50,000 people the default budget
chose a cutoff of 4 ties: 19 s, and 93% of the exact top 1% (exact: 13 minutes). At
10,000 people it stays exact (22 s), where sampling 2,000 sources reached only 60%.
Which one ran is reported as ``cutoff`` (``None``: exact).
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import cast

import igraph
import networkx as nx

from matching.health.population import Population, scoped_tie_graph
from matching.health.scope import ORGANISATION, HealthScope
from matching.views import Views

Node = tuple[str, str]

DEFAULT_WORK = 1e9
"""Node and edge visits betweenness may cost: about 25 s on one core of the dev machine."""
TOP_SHARE = 0.01
"""Share of the people in scope listed as brokers."""
_PROBES = 64
"""Sources whose neighbourhoods estimate the cost of a cutoff."""
_MAX_CUTOFF = 32


@dataclass(frozen=True)
class Betweenness:
    """Betweenness of every node of a graph, and the path-length cutoff it used."""

    values: Mapping[Hashable, float]
    """Node to betweenness, normalised by ``2 / ((n − 1)(n − 2))`` like NetworkX."""
    cutoff: int | None
    """``None`` when exact; else only shortest paths up to this many ties counted."""


@dataclass(frozen=True)
class Broker:
    """A person many shortest learning paths run through."""

    id: str
    betweenness: float
    ties: int
    """Neighbours in the tie graph: people and communities."""
    effective_size: float
    """Burt's effective size: neighbours not tied to each other count fully."""


@dataclass(frozen=True)
class Brokers:
    """The top brokers in scope, best first."""

    people: tuple[Broker, ...]
    cutoff: int | None
    """``None`` when betweenness was exact; else the path-length cutoff used."""


def _to_igraph(graph: nx.Graph) -> tuple[list[Hashable], igraph.Graph]:
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges()]
    return nodes, igraph.Graph(n=len(nodes), edges=edges)


def _exact_cost(g: igraph.Graph) -> float:
    """Visits of Brandes' algorithm: each source walks its component's nodes and edges."""
    membership = g.connected_components().membership
    sizes = [0] * (max(membership, default=-1) + 1)
    for c in membership:
        sizes[c] += 1
    visits = [float(s) for s in sizes]
    for u, _ in g.get_edgelist():
        visits[membership[u]] += 2
    return sum(size * v for size, v in zip(sizes, visits, strict=True))


def _cutoff_for(g: igraph.Graph, work: float, seed: int) -> int:
    """The longest path-length cutoff whose estimated cost fits ``work`` (at least 2)."""
    n = g.vcount()
    rng = random.Random(seed)
    probes = rng.sample(range(n), min(n, _PROBES))
    degree = g.degree()
    best = 2
    for cutoff in range(2, _MAX_CUTOFF + 1):
        balls = g.neighborhood(vertices=probes, order=cutoff)
        per_source = sum(len(ball) + sum(degree[v] for v in ball) for ball in balls) / len(probes)
        if per_source * n > work:
            break
        best = cutoff
    return best


def betweenness(graph: nx.Graph, *, work: float = DEFAULT_WORK, seed: int = 0) -> Betweenness:
    """Betweenness of every node of undirected ``graph``: exact if it fits ``work``, else cut off.

    Exact values equal ``networkx.betweenness_centrality(graph)``; igraph computes
    them a hundred times faster.
    """
    nodes, g = _to_igraph(graph)
    n = len(nodes)
    if n < 3:
        return Betweenness(dict.fromkeys(nodes, 0.0), None)
    cutoff = None if _exact_cost(g) <= work else _cutoff_for(g, work, seed)
    raw = g.betweenness(directed=False, cutoff=cutoff)
    scale = 2 / ((n - 1) * (n - 2))
    return Betweenness({node: b * scale for node, b in zip(nodes, raw, strict=True)}, cutoff)


def knowledge_brokers(
    views: Views,
    scope: HealthScope = ORGANISATION,
    *,
    top_share: float = TOP_SHARE,
    work: float = DEFAULT_WORK,
    seed: int = 0,
) -> Brokers:
    """The top ``top_share`` of people in ``scope`` by betweenness in the scope's tie graph."""
    return brokers_of(views.population, scope, top_share=top_share, work=work, seed=seed)


def brokers_of(
    population: Population,
    scope: HealthScope = ORGANISATION,
    *,
    top_share: float = TOP_SHARE,
    work: float = DEFAULT_WORK,
    seed: int = 0,
) -> Brokers:
    """:func:`knowledge_brokers` from the plain records alone (safe in a worker thread)."""
    graph = scoped_tie_graph(population, scope)
    found = betweenness(graph, work=work, seed=seed)
    values = cast("Mapping[Node, float]", found.values)
    count = max(1, math.ceil(top_share * len(population.in_scope(scope))))
    ranked = sorted(
        (node for node, value in values.items() if node[0] == "person" and value > 0),
        # Nine significant digits: equal values computed along different paths still tie.
        key=lambda node: (-float(f"{values[node]:.9g}"), node[1]),
    )[:count]
    triangles = nx.triangles(graph, ranked) if ranked else {}
    people = []
    for node in ranked:
        degree = graph.degree(node)
        people.append(
            Broker(
                id=node[1],
                betweenness=values[node],
                ties=degree,
                effective_size=degree - 2 * triangles[node] / degree,
            )
        )
    return Brokers(tuple(people), found.cutoff)
