"""Reads served from this process's projection of the graph: profiles and the directory.

The projection is brought up to date from the change log before each use
(:class:`graph.projection.ProjectionKeeper`), so these reads see every write
this process made and every write other processes made before the check; the
people, teams and skills they return equal what the store holds at that version.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from graph import model
from matching.projection import Projection, person, skill


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


def person_record(projection: Projection, person_id: str) -> model.Person | None:
    """A person as :mod:`graph.model` has it, from the projection."""
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


def page_of_people(
    projection: Projection, where: PeopleFilter, *, first: int, after: tuple[str, str] | None
) -> tuple[list[tuple[str, str]], bool, int]:
    """One page of the directory by (name, id) after ``after``, whether more follow, and the total.

    The sorted list for a filter is kept with the projection until the graph changes.
    """
    key = ("directory", where)
    matched: list[tuple[str, str]] = projection.derived.get(key) or []
    if key not in projection.derived:
        matched = projection.derived[key] = sorted(matching_people(projection, where))
    start = bisect.bisect_right(matched, after) if after is not None else 0
    page = matched[start : start + first]
    return page, start + first < len(matched), len(matched)
