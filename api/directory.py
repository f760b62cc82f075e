"""Reads served from this process's projection of the graph: profiles and the directory.

The projection is brought up to date from the change log before each use
(:class:`graph.projection.ProjectionKeeper`), so these reads see every write
this process made and every write other processes made before the check; the
people, teams, skills, mentorships, squads and communities they return equal
what the store's own reads (:mod:`graph.people`, :mod:`graph.mentorships`, …)
return at that version, in the same order.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph import model
from graph.skills import SkillCatalog
from matching.data import MentorshipDetails
from matching.projection import Projection, person, skill

_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)
V = TypeVar("V")


@dataclass(frozen=True)
class PeopleFilter:
    """Which people a directory search returns; every given condition must hold."""

    team_id: str | None = None
    site: str | None = None
    function: str | None = None
    shift: str | None = None
    skill: str | None = None
    """A skill key; with ``min_level``, people who have it at that level or higher."""
    min_level: int = 1
    open_to_mentoring: bool | None = None


class _PersonRecords(dict[str, model.Person]):
    """People already read from the projection, each dropped when a change touches them."""

    def refresh(self, projection: Projection, people: Sequence[str]) -> bool:
        """Forget the changed people; the rest stay as they are."""
        for pid in people:
            self.pop(pid, None)
        return True


def person_record(projection: Projection, person_id: str) -> model.Person | None:
    """A person as :mod:`graph.model` has it, from the projection (kept until they change)."""
    records: _PersonRecords | None = projection.derived.get("person-records")
    if records is None:
        records = projection.derived["person-records"] = _PersonRecords()
    found = records.get(person_id)
    if found is None:
        found = _read_person(projection, person_id)
        if found is not None:
            records[person_id] = found
    return found


def _read_person(projection: Projection, person_id: str) -> model.Person | None:
    g = projection.graph
    node = person(person_id)
    if node not in g or g.nodes[node].get("kind") != "person":
        return None
    attrs = g.nodes[node]
    team = manager = None
    skills: list[model.SkillLevel] = []
    goals: list[model.LearningGoal] = []
    for _, target, data in g.out_edges(node, data=True):
        kind = data["kind"]
        if kind == "has_skill":
            skills.append(model.SkillLevel(target[1], int(data["level"])))
        elif kind == "wants":
            goals.append(model.LearningGoal(target[1], int(data["priority"])))
        elif kind == "member_of":
            team = target[1]
        elif kind == "reports_to":
            manager = target[1]
    return model.Person(
        id=person_id,
        name=attrs.get("name") or "",
        title=attrs.get("title") or "",
        role=model.JobRole(attrs.get("role") or model.JobRole.AGENT),
        team_id=team,
        function=attrs.get("function") or "",
        site=attrs.get("site") or "",
        shift=attrs.get("shift") or "",
        timezone=attrs.get("timezone") or "UTC",
        languages=tuple(attrs.get("languages") or ()),
        tenure_months=int(attrs.get("tenure_months") or 0),
        mentoring_capacity=int(attrs.get("mentoring_capacity") or 0),
        open_to_mentoring=bool(attrs.get("open_to_mentoring")),
        open_to_being_mentored=bool(attrs.get("open_to_being_mentored", True)),
        share_goals=bool(attrs.get("share_goals")),
        manager_id=manager,
        skills=tuple(skills),
        goals=tuple(goals),
    )


def team_record(projection: Projection, team_id: str) -> model.Team | None:
    """A team from the projection."""
    attrs = projection.graph.nodes.get(("team", team_id))
    if not attrs or "name" not in attrs:
        return None
    return model.Team(team_id, attrs["name"], attrs.get("function") or "", attrs.get("site") or "")


def skill_record(projection: Projection, key: str) -> model.Skill | None:
    """A skill from the projection."""
    attrs = projection.graph.nodes.get(skill(key))
    if not attrs or "name" not in attrs:
        return None
    return model.Skill(
        key, attrs["name"], attrs.get("category") or "", tuple(attrs.get("aliases") or ())
    )


def _mentorship(
    projection: Projection,
    mentorship_id: str,
    mentor_id: str,
    mentee_id: str,
    edge: dict[str, Any],
    now: dt.datetime | None,
) -> model.Mentorship | None:
    found: MentorshipDetails = edge["details"]
    status = model.MentorshipStatus(edge["status"])
    if (
        status is model.MentorshipStatus.REQUESTED
        and found.expires_at is not None
        and found.expires_at <= (now or dt.datetime.now(dt.UTC))
    ):
        status = model.MentorshipStatus.EXPIRED  # as graph.mentorships reads it: at read time
    return model.Mentorship(
        id=mentorship_id,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        status=status,
        focus_skills=edge["focus"],
        message=found.message,
        requested_at=edge["requested_at"],
        responded_at=found.responded_at,
        ended_at=found.ended_at,
        expires_at=found.expires_at,
        feedback=None
        if found.rating is None
        else model.Feedback(found.rating, found.comment, found.ended_by),
    )


def mentorships_of(
    projection: Projection, person_id: str, *, now: dt.datetime | None = None
) -> list[model.Mentorship]:
    """A person's mentorships, as mentor or mentee, newest request first (as the store sorts them).

    A request past its ``expires_at`` (at ``now``, by default the time of the call) reads
    as expired, as :func:`graph.mentorships.mentorship_from_record` reads it.
    """
    g = projection.graph
    node = person(person_id)
    if node not in g:
        return []
    found: list[model.Mentorship] = []
    for mentor, mentee, key, edge in [
        *g.out_edges(node, keys=True, data=True),
        *g.in_edges(node, keys=True, data=True),
    ]:
        if edge["kind"] == "mentors":
            m = _mentorship(projection, key, mentor[1], mentee[1], edge, now)
            if m is not None:
                found.append(m)
    found.sort(key=lambda m: (m.requested_at or _EPOCH, m.id), reverse=True)
    return found


@dataclass
class MentorshipIndex:
    """Where each mentorship's edge is: its id to (mentor, mentee).

    Kept in :attr:`Projection.derived` and refreshed for the people a change touches,
    so finding a mentorship by id does not walk every edge of the graph.
    """

    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    of_person: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, projection: Projection) -> MentorshipIndex:
        """The index of every mentorship in ``projection``."""
        index = cls()
        for mentor, mentee, key, kind in projection.graph.edges(keys=True, data="kind"):
            if kind == "mentors":
                index._add(key, mentor[1], mentee[1])
        return index

    def _add(self, mentorship_id: str, mentor_id: str, mentee_id: str) -> None:
        self.pairs[mentorship_id] = (mentor_id, mentee_id)
        self.of_person.setdefault(mentor_id, set()).add(mentorship_id)
        self.of_person.setdefault(mentee_id, set()).add(mentorship_id)

    def refresh(self, projection: Projection, people: Iterable[str]) -> bool:
        """Re-read the mentorships of ``people`` (every mentorship a change touched)."""
        people = list(people)
        for pid in people:
            for mentorship_id in self.of_person.pop(pid, set()):
                pair = self.pairs.pop(mentorship_id, None)
                for other in pair or ():
                    self.of_person.get(other, set()).discard(mentorship_id)
        g = projection.graph
        for pid in people:
            node = person(pid)
            if node in g:
                for mentor, mentee, key, kind in [
                    *g.out_edges(node, keys=True, data="kind"),
                    *g.in_edges(node, keys=True, data="kind"),
                ]:
                    if kind == "mentors":
                        self._add(key, mentor[1], mentee[1])
        return True


def mentorship_record(
    projection: Projection, mentorship_id: str, *, now: dt.datetime | None = None
) -> model.Mentorship | None:
    """A mentorship by id, from the projection; expired at ``now`` as :func:`mentorships_of`."""
    index = projection.derived.get("mentorship-index")
    if not isinstance(index, MentorshipIndex):
        index = projection.derived["mentorship-index"] = MentorshipIndex.build(projection)
    pair = index.pairs.get(mentorship_id)
    if pair is None:
        return None
    edge = projection.graph.get_edge_data(person(pair[0]), person(pair[1]), mentorship_id)
    if edge is None:
        return None
    return _mentorship(projection, mentorship_id, pair[0], pair[1], edge, now)


def _group_edges(projection: Projection, node: tuple[str, str], kind: str) -> list[str]:
    return sorted(u[1] for u, _, k in projection.graph.in_edges(node, data="kind") if k == kind)


def _topics(projection: Projection, node: tuple[str, str]) -> tuple[str, ...]:
    return tuple(
        sorted(
            v[1] for _, v, k in projection.graph.out_edges(node, data="kind") if k == "focuses_on"
        )
    )


def _kept(projection: Projection, kind: str, group_id: str, read: Callable[[], V]) -> V:
    """A group's record, read once and kept with the projection until the graph changes.

    A community's member list is long (hundreds of people), and every profile lists
    the person's communities.
    """
    kept: dict[str, V] = projection.derived.setdefault(("groups", kind), {})
    if group_id not in kept:
        kept[group_id] = read()
    return kept[group_id]


def squad_record(projection: Projection, squad_id: str) -> model.Squad | None:
    """A squad with its members (by id) and focus skills, from the projection."""
    return _kept(projection, "squad", squad_id, lambda: _read_squad(projection, squad_id))


def community_record(projection: Projection, community_id: str) -> model.Community | None:
    """A community with its topics, members and moderators (by id), from the projection."""
    return _kept(
        projection, "community", community_id, lambda: _read_community(projection, community_id)
    )


def _read_squad(projection: Projection, squad_id: str) -> model.Squad | None:
    g = projection.graph
    node = ("squad", squad_id)
    attrs = g.nodes.get(node)
    if not attrs or "name" not in attrs:
        return None
    members = sorted(
        (u[1], d["role"]) for u, _, d in g.in_edges(node, data=True) if d["kind"] == "in_squad"
    )
    return model.Squad(
        id=squad_id,
        name=attrs["name"],
        purpose=attrs.get("purpose") or "",
        status=model.SquadStatus(attrs["status"]),
        focus_skills=_topics(projection, node),
        members=tuple(model.SquadMember(pid, model.SquadRole(role)) for pid, role in members),
        created_at=attrs.get("created_at"),
    )


def _read_community(projection: Projection, community_id: str) -> model.Community | None:
    node = ("community", community_id)
    attrs = projection.graph.nodes.get(node)
    if not attrs or "name" not in attrs:
        return None
    return model.Community(
        id=community_id,
        name=attrs["name"],
        description=attrs.get("description") or "",
        topic_skills=_topics(projection, node),
        member_ids=tuple(_group_edges(projection, node, "in_community")),
        moderator_ids=tuple(_group_edges(projection, node, "moderates")),
        created_at=attrs.get("created_at"),
    )


def _group_ids(projection: Projection, kind: str) -> list[str]:
    """Every squad or community id, kept with the projection until the graph changes."""
    kept: list[str] | None = projection.derived.get(("group-ids", kind))
    if kept is None:
        kept = projection.derived[("group-ids", kind)] = sorted(
            node[1] for node in projection.graph if node[0] == kind
        )
    return kept


def list_squads(
    projection: Projection, status: model.SquadStatus | None = None
) -> list[model.Squad]:
    """Squads, newest first (then by id), optionally of one status: as the store lists them."""
    found = [squad_record(projection, q) for q in _group_ids(projection, "squad")]
    chosen = [q for q in found if q is not None and (status is None or q.status is status)]
    chosen.sort(key=lambda q: q.id)
    # newest first; a squad without a date first, as Neo4j sorts nulls in descending order
    chosen.sort(key=lambda q: (q.created_at is None, q.created_at or _EPOCH), reverse=True)
    return chosen


def list_communities(projection: Projection, search: str | None = None) -> list[model.Community]:
    """Communities whose name or description contains ``search`` (any case), by name."""
    needle = search.strip().lower() if search and search.strip() else None
    found = [community_record(projection, c) for c in _group_ids(projection, "community")]
    return sorted(
        (
            c
            for c in found
            if c is not None
            and (needle is None or needle in c.name.lower() or needle in c.description.lower())
        ),
        key=lambda c: (c.name, c.id),
    )


def _groups_of(projection: Projection, person_id: str, kind: str) -> list[str]:
    node = person(person_id)
    if node not in projection.graph:
        return []
    return sorted(v[1] for _, v, k in projection.graph.out_edges(node, data="kind") if k == kind)


def squads_of(projection: Projection, person_id: str) -> list[model.Squad]:
    """A person's squads, by id (as the store sorts them)."""
    found = (squad_record(projection, q) for q in _groups_of(projection, person_id, "in_squad"))
    return [q for q in found if q is not None]


