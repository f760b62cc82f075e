"""A whole organisation written at once: the seed and the HRIS import share this.

Up to :data:`BATCH_PEOPLE` people, :func:`write_organisation` writes in one
transaction: a failure anywhere (a bad row the checks missed, the store going
away) rolls everything back. A larger organisation would need a store with a
heap to match (Neo4j holds a transaction in memory), so it is written in
transactions of at most that many people, between two markers on the graph's
``GraphMeta``: the first transaction marks the graph incomplete, the last
records the ``*`` change and marks it complete. Until then no process serves
the graph (:func:`graph.changes.current_version` refuses): half an
organisation is never taken for a whole one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from graph.changes import (
    ALL,
    begin_bulk_write,
    finish_bulk_write,
    note_bulk_batch,
    record_change,
    unfinished_bulk_write,
)
from graph.dialect import limit
from graph.errors import Conflict, GraphIncomplete
from graph.locks import lock_graph
from graph.model import Community, Mentorship, Person, RoleProfile, Skill, Squad, Team
from graph.offboarding import offboard_leavers
from graph.people import PERSON_FIELDS, PERSON_PROPERTIES, link_managers, write_people_nodes
from graph.records import (
    GraphData,
    GroupRecord,
    LevelChange,
    MentorshipRecord,
    RoleRecord,
    SkillRecord,
    TeamRecord,
    read_person,
)
from graph.roles import load_role_profiles, upsert_roles
from graph.skills import load_taxonomy, relate_skills, upsert_skills
from graph.store import Store, Tx, run
from graph.teams import upsert_teams

Progress = Callable[[str, int], None]
"""Called with a stage name and how many items were just written."""

BATCH_PEOPLE = 10_000
"""The most people one transaction of a bulk write holds; no more than this, one transaction.

