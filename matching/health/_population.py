"""The projection read once into plain per-person and per-group records.

Every health metric walks people, their mentorships and their groups. Reading
those from NetworkX edges once (one pass over the graph, about half a second at
50,000 people) and sharing the result keeps the O(n + m) metrics within their
budget. The index lives in :attr:`Projection.derived` and is refreshed with the
projection (:meth:`Population.refresh`), so it is never stale.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from matching.health._stats import as_utc
from matching.health.scope import HealthScope
from matching.projection import Node, Projection

FORMED = frozenset({"active", "ended"})
"""Mentorship statuses in which two people actually worked together."""
EXPERT_LEVEL = 4
"""The level from which someone can teach a skill, in every health metric."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What the health metrics need to know about one person."""

    id: str
    site: str = ""
    team: str | None = None
    function: str = ""
    capacity: int = 0
    open_to_mentoring: bool = False
    skills: Mapping[str, int] = field(default_factory=dict)
    goals: Mapping[str, int] = field(default_factory=dict)
    squads: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MentorshipRecord:
    """One mentorship edge of the projection."""

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


def _mentorship(mentor: str, mentee: str, key: object, d: dict[str, Any]) -> MentorshipRecord:
    return MentorshipRecord(
        id=str(key),
        mentor=mentor,
        mentee=mentee,
        status=str(d["status"]),
        focus=tuple(d.get("focus") or ()),
        requested_at=as_utc(d.get("requested_at")),
    )


def _is_person(node: Node, attrs: Mapping[str, Any] | None) -> bool:
    return node[0] == "person" and attrs is not None and attrs.get("kind") == "person"


def _person(g: nx.MultiDiGraph, pid: str) -> PersonRecord:
    attrs = g.nodes[("person", pid)]
    skills: dict[str, int] = {}
    goals: dict[str, int] = {}
    team = None
    squads: list[str] = []
    communities: list[str] = []
    for _, target, d in g.out_edges(("person", pid), data=True):
        kind = d["kind"]
        if kind == "has_skill":
            skills[target[1]] = int(d["level"])
        elif kind == "wants":
            goals[target[1]] = int(d["priority"])
        elif kind == "member_of":
            team = target[1]
        elif kind == "in_squad" and target in g:
            squads.append(target[1])
        elif kind == "in_community" and target in g:
            communities.append(target[1])
    return PersonRecord(
        pid,
        str(attrs.get("site") or ""),
        team,
        str(attrs.get("function") or ""),
        int(attrs.get("mentoring_capacity") or 0),
        bool(attrs.get("open_to_mentoring")),
        skills,
        goals,
        tuple(sorted(squads)),
        tuple(sorted(communities)),
    )


def _mentored_by(g: nx.MultiDiGraph, mentor: str) -> list[MentorshipRecord]:
    """The mentorships in which ``mentor`` (a person of the projection) is the mentor."""
    return [
        _mentorship(mentor, target[1], key, d)
        for _, target, key, d in g.out_edges(("person", mentor), keys=True, data=True)
        if d["kind"] == "mentors"
    ]


def _groups(g: nx.MultiDiGraph) -> dict[Node, GroupRecord]:
    """Every squad and community with its members, by node."""
    groups: dict[Node, GroupRecord] = {}
    for node in sorted(n for n in g if n[0] in ("squad", "community")):
        attrs = g.nodes[node]
        members: list[str] = []
        joined: dict[str, dt.datetime] = {}
        moderators: list[str] = []
        for u, _, d in g.in_edges(node, data=True):
            if not _is_person(u, g.nodes[u]):
                continue
            if d["kind"] in ("in_squad", "in_community"):
                members.append(u[1])
                since = as_utc(d.get("joined_at"))
                if since is not None:
                    joined[u[1]] = since
            elif d["kind"] == "moderates":
                moderators.append(u[1])
        focus = {v[1] for _, v, d in g.out_edges(node, data=True) if d["kind"] == "focuses_on"}
        groups[node] = GroupRecord(
            kind=node[0],
            id=node[1],
            status=str(attrs.get("status") or ""),
            created_at=as_utc(attrs.get("created_at")),
            last_activity_at=as_utc(attrs.get("last_activity_at")),
            skills=tuple(sorted(focus)),
            members=tuple(sorted(members)),
            joined_at=joined,
            moderators=tuple(sorted(moderators)),
        )
    return groups


