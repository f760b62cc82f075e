"""Mentorships: a mentee asks, the mentor answers, either side ends it with feedback.

Each step is one transaction that checks its rules against the store as it
writes, so two requests racing each other cannot both get through.

Requests nobody answers expire (after :data:`DEFAULT_REQUEST_TTL` unless the
caller says otherwise). A request past its ``expires_at`` reads as expired at
once; :func:`expire_requests` then records it, and counts it against the
mentor's responsiveness (``requests_expired`` beside ``requests_answered`` on
the mentor), which the matcher uses for ranking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from graph import validation
from graph.changes import record_change
from graph.dialect import limit, to_utc
from graph.errors import Conflict, InvalidInput, NotFound
from graph.ids import new_id
from graph.locks import lock
from graph.model import Feedback, Mentorship, MentorshipStatus
from graph.outbox import EventKind, emit, emit_many
from graph.records import effective_status
from graph.store import Record, Tx, run

DEFAULT_REQUEST_TTL = dt.timedelta(days=7)
DEFAULT_REMINDER_BEFORE = dt.timedelta(hours=24)
"""How long before a request expires its mentor is reminded of it (once)."""
DEFAULT_PENDING_LIMIT = 3
"""How many unanswered requests a mentee may have at once, so mentors are not swamped."""

_RETURN = """
OPTIONAL MATCH (m)-[:FOCUSES_ON]->(s:Skill)
WITH m, mentor, mentee, collect(s.key) AS focus
RETURN m {.*} AS m, mentor.id AS mentor, mentee.id AS mentee, focus
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def mentorship_from_record(row: Record, *, now: dt.datetime | None = None) -> Mentorship:
    """A :class:`Mentorship` from a row of ``m``, ``mentor``, ``mentee``, ``focus``.

    A request past its expiry reads as expired even before the sweep records it.
    """
    m = row["m"]
    feedback = None
    if m.get("rating") is not None:
        feedback = Feedback(
            rating=int(m["rating"]), comment=m.get("comment") or "", by=m.get("ended_by")
        )
    expires_at = to_utc(m.get("expires_at"))
    status = MentorshipStatus(effective_status(m["status"], expires_at, now or _now()))
    return Mentorship(
        id=m["id"],
        mentor_id=row["mentor"],
        mentee_id=row["mentee"],
        status=status,
        focus_skills=tuple(sorted(row["focus"] or ())),
        message=m.get("message") or "",
        requested_at=to_utc(m.get("requested_at")),
        responded_at=to_utc(m.get("responded_at")),
        ended_at=to_utc(m.get("ended_at")),
        expires_at=expires_at,
        feedback=feedback,
    )