10,000 people with their skills and goals are about 120,000 records: well inside a Neo4j
heap of 1 GB, and on either store a batch commits in a few seconds."""


@dataclass
class Organisation:
    """Everything to write: skills, teams, people, and the learning ties between them."""

    skills: Sequence[Skill] = ()
    related_skills: Sequence[tuple[str, str]] = ()
    teams: Sequence[Team] = ()
    people: Sequence[Person] = ()
    mentorships: Sequence[Mentorship] = ()
    squads: Sequence[Squad] = ()
    communities: Sequence[Community] = ()
    person_fields: Collection[str] = PERSON_FIELDS
    """Person properties to write; an import leaves the others as they are."""
    roles: Sequence[RoleProfile] = ()
    """Role profiles to create or replace (the seed writes the bundled ones)."""
    targets: Sequence[tuple[str, str, dt.datetime]] = ()
    """(person, role, since): the target roles people chose."""
    history: Sequence[tuple[str, LevelChange]] = ()
    """(person, change): skill history to write as it is (a seed's; an import records its
    own changes as it sets levels)."""
    leavers: Sequence[str] = ()
    """People (among ``people``) who have left: off-boarded after the write, in its
    transaction (:mod:`graph.offboarding`); one who left already is left as is."""

    @property
    def size(self) -> int:
        """How many items there are to write, for a progress bar.

        People count twice: once more for their manager links, made when everyone exists.
        """
        managers = len(self.people) if "manager_id" in self.person_fields else 0
        return (
            len(self.skills) + len(self.teams) + len(self.people) + managers
            + len(self.mentorships) + len(self.squads) + len(self.communities)
        )  # fmt: skip


def _mentorship_row(m: Mentorship) -> dict[str, Any]:
    return {
        "id": m.id,
        "mentor": m.mentor_id,
        "mentee": m.mentee_id,
        "status": m.status.value,
        "message": m.message,
        "requested_at": m.requested_at,
        "responded_at": m.responded_at,
        "ended_at": m.ended_at,
        "expires_at": m.expires_at,
        "rating": m.feedback.rating if m.feedback else None,
        "comment": m.feedback.comment if m.feedback else None,
        "focus": list(m.focus_skills),
    }


async def _write_mentorships(tx: Tx, items: Sequence[Mentorship]) -> None:
    await run(
        tx,
        "UNWIND $rows AS row MATCH (mentor:Person {id: row.mentor}) MATCH (mentee:Person {id: row.mentee}) "
        "CREATE (m:Mentorship {id: row.id, status: row.status, message: row.message, "
        "requested_at: row.requested_at}) "
        "SET m.responded_at = row.responded_at, m.ended_at = row.ended_at, m.rating = row.rating, "
        "m.comment = row.comment, m.expires_at = row.expires_at "
        "CREATE (mentor)-[:MENTOR_IN]->(m) CREATE (mentee)-[:MENTEE_IN]->(m) "
        "WITH m, row UNWIND row.focus AS key MATCH (s:Skill {key: key}) CREATE (m)-[:FOCUSES_ON]->(s)",
        rows=[_mentorship_row(m) for m in items],
    )


async def _write_squads(tx: Tx, items: Sequence[Squad]) -> None:
    rows = [
        {
            "id": q.id,
            "name": q.name,
            "purpose": q.purpose,
            "status": q.status.value,
            "created_at": q.created_at,
            "members": [{"id": m.person_id, "role": m.role.value} for m in q.members],
            "focus": list(q.focus_skills),
        }
        for q in items
    ]
    await run(
        tx,
        "UNWIND $rows AS row CREATE (q:Squad {id: row.id, name: row.name, purpose: row.purpose, "
        "status: row.status, created_at: row.created_at}) "
        "WITH q, row UNWIND row.members AS member MATCH (p:Person {id: member.id}) "
        "CREATE (p)-[:IN_SQUAD {role: member.role, joined_at: row.created_at}]->(q)",
        rows=rows,
    )
    await run(
        tx,
        "UNWIND $rows AS row MATCH (q:Squad {id: row.id}) UNWIND row.focus AS key "
        "MATCH (s:Skill {key: key}) CREATE (q)-[:FOCUSES_ON]->(s)",
        rows=rows,
    )


async def _write_communities(tx: Tx, items: Sequence[Community]) -> None:
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "created_at": c.created_at,
            "members": list(c.member_ids),
            "moderators": list(c.moderator_ids),
            "topics": list(c.topic_skills),
        }
        for c in items
    ]
    await run(
        tx,
        "UNWIND $rows AS row CREATE (c:Community {id: row.id, name: row.name, "
        "description: row.description, created_at: row.created_at}) "
        "WITH c, row UNWIND row.topics AS key MATCH (s:Skill {key: key}) CREATE (c)-[:ABOUT]->(s)",
        rows=rows,
    )
    await run(
        tx,
        "UNWIND $rows AS row MATCH (c:Community {id: row.id}) UNWIND row.members AS pid "
        "MATCH (p:Person {id: pid}) CREATE (p)-[:IN_COMMUNITY {joined_at: row.created_at}]->(c)",
        rows=rows,
    )
    await run(
        tx,
        "UNWIND $rows AS row MATCH (c:Community {id: row.id}) UNWIND row.moderators AS pid "
        "MATCH (p:Person {id: pid}) CREATE (p)-[:MODERATES]->(c)",
        rows=rows,
    )


async def _write_targets(tx: Tx, targets: Sequence[tuple[str, str, dt.datetime]]) -> None:
    for start in range(0, len(targets), 1000):
        await run(
            tx,
            "UNWIND $rows AS row MATCH (p:Person {id: row[0]}) MATCH (r:Role {id: row[1]}) "
            "WITH p, r, row, [(p)-[same:TARGETS]->(r) | same] AS same WHERE size(same) = 0 "
            "CALL (p) { MATCH (p)-[old:TARGETS]->(:Role) DELETE old RETURN count(*) AS dropped } "
            "CREATE (p)-[:TARGETS {since: row[2]}]->(r)",
            rows=[list(t) for t in targets[start : start + 1000]],
        )


async def _write_history(tx: Tx, history: Sequence[tuple[str, LevelChange]]) -> None:
    for start in range(0, len(history), 5000):
        await run(
            tx,
            "UNWIND $rows AS row MATCH (p:Person {id: row[0]}) MATCH (s:Skill {key: row[1]}) "
            "CREATE (p)-[:LEVEL_CHANGE {level: row[2], at: row[3], source: row[4]}]->(s)",
            rows=[
                [pid, c.skill, c.level, c.at, c.source] for pid, c in history[start : start + 5000]
            ],
        )


async def write_organisation(
    store: Store,
    org: Organisation,
    *,
    create: bool = False,
    progress: Progress | None = None,
    batch_people: int = BATCH_PEOPLE,
) -> dict[str, int]:
    """Write ``org`` and return what was written: one transaction, or marked batches.

    Args:
        store: the store to write to.
        org: what to write.
        create: True when the store holds no people yet (a fresh seed); faster.
        progress: told after each stage and batch, for a progress bar.
        batch_people: the most people per transaction. An organisation with no more is
            written in one transaction; a larger one in transactions of this many people,
            the graph marked incomplete until the last commits.

    Raises:
        GraphIncomplete: an import (``create`` False) over a seed that never finished: the
            seed must be started over first.
    """

    def tick(stage: str, n: int) -> None:
        if progress:
            progress(stage, n)

    if len(org.people) > batch_people:
        return await _write_in_batches(store, org, create=create, tick=tick, size=batch_people)

    async def work(tx: Tx) -> dict[str, int]:
        await _refuse_over_unfinished_seed(tx, create=create)
        await _write_catalog(tx, org, tick)
        counts = await write_people_nodes(
            tx,
            org.people,
            create=create,
            fields=org.person_fields,
            on_batch=lambda n: tick("people", n),
        )
        if "manager_id" in org.person_fields:
            counts["manager_links"] = await link_managers(tx, org.people, create=create)
            tick("managers", len(org.people))
        await _write_mentorships_in(tx, org.mentorships, tick)
        await _write_targets(tx, org.targets)
        await _write_history(tx, org.history)
        return {**counts, **await _finish(tx, org, tick)}

    return await store.write(work)


async def install_bundled_catalog(tx: Tx) -> dict[str, int]:
    """Write the bundled skill taxonomy and role profiles into a store that has none.

    A new organisation's store starts empty: without skills an HRIS import would find no
    skill its file names, and without roles nobody could choose a path. Each part is
    written only when the store has none of it, so HR's own skills and edited roles are
    never overwritten. Returns how many skills and roles were written.
    """
    written = {"skills": 0, "roles": 0}
    await lock_graph(tx)  # two processes starting on a new store: the second waits, then sees
    found = await run(
        tx,
        "OPTIONAL MATCH (s:Skill) WITH count(s) AS skills "
        "OPTIONAL MATCH (r:Role) RETURN skills, count(r) AS roles",
    )
    if not found[0]["skills"]:
        taxonomy = load_taxonomy()
        await upsert_skills(tx, taxonomy.skills)
        await relate_skills(tx, taxonomy.related)
        written["skills"] = len(taxonomy.skills)
    if not found[0]["roles"]:
        written["roles"] = await upsert_roles(tx, load_role_profiles())
    if any(written.values()):
        await record_change(tx, people=[ALL])
    return written


async def ensure_bundled_catalog(store: Store) -> dict[str, int]:
    """:func:`install_bundled_catalog` in its own transaction, safe when processes race.

    Two processes starting on one new store both find it empty; the second to commit
    breaks a uniqueness constraint. It then finds the catalog written and writes nothing.
    """
    for attempt in range(3):
        try:
            return await store.write(install_bundled_catalog)
        except Conflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def delete_everything(store: Store, *, batch: int = 5000) -> None:
    """Delete every node and relationship, ``batch`` nodes per transaction.

    A large graph so never needs one huge transaction; ``skillweave seed --reset`` and
    the benchmarks start from an empty store with this.
    """
    clause = limit(batch)

    async def delete_batch(tx: Tx) -> int:
        rows = await run(tx, f"MATCH (n) WITH n {clause} DETACH DELETE n RETURN count(*) AS n")
        return int(rows[0]["n"])

    while await store.write(delete_batch):
        pass


async def _write_in_batches(
    store: Store, org: Organisation, *, create: bool, tick: Progress, size: int
) -> dict[str, int]:
    """The bulk path: mark the graph incomplete, write in batches, mark it complete."""

    async def begin(tx: Tx) -> str:
        await _refuse_over_unfinished_seed(tx, create=create)
        bulk_id = await begin_bulk_write(
            tx, kind="seed" if create else "import", people=len(org.people)
        )
        await _write_catalog(tx, org, tick)
        return bulk_id

    async def people_batch(tx: Tx, batch: Sequence[Person]) -> dict[str, int]:
        fields = org.person_fields
        counts = await write_people_nodes(
            tx, batch, create=create, fields=fields, on_batch=lambda n: tick("people", n)
        )
        await note_bulk_batch(tx, bulk_id, people=len(batch))
        return counts

    async def managers_batch(tx: Tx, batch: Sequence[Person]) -> int:
        linked = await link_managers(tx, batch, create=create)
        await note_bulk_batch(tx, bulk_id, people=0)
        tick("managers", len(batch))
        return linked

    async def mentorships_batch(tx: Tx, batch: Sequence[Mentorship]) -> None:
        await _write_mentorships_in(tx, batch, tick)
        await note_bulk_batch(tx, bulk_id, people=0)

    async def growth_batch(
        tx: Tx,
        targets: Sequence[tuple[str, str, dt.datetime]],
        history: Sequence[tuple[str, LevelChange]],
    ) -> None:
        await _write_targets(tx, targets)
        await _write_history(tx, history)
        await note_bulk_batch(tx, bulk_id, people=0)

    async def finish(tx: Tx) -> dict[str, int]:
        return await _finish(tx, org, tick, bulk_id=bulk_id)

    bulk_id = await store.write(begin)
    counts: dict[str, int] = {}
    for start in range(0, len(org.people), size):
        written = await store.write(people_batch, org.people[start : start + size])
        counts = {k: counts.get(k, 0) + v for k, v in written.items()}
    if "manager_id" in org.person_fields:
        for start in range(0, len(org.people), size):
            linked = await store.write(managers_batch, org.people[start : start + size])
            counts["manager_links"] += linked
    for start in range(0, len(org.mentorships), size):
        await store.write(mentorships_batch, org.mentorships[start : start + size])
    for start in range(0, len(org.targets), size):
        await store.write(growth_batch, org.targets[start : start + size], ())
    for start in range(0, len(org.history), size):
        await store.write(growth_batch, (), org.history[start : start + size])
    return {**counts, **await store.write(finish)}


async def _refuse_over_unfinished_seed(tx: Tx, *, create: bool) -> None:
    """An import merged into half a seed would mark it complete: refuse it."""
    if create:
        return  # a seed writes into an emptied store (the caller wipes an unfinished one)
    unfinished = await unfinished_bulk_write(tx)
    if unfinished is not None and unfinished.kind == "seed":
        raise GraphIncomplete(unfinished.describe())


async def _write_catalog(tx: Tx, org: Organisation, tick: Progress) -> None:
    """Skills, their relations and teams: what people link to."""
    await upsert_skills(tx, org.skills)
    await relate_skills(tx, org.related_skills)
    tick("skills", len(org.skills))
    await upsert_teams(tx, org.teams)
    tick("teams", len(org.teams))
    await upsert_roles(tx, org.roles)


async def _write_mentorships_in(tx: Tx, items: Sequence[Mentorship], tick: Progress) -> None:
    for start in range(0, len(items), 1000):
        batch = items[start : start + 1000]
        await _write_mentorships(tx, batch)
        tick("mentorships", len(batch))


async def _finish(
    tx: Tx, org: Organisation, tick: Progress, *, bulk_id: str | None = None
) -> dict[str, int]:
    """The last steps, in the last transaction: groups, leavers, the change, the marker."""
    if org.squads:
        await _write_squads(tx, org.squads)
    tick("squads", len(org.squads))
    if org.communities:
        await _write_communities(tx, org.communities)
    tick("communities", len(org.communities))
    left = await offboard_leavers(tx, org.leavers)
    await record_change(tx, people=[ALL])
    await finish_bulk_write(tx, bulk_id)
    return {
        "skills": len(org.skills),
        "teams": len(org.teams),
        "mentorships": len(org.mentorships),
        "squads": len(org.squads),
        "communities": len(org.communities),
        "leavers": left,
    }


def graph_data(org: Organisation, *, version: Any = None) -> GraphData:
    """The records the read model is built from, straight from an organisation.

    Equal to what :func:`graph.export.export_graph` reads back once ``org`` is written,
    so benchmarks and pure tests can build a read model without a store.
    """
    data = GraphData(version=version)
    data.skills = {
        s.key: SkillRecord(s.key, s.name, s.category, tuple(s.aliases)) for s in org.skills
    }
    data.related = list(org.related_skills)
    data.teams = {t.id: TeamRecord(t.id, t.name, t.function, t.site) for t in org.teams}
    data.roles = {
        r.id: RoleRecord(
            r.id,
            r.name,
            r.job_role.value if r.job_role else None,
            tuple(sorted((q.skill, q.level, q.weight) for q in r.requires)),
        )
        for r in org.roles
    }
    target_of = {pid: (role, since) for pid, role, since in org.targets}
    history: dict[str, list[LevelChange]] = {}
    for pid, change in org.history:
        history.setdefault(pid, []).append(change)
    squads: dict[str, dict[str, str]] = {}
    joined: dict[str, dict[str, dt.datetime]] = {}
    for q in org.squads:
        for m in q.members:
            squads.setdefault(m.person_id, {})[q.id] = str(m.role)
            if q.created_at is not None:  # the writer records joining at creation
                joined.setdefault(m.person_id, {})[q.id] = q.created_at
    member_of: dict[str, list[str]] = {}
    moderating: dict[str, list[str]] = {}
    for c in org.communities:
        for pid in c.member_ids:
            member_of.setdefault(pid, []).append(c.id)
            if c.created_at is not None:
                joined.setdefault(pid, {})[c.id] = c.created_at
        for pid in c.moderator_ids:
            moderating.setdefault(pid, []).append(c.id)
    for p in org.people:
        props = {name: getattr(p, name) for name in PERSON_PROPERTIES}
        data.people.append(
            read_person(
                p.id,
                props,
                team=p.team_id,
                manager=p.manager_id,
                skills={s.skill: s.level for s in p.skills},
                goals={g.skill: int(g.priority) for g in p.goals},
                squads=squads.get(p.id),
                communities=tuple(member_of.get(p.id, ())),
                moderates=tuple(moderating.get(p.id, ())),
                joined=joined.get(p.id),
                target_role=target_of[p.id][0] if p.id in target_of else None,
                target_since=target_of[p.id][1] if p.id in target_of else None,
                history=history.get(p.id, ()),
            )
        )
    for mentorship in org.mentorships:
        feedback = mentorship.feedback
        data.mentorships.append(
            MentorshipRecord(
                id=mentorship.id,
                mentor=mentorship.mentor_id,
                mentee=mentorship.mentee_id,
                status=str(mentorship.status),
                focus=tuple(sorted(mentorship.focus_skills)),
                requested_at=mentorship.requested_at,
                message=mentorship.message,
                responded_at=mentorship.responded_at,
                ended_at=mentorship.ended_at,
                expires_at=mentorship.expires_at,
                rating=feedback.rating if feedback else None,
                comment=feedback.comment if feedback else "",
                ended_by=None,  # write_organisation does not store who ended a mentorship
            )
        )
    data.squads = [
        GroupRecord(
            "squad",
            q.id,
            name=q.name,
            status=str(q.status),
            purpose=q.purpose,
            created_at=q.created_at,
            skills=tuple(sorted(q.focus_skills)),
        )
        for q in org.squads
    ]
    data.communities = [
        GroupRecord(
            "community",
            c.id,
            name=c.name,
            description=c.description,
            created_at=c.created_at,
            skills=tuple(sorted(c.topic_skills)),
        )
        for c in org.communities
    ]
    return data
