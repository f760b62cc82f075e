"""Community sessions: moderators schedule them, members RSVP, attendance is recorded.

``(:Session {id, title, starts_at, capacity, created_by, created_at})-[:HELD_IN]->(:Community)``,
its topic skills ``(:Session)-[:COVERS]->(:Skill)``, a member going
``(:Person)-[:GOING {at}]->(:Session)`` and one who came ``(:Person)-[:ATTENDED {at}]->(:Session)``.

Each step is one transaction that locks what its rule depends on before reading it: the
community (scheduling: who moderates it; RSVPs and attendance: who is a member), then the
session (RSVPs: the seats left; attendance). Leaving a community locks it too, and takes
back the member's RSVPs to its sessions not started yet
(:func:`graph.communities.leave_community`), so an RSVP racing a leave never leaves an RSVP
without a member.
Every step writes the community's ``last_activity_at`` and records the change, so the read
model, and the network health's quiet communities, see the community is alive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from graph import validation
from graph.changes import record_change
from graph.dialect import to_utc
from graph.errors import Conflict, InvalidInput, NotFound, NotPermitted
from graph.ids import new_id
from graph.locks import lock
from graph.outbox import EventKind, emit
from graph.store import Record, Tx, run

MIN_CAPACITY, MAX_CAPACITY = 1, 1000
MAX_TOPIC_SKILLS = 10


@dataclass(frozen=True)
class Session:
    """A session of a community."""

    id: str
    community_id: str
    title: str
    starts_at: dt.datetime | None
    capacity: int
    created_by: str | None = None
    topic_skills: tuple[str, ...] = ()
    going: tuple[str, ...] = ()
    """Members who said they come, by id."""
    attended: tuple[str, ...] = ()
    """Members recorded as having come, by id."""


_RETURN = """
MATCH (s)-[:HELD_IN]->(c:Community)
RETURN s {.*} AS s, c.id AS community,
  [(s)-[:COVERS]->(k:Skill) | k.key] AS skills,
  [(p:Person)-[:GOING]->(s) | p.id] AS going,
  [(p:Person)-[:ATTENDED]->(s) | p.id] AS attended
"""


def _session(row: Record) -> Session:
    s = row["s"]
    return Session(
        id=s["id"],
        community_id=row["community"],
        title=s.get("title") or "",
        starts_at=to_utc(s.get("starts_at")),
        capacity=int(s.get("capacity") or 0),
        created_by=s.get("created_by"),
        topic_skills=tuple(sorted(row["skills"] or ())),
        going=tuple(sorted(row["going"] or ())),
        attended=tuple(sorted(row["attended"] or ())),
    )


async def get_session(tx: Tx, id: str) -> Session | None:
    """The session with this id, or None."""
    rows = await run(tx, "MATCH (s:Session {id: $id})" + _RETURN, id=id)
    return _session(rows[0]) if rows else None


async def sessions_of(tx: Tx, community_id: str) -> list[Session]:
    """A community's sessions, soonest first."""
    rows = await run(
        tx, "MATCH (s:Session)-[:HELD_IN]->(:Community {id: $id}) WITH s" + _RETURN, id=community_id
    )
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted((_session(r) for r in rows), key=lambda s: (s.starts_at or epoch, s.id))


async def _community(tx: Tx, community_id: str) -> Record:
    """The community's name, members and moderators, after locking it."""
    await lock(tx, "Community", community_id)
    rows = await run(
        tx,
        "MATCH (c:Community {id: $id}) RETURN c.name AS name, "
        "[(p:Person)-[:IN_COMMUNITY]->(c) | p.id] AS members, "
        "[(p:Person)-[:MODERATES]->(c) | p.id] AS moderators",
        id=community_id,
    )
    if not rows:
        raise NotFound(f"No community with id {community_id!r}.")
    return rows[0]


async def _touch(tx: Tx, community_id: str, now: dt.datetime, people: Sequence[str] = ()) -> None:
    """Write the community's last activity and record the change for the read model."""
    await run(
        tx,
        "MATCH (c:Community {id: $id}) WHERE c.last_activity_at IS NULL "
        "OR c.last_activity_at < $now SET c.last_activity_at = $now",
        id=community_id,
        now=now,
    )
    await record_change(tx, people=people, communities=[community_id])