async def request_mentorship(
    tx: Tx,
    *,
    mentee_id: str,
    mentor_id: str,
    focus_skills: Sequence[str],
    message: str = "",
    id: str | None = None,
    pending_limit: int = DEFAULT_PENDING_LIMIT,
    ttl: dt.timedelta = DEFAULT_REQUEST_TTL,
) -> Mentorship:
    """Create a requested mentorship from mentee to mentor on some focus skills.

    Raises:
        InvalidInput: asking oneself, no focus skill, or a message too long.
        NotFound: either person or a focus skill does not exist.
        Conflict: the pair already has a requested or active mentorship, the
            mentor does not take mentees, or the mentee has ``pending_limit``
            unanswered requests already.
    """
    if mentee_id == mentor_id:
        raise InvalidInput("You cannot be your own mentor.")
    if not focus_skills:
        raise InvalidInput("Name at least one skill to focus on.")
    if len(set(focus_skills)) > 5:
        raise InvalidInput("Pick at most 5 focus skills for one mentorship.")
    message = validation.text(
        message, what="Message", max_length=validation.MAX_TEXT_LENGTH, required=False
    )
    now = _now()
    # Writing the mentee first serialises their concurrent requests (the pending limit).
    found = await run(
        tx,
        "OPTIONAL MATCH (mentee:Person {id: $mentee}) "
        "SET mentee.request_version = coalesce(mentee.request_version, 0) + 1 "
        "WITH mentee OPTIONAL MATCH (mentor:Person {id: $mentor}) "
        "OPTIONAL MATCH (s:Skill) WHERE s.key IN $skills "
        "RETURN mentor IS NOT NULL AS mentor, mentee IS NOT NULL AS mentee, "
        "coalesce(mentor.open_to_mentoring, false) AS open, mentor.name AS mentor_name, "
        "mentee.name AS mentee_name, count(DISTINCT s) AS skills",
        mentor=mentor_id,
        mentee=mentee_id,
        skills=list(focus_skills),
    )
    row = found[0]
    if not row["mentee"]:
        raise NotFound(f"No person with id {mentee_id!r}.")
    if not row["mentor"]:
        raise NotFound(f"No person with id {mentor_id!r}.")
    if row["skills"] != len(set(focus_skills)):
        raise NotFound("One of the focus skills does not exist.")
    if not row["open"]:
        raise Conflict(f"{row['mentor_name']} is not taking mentees at the moment.")
    open_requests = await run(
        tx,
        "MATCH (:Person {id: $mentee})-[:MENTEE_IN]->(m:Mentorship {status: 'requested'}) "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) WHERE m.expires_at > $now "
        "RETURN mentor.id AS mentor",
        mentee=mentee_id,
        now=now,
    )
    if len(open_requests) >= pending_limit:
        raise Conflict(
            f"You already have {len(open_requests)} requests waiting for an answer (the limit is "
            f"{pending_limit}); wait for an answer or withdraw one first."
        )
    existing = await run(
        tx,
        "MATCH (:Person {id: $mentor})-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(:Person {id: $mentee}) "
        "WHERE m.status = 'active' OR (m.status = 'requested' AND m.expires_at > $now) "
        "RETURN m.id AS id, m.status AS status",
        mentor=mentor_id,
        mentee=mentee_id,
        now=now,
    )
    if existing:
        raise Conflict(
            f"There is already a {existing[0]['status']} mentorship between these two people "
            f"({existing[0]['id']})."
        )
    rows = await run(
        tx,
        "MATCH (mentor:Person {id: $mentor}) MATCH (mentee:Person {id: $mentee}) "
        "CREATE (m:Mentorship {id: $id, status: 'requested', message: $message, requested_at: $now, "
        "expires_at: $expires}) "
        "CREATE (mentor)-[:MENTOR_IN]->(m) CREATE (mentee)-[:MENTEE_IN]->(m) "
        "WITH m, mentor, mentee UNWIND $skills AS key MATCH (s:Skill {key: key}) "
        "CREATE (m)-[:FOCUSES_ON]->(s) WITH DISTINCT m, mentor, mentee" + _RETURN,
        mentor=mentor_id,
        mentee=mentee_id,
        id=id or new_id("mnt"),
        message=message,
        skills=sorted(set(focus_skills)),
        now=now,
        expires=now + ttl,
    )
    await record_change(tx, people=[mentor_id, mentee_id])
    created = mentorship_from_record(rows[0], now=now)
    await emit(
        tx,
        EventKind.REQUEST_RECEIVED,
        [mentor_id],
        {
            "mentorship_id": created.id,
            "person_id": mentee_id,
            "person_name": row["mentee_name"],
            "focus_skills": list(created.focus_skills),
        },
    )
    return created


async def get_mentorship(tx: Tx, id: str) -> Mentorship | None:
    """The mentorship with this id, or None."""
    found = await get_mentorships(tx, [id])
    return found[0] if found else None


async def get_mentorships(tx: Tx, ids: Sequence[str]) -> list[Mentorship]:
    """The mentorships with these ids (unknown ids left out), in one query."""
    rows = await run(
        tx,
        "UNWIND $ids AS wanted MATCH (m:Mentorship {id: wanted}) "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m)" + _RETURN,
        ids=list(ids),
    )
    found = {r["m"]["id"]: mentorship_from_record(r) for r in rows}
    return [found[i] for i in ids if i in found]


