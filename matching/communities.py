"""Communities of practice: which to recommend to a person, and which are forming unnamed.

:func:`recommend_communities` ranks the communities a person is not in by what
they would learn there (topics among their goals), what they could share
(topics they hold at teaching level) and who they already know there.

:func:`emerging_communities` looks for groups the formal structure does not
name yet: Louvain community detection over the ties people form by mentoring
each other, sharing a squad and sharing a community (groups enter as nodes, so a
big community adds one edge per member, not a clique). Clusters that mostly
repeat an existing community are left out: moderators want what is new.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from matching.projection import Projection, person
from matching.scoring import DEFAULT_WEIGHTS, Weights

TIE_WEIGHTS: Mapping[str, float] = {"mentors": 2.0, "in_squad": 1.0, "in_community": 0.5}
"""How strongly each kind of tie pulls two people together."""


@dataclass(frozen=True)
class CommunityMatch:
    """A community recommended to a person, and why."""

    community: str
    score: float
    learn: tuple[str, ...]
    """Topic skills among the person's goals."""
    share: tuple[str, ...]
    """Topic skills the person holds at teaching level."""
    known: tuple[str, ...]
    """Members the person already has a tie with (mentorship, squad, team)."""


@dataclass(frozen=True)
class EmergingCommunity:
    """A cluster of people tied to each other that no community names yet."""

    members: tuple[str, ...]
    skills: tuple[str, ...]
    """Skills most shared among the members (held at teaching level or wanted)."""
    closest: str | None
    """The existing community that overlaps it most, if any."""
    overlap: float
    """Jaccard similarity of the members with ``closest`` (0 when none)."""


def _topics(projection: Projection, community: str) -> set[str]:
    g = projection.graph
    return {
        v[1]
        for _, v, d in g.out_edges(("community", community), data=True)
        if d["kind"] == "focuses_on"
    }


def _members(projection: Projection, kind: str, group: str) -> set[str]:
    edge = "in_squad" if kind == "squad" else "in_community"
    return {
        u[1] for u, _, d in projection.graph.in_edges((kind, group), data=True) if d["kind"] == edge
    }


def _acquaintances(projection: Projection, person_id: str) -> set[str]:
    g = projection.graph
    node = person(person_id)
    known: set[str] = set()
    for u, v, d in [*g.out_edges(node, data=True), *g.in_edges(node, data=True)]:
        if d["kind"] == "mentors":
            known.add(v[1] if u == node else u[1])
        elif d["kind"] == "in_squad" and u == node:
            known |= _members(projection, "squad", v[1])
        elif d["kind"] == "member_of" and u == node:
            known |= {a[1] for a, _, e in g.in_edges(v, data=True) if e["kind"] == "member_of"}
    known.discard(person_id)
    return known


def recommend_communities(
    projection: Projection, person_id: str, *, first: int = 5, weights: Weights = DEFAULT_WEIGHTS
) -> list[CommunityMatch]:
    """Communities ``person_id`` is not in, best first; each has at least one reason."""
    g = projection.graph
    node = person(person_id)
    goals = projection.goals_of(person_id)
    skills = projection.skills_of(person_id)
    joined = {v[1] for _, v, d in g.out_edges(node, data=True) if d["kind"] == "in_community"}
    known = _acquaintances(projection, person_id)
    found: list[CommunityMatch] = []
    for n, attrs in g.nodes(data=True):
        if n[0] != "community" or n[1] in joined or attrs.get("kind") != "community":
            continue
        topics = _topics(projection, n[1])
        learn = sorted(t for t in topics if t in goals)
        share = sorted(t for t in topics if skills.get(t, 0) >= weights.teach_level)
        members = _members(projection, "community", n[1])
        friends = sorted(known & members)
        score = (
            sum(weights.goal_weight(goals[t]) for t in learn)
            + 0.5 * len(share)
            + 0.25 * min(len(friends), 4)
        )
        if score > 0:
            found.append(CommunityMatch(n[1], score, tuple(learn), tuple(share), tuple(friends)))
    found.sort(key=lambda c: (-c.score, c.community))
    return found[:first]