def _check_moderator(community: Record, by: str | None, *, admin: bool, doing: str) -> None:
    if not admin and by not in (community["moderators"] or ()):
        raise NotPermitted(f"Only moderators of {community['name']!r} (or admins) may {doing}.")


async def schedule_session(
    tx: Tx,
    community_id: str,
    *,
    title: str,
    starts_at: dt.datetime,
    capacity: int,
    topic_skills: Sequence[str] = (),
    by: str | None,
    admin: bool = False,
    now: dt.datetime | None = None,
    id: str | None = None,
) -> Session:
    """Schedule a session of a community; each member but ``by`` is told (outbox).

    Raises:
        InvalidInput: an empty title, a capacity outside 1–1000, a time not in the future,
            more than 10 topic skills.
        NotFound: no such community, or an unknown skill key.
        NotPermitted: ``by`` does not moderate the community and is not an admin.
    """
    now = now or dt.datetime.now(dt.UTC)
    title = validation.text(title, what="Session title")
    if isinstance(capacity, bool) or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"Capacity must be a whole number from {MIN_CAPACITY} to {MAX_CAPACITY}, "
            f"not {capacity!r}."
        )
    if starts_at.tzinfo is None:
        raise InvalidInput("Give the session's start time with its time zone (or UTC).")
    if starts_at <= now:
        raise InvalidInput("A session is scheduled in the future; that time has passed.")
    skills = sorted(set(topic_skills))
    if len(skills) > MAX_TOPIC_SKILLS:
        raise InvalidInput(f"Pick at most {MAX_TOPIC_SKILLS} topic skills for one session.")
    community = await _community(tx, community_id)
    _check_moderator(community, by, admin=admin, doing="schedule its sessions")
    known = await run(
        tx, "MATCH (k:Skill) WHERE k.key IN $skills RETURN collect(k.key) AS keys", skills=skills
    )
    unknown = sorted(set(skills) - set(known[0]["keys"] if known else ()))
    if unknown:
        raise NotFound(f"No skill {', '.join(map(repr, unknown))}.")
    session_id = id or new_id("ses")
    await run(
        tx,
        "MATCH (c:Community {id: $community}) "
        "CREATE (s:Session {id: $id, title: $title, starts_at: $starts_at, capacity: $capacity, "
        "created_by: $by, created_at: $now})-[:HELD_IN]->(c) "
        "WITH s UNWIND $skills AS key MATCH (k:Skill {key: key}) CREATE (s)-[:COVERS]->(k)",
        community=community_id,
        id=session_id,
        title=title,
        starts_at=starts_at.astimezone(dt.UTC),
        capacity=capacity,
        by=by,
        now=now,
        skills=skills,
    )
    await _touch(tx, community_id, now)
    names = await run(tx, "MATCH (p:Person {id: $id}) RETURN p.name AS name", id=by)
    await emit(
        tx,
        EventKind.COMMUNITY_SESSION_SCHEDULED,
        [p for p in sorted(community["members"] or ()) if p != by],
        {
            "community_id": community_id,
            "group_name": community["name"],
            "session_id": session_id,
            "title": title,
            "starts_at": starts_at.astimezone(dt.UTC).isoformat(),
            "focus_skills": skills,
            "person_id": by,
            "person_name": names[0]["name"] if names else None,
        },
    )
    found = await get_session(tx, session_id)
    assert found is not None
    return found


async def _locked_session(tx: Tx, session_id: str) -> Session:
    """The session, after locking its community and then the session itself.

    Always in that order, as leaving a community (which takes back the RSVPs to its
    sessions) locks the community: an RSVP and a leave take turns, and so do two RSVPs.
    """
    found = await get_session(tx, session_id)
    if found is None:
        raise NotFound(f"No session with id {session_id!r}.")
    await lock(tx, "Community", found.community_id)
    if not await lock(tx, "Session", session_id):
        raise NotFound(f"No session with id {session_id!r}.")
    found = await get_session(tx, session_id)
    if found is None:
        raise NotFound(f"No session with id {session_id!r}.")
    return found