async def mentorships_of(
    tx: Tx, person_id: str, *, status: MentorshipStatus | None = None
) -> list[Mentorship]:
    """Mentorships where the person is mentor or mentee, newest first."""
    by_person = await mentorships_of_people(tx, [person_id])
    found = by_person[person_id]
    return [m for m in found if status is None or m.status is status]


async def mentorships_of_people(tx: Tx, person_ids: Sequence[str]) -> dict[str, list[Mentorship]]:
    """Every mentorship of each person (as mentor or mentee), newest first, in two short queries.

    Finding the ids first and then reading each mentorship from its own node is
    much faster on ArcadeDB than one pattern through both people.
    """
    links = await run(
        tx,
        "UNWIND $ids AS pid MATCH (:Person {id: pid})-[:MENTOR_IN|MENTEE_IN]->(m:Mentorship) "
        "RETURN pid, m.id AS id",
        ids=list(person_ids),
    )
    found = {m.id: m for m in await get_mentorships(tx, sorted({r["id"] for r in links}))}
    result: dict[str, list[Mentorship]] = {pid: [] for pid in person_ids}
    for row in links:
        if row["id"] in found:
            result[row["pid"]].append(found[row["id"]])
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    for mentorships in result.values():
        mentorships.sort(key=lambda m: (m.requested_at or epoch, m.id), reverse=True)
    return result


async def _locked(tx: Tx, id: str) -> Mentorship:
    """The mentorship, write-locked for the rest of ``tx`` before its status is read.

    Raises:
        NotFound: no such mentorship.
    """
    if not await lock(tx, "Mentorship", id):
        raise NotFound(f"No mentorship with id {id!r}.")
    current = await get_mentorship(tx, id)
    if current is None:
        raise NotFound(f"No mentorship with id {id!r}.")
    return current


async def respond_to_mentorship(tx: Tx, id: str, *, accept: bool) -> Mentorship:
    """Accept or decline a requested mentorship.

    Accepting checks the mentor's capacity inside the same transaction. The
    mentor's node is written before the count, so two accepts racing for the
    last place conflict in the store; the retried one then sees the mentor full.
    The request itself is locked after the mentor and its status read again, so an
    accept and a decline racing on one request cannot both get through. (Locking the
    request first let ArcadeDB admit a third accept past a capacity of two.)

    Raises:
        NotFound: no such mentorship.
        Conflict: it is no longer requested (answered, withdrawn or expired),
            or the mentor is at capacity.
    """
    found = await get_mentorship(tx, id)
    if found is None:
        raise NotFound(f"No mentorship with id {id!r}.")
    rows = await run(
        tx,
        "MATCH (mentor:Person {id: $mentor}) "
        "SET mentor.requests_answered = coalesce(mentor.requests_answered, 0) + 1 "
        "WITH mentor OPTIONAL MATCH (mentor)-[:MENTOR_IN]->(a:Mentorship {status: 'active'}) "
        "RETURN coalesce(mentor.mentoring_capacity, 0) AS capacity, count(a) AS active, "
        "mentor.name AS name",
        mentor=found.mentor_id,
    )
    current = await _locked(tx, id)
    if current.status is MentorshipStatus.EXPIRED:
        raise Conflict("This request expired before it was answered; the mentee can ask again.")
    if current.status is not MentorshipStatus.REQUESTED:
        raise Conflict(
            f"This mentorship is {current.status.value}; only a request can be answered."
        )
    if accept and rows[0]["active"] >= rows[0]["capacity"]:
        raise Conflict(
            f"The mentor already has {rows[0]['active']} active mentorships, their capacity "
            f"of {rows[0]['capacity']}."
        )
    status = MentorshipStatus.ACTIVE if accept else MentorshipStatus.DECLINED
    await run(
        tx,
        "MATCH (m:Mentorship {id: $id}) SET m.status = $status, m.responded_at = datetime()",
        id=id,
        status=status.value,
    )
    await record_change(tx, people=[current.mentor_id, current.mentee_id])
    await emit(
        tx,
        EventKind.REQUEST_ACCEPTED if accept else EventKind.REQUEST_DECLINED,
        [current.mentee_id],
        {
            "mentorship_id": id,
            "person_id": current.mentor_id,
            "person_name": rows[0]["name"],
        },
    )
    updated = await get_mentorship(tx, id)
    assert updated is not None
    return updated


