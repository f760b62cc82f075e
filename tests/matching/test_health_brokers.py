"""Brokers and tie clusters: igraph betweenness against NetworkX, modularity by hand."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from graph.organisation import graph_data
from graph.records import GraphData, MentorshipRecord, read_group, read_person
from graph.seed import generate_organisation
from matching.health import HealthScope, betweenness, knowledge_brokers, tie_clusters
from matching.health.brokers import _exact_cost, _to_igraph
from matching.health.cluster_map import cluster_map
from matching.health.population import louvain
from readmodel.store import ReadModel


def org_like(n: int, seed: int) -> nx.Graph:
    """Teams of 12 tied inside, plus ties across a site and a few anywhere: denser than the seed."""
    rng = random.Random(seed)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for v in range(n):
        team = range(v // 12 * 12, min(n, v // 12 * 12 + 12))
        mates = [u for u in team if u != v]
        graph.add_edges_from((u, v) for u in rng.sample(mates, min(3, len(mates))))
        if rng.random() < 0.5:
            graph.add_edges_from(
                (u, v) for u in rng.sample(range(n), 2) if u % 6 == v % 6 and u != v
            )
        if rng.random() < 0.3 and (u := rng.randrange(n)) != v:
            graph.add_edge(u, v)
    return graph


def top(values: dict[object, float], k: int) -> set[object]:
    return set(sorted(values, key=lambda v: (-values[v], str(v)))[:k])


@pytest.mark.parametrize("seed", [1, 2])
def test_exact_betweenness_equals_networkx(seed: int) -> None:
    graph = org_like(400, seed)
    found = betweenness(graph)
    assert found.cutoff is None
    expected = nx.betweenness_centrality(graph)
    assert found.values == pytest.approx(expected, abs=1e-12)


def test_betweenness_of_tiny_and_disconnected_graphs() -> None:
    assert betweenness(nx.Graph()).values == {}
    assert betweenness(nx.path_graph(2)).values == {0: 0.0, 1: 0.0}
    graph = nx.union(nx.path_graph(3), nx.star_graph(3), rename=("p", "s"))
    assert betweenness(graph).values == pytest.approx(nx.betweenness_centrality(graph))


def test_cutoff_when_exact_does_not_fit() -> None:
    # On a path of 5, paths of at most 2 ties run through 1, 2 and 3 once each.
    found = betweenness(nx.path_graph(5), work=0)
    assert found.cutoff == 2
    assert found.values == pytest.approx({0: 0, 1: 1 / 6, 2: 1 / 6, 3: 1 / 6, 4: 0})
    assert betweenness(nx.path_graph(5), work=1e9).cutoff is None


def test_cutoff_keeps_most_of_the_exact_top() -> None:
    """With nearly the exact budget, the longest affordable cutoff keeps the top brokers."""
    graph = org_like(600, seed=1)
    exact = nx.betweenness_centrality(graph)
    cost = _exact_cost(_to_igraph(graph)[1])
    found = betweenness(graph, work=0.9 * cost)
    assert found.cutoff is not None and found.cutoff >= 5
    k = 30  # top 5%
    assert len(top(dict(found.values), k) & top(exact, k)) / k >= 0.8


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_brokers_of_a_seeded_organisation_are_the_exact_top(seed: int) -> None:
    projection = ReadModel.build(graph_data(generate_organisation(people=500, seed=seed)))
    found = knowledge_brokers(projection, top_share=0.02)
    assert found.cutoff is None and len(found.people) == 10
    graph = projection.population.tie_graph
    exact = nx.betweenness_centrality(graph)
    people = {n: b for n, b in exact.items() if n[0] == "person"}
    ranked = sorted(people, key=lambda n: (-round(people[n], 12), n[1]))[:10]
    assert [b.id for b in found.people] == [n[1] for n in ranked]
    assert [b.betweenness for b in found.people] == pytest.approx([people[n] for n in ranked])
    effective = nx.effective_size(graph, nodes=ranked)
    assert [b.effective_size for b in found.people] == pytest.approx([effective[n] for n in ranked])
    assert [b.ties for b in found.people] == [graph.degree(n) for n in ranked]


def two_squads() -> ReadModel:
    """Two squads of four whose members a4 and b1 have a mentorship."""
    people = [read_person(f"a{i}", {"site": "A"}, squads={"qa": "member"}) for i in (1, 2, 3, 4)]
    people += [read_person(f"b{i}", {"site": "B"}, squads={"qb": "member"}) for i in (1, 2, 3, 4)]
    return ReadModel.build(
        GraphData(
            version=1,
            people=people,
            mentorships=[MentorshipRecord("m", "a4", "b1", "active")],
            squads=[
                read_group("squad", "qa", {"status": "active"}),
                read_group("squad", "qb", {"status": "active"}),
            ],
        )
    )


def test_brokers_by_hand() -> None:
    found = knowledge_brokers(two_squads(), top_share=0.25)
    # a4 and b1 each carry the 3 × 4 paths between their squad-mates and the other
    # squad, over the (8 − 1)(8 − 2) / 2 = 21 pairs of others; nobody else carries any.
    assert [b.id for b in found.people] == ["a4", "b1"]
    assert [b.betweenness for b in found.people] == pytest.approx([12 / 21, 12 / 21])
    # a4: 4 ties, 3 triangles among its squad-mates: 4 − 2 × 3 / 4.
    assert found.people[0].ties == 4 and found.people[0].effective_size == pytest.approx(2.5)
    assert knowledge_brokers(two_squads(), HealthScope(site="A")).people == ()


def test_clusters_and_modularity_by_hand() -> None:
    found = tie_clusters(two_squads())
    assert found.clusters == (("a1", "a2", "a3", "a4"), ("b1", "b2", "b3", "b4"))
    # Weights: 12 squad ties of 1 and the mentorship of 2, m = 14; each cluster has 6
    # inside and total degree 14: Q = 2 × (6/14 − (14/28)²) = 5/14.
    assert found.modularity == pytest.approx(5 / 14)
    assert (found.largest, found.mean_size) == (4, 4.0)
    scoped = tie_clusters(two_squads(), HealthScope(site="B"))
    assert scoped.clusters == (("b1", "b2", "b3", "b4"),)
    assert scoped.modularity == pytest.approx(0.0)
    assert tie_clusters(two_squads(), HealthScope(site="C")).clusters == ()


def test_the_cluster_map_draws_each_cluster_with_its_ties_to_the_others() -> None:
    projection = two_squads()
    population = projection.population
    drawn = cluster_map(population, tie_clusters(projection))
    assert [(d.index, d.size, d.site) for d in drawn.dots] == [(0, 4, "A"), (1, 4, "B")]
    # Only the a4–b1 mentorship crosses; the squads' own ties stay inside.
    assert [(k.a, k.b, k.ties) for k in drawn.links] == [(0, 1, 1)]
    assert drawn.dots[0].x != drawn.dots[1].x or drawn.dots[0].y != drawn.dots[1].y
    assert cluster_map(population, tie_clusters(projection)) == drawn  # seeded: repeatable
    only_b = cluster_map(
        population, tie_clusters(projection, HealthScope(site="B")), HealthScope(site="B")
    )
    assert [d.size for d in only_b.dots] == [4] and only_b.links == ()
    assert cluster_map(population, tie_clusters(projection), drawn=1).links == ()


def test_modularity_equals_networkx_on_a_seeded_organisation() -> None:
    projection = ReadModel.build(graph_data(generate_organisation(people=500, seed=1)))
    found = tie_clusters(projection, seed=3)
    graph = projection.population.tie_graph
    partition = louvain(graph, seed=3)  # networkx's Louvain, in a canonical node order
    assert found.modularity == pytest.approx(
        nx.community.modularity(graph, partition, weight="weight")
    )
    people = {n[1] for n in graph if n[0] == "person"}
    assert sorted(p for c in found.clusters for p in c) == sorted(people)
    assert math.isclose(found.mean_size, len(people) / len(found.clusters))


def test_the_tie_graph_by_hand() -> None:
    """Squad-mates pairwise (1 each), a mentorship (2), a community as one node (0.5 each)."""
    projection = two_squads()
    graph = projection.population.tie_graph
    pairs = {frozenset((u[1], v[1])): w for u, v, w in graph.edges(data="weight")}
    squad_pairs = {
        frozenset((f"{s}{i}", f"{s}{j}"))
        for s in "ab"
        for i in range(1, 5)
        for j in range(i + 1, 5)
    }
    assert pairs == {**{p: 1.0 for p in squad_pairs}, frozenset(("a4", "b1")): 2.0}