class Population:
    """People, mentorships, squads and communities of a projection, as plain records.

    Kept with the projection and refreshed with it: a change re-reads only the people it
    names (and the groups, which are few, when next asked for), where reading everyone again took a fifth of
    a second of the event loop at 10,000 people after every write. The refresh mutates
    this object, so code that reads it outside the event loop (a worker thread) takes a
    :meth:`snapshot` first.
    """

    def __init__(self, projection: Projection) -> None:
        g = projection.graph
        self.people: dict[str, PersonRecord] = {}
        mentorships: list[MentorshipRecord] = []
        for pid in sorted(n[1] for n, attrs in g.nodes(data=True) if _is_person(n, attrs)):
            self.people[pid] = _person(g, pid)
            mentorships.extend(_mentored_by(g, pid))
        # A mentee the projection only knows as someone's manager is nobody to measure.
        self.mentorships = sorted(
            (m for m in mentorships if m.mentee in self.people), key=lambda m: m.id
        )
        self._graph = g
        self._groups: dict[Node, GroupRecord] | None = None

    @property
    def groups(self) -> dict[Node, GroupRecord]:
        """Every squad and community by node, read on first use after a change.

        Reading them walks every membership (a few milliseconds), which every write
        would pay for although only HR's reports read them.
        """
        if self._groups is None:
            self._groups = _groups(self._graph)
        return self._groups

    def refresh(self, projection: Projection, people: Iterable[str]) -> bool:
        """Re-read the changed people and their mentorships, and the groups on next use; in place.

        Someone new or gone rebuilds the index instead (``False``), so people stay in
        id order.
        """
        g = projection.graph
        changed = set(people)
        for pid in changed:
            node = ("person", pid)
            if _is_person(node, g.nodes.get(node)) != (pid in self.people):
                return False
        for pid in sorted(changed):
            self.people[pid] = _person(g, pid)
        found = {m.id: m for m in self.mentorships if not {m.mentor, m.mentee} & changed}
        for pid in changed:
            mentored = [
                _mentorship(u[1], pid, key, d)
                for u, _, key, d in g.in_edges(("person", pid), keys=True, data=True)
                if d["kind"] == "mentors"
            ]
            for m in [*_mentored_by(g, pid), *mentored]:
                if m.mentee in self.people and m.mentor in self.people:
                    found[m.id] = m
        self.mentorships = sorted(found.values(), key=lambda m: m.id)
        self._graph, self._groups = g, None
        for name in ("tie_graph", "ties"):  # cached from the records just replaced
            self.__dict__.pop(name, None)
        return True

    def snapshot(self) -> Population:
        """A copy that later refreshes leave alone (the records themselves are immutable)."""
        copy = object.__new__(Population)
        copy.people = dict(self.people)
        copy.mentorships = list(self.mentorships)
        copy._groups = dict(self.groups)  # read now: the copy never touches the graph
        copy._graph = self._graph
        return copy

    @classmethod
    def of(cls, projection: Projection) -> Population:
        """The index of ``projection``, built on first use and refreshed with it."""
        found = projection.derived.get(cls)
        if not isinstance(found, cls):
            found = projection.derived[cls] = cls(projection)
        return found

    def in_scope(self, scope: HealthScope) -> list[PersonRecord]:
        """The people ``scope`` admits, by id."""
        if scope.everyone:
            return list(self.people.values())
        return [p for p in self.people.values() if scope.admits(p.site, p.team, p.function)]

    def squads(self) -> list[GroupRecord]:
        """Every squad, by id."""
        return [q for (kind, _), q in self.groups.items() if kind == "squad"]

    def communities(self) -> list[GroupRecord]:
        """Every community, by id."""
        return [c for (kind, _), c in self.groups.items() if kind == "community"]

    @functools.cached_property
    def tie_graph(self) -> nx.Graph:
        """The whole organisation's tie graph (see :mod:`matching.health._tie_graph`)."""
        from matching.health._tie_graph import tie_graph_of

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