async def end_mentorship(tx: Tx, id: str, *, by: str, rating: int, comment: str = "") -> Mentorship:
    """End an active mentorship with feedback (a rating 1–5 and a comment).

    Raises:
        InvalidInput: the rating is outside 1–5 or the comment too long.
        NotFound: no such mentorship.
        Conflict: the mentorship is not active.
    """
    if isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidInput(f"Rating must be a whole number from 1 to 5, not {rating!r}.")
    comment = validation.text(
        comment, what="Comment", max_length=validation.MAX_TEXT_LENGTH, required=False
    )
    current = await _locked(tx, id)
    if current.status is not MentorshipStatus.ACTIVE:
        raise Conflict(f"This mentorship is {current.status.value}; only an active one can end.")
    await run(
        tx,
        "MATCH (m:Mentorship {id: $id}) SET m.status = 'ended', m.ended_at = datetime(), "
        "m.rating = $rating, m.comment = $comment, m.ended_by = $by",
        id=id,
        rating=rating,
        comment=comment,
        by=by,
    )
    await record_change(tx, people=[current.mentor_id, current.mentee_id])
    names = await run(tx, "MATCH (p:Person {id: $by}) RETURN p.name AS name", by=by)
    others = [p for p in (current.mentor_id, current.mentee_id) if p != by]
    await emit(
        tx,
        EventKind.MENTORSHIP_ENDED,
        others,
        {
            "mentorship_id": id,
            "person_id": by,
            "person_name": names[0]["name"] if names else None,
            "rating": rating,
            "comment": comment,
        },
    )
    updated = await get_mentorship(tx, id)
    assert updated is not None
    return updated


async def expire_requests(tx: Tx, *, now: dt.datetime | None = None) -> int:
    """Record every request past its expiry as expired, counting it against the mentor.

    Each request is locked before its status is read again, so a sweep racing an answer,
    or another process's sweep, neither overwrites the answer nor counts an expiry twice.
    """
    now = now or _now()
    due = await run(
        tx,
        "MATCH (m:Mentorship {status: 'requested'}) WHERE m.expires_at <= $now "
        "SET m.lock_version = coalesce(m.lock_version, 0) + 1 RETURN m.id AS id",
        now=now,
    )
    if not due:
        return 0
    rows = await run(
        tx,
        "UNWIND $ids AS id MATCH (m:Mentorship {id: id}) WHERE m.status = 'requested' "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m) "
        "SET m.status = 'expired', m.expired_at = $now, "
        "mentor.requests_expired = coalesce(mentor.requests_expired, 0) + 1 "
        "RETURN m.id AS id, mentor.id AS mentor, mentee.id AS mentee, mentor.name AS mentor_name, "
        "mentee.name AS mentee_name",
        ids=[r["id"] for r in due],
        now=now,
    )
    if rows:
        await record_change(tx, people=[r["mentor"] for r in rows] + [r["mentee"] for r in rows])
        await emit_many(
            tx,
            [
                (
                    EventKind.REQUEST_EXPIRED,
                    r[side],
                    {
                        "mentorship_id": r["id"],
                        "role": side,
                        "person_id": r[other],
                        "person_name": r[f"{other}_name"],
                    },
                )
                for r in sorted(rows, key=lambda r: str(r["id"]))
                for side, other in (("mentor", "mentee"), ("mentee", "mentor"))
            ],
        )
    return len(rows)


