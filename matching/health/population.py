"""People, mentorships, squads and communities as HR's metrics read them.

Every health metric walks people, their mentorships and their groups. The read model
keeps one :class:`Population` as a view (:mod:`readmodel.matching`), refreshed for the
people and groups a change names. Its people are the matcher's own profiles
(:class:`~matching.profiles.Profile`), not another copy. Code that reads it in a worker
thread takes a :meth:`Population.snapshot` first.

The tie graph is built here and only here (:func:`tie_graph_of`): HR's clusters and
brokers and the emerging communities moderators see read the same graph.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np

from matching.health.scope import HealthScope
from matching.health.table import PeopleTable
from matching.profiles import Profile

Node = tuple[str, str]
"""A ``(kind, id)`` pair: ``("person", id)``, ``("squad", id)``, ``("community", id)``."""

FORMED = frozenset({"active", "ended"})
"""Mentorship statuses in which two people actually worked together."""
TIE_WEIGHTS: Mapping[str, float] = {"mentors": 2.0, "in_squad": 1.0, "in_community": 0.5}
"""How strongly each kind of tie pulls two people together."""


@dataclass(frozen=True, slots=True)
class MentorshipRecord:
    """One mentorship, with the status it reads as when the population was refreshed."""

    id: str
    mentor: str
    mentee: str
    status: str
    focus: tuple[str, ...] = ()
    requested_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A squad or a community with its members."""

    kind: str
    id: str
    status: str = ""
    created_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None
    skills: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    joined_at: Mapping[str, dt.datetime] = field(default_factory=dict)
    """Member to the date they joined, for the memberships that record one."""
    moderators: tuple[str, ...] = ()