def _interests(projection: Projection, person_id: str, weights: Weights) -> set[str]:
    """Skills a person teaches (at teaching level) or wants to learn."""
    held = {k for k, lv in projection.skills_of(person_id).items() if lv >= weights.teach_level}
    return held | set(projection.goals_of(person_id))


def louvain(graph: nx.Graph, *, seed: int) -> list[set[Any]]:
    """Louvain communities of ``graph``, the same for the same nodes and weighted edges.

    Louvain visits nodes in the graph's insertion order, so two equal graphs built in
    different orders can split differently; sorting first makes the result depend on
    the graph alone (and the seed).
    """
    canonical = nx.Graph()
    canonical.add_nodes_from(sorted(graph.nodes))
    canonical.add_weighted_edges_from(
        sorted((*sorted((u, v)), w) for u, v, w in graph.edges(data="weight"))
    )
    return list(nx.community.louvain_communities(canonical, weight="weight", seed=seed))


def tie_graph(projection: Projection) -> nx.Graph:
    """People tied by mentorships and squads (pairwise), and to the communities they are in.

    A squad is small (at most 12), so its members are tied pairwise; a community can
    be hundreds of people, so it enters as one node its members are tied to.
    """
    ties = nx.Graph()

    def tie(u: object, v: object, weight: float) -> None:
        if ties.has_edge(u, v):
            ties[u][v]["weight"] += weight
        else:
            ties.add_edge(u, v, weight=weight)

    g = projection.graph
    for u, v, d in g.edges(data=True):
        kind = d["kind"]
        if u[0] != "person":
            continue
        formed = kind == "mentors" and d["status"] in ("active", "ended")
        if formed or kind == "in_community":
            tie(u, v, TIE_WEIGHTS[kind])
    for node in g:
        if node[0] != "squad":
            continue
        members = sorted(person(m) for m in _members(projection, "squad", node[1]))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                tie(a, b, TIE_WEIGHTS["in_squad"])
    return ties


def emerging_communities(
    projection: Projection,
    *,
    min_size: int = 4,
    max_overlap: float = 0.5,
    seed: int = 0,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[EmergingCommunity]:
    """Clusters of at least ``min_size`` people overlapping no community by more than ``max_overlap``."""
    ties = tie_graph(projection)
    if ties.number_of_edges() == 0:
        return []
    clusters = louvain(ties, seed=seed)
    existing = {
        n[1]: _members(projection, "community", n[1])
        for n in projection.graph
        if n[0] == "community"
    }
    everywhere: Counter[str] = Counter()
    people_ids = projection.people()
    for pid in people_ids:
        everywhere.update(_interests(projection, pid, weights))
    population = max(1, len(people_ids))
    found: list[EmergingCommunity] = []
    for cluster in clusters:
        members = sorted(n[1] for n in cluster if n[0] == "person")
        if len(members) < min_size:
            continue
        closest, overlap = None, 0.0
        people = set(members)
        for cid, others in sorted(existing.items()):
            union = len(people | others)
            jaccard = len(people & others) / union if union else 0.0
            if jaccard > overlap:
                closest, overlap = cid, jaccard
        if overlap > max_overlap:
            continue
        counts: Counter[str] = Counter()
        for pid in members:
            counts.update(_interests(projection, pid, weights))
        # Rank by how much more common a skill is here than across everyone (English,
        # which nearly everyone speaks, says nothing about a cluster).
        distinct = sorted(
            (k for k, c in counts.items() if c >= 2),
            key=lambda k: (-counts[k] * math.log(population / everywhere[k]), k),
        )
        common = tuple(distinct[:5])
        found.append(EmergingCommunity(tuple(members), common, closest, overlap))
    found.sort(key=lambda c: (-len(c.members), c.members))
    return found