def communities_of(projection: Projection, person_id: str) -> list[model.Community]:
    """A person's communities (as a member), by id (as the store sorts them)."""
    found = (
        community_record(projection, c) for c in _groups_of(projection, person_id, "in_community")
    )
    return [c for c in found if c is not None]


def _matches(
    projection: Projection, person_id: str, attrs: dict[str, object], where: PeopleFilter
) -> bool:
    for name in ("site", "function", "shift"):
        wanted = getattr(where, name)
        if wanted is not None and attrs.get(name) != wanted:
            return False
    if (
        where.open_to_mentoring is not None
        and bool(attrs.get("open_to_mentoring")) != where.open_to_mentoring
    ):
        return False
    g = projection.graph
    node = person(person_id)
    if where.team_id is not None and not g.has_edge(node, ("team", where.team_id), "member_of"):
        return False
    if where.skill is not None:
        edge = g.get_edge_data(node, skill(where.skill), "has_skill:" + where.skill)
        if edge is None or edge["level"] < where.min_level:
            return False
    return True


def matching_people(projection: Projection, where: PeopleFilter) -> Iterator[tuple[str, str]]:
    """(name, id) of everyone the filter matches, in no particular order."""
    for node, attrs in projection.graph.nodes(data=True):
        if (
            node[0] == "person"
            and attrs.get("kind") == "person"
            and _matches(projection, node[1], attrs, where)
        ):
            yield str(attrs.get("name") or ""), node[1]


