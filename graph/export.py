"""Bulk export of the skills graph for the read model: a handful of statements.

:func:`export_graph` reads everything, or only some people and groups (after a
change), in one read transaction, into the plain records of :mod:`graph.records`.
One row per person carries all their edges (pattern comprehensions), so 10,000
people are 10,000 rows, not the 85,000 of their skills alone.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graph.changes import LoggedChanges, Version, changes_since, current_version
from graph.dialect import to_utc
from graph.records import (
    GraphData,
    LevelChange,
    MentorshipRecord,
    RoleRecord,
    SkillRecord,
    TeamRecord,
    read_group,
    read_person,
)
from graph.store import Tx, run_values, stream_values

GROUP_FIELDS = {"Squad": ("name", "status", "purpose"), "Community": ("name", "description")}
"""Properties of squads and communities kept on their nodes, besides the dates."""


# Each person's edges come from pattern comprehensions, not OPTIONAL MATCH: both stores
# run them, and ArcadeDB answers an OPTIONAL MATCH from a bound node by scanning every
# relationship of that type (about 30 ms per statement at 10,000 people), where a pattern
# comprehension follows the node's own edges (docs/operations.md, "Cypher and speed").
_PEOPLE = """
MATCH (p:Person) {scope}
RETURN p.id AS id, p.left_at IS NOT NULL AS left, properties(p) AS props,
  [(p)-[:MEMBER_OF]->(t:Team) | t.id] AS teams,
  [(p)-[:REPORTS_TO]->(m:Person) | m.id] AS managers,
  [(p)-[h:HAS_SKILL]->(s:Skill) | [s.key, h.level]] AS skills,
  [(p)-[w:WANTS_TO_LEARN]->(s:Skill) | [s.key, w.priority]] AS goals,
  [(p)-[r:IN_SQUAD]->(q:Squad) | [q.id, r.role, r.joined_at]] AS squads,
  [(p)-[r:IN_COMMUNITY]->(c:Community) | [c.id, r.joined_at]] AS communities,
  [(p)-[:MODERATES]->(c:Community) | c.id] AS moderates,
  [(p)-[t:TARGETS]->(r:Role) | [r.id, t.since]] AS targets,
  [(p)-[c:LEVEL_CHANGE]->(s:Skill) | [c.at, s.key, c.level, c.source]] AS history
"""

_ALL_MENTORSHIPS = (
    "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(mentee:Person) "
    "WHERE mentor.left_at IS NULL AND mentee.left_at IS NULL"
)
"""Mentorships with someone who left stay in the store (their history), not in the
projection: the directory and the matcher no longer know that person."""

_MENTORSHIP_FIELDS = (
    *("id", "status", "message", "requested_at", "responded_at", "ended_at", "expires_at"),
    *("rating", "comment", "ended_by"),
)
"""A mentorship's properties the records keep; both reads below return exactly these."""

_FOCUS = "[(m)-[:FOCUSES_ON]->(s:Skill) | s.key]"

_MENTORSHIPS = (
    "{scope} RETURN mentor.id AS mentor, mentee.id AS mentee, "
    + "".join(f"m.{name} AS {name}, " for name in _MENTORSHIP_FIELDS)
    + f"{_FOCUS} AS focus"
)

_PEOPLE_WITH_MENTORSHIPS = (
    _PEOPLE
    + ", [(p)-[:MENTOR_IN|MENTEE_IN]->(m:Mentorship) | ["
    + "[(m)<-[:MENTOR_IN]-(x:Person) | [x.id, x.left_at IS NULL]], "
    + "[(m)<-[:MENTEE_IN]-(x:Person) | [x.id, x.left_at IS NULL]], "
    + "".join(f"m.{name}, " for name in _MENTORSHIP_FIELDS)
    + f"{_FOCUS}]] AS mentorships"
)
"""Some people with their mentorships in one statement (a refresh's: one round trip fewer),
each as [mentor, mentee, the fields, focus], the mentor and mentee as [id, still here]. The
comprehensions start at the node they follow edges from: ArcadeDB scans when they don't."""


_ROLES = """
MATCH (r:Role) {where}
RETURN r.id AS id, r.name AS name, r.job_role AS job_role,
  [(r)-[q:REQUIRES]->(s:Skill) | [s.key, q.level, q.weight]] AS requires
"""


def _scope(people: Collection[str] | None) -> str:
    return "" if people is None else "WHERE p.id IN $ids"


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def _mentorship(mentor: str, mentee: str, row: dict[str, Any]) -> MentorshipRecord:
    rating = row["rating"]
    return MentorshipRecord(
        id=row["id"],
        mentor=mentor,
        mentee=mentee,
        status=row["status"],
        focus=tuple(sorted(row["focus"])),
        requested_at=to_utc(row["requested_at"]),
        message=row["message"] or "",
        responded_at=to_utc(row["responded_at"]),
        ended_at=to_utc(row["ended_at"]),
        expires_at=to_utc(row["expires_at"]),
        rating=None if rating is None else int(rating),
        comment=row["comment"] or "",
        ended_by=row["ended_by"],
    )


