"""The in-memory view of the skills graph the matcher works on (NetworkX).

Nodes are ``(kind, id)`` pairs — ``("person", "E000042")``, ``("skill", "sql")``,
``("team", …)``, ``("squad", …)``, ``("community", …)`` — with the record's
properties as attributes. Edges carry a ``kind``: ``has_skill`` (level),
``wants`` (priority), ``related``, ``member_of``, ``reports_to``, ``mentors``
(mentor → mentee, with the mentorship's id, status and focus), ``in_squad``
(role), ``in_community``, ``moderates``, ``focuses_on``.

:meth:`Projection.replace` swaps some people and groups for fresher copies,
which is how :mod:`graph.projection` keeps it current without a full reload.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from matching.data import GraphData, GroupData, MentorshipData, PersonData

Node = tuple[str, str]


def person(id: str) -> Node:
    """The node of a person."""
    return ("person", id)


def skill(key: str) -> Node:
    """The node of a skill."""
    return ("skill", key)


class Projection:
    """A NetworkX multigraph of people, skills, teams, mentorships, squads and communities."""

    def __init__(self, version: Any = None) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.version = version
        self.left: set[str] = set()
        """People who have left the organisation (off-boarded): held nowhere else."""
        self.derived: dict[Any, Any] = {}
        """Values computed from the graph (sorted directories, scoring indexes).

        On every change a value with a ``refresh(projection, people) -> bool`` method
        is asked to update itself for the people changed (and kept if it says so);
        any other value is dropped, to be computed again on next use.
        """

    @classmethod
    def build(cls, data: GraphData) -> Projection:
        """A projection of everything in ``data``."""
        projection = cls(data.version)
        projection.replace(data, people=[p.id for p in data.people])
        return projection

    def replace(
        self,
        data: GraphData,
        *,
        people: Iterable[str] = (),
        squads: Iterable[str] = (),
        communities: Iterable[str] = (),
    ) -> None:
        """Swap what is known of ``people``, ``squads`` and ``communities`` for ``data``.

        ``data`` holds the fresh copies of exactly those records, plus the skills and
        teams they refer to. A person's own edges (skills, goals, team, manager,
        memberships) and every mentorship they are in are replaced; edges other people
        hold towards them (someone reporting to them) stay.
        """
        g = self.graph
        people = list(people)
        for key, props in data.skills.items():
            g.add_node(skill(key), kind="skill", **props)
        for a, b in data.related:
            if not g.has_edge(skill(a), skill(b), key="related"):
                g.add_edge(skill(a), skill(b), key="related", kind="related")
        for key, props in data.teams.items():
            g.add_node(("team", key), kind="team", **props)
        for pid in people:
            self._forget_person(pid)
        for kind, ids in (("squad", squads), ("community", communities)):
            for gid in ids:
                if g.has_node((kind, gid)):
                    g.remove_edges_from(list(g.out_edges((kind, gid), keys=True)))
        for q in data.squads:
            self._set_group("squad", q)
        for c in data.communities:
            self._set_group("community", c)
        for p in data.people:
            self._add_person(p)
        for m in data.mentorships:
            self._add_mentorship(m)
        self.version = data.version
        self.left.difference_update(people)
        self.left.update(data.left)
        touched = set(people) | {p.id for p in data.people}
        for m in data.mentorships:
            touched.update((m.mentor, m.mentee))
        for key, value in list(self.derived.items()):
            refresh = getattr(value, "refresh", None)
            if refresh is None or not refresh(self, sorted(touched)):
                del self.derived[key]

    def _forget_person(self, pid: str) -> None:
        g = self.graph
        node = person(pid)
        if not g.has_node(node):
            return
        g.remove_edges_from(list(g.out_edges(node, keys=True)))
        g.remove_edges_from(
            [
                (u, v, k)
                for u, v, k, d in g.in_edges(node, keys=True, data=True)
                if d["kind"] == "mentors"
            ]
        )
        g.nodes[node].clear()

    def _add_person(self, p: PersonData) -> None:
        g = self.graph
        node = person(p.id)
        g.add_node(node, kind="person", **p.props)
        if p.team:
            g.add_edge(node, ("team", p.team), key="member_of", kind="member_of")
        if p.manager:
            g.add_edge(node, person(p.manager), key="reports_to", kind="reports_to")
        for key, level in p.skills.items():
            g.add_edge(node, skill(key), key="has_skill:" + key, kind="has_skill", level=level)
        for key, priority in p.goals.items():
            g.add_edge(node, skill(key), key="wants:" + key, kind="wants", priority=priority)
        for squad_id, role in p.squads.items():
            g.add_edge(
                node, ("squad", squad_id), key="in_squad", kind="in_squad", role=role,
                joined_at=p.joined.get(squad_id),
            )  # fmt: skip
        for community_id in p.communities:
            g.add_edge(
                node, ("community", community_id), key="in_community", kind="in_community",
                joined_at=p.joined.get(community_id),
            )  # fmt: skip
        for community_id in p.moderates:
            g.add_edge(node, ("community", community_id), key="moderates", kind="moderates")

    def _add_mentorship(self, m: MentorshipData) -> None:
        mentor, mentee = person(m.mentor), person(m.mentee)
        if self.graph.has_node(mentor) and self.graph.has_node(mentee):
            self.graph.add_edge(
                mentor,
                mentee,
                key=m.id,
                kind="mentors",
                status=m.status,
                focus=tuple(sorted(m.focus)),
                requested_at=m.requested_at,
                details=m.details,
            )

    def _set_group(self, kind: str, group: GroupData) -> None:
        g = self.graph
        node = (kind, group.id)
        g.add_node(node, kind=kind, **group.props)
        for key in group.skills:
            g.add_edge(node, skill(key), key="focuses_on:" + key, kind="focuses_on")

    def people(self) -> list[str]:
        """Ids of every person in the projection."""
        return sorted(n[1] for n in self.graph if n[0] == "person")

    def skills_of(self, person_id: str) -> dict[str, int]:
        """A person's skills, key to level."""
        return {
            v[1]: d["level"]
            for _, v, d in self.graph.out_edges(person(person_id), data=True)
            if d["kind"] == "has_skill"
        }

    def goals_of(self, person_id: str) -> dict[str, int]:
        """A person's learning goals, key to priority."""
        return {
            v[1]: d["priority"]
            for _, v, d in self.graph.out_edges(person(person_id), data=True)
            if d["kind"] == "wants"
        }

    def signature(self) -> tuple[frozenset[tuple[object, ...]], frozenset[tuple[object, ...]]]:
        """Every node and edge with its attributes, to compare two projections."""

        def frozen(attrs: dict[str, object]) -> tuple[tuple[str, object], ...]:
            return tuple(
                sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attrs.items())
            )

        nodes = frozenset((n, frozen(d)) for n, d in self.graph.nodes(data=True))
        edges = frozenset(
            (u, v, k, frozen(d)) for u, v, k, d in self.graph.edges(keys=True, data=True)
        )
        return nodes, edges