@dataclass(frozen=True)
class Facets:
    """The distinct values people's profiles hold, each sorted, to offer as choices."""

    sites: tuple[str, ...]
    functions: tuple[str, ...]
    shifts: tuple[str, ...]
    languages: tuple[str, ...]


_FACET_FIELDS = ("site", "function", "shift")


class _FacetCounts:
    """How many people hold each site, function, shift and language, kept in step.

    HR's scope check asks whether a site is in use on every health request; counting
    again over 10,000 people after each write would cost a full scan, so
    :meth:`refresh` moves only the changed people's values.
    """

    def __init__(self, projection: Projection) -> None:
        self.held: dict[str, tuple[tuple[str, str], ...]] = {}
        self.counts: Counter[tuple[str, str]] = Counter()
        self.facets: Facets | None = None
        self.refresh(projection, projection.people())

    def refresh(self, projection: Projection, people: Sequence[str]) -> bool:
        """Replace the changed people's values; always still valid afterwards."""
        for pid in people:
            self.counts.subtract(self.held.pop(pid, ()))
            attrs = projection.graph.nodes.get(person(pid))
            if not attrs or attrs.get("kind") != "person":
                continue
            values = tuple((name, str(attrs[name])) for name in _FACET_FIELDS if attrs.get(name))
            values += tuple(("language", str(lang)) for lang in attrs.get("languages") or ())
            self.held[pid] = values
            self.counts.update(values)
        self.facets = None
        return True

    def current(self) -> Facets:
        """The values at least one person holds, each sorted."""
        if self.facets is None:
            held: dict[str, list[str]] = {"site": [], "function": [], "shift": [], "language": []}
            for (name, value), n in self.counts.items():
                if n > 0:
                    held[name].append(value)
            self.facets = Facets(
                sites=tuple(sorted(held["site"])),
                functions=tuple(sorted(held["function"])),
                shifts=tuple(sorted(held["shift"])),
                languages=tuple(sorted(held["language"])),
            )
        return self.facets