async def export_graph(
    tx: Tx,
    *,
    people: Collection[str] | None = None,
    squads: Collection[str] | None = None,
    communities: Collection[str] | None = None,
    roles: Collection[str] | None = None,
    version: Version | None = None,
) -> GraphData:
    """Everything (no arguments), or the named people, squads, communities and roles.

    ``version``: the graph version the caller read in this transaction (not read again).
    """
    whole = people is None
    data = GraphData(version=version if version is not None else await current_version(tx))
    if whole:
        for row in await run_values(
            tx,
            "MATCH (s:Skill) RETURN s.key AS key, s.name AS name, s.category AS category, s.aliases AS aliases",
        ):
            data.skills[row["key"]] = SkillRecord(
                row["key"], row["name"] or "", row["category"] or "", tuple(row["aliases"] or ())
            )
        rows = await run_values(
            tx, "MATCH (a:Skill)-[:RELATED_TO]->(b:Skill) RETURN a.key AS a, b.key AS b"
        )
        data.related = [(r["a"], r["b"]) for r in rows]
        for row in await run_values(
            tx,
            "MATCH (t:Team) RETURN t.id AS id, t.name AS name, t.function AS function, t.site AS site",
        ):
            data.teams[row["id"]] = TeamRecord(
                row["id"], row["name"] or "", row["function"] or "", row["site"] or ""
            )
    if whole or roles:
        where = "" if whole else "WHERE r.id IN $roles"
        for row in await run_values(tx, _ROLES.format(where=where), roles=sorted(roles or ())):
            data.roles[row["id"]] = RoleRecord(
                row["id"],
                row["name"] or "",
                row["job_role"],
                tuple(sorted((k, int(level), int(weight)) for k, level, weight in row["requires"])),
            )
    nested: dict[str, MentorshipRecord] = {}
    statement = _PEOPLE if whole else _PEOPLE_WITH_MENTORSHIPS
    async for row in stream_values(
        tx, statement.format(scope=_scope(people)), ids=sorted(people or ())
    ):
        for found in row.get("mentorships", ()):
            (mentors, mentees, *values) = found
            if len(mentors) == len(mentees) == 1 and mentors[0][1] and mentees[0][1]:
                named = dict(zip((*_MENTORSHIP_FIELDS, "focus"), values, strict=True))
                nested[named["id"]] = _mentorship(mentors[0][0], mentees[0][0], named)
        pid = row["id"]
        if row["left"]:  # off-boarded: known only as someone whose tokens are refused
            data.left.add(pid)
            continue
        data.people.append(
            read_person(
                pid,
                row["props"],
                team=_first(row["teams"]),
                manager=_first(row["managers"]),
                skills={k: int(v) for k, v in row["skills"]},
                goals={k: int(v) for k, v in row["goals"]},
                squads={q: r for q, r, _ in row["squads"]},
                communities=tuple(c for c, _ in row["communities"]),
                moderates=tuple(row["moderates"]),
                joined={
                    group: joined
                    for group, *_, at in [*row["squads"], *row["communities"]]
                    if (joined := to_utc(at)) is not None
                },
                target_role=target[0] if (target := _first(row["targets"])) else None,
                target_since=to_utc(target[1]) if target else None,
                history=[
                    LevelChange(at, key, int(level), source or "")
                    for stamp, key, level, source in row["history"]
                    if (at := to_utc(stamp)) is not None
                ],
            )
        )
    if whole:
        async for row in stream_values(tx, _MENTORSHIPS.format(scope=_ALL_MENTORSHIPS)):
            data.mentorships.append(_mentorship(row["mentor"], row["mentee"], row))
    else:
        data.mentorships.extend(nested.values())
    for label, ids, target, rel in (
        ("Squad", squads, data.squads, "FOCUSES_ON"),
        ("Community", communities, data.communities, "ABOUT"),
    ):
        if not whole and not ids:
            continue
        fields = GROUP_FIELDS[label]
        groups = await run_values(
            tx,
            f"MATCH (g:{label}) {'' if ids is None else 'WHERE g.id IN $ids'} RETURN g.id AS id, "
            + "".join(f"g.{name} AS {name}, " for name in fields)
            + "g.created_at AS created_at, g.last_activity_at AS last_activity_at, "
            + f"[(g)-[:{rel}]->(s:Skill) | s.key] AS skills",
            ids=sorted(ids or ()),
        )
        for row in groups:
            props = {name: row[name] for name in fields}
            props["created_at"] = to_utc(row["created_at"])
            props["last_activity_at"] = to_utc(row["last_activity_at"])
            target.append(read_group(label.lower(), row["id"], props, row["skills"]))
    return data


async def export_changes(tx: Tx, since: Version) -> tuple[LoggedChanges, GraphData | None]:
    """What changed after ``since``, and the records it names, in one read transaction.

    A process's refresh after a write elsewhere: one transaction instead of two, and the
    version read once. The records are None when nothing changed or everything must be
    reloaded (:attr:`LoggedChanges.everything`).
    """
    changes = await changes_since(tx, since)
    if changes.empty or changes.everything:
        return changes, None
    data = await export_graph(
        tx,
        people=changes.people,
        squads=changes.squads,
        communities=changes.communities,
        roles=changes.roles,
        version=changes.version,
    )
    return changes, data