async def remind_expiring(
    tx: Tx,
    *,
    within: dt.timedelta = DEFAULT_REMINDER_BEFORE,
    now: dt.datetime | None = None,
    batch: int = 500,
) -> int:
    """Remind each mentor of a request of theirs expiring within ``within``, once per request.

    Up to ``batch`` requests, oldest expiry first; returns how many were reminded. Each is
    locked before its status and ``reminded_at`` are read again and written, so an answer
    racing the sweep, or another process's sweep, neither gets a reminder for an answered
    request nor two for one request (``reminded_at`` stays on the request).
    """
    now = now or _now()
    due = await run(
        tx,
        "MATCH (m:Mentorship {status: 'requested'}) WHERE m.expires_at > $now "
        "AND m.expires_at <= $until AND m.reminded_at IS NULL "
        f"WITH m ORDER BY m.expires_at, m.id {limit(batch)} "
        "SET m.lock_version = coalesce(m.lock_version, 0) + 1 RETURN m.id AS id",
        now=now,
        until=now + within,
    )
    if not due:
        return 0
    rows = await run(
        tx,
        "UNWIND $ids AS id MATCH (m:Mentorship {id: id}) WHERE m.status = 'requested' "
        "AND m.reminded_at IS NULL AND m.expires_at > $now "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m) "
        "SET m.reminded_at = $now "
        "RETURN m.id AS id, mentor.id AS mentor, mentee.id AS mentee, mentee.name AS name, "
        "m.expires_at AS expires_at, [(m)-[:FOCUSES_ON]->(s:Skill) | s.key] AS focus",
        ids=[r["id"] for r in due],
        now=now,
    )
    await emit_many(
        tx,
        [
            (
                EventKind.REQUEST_EXPIRING_SOON,
                str(r["mentor"]),
                {
                    "mentorship_id": r["id"],
                    "person_id": r["mentee"],
                    "person_name": r["name"],
                    "focus_skills": sorted(r["focus"] or ()),
                    "expires_at": _iso(to_utc(r["expires_at"])),
                },
            )
            for r in sorted(rows, key=lambda r: str(r["id"]))
        ],
    )
    return len(rows)


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


@dataclass(frozen=True)
class Lapsed:
    """An expired request whose mentee has not been offered a next pick yet."""

    id: str
    mentee_id: str
    mentor_id: str
    focus_skills: tuple[str, ...]


async def awaiting_next_pick(tx: Tx, *, since: dt.datetime, first: int = 200) -> list[Lapsed]:
    """Requests that expired at ``since`` or later and whose next pick is not settled yet.

    The sweep settles each with :func:`settle_next_pick`; a process that stopped between
    the expiry and the next pick finds them here again.
    """
    rows = await run(
        tx,
        "MATCH (m:Mentorship {status: 'expired'}) WHERE m.expired_at >= $since "
        "AND m.next_pick_at IS NULL "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m) "
        "RETURN m.id AS id, mentor.id AS mentor, mentee.id AS mentee, "
        f"[(m)-[:FOCUSES_ON]->(s:Skill) | s.key] AS focus ORDER BY id {limit(first)}",
        since=since,
    )
    return [
        Lapsed(str(r["id"]), str(r["mentee"]), str(r["mentor"]), tuple(sorted(r["focus"] or ())))
        for r in rows
    ]


@dataclass(frozen=True)
class NextPick:
    """How an expired request's next pick was settled."""

    lapsed_id: str
    mentor_id: str | None
    """The mentor offered (or asked); None when the matcher had nobody else."""
    requested_id: str | None = None
    """The request made for the mentee, when they opted in (``auto_request_next_pick``)."""


