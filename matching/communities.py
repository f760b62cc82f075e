"""Communities of practice: which to recommend to a person, and which are forming unnamed.

:func:`recommend_communities` ranks the communities a person is not in by what
they would learn there (topics among their goals), what they could share
(topics they hold at teaching level) and who they already know there.

:func:`emerging_communities` looks for groups the formal structure does not
name yet: Louvain community detection over the ties people form by mentoring
each other, sharing a squad and sharing a community
(:func:`matching.health.population.tie_graph_of`: groups enter as nodes, so a big
community adds one edge per member, not a clique). Clusters that mostly
repeat an existing community are left out: moderators want what is new.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from matching.health.population import Population, louvain
from matching.profiles import Profile
from matching.scoring import DEFAULT_WEIGHTS, Weights
from matching.views import Views


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


def _acquaintances(population: Population, me: Profile) -> set[str]:
    """People ``me`` already has a tie with: any mentorship, a shared squad, their team."""
    known = set(population.partners_of(me.id))
    for squad_id in me.squads:
        group = population.groups.get(("squad", squad_id))
        known.update(group.members if group else ())
    if me.team is not None:
        known |= population.team_members.get(me.team, set())
    known.discard(me.id)
    return known


def recommend_communities(
    views: Views, person_id: str, *, first: int = 5, weights: Weights = DEFAULT_WEIGHTS
) -> list[CommunityMatch]:
    """Communities ``person_id`` is not in, best first; each has at least one reason."""
    population = views.population
    me = views.profiles[person_id]
    goals, skills = me.goals, me.skills
    joined = set(me.communities)
    known = _acquaintances(population, me)
    found: list[CommunityMatch] = []
    for community in population.communities():
        if community.id in joined:
            continue
        topics = community.skills
        learn = sorted(t for t in topics if t in goals)
        share = sorted(t for t in topics if skills.get(t, 0) >= weights.teach_level)
        friends = sorted(known.intersection(community.members))
        score = (
            sum(weights.goal_weight(goals[t]) for t in learn)
            + 0.5 * len(share)
            + 0.25 * min(len(friends), 4)
        )
        if score > 0:
            found.append(
                CommunityMatch(community.id, score, tuple(learn), tuple(share), tuple(friends))
            )
    found.sort(key=lambda c: (-c.score, c.community))
    return found[:first]


def _interests(me: Profile, weights: Weights) -> set[str]:
    """Skills a person teaches (at teaching level) or wants to learn."""
    return {k for k, lv in me.skills.items() if lv >= weights.teach_level} | set(me.goals)


def emerging_communities(
    views: Views,
    *,
    min_size: int = 4,
    max_overlap: float = 0.5,
    seed: int = 0,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[EmergingCommunity]:
    """Clusters of at least ``min_size`` people overlapping no community by more than ``max_overlap``."""
    population = views.population
    profiles = views.profiles
    ties = population.tie_graph
    if ties.number_of_edges() == 0:
        return []
    clusters = louvain(ties, seed=seed)
    existing = {c.id: set(c.members) for c in population.communities()}
    everywhere: Counter[str] = Counter()
    for pid in population.ids:
        everywhere.update(_interests(profiles[pid], weights))
    size = max(1, len(population.ids))
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
            counts.update(_interests(profiles[pid], weights))
        # Rank by how much more common a skill is here than across everyone (English,
        # which nearly everyone speaks, says nothing about a cluster).
        distinct = sorted(
            (k for k, c in counts.items() if c >= 2),
            key=lambda k: (-counts[k] * math.log(size / everywhere[k]), k),
        )
        common = tuple(distinct[:5])
        found.append(EmergingCommunity(tuple(members), common, closest, overlap))
    found.sort(key=lambda c: (-len(c.members), c.members))
    return found