def facets(projection: Projection) -> Facets:
    """Sites, functions, shifts and languages in use, kept in step with the graph."""
    counts = projection.derived.get("facets")
    if not isinstance(counts, _FacetCounts):
        counts = projection.derived["facets"] = _FacetCounts(projection)
    return counts.current()


class _Matches:
    """The people one filter matches, sorted by (name, id), kept in step with the graph.

    Sorting 10,000 people again after every write made each directory page after a
    write cost a full scan; :meth:`refresh` re-checks only the people a change touched.
    """

    def __init__(self, projection: Projection, where: PeopleFilter) -> None:
        self.where = where
        self.entries = sorted(matching_people(projection, where))
        self.name_of = {pid: name for name, pid in self.entries}

    def refresh(self, projection: Projection, people: Sequence[str]) -> bool:
        """Re-place each changed person; always still valid afterwards."""
        for pid in people:
            old = self.name_of.pop(pid, None)
            if old is not None:
                del self.entries[bisect.bisect_left(self.entries, (old, pid))]
            attrs = projection.graph.nodes.get(person(pid))
            if (
                attrs
                and attrs.get("kind") == "person"
                and _matches(projection, pid, attrs, self.where)
            ):
                name = str(attrs.get("name") or "")
                bisect.insort(self.entries, (name, pid))
                self.name_of[pid] = name
        return True


