"""The people tie graph of :func:`matching.communities.tie_graph`, restricted to a scope."""

from __future__ import annotations

import networkx as nx

from matching.communities import tie_graph
from matching.health._population import Population
from matching.health.scope import HealthScope
from matching.projection import Projection

_CACHE_KEY = "matching.health.tie_graph"
"""Key of the whole organisation's tie graph in :attr:`Projection.derived` (dropped on change)."""


def scoped_tie_graph(projection: Projection, scope: HealthScope) -> nx.Graph:
    """The tie graph among the people in ``scope`` and the communities they meet in.

    The same graph emerging communities are found in: people tied by active or ended
    mentorships and shared squads, and tied to each community they are in. Out of
    scope people are removed with their ties, and communities left with nobody.
    """
    whole = projection.derived.get(_CACHE_KEY)
    if not isinstance(whole, nx.Graph):
        whole = projection.derived[_CACHE_KEY] = tie_graph(projection)
    if scope.everyone:
        return whole
    admitted = {("person", p.id) for p in Population.of(projection).in_scope(scope)}
    kept = [n for n in whole if n in admitted or n[0] != "person"]
    graph = nx.Graph(whole.subgraph(kept))
    graph.remove_nodes_from([n for n, degree in graph.degree() if degree == 0])
    return graph