class Population:
    """People (by id), mentorships (by id) and groups (by node), as plain records."""

    def __init__(
        self,
        people: Mapping[str, Profile],
        mentorships: Iterable[MentorshipRecord] = (),
        groups: Iterable[GroupRecord] = (),
    ) -> None:
        self.people: Mapping[str, Profile] = people
        self._scoped: dict[HealthScope, list[Profile]] = {}
        self._mentorships: dict[str, MentorshipRecord] = {}
        self._of_person: dict[str, set[str]] = {}
        for m in mentorships:
            self.put_mentorship(m)
        self._groups = {(g.kind, g.id): g for g in groups}
        self.ids: list[str] = sorted(people)
        """Every person's id, in order: metrics list people by id."""
        self.team_members: dict[str, set[str]] = {}
        """Team id to its members' ids."""
        for p in people.values():
            self.set_team(p.id, None, p.team)

    # -- kept in step by the read model --------------------------------------------------

    def put_mentorship(self, m: MentorshipRecord) -> None:
        """Add or replace a mentorship."""
        self.drop_mentorship(m.id)
        self._mentorships[m.id] = m
        for pid in (m.mentor, m.mentee):
            self._of_person.setdefault(pid, set()).add(m.id)
        self._changed()

    def drop_mentorship(self, mentorship_id: str) -> None:
        """Forget a mentorship."""
        m = self._mentorships.pop(mentorship_id, None)
        if m is not None:
            for pid in (m.mentor, m.mentee):
                found = self._of_person.get(pid)
                if found is not None:
                    found.discard(m.id)
                    if not found:
                        del self._of_person[pid]
        self._changed()

    def set_team(self, person_id: str, old: str | None, new: str | None) -> None:
        """Move a person from team ``old`` to team ``new`` (either may be ``None``)."""
        if old is not None and old in self.team_members:
            self.team_members[old].discard(person_id)
            if not self.team_members[old]:
                del self.team_members[old]
        if new is not None:
            self.team_members.setdefault(new, set()).add(person_id)

    def put_group(self, group: GroupRecord) -> None:
        """Add or replace a squad or community."""
        self._groups[(group.kind, group.id)] = group
        self._changed()

    def drop_group(self, kind: str, group_id: str) -> None:
        """Forget a squad or community."""
        self._groups.pop((kind, group_id), None)
        self._changed()

    def people_changed(self) -> None:
        """Someone joined or left: list people again."""
        self.ids = sorted(self.people)
        for name in ("table", "tie_rows"):
            self.__dict__.pop(name, None)
        self._changed()

    def profiles_changed(self, changed: Iterable[str]) -> None:
        """The profiles of ``changed`` people changed (site, team or function may have)."""
        self._scoped.clear()
        table = self.__dict__.get("table")
        if table is not None:
            table.update(self.people, changed)

    def _changed(self) -> None:
        self._scoped.clear()
        for name in ("mentorships", "groups", "tie_graph", "ties", "tie_rows"):
            self.__dict__.pop(name, None)

    # -- read by the metrics -------------------------------------------------------------

    @functools.cached_property
    def mentorships(self) -> list[MentorshipRecord]:
        """Every mentorship whose mentee is in the population, by id."""
        return sorted(
            (m for m in self._mentorships.values() if m.mentee in self.people),
            key=lambda m: m.id,
        )

    @functools.cached_property
    def groups(self) -> dict[Node, GroupRecord]:
        """Every squad and community by node, in node order."""
        return dict(sorted(self._groups.items()))

    def partners_of(self, person_id: str) -> set[str]:
        """People with a mentorship (any status, either way) with ``person_id``."""
        found = set()
        for mid in self._of_person.get(person_id, ()):
            m = self._mentorships[mid]
            found.add(m.mentee if m.mentor == person_id else m.mentor)
        return found

    def snapshot(self) -> Population:
        """A copy that later refreshes leave alone (the records themselves are immutable).

        For HR's metrics in a worker thread: it holds people, mentorships and groups (a
        few dictionary copies), not the per-person indexes recommendations read.
        """
        copy = object.__new__(Population)
        copy.people = {pid: self.people[pid] for pid in self.ids}
        copy._mentorships = dict(self._mentorships)
        copy._groups = dict(self._groups)
        copy._of_person = {}
        copy._scoped = {}
        copy.ids = list(self.ids)
        copy.team_members = {}
        return copy

    def in_scope(self, scope: HealthScope) -> list[Profile]:
        """The people ``scope`` admits, by id (kept until someone changes; do not change it)."""
        found = self._scoped.get(scope)
        if found is None:
            people = self.people
            if scope.everyone:
                found = [people[pid] for pid in self.ids]
            else:
                found = [
                    p
                    for pid in self.ids
                    if scope.admits((p := people[pid]).site, p.team, p.function)
                ]
            if len(self._scoped) > 32:
                self._scoped.clear()
            self._scoped[scope] = found
        return found

    def squads(self) -> list[GroupRecord]:
        """Every squad, by id."""
        return [q for (kind, _), q in self.groups.items() if kind == "squad"]

    def communities(self) -> list[GroupRecord]:
        """Every community, by id."""
        return [c for (kind, _), c in self.groups.items() if kind == "community"]

    @functools.cached_property
    def table(self) -> PeopleTable:
        """Everyone's attributes as columns, for metrics over whole scopes."""
        return PeopleTable(self.people, self.ids)

    @functools.cached_property
    def tie_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """:attr:`ties` as two arrays of :attr:`table` rows (pairs with someone gone left out)."""
        row = self.table.row
        pairs = [(row[a], row[b]) for a, b in self.ties if a in row and b in row]
        found = np.array(pairs, np.int64).reshape(-1, 2)
        return found[:, 0], found[:, 1]

    @functools.cached_property
    def tie_graph(self) -> nx.Graph:
        """The whole organisation's tie graph (:func:`tie_graph_of`)."""
        return tie_graph_of(self)

    @functools.cached_property
    def ties(self) -> frozenset[tuple[str, str]]:
        """Pairs of people who learned together, each pair once as ``(smaller id, larger id)``.

        Two people are tied when a mentorship between them (either way) is active or
        ended, or when they are members of the same squad, archived or not.
        """
        pairs: set[tuple[str, str]] = set()
        for m in self.mentorships:
            if m.status in FORMED and m.mentor != m.mentee:
                pairs.add((min(m.mentor, m.mentee), max(m.mentor, m.mentee)))
        for squad in self.squads():
            pairs.update(combinations(squad.members, 2))  # members are sorted
        return frozenset(pairs)


def tie_graph_of(population: Population) -> nx.Graph:
    """People tied by mentorships and squads (pairwise), and to the communities they are in.

    A mentorship ties its two people once it is active or ended. A squad is small (at
    most 12), so its members are tied pairwise; a community can be hundreds of people,
    so it enters as one node its members are tied to. Weights add up (:data:`TIE_WEIGHTS`).
    """
    ties = nx.Graph()

    def tie(u: Node, v: Node, weight: float) -> None:
        if ties.has_edge(u, v):
            ties[u][v]["weight"] += weight
        else:
            ties.add_edge(u, v, weight=weight)

    for m in population.mentorships:
        if m.status in FORMED and m.mentor in population.people:
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


def scoped_tie_graph(population: Population, scope: HealthScope) -> nx.Graph:
    """The tie graph among the people in ``scope`` and the communities they meet in.

    Out of scope people are removed with their ties, and communities left with nobody.
    """
    whole = population.tie_graph
    if scope.everyone:
        return whole
    admitted = {("person", p.id) for p in population.in_scope(scope)}
    kept = [n for n in whole if n in admitted or n[0] != "person"]
    graph = nx.Graph(whole.subgraph(kept))
    graph.remove_nodes_from([n for n, degree in graph.degree() if degree == 0])
    return graph