MAX_DIRECTORY_FILTERS = 64
"""Filters whose sorted matches are kept at once; past it they are all dropped and rebuilt."""


def page_of_people(
    projection: Projection, where: PeopleFilter, *, first: int, after: tuple[str, str] | None
) -> tuple[list[tuple[str, str]], bool, int]:
    """One page of the directory by (name, id) after ``after``, whether more follow, and the total."""
    key = ("directory", where)
    found: _Matches | None = projection.derived.get(key)
    if found is None:
        kept = [k for k in projection.derived if isinstance(k, tuple) and k[:1] == ("directory",)]
        if len(kept) >= MAX_DIRECTORY_FILTERS:
            for k in kept:
                del projection.derived[k]
        found = projection.derived[key] = _Matches(projection, where)
    matched = found.entries
    start = bisect.bisect_right(matched, after) if after is not None else 0
    page = matched[start : start + first]
    return page, start + first < len(matched), len(matched)


class _Catalog:
    """The skill catalog read from the projection's skill nodes, kept across changes.

    Skills almost never change; people do. A change keeps the catalog unless a person
    it touched now refers to a skill the catalog does not know (a new skill arrived).
    """

    def __init__(self, projection: Projection) -> None:
        found = (
            skill_record(projection, node[1])
            for node, attrs in projection.graph.nodes(data=True)
            if node[0] == "skill" and attrs.get("kind") == "skill"
        )
        self.catalog = SkillCatalog(
            sorted((s for s in found if s is not None), key=lambda s: (s.name, s.key))
        )

    def refresh(self, projection: Projection, people: Sequence[str]) -> bool:
        """False when a changed person holds or wants a skill the catalog lacks."""
        g = projection.graph
        for pid in people:
            node = person(pid)
            if node in g and any(
                target[0] == "skill" and target[1] not in self.catalog.skills
                for _, target in g.out_edges(node)
            ):
                return False
        return True


def skill_catalog(projection: Projection) -> SkillCatalog:
    """Every skill of the projection, to resolve typed names and aliases in memory."""
    found: _Catalog | None = projection.derived.get("skill-catalog")
    if found is None:
        found = projection.derived["skill-catalog"] = _Catalog(projection)
    return found.catalog