async def rsvp(
    tx: Tx, session_id: str, person_id: str, *, going: bool, now: dt.datetime | None = None
) -> Session:
    """Say a member comes to a session (``going``) or no longer comes.

    The community and then the session are locked before membership is checked and the seats
    counted, so two members racing for the last seat take turns (one gets it, the other is
    refused), and an RSVP racing the member's leaving either comes first (and the leave takes
    it back) or finds them no longer a member. Saying the same twice changes nothing.

    Raises:
        NotFound: no such session.
        NotPermitted: the person is not a member of the session's community.
        Conflict: the session is full, or has started.
    """
    now = now or dt.datetime.now(dt.UTC)
    session = await _locked_session(tx, session_id)
    members = await run(
        tx,
        "MATCH (p:Person {id: $p})-[:IN_COMMUNITY]->(c:Community {id: $c}) RETURN c.name AS name",
        p=person_id,
        c=session.community_id,
    )
    if not members:
        raise NotPermitted("Only members of the session's community may RSVP; join it first.")
    if session.starts_at is not None and session.starts_at <= now:
        raise Conflict(f"{session.title!r} has started; RSVPs are closed.")
    if going == (person_id in session.going):
        return session
    if going:
        if len(session.going) >= session.capacity:
            raise Conflict(f"{session.title!r} is full: all {session.capacity} seats are taken.")
        await run(
            tx,
            "MATCH (p:Person {id: $p}) MATCH (s:Session {id: $s}) CREATE (p)-[:GOING {at: $now}]->(s)",
            p=person_id,
            s=session_id,
            now=now,
        )
    else:
        await run(
            tx,
            "MATCH (:Person {id: $p})-[r:GOING]->(:Session {id: $s}) DELETE r",
            p=person_id,
            s=session_id,
        )
    await _touch(tx, session.community_id, now, [person_id])
    found = await get_session(tx, session_id)
    assert found is not None
    return found


async def record_attendance(
    tx: Tx,
    session_id: str,
    person_ids: Sequence[str],
    *,
    by: str | None,
    admin: bool = False,
    now: dt.datetime | None = None,
) -> Session:
    """Record which members came to a session that has started (adding to those recorded).

    Raises:
        NotFound: no such session.
        NotPermitted: ``by`` does not moderate the community and is not an admin.
        InvalidInput: no one named, or someone who is not a member of the community.
        Conflict: the session has not started yet.
    """
    now = now or dt.datetime.now(dt.UTC)
    if not person_ids:
        raise InvalidInput("Name at least one person who attended.")
    session = await _locked_session(tx, session_id)
    community = await _community(tx, session.community_id)
    _check_moderator(community, by, admin=admin, doing="record attendance")
    if session.starts_at is not None and session.starts_at > now:
        raise Conflict(f"{session.title!r} has not started yet; record attendance afterwards.")
    outsiders = sorted(set(person_ids) - set(community["members"] or ()))
    if outsiders:
        raise InvalidInput(
            f"Not members of {community['name']!r}: {', '.join(map(repr, outsiders))}."
        )
    await run(
        tx,
        "MATCH (s:Session {id: $s}) UNWIND $ids AS pid MATCH (p:Person {id: pid}) "
        "MERGE (p)-[a:ATTENDED]->(s) ON CREATE SET a.at = $now",
        s=session_id,
        ids=sorted(set(person_ids)),
        now=now,
    )
    await _touch(tx, session.community_id, now, sorted(set(person_ids)))
    found = await get_session(tx, session_id)
    assert found is not None
    return found


@dataclass(frozen=True)
class Attendance:
    """Community sessions attended by the people of a scope (HR's impact report)."""

    attended: int
    """Attendances recorded: one per person per session."""
    attendees: int
    """People who attended at least one session."""
    sessions: int
    """Sessions at least one of them attended."""


async def attendance(
    tx: Tx,
    *,
    site: str | None = None,
    team: str | None = None,
    function: str | None = None,
) -> Attendance:
    """Attendance by the people still here of a scope (``None`` places no condition)."""
    rows = await run(
        tx,
        "MATCH (p:Person)-[a:ATTENDED]->(s:Session) WHERE p.left_at IS NULL "
        "AND ($site IS NULL OR p.site = $site) AND ($function IS NULL OR p.function = $function) "
        "AND ($team IS NULL OR $team IN [(p)-[:MEMBER_OF]->(t:Team) | t.id]) "
        "RETURN count(a) AS attended, count(DISTINCT p) AS attendees, "
        "count(DISTINCT s) AS sessions",
        site=site,
        team=team,
        function=function,
    )
    row = rows[0] if rows else {"attended": 0, "attendees": 0, "sessions": 0}
    return Attendance(int(row["attended"]), int(row["attendees"]), int(row["sessions"]))
