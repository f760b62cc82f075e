"""Off-boarding: a person leaves the organisation, all in one transaction.

Their open mentorships end (an active one as ``ended``, by ``offboarding``; an unanswered
request as ``declined``, not counted against anyone's responsiveness), they leave every
squad (a squad left with fewer than two members is archived) and community (their RSVPs
to sessions not started yet are taken back, freeing the seats), the people
who reported to them report to no one until HR says otherwise, and the person is marked
``left_at``. They stay in the store, so their past mentorships keep their history, but
the projection leaves them out: the directory, the matcher and the health reports no
longer see them, and the service refuses their tokens from then on
(:func:`api.auth.refuse_leavers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from graph.changes import record_change
from graph.errors import Conflict, NotFound
from graph.locks import lock
from graph.squads import MIN_SQUAD_SIZE
from graph.store import Tx, run

BY = "offboarding"
"""``ended_by`` of the mentorships an off-boarding ends."""


async def offboard_person(
    tx: Tx, person_id: str, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Close ``person_id``'s account; how many mentorships, squads and communities it ended.

    Raises:
        NotFound: no such person.
        Conflict: the person has left already.
    """
    now = now or dt.datetime.now(dt.UTC)
    if not await lock(tx, "Person", person_id):
        raise NotFound(f"No person with id {person_id!r}.")
    rows = await run(tx, "MATCH (p:Person {id: $id}) RETURN p.left_at AS left_at", id=person_id)
    if rows[0]["left_at"] is not None:
        raise Conflict(f"{person_id!r} has left the organisation already.")
    open_ = await run(
        tx,
        "MATCH (p:Person {id: $id})-[:MENTOR_IN|MENTEE_IN]->(m:Mentorship) "
        "WHERE m.status IN ['requested', 'active'] "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m) "
        "SET m.lock_version = coalesce(m.lock_version, 0) + 1 "
        "RETURN m.id AS id, m.status AS status, mentor.id AS mentor, mentee.id AS mentee",
        id=person_id,
    )
    await run(
        tx,
        "UNWIND $ids AS id MATCH (m:Mentorship {id: id}) "
        "WITH m, m.status = 'active' AS active "
        "SET m.ended_at = CASE WHEN active THEN $now ELSE m.ended_at END, "
        "m.responded_at = CASE WHEN active THEN m.responded_at ELSE $now END, "
        "m.ended_by = $by, m.status = CASE WHEN active THEN 'ended' ELSE 'declined' END",
        ids=[r["id"] for r in open_],
        now=now,
        by=BY,
    )
    squads = await run(
        tx,
        "MATCH (p:Person {id: $id})-[:IN_SQUAD]->(q:Squad) "
        "SET q.lock_version = coalesce(q.lock_version, 0) + 1 "
        "RETURN q.id AS id, q.status AS status, "
        "size([(other:Person)-[:IN_SQUAD]->(q) WHERE other.id <> $id | other]) AS left",
        id=person_id,
    )
    archive = [r["id"] for r in squads if r["status"] == "active" and r["left"] < MIN_SQUAD_SIZE]
    await run(
        tx,
        "UNWIND $ids AS id MATCH (q:Squad {id: id}) "
        "SET q.status = 'archived', q.archived_at = $now",
        ids=archive,
        now=now,
    )
    communities = await run(
        tx,
        "MATCH (p:Person {id: $id})-[:IN_COMMUNITY|MODERATES]->(c:Community) "
        "SET c.lock_version = coalesce(c.lock_version, 0) + 1 RETURN DISTINCT c.id AS id",
        id=person_id,
    )
    reports = await run(
        tx,
        "MATCH (r:Person)-[link:REPORTS_TO]->(:Person {id: $id}) DELETE link RETURN r.id AS id",
        id=person_id,
    )
    await run(
        tx,
        "MATCH (:Person {id: $id})-[member:IN_SQUAD|IN_COMMUNITY|MODERATES]->() DELETE member",
        id=person_id,
    )
    # as leaving a community does: their seats at sessions not started yet are free again
    # (attendance and past RSVPs stay as history)
    await run(
        tx,
        "MATCH (:Person {id: $id})-[g:GOING]->(s:Session) WHERE s.starts_at > $now DELETE g",
        id=person_id,
        now=now,
    )
    await run(
        tx,
        "MATCH (p:Person {id: $id}) SET p.left_at = $now, p.open_to_mentoring = false, "
        "p.open_to_being_mentored = false",
        id=person_id,
        now=now,
    )
    partners = {r["mentor"] for r in open_} | {r["mentee"] for r in open_}
    await record_change(
        tx,
        people={person_id} | partners | {r["id"] for r in reports},
        squads=[r["id"] for r in squads],
        communities=[r["id"] for r in communities],
    )
    return {
        "mentorships": len(open_),
        "squads": len(squads),
        "archived_squads": len(archive),
        "communities": len(communities),
    }


async def offboard_leavers(tx: Tx, people: Sequence[str]) -> int:
    """Off-board each of ``people`` who has not left yet (an HRIS import's leavers); how many.

    One who left already is skipped, so importing the same file again changes nothing.
    """
    if not people:
        return 0
    rows = await run(
        tx,
        "UNWIND $ids AS id MATCH (p:Person {id: id}) WHERE p.left_at IS NULL RETURN p.id AS id",
        ids=list(dict.fromkeys(people)),
    )
    for row in rows:
        await offboard_person(tx, row["id"])
    return len(rows)
