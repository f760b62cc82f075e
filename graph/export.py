"""Bulk export of the skills graph for the matcher's projection: a dozen statements in all.

:func:`export_graph` reads everything, or only some people and groups (after a
change), in one read transaction, into the plain records of :mod:`matching.data`.
Collecting per person keeps the rows few: 10,000 people are 10,000 skill rows,
not 85,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from graph.changes import current_version
from graph.dialect import to_utc
from graph.store import Tx, run
from matching.data import GraphData, GroupData, MentorshipData, MentorshipDetails, PersonData

PERSON_FIELDS = (
    "name", "title", "role", "function", "site", "shift", "timezone", "languages", "tenure_months",
    "mentoring_capacity", "open_to_mentoring", "open_to_being_mentored", "requests_answered",
    "requests_expired",
)  # fmt: skip


GROUP_FIELDS = {"Squad": ("name", "status", "purpose"), "Community": ("name", "description")}
"""Properties of squads and communities kept on their nodes, besides ``created_at``."""


def _scope(people: Collection[str] | None, var: str = "p") -> str:
    return "" if people is None else f"WHERE {var}.id IN $ids"


async def _per_person(tx: Tx, query: str, people: Collection[str] | None) -> dict[str, Any]:
    rows = await run(tx, query, ids=sorted(people or ()))
    return {r["id"]: r["items"] for r in rows}


async def export_graph(
    tx: Tx,
    *,
    people: Collection[str] | None = None,
    squads: Collection[str] | None = None,
    communities: Collection[str] | None = None,
) -> GraphData:
    """Everything (no arguments), or the named people, squads and communities."""
    whole = people is None
    data = GraphData(version=await current_version(tx))
    if whole:
        for row in await run(
            tx,
            "MATCH (s:Skill) RETURN s.key AS key, s.name AS name, s.category AS category, s.aliases AS aliases",
        ):
            aliases = tuple(row["aliases"] or ())
            data.skills[row["key"]] = {
                "name": row["name"],
                "category": row["category"],
                "aliases": aliases,
            }
        rows = await run(
            tx, "MATCH (a:Skill)-[:RELATED_TO]->(b:Skill) RETURN a.key AS a, b.key AS b"
        )
        data.related = [(r["a"], r["b"]) for r in rows]
        for row in await run(
            tx,
            "MATCH (t:Team) RETURN t.id AS id, t.name AS name, t.function AS function, t.site AS site",
        ):
            data.teams[row["id"]] = {
                "name": row["name"],
                "function": row["function"],
                "site": row["site"],
            }
    scope = _scope(people)
    rows = await run(
        tx,
        f"MATCH (p:Person) {scope} OPTIONAL MATCH (p)-[:MEMBER_OF]->(t:Team) "
        "OPTIONAL MATCH (p)-[:REPORTS_TO]->(m:Person) "
        "RETURN p.id AS id, properties(p) AS props, t.id AS team, m.id AS manager",
        ids=sorted(people or ()),
    )
    skills = await _per_person(
        tx, f"MATCH (p:Person)-[h:HAS_SKILL]->(s:Skill) {scope} RETURN p.id AS id, collect([s.key, h.level]) AS items",
        people,
    )  # fmt: skip
    goals = await _per_person(
        tx, f"MATCH (p:Person)-[w:WANTS_TO_LEARN]->(s:Skill) {scope} "
        "RETURN p.id AS id, collect([s.key, w.priority]) AS items",
        people,
    )  # fmt: skip
    in_squads = await _per_person(
        tx, f"MATCH (p:Person)-[r:IN_SQUAD]->(q:Squad) {scope} "
        "RETURN p.id AS id, collect([q.id, r.role, r.joined_at]) AS items",
        people,
    )  # fmt: skip
    in_communities = await _per_person(
        tx, f"MATCH (p:Person)-[r:IN_COMMUNITY]->(c:Community) {scope} "
        "RETURN p.id AS id, collect([c.id, r.joined_at]) AS items",
        people,
    )  # fmt: skip
    moderating = await _per_person(
        tx, f"MATCH (p:Person)-[:MODERATES]->(c:Community) {scope} RETURN p.id AS id, collect(c.id) AS items",
        people,
    )  # fmt: skip
    for row in rows:
        pid = row["id"]
        props = {k: row["props"].get(k) for k in PERSON_FIELDS}
        props["languages"] = tuple(props["languages"] or ())
        data.people.append(
            PersonData(
                id=pid,
                props=props,
                team=row["team"],
                manager=row["manager"],
                skills={k: int(v) for k, v in skills.get(pid, ())},
                goals={k: int(v) for k, v in goals.get(pid, ())},
                squads={q: r for q, r, _ in in_squads.get(pid, ())},
                communities=tuple(sorted(c for c, _ in in_communities.get(pid, ()))),
                joined={
                    group: joined
                    for group, *_, at in [*in_squads.get(pid, ()), *in_communities.get(pid, ())]
                    if (joined := to_utc(at)) is not None
                },
                moderates=tuple(sorted(moderating.get(pid, ()))),
            )
        )
    mentorships = await run(
        tx,
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(mentee:Person) "
        + ("" if whole else "WHERE mentor.id IN $ids OR mentee.id IN $ids ")
        + "OPTIONAL MATCH (m)-[:FOCUSES_ON]->(s:Skill) "
        "RETURN m.id AS id, mentor.id AS mentor, mentee.id AS mentee, m.status AS status, "
        "m.message AS message, m.requested_at AS requested_at, m.responded_at AS responded_at, "
        "m.ended_at AS ended_at, m.expires_at AS expires_at, m.rating AS rating, "
        "m.comment AS comment, m.ended_by AS ended_by, collect(s.key) AS focus",
        ids=sorted(people or ()),
    )
    now = dt.datetime.now(dt.UTC)
    for row in mentorships:
        status = row["status"]
        expires = to_utc(row["expires_at"])
        if status == "requested" and expires is not None and expires <= now:
            status = "expired"
        rating = row["rating"]
        data.mentorships.append(
            MentorshipData(
                row["id"],
                row["mentor"],
                row["mentee"],
                status,
                tuple(sorted(row["focus"])),
                to_utc(row["requested_at"]),
                MentorshipDetails(
                    message=row["message"] or "",
                    responded_at=to_utc(row["responded_at"]),
                    ended_at=to_utc(row["ended_at"]),
                    expires_at=expires,
                    rating=None if rating is None else int(rating),
                    comment=row["comment"] or "",
                    ended_by=row["ended_by"],
                ),
            )
        )
    for label, ids, target, rel in (
        ("Squad", squads, data.squads, "FOCUSES_ON"),
        ("Community", communities, data.communities, "ABOUT"),
    ):
        if not whole and not ids:
            continue
        fields = GROUP_FIELDS[label]
        groups = await run(
            tx,
            f"MATCH (g:{label}) {'' if ids is None else 'WHERE g.id IN $ids'} "
            f"OPTIONAL MATCH (g)-[:{rel}]->(s:Skill) RETURN g.id AS id, "
            + "".join(f"g.{name} AS {name}, " for name in fields)
            + "g.created_at AS created_at, collect(s.key) AS skills",
            ids=sorted(ids or ()),
        )
        for row in groups:
            props = {name: row[name] or "" for name in fields}
            props["created_at"] = to_utc(row["created_at"])
            target.append(GroupData(row["id"], props, tuple(sorted(row["skills"]))))
    return data