async def settle_next_pick(
    tx: Tx,
    lapsed_id: str,
    *,
    mentor_id: str | None,
    focus_skills: Sequence[str] = (),
    allow_auto: bool = True,
    ttl: dt.timedelta = DEFAULT_REQUEST_TTL,
    pending_limit: int = DEFAULT_PENDING_LIMIT,
) -> NextPick | None:
    """Offer the mentee of an expired request their next pick, or ask them for the mentee.

    The expired request is locked and ``next_pick_at`` read again and written in this
    transaction, with the event: settled once, whichever process gets there first (None
    for the others). A mentee who opted in (``auto_request_next_pick``) gets a request
    made for them when ``allow_auto``, by :func:`request_mentorship` (every rule of a
    request holds; a refusal rolls all of it back, and the caller settles with an offer
    instead). With no ``mentor_id`` it is marked settled and nobody is told.
    """
    if not await lock(tx, "Mentorship", lapsed_id):
        return None
    rows = await run(
        tx,
        "MATCH (m:Mentorship {id: $id}) WHERE m.status = 'expired' AND m.next_pick_at IS NULL "
        "MATCH (lapsed:Person)-[:MENTOR_IN]->(m) MATCH (mentee:Person)-[:MENTEE_IN]->(m) "
        "SET m.next_pick_at = datetime(), m.next_pick_mentor = $mentor "
        "RETURN mentee.id AS mentee, lapsed.id AS lapsed, lapsed.name AS lapsed_name, "
        "coalesce(mentee.auto_request_next_pick, false) AS auto",
        id=lapsed_id,
        mentor=mentor_id,
    )
    if not rows:
        return None
    row = rows[0]
    if mentor_id is None:
        return NextPick(lapsed_id, None)
    if mentor_id == row["lapsed"]:
        raise InvalidInput("The next pick cannot be the mentor who let the request lapse.")
    skills = sorted(set(focus_skills))
    requested: Mentorship | None = None
    if allow_auto and row["auto"]:
        requested = await request_mentorship(
            tx,
            mentee_id=str(row["mentee"]),
            mentor_id=mentor_id,
            focus_skills=skills,
            ttl=ttl,
            pending_limit=pending_limit,
        )
    names = await run(tx, "MATCH (p:Person {id: $id}) RETURN p.name AS name", id=mentor_id)
    await emit(
        tx,
        EventKind.NEXT_PICK_OFFERED,
        [str(row["mentee"])],
        {
            "mentorship_id": requested.id if requested else lapsed_id,
            "expired_mentorship_id": lapsed_id,
            "person_id": mentor_id,
            "person_name": names[0]["name"] if names else None,
            "focus_skills": skills,
            "lapsed_mentor_id": row["lapsed"],
            "lapsed_mentor_name": row["lapsed_name"],
            "auto_requested": requested is not None,
        },
    )
    return NextPick(lapsed_id, mentor_id, requested.id if requested else None)


async def responsiveness(tx: Tx, person_id: str) -> tuple[int, int]:
    """How many requests the person answered, and how many they let expire."""
    rows = await run(
        tx,
        "MATCH (p:Person {id: $id}) RETURN coalesce(p.requests_answered, 0) AS answered, "
        "coalesce(p.requests_expired, 0) AS expired",
        id=person_id,
    )
    if not rows:
        raise NotFound(f"No person with id {person_id!r}.")
    return int(rows[0]["answered"]), int(rows[0]["expired"])


