"""The people tie graph of :func:`matching.communities.tie_graph`, restricted to a scope."""

from __future__ import annotations

import networkx as nx

from matching.communities import TIE_WEIGHTS
from matching.health._population import FORMED, Population
from matching.health.scope import HealthScope
from matching.projection import Projection


def tie_graph_of(population: Population) -> nx.Graph:
    """:func:`matching.communities.tie_graph`, built from the plain records of ``population``.

    Equal to it edge for edge and weight for weight (a test holds them together), but it
    reads no NetworkX projection, so it can run in a worker thread while the live
    projection changes.
    """
    ties = nx.Graph()

    def tie(u: tuple[str, str], v: tuple[str, str], weight: float) -> None:
        if ties.has_edge(u, v):
            ties[u][v]["weight"] += weight
        else:
            ties.add_edge(u, v, weight=weight)

    for m in population.mentorships:
        if m.status in FORMED:
            tie(("person", m.mentor), ("person", m.mentee), TIE_WEIGHTS["mentors"])
    for group in population.groups.values():
        members = [("person", pid) for pid in group.members if pid in population.people]
        if group.kind == "community":
            for node in members:
                tie(node, ("community", group.id), TIE_WEIGHTS["in_community"])
        else:
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    tie(a, b, TIE_WEIGHTS["in_squad"])
    return ties


def scoped_tie_graph(projection: Projection, scope: HealthScope) -> nx.Graph:
    """The tie graph among the people in ``scope`` and the communities they meet in."""
    return scoped_tie_graph_of(Population.of(projection), scope)


def scoped_tie_graph_of(population: Population, scope: HealthScope) -> nx.Graph:
    """The tie graph among the people in ``scope`` and the communities they meet in.

    The same graph emerging communities are found in: people tied by active or ended
    mentorships and shared squads, and tied to each community they are in. Out of
    scope people are removed with their ties, and communities left with nobody.
    """
    whole = population.tie_graph
    if scope.everyone:
        return whole
    admitted = {("person", p.id) for p in population.in_scope(scope)}
    kept = [n for n in whole if n in admitted or n[0] != "person"]
    graph = nx.Graph(whole.subgraph(kept))
    graph.remove_nodes_from([n for n, degree in graph.degree() if degree == 0])
    return graph