async def create_requests(
    tx: Tx,
    pairs: Sequence[tuple[str, str, Sequence[str]]],
    *,
    ttl: dt.timedelta = dt.timedelta(days=7),
    message: str = "",
) -> list[str]:
    """Request many (mentee, mentor, focus skills) mentorships at once, all or none.

    For an assignment planned on a projection: a pair that now has an open
    mentorship, or a mentor who would go past their capacity or stopped mentoring,
    means the graph moved on since the plan, and nothing is written (:class:`Conflict`).
    Touching every mentor first makes concurrent commits take turns.
    """
    if not pairs:
        return []
    now = _now()
    mentors = sorted({mentor for _, mentor, _ in pairs})
    rows = await run(
        tx,
        "UNWIND $mentors AS id MATCH (p:Person {id: id}) "
        "SET p.request_version = coalesce(p.request_version, 0) + 1 "
        "WITH p OPTIONAL MATCH (p)-[:MENTOR_IN]->(m:Mentorship) "
        "WHERE m.status = 'active' OR (m.status = 'requested' AND m.expires_at > $now) "
        "RETURN p.id AS id, coalesce(p.mentoring_capacity, 0) AS capacity, "
        "coalesce(p.open_to_mentoring, false) AS open, count(m) AS load",
        mentors=mentors,
        now=now,
    )
    wanted: dict[str, int] = {}
    for _, mentor, _ in pairs:
        wanted[mentor] = wanted.get(mentor, 0) + 1
    found = {r["id"]: r for r in rows}
    for mentor in mentors:
        row = found.get(mentor)
        if row is None:
            raise NotFound(f"No person with id {mentor!r}.")
        if not row["open"] or row["load"] + wanted[mentor] > row["capacity"]:
            raise Conflict(
                f"Mentor {mentor} no longer has room for {wanted[mentor]} more mentee(s); the "
                "graph changed since the plan was made. Plan again."
            )
    rows_in = [
        {"mentee": mentee, "mentor": mentor, "id": new_id("mnt"), "skills": sorted(set(focus))}
        for mentee, mentor, focus in pairs
    ]
    clashes = await run(
        tx,
        "UNWIND $pairs AS pair MATCH (mentee:Person {id: pair.mentee}) "
        "MATCH (mentor:Person {id: pair.mentor}) "
        "OPTIONAL MATCH (mentor)-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(mentee) "
        "WHERE m.status = 'active' OR (m.status = 'requested' AND m.expires_at > $now) "
        "RETURN pair.mentee AS mentee, count(m) AS open",
        pairs=rows_in,
        now=now,
    )
    if len(clashes) != len(rows_in):
        raise NotFound("One of the mentees no longer exists; plan again.")
    taken = sorted(r["mentee"] for r in clashes if r["open"])
    if taken:
        raise Conflict(
            f"{taken[0]} already has an open mentorship with the planned mentor; plan again."
        )
    await run(
        tx,
        "UNWIND $pairs AS pair MATCH (mentee:Person {id: pair.mentee}) "
        "MATCH (mentor:Person {id: pair.mentor}) "
        "CREATE (m:Mentorship {id: pair.id, status: 'requested', message: $message, "
        "requested_at: $now, expires_at: $expires}) "
        "CREATE (mentor)-[:MENTOR_IN]->(m) CREATE (mentee)-[:MENTEE_IN]->(m) "
        "WITH m, pair UNWIND pair.skills AS key MATCH (s:Skill {key: key}) "
        "CREATE (m)-[:FOCUSES_ON]->(s)",
        pairs=rows_in,
        message=message,
        now=now,
        expires=now + ttl,
    )
    await record_change(tx, people=[p for mentee, mentor, _ in pairs for p in (mentee, mentor)])
    names = await run(
        tx,
        "UNWIND $ids AS id MATCH (p:Person {id: id}) RETURN p.id AS id, p.name AS name",
        ids=sorted({p for mentee, mentor, _ in pairs for p in (mentee, mentor)}),
    )
    name_of = {r["id"]: r["name"] for r in names}
    await emit_many(
        tx,
        [
            (
                EventKind.ASSIGNMENT_COMMITTED,
                str(pair[side]),
                {
                    "mentorship_id": pair["id"],
                    "role": side,
                    "person_id": pair[other],
                    "person_name": name_of.get(str(pair[other])),
                    "focus_skills": pair["skills"],
                },
            )
            for pair in rows_in
            for side, other in (("mentor", "mentee"), ("mentee", "mentor"))
        ],
    )
    return [str(r["id"]) for r in rows_in]
