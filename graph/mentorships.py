"""Mentorships: a mentee asks, the mentor answers, either side ends it with feedback.

Each step is one transaction that checks its rules against the store as it
writes, so two requests racing each other cannot both get through.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph import validation
from graph.dialect import to_utc
from graph.errors import Conflict, InvalidInput, NotFound
from graph.ids import new_id
from graph.model import Feedback, Mentorship, MentorshipStatus
from graph.store import Record, run

_RETURN = """
OPTIONAL MATCH (m)-[:FOCUSES_ON]->(s:Skill)
WITH m, mentor, mentee, collect(s.key) AS focus
RETURN m {.*} AS m, mentor.id AS mentor, mentee.id AS mentee, focus
"""


def mentorship_from_record(row: Record) -> Mentorship:
    """A :class:`Mentorship` from a row of ``m``, ``mentor``, ``mentee``, ``focus``."""
    m = row["m"]
    feedback = None
    if m.get("rating") is not None:
        feedback = Feedback(
            rating=int(m["rating"]), comment=m.get("comment") or "", by=m.get("ended_by")
        )
    return Mentorship(
        id=m["id"],
        mentor_id=row["mentor"],
        mentee_id=row["mentee"],
        status=MentorshipStatus(m["status"]),
        focus_skills=tuple(sorted(row["focus"] or ())),
        message=m.get("message") or "",
        requested_at=to_utc(m.get("requested_at")),
        responded_at=to_utc(m.get("responded_at")),
        ended_at=to_utc(m.get("ended_at")),
        feedback=feedback,
    )


async def request_mentorship(
    tx: AsyncManagedTransaction,
    *,
    mentee_id: str,
    mentor_id: str,
    focus_skills: Sequence[str],
    message: str = "",
    id: str | None = None,
) -> Mentorship:
    """Create a requested mentorship from mentee to mentor on some focus skills.

    Raises:
        InvalidInput: asking oneself, or no focus skill.
        NotFound: either person or a focus skill does not exist.
        Conflict: the pair already has a requested or active mentorship.
    """
    if mentee_id == mentor_id:
        raise InvalidInput("You cannot be your own mentor.")
    if not focus_skills:
        raise InvalidInput("Name at least one skill to focus on.")
    message = validation.text(
        message, what="Message", max_length=validation.MAX_TEXT_LENGTH, required=False
    )
    found = await run(
        tx,
        "OPTIONAL MATCH (mentor:Person {id: $mentor}) OPTIONAL MATCH (mentee:Person {id: $mentee}) "
        "OPTIONAL MATCH (s:Skill) WHERE s.key IN $skills "
        "RETURN mentor IS NOT NULL AS mentor, mentee IS NOT NULL AS mentee, count(DISTINCT s) AS skills",
        mentor=mentor_id,
        mentee=mentee_id,
        skills=list(focus_skills),
    )
    row = found[0]
    if not row["mentor"]:
        raise NotFound(f"No person with id {mentor_id!r}.")
    if not row["mentee"]:
        raise NotFound(f"No person with id {mentee_id!r}.")
    if row["skills"] != len(set(focus_skills)):
        raise NotFound("One of the focus skills does not exist.")
    existing = await run(
        tx,
        "MATCH (:Person {id: $mentor})-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(:Person {id: $mentee}) "
        "WHERE m.status IN ['requested', 'active'] RETURN m.id AS id, m.status AS status",
        mentor=mentor_id,
        mentee=mentee_id,
    )
    if existing:
        raise Conflict(
            f"There is already a {existing[0]['status']} mentorship between these two people "
            f"({existing[0]['id']})."
        )
    rows = await run(
        tx,
        "MATCH (mentor:Person {id: $mentor}) MATCH (mentee:Person {id: $mentee}) "
        "CREATE (m:Mentorship {id: $id, status: 'requested', message: $message, requested_at: datetime()}) "
        "CREATE (mentor)-[:MENTOR_IN]->(m) CREATE (mentee)-[:MENTEE_IN]->(m) "
        "WITH m, mentor, mentee UNWIND $skills AS key MATCH (s:Skill {key: key}) "
        "CREATE (m)-[:FOCUSES_ON]->(s) WITH DISTINCT m, mentor, mentee" + _RETURN,
        mentor=mentor_id,
        mentee=mentee_id,
        id=id or new_id("mnt"),
        message=message,
        skills=sorted(set(focus_skills)),
    )
    return mentorship_from_record(rows[0])


async def get_mentorship(tx: AsyncManagedTransaction, id: str) -> Mentorship | None:
    """The mentorship with this id, or None."""
    rows = await run(
        tx,
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship {id: $id})<-[:MENTEE_IN]-(mentee:Person)"
        + _RETURN,
        id=id,
    )
    return mentorship_from_record(rows[0]) if rows else None


async def mentorships_of(
    tx: AsyncManagedTransaction, person_id: str, *, status: MentorshipStatus | None = None
) -> list[Mentorship]:
    """Mentorships where the person is mentor or mentee, newest first."""
    rows = await run(
        tx,
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(mentee:Person) "
        "WHERE (mentor.id = $person OR mentee.id = $person) AND ($status IS NULL OR m.status = $status)"
        + _RETURN
        + " ORDER BY m.requested_at DESC",
        person=person_id,
        status=status.value if status else None,
    )
    return [mentorship_from_record(r) for r in rows]


async def respond_to_mentorship(
    tx: AsyncManagedTransaction, id: str, *, accept: bool
) -> Mentorship:
    """Accept or decline a requested mentorship.

    Accepting checks the mentor's capacity inside the same transaction: with
    the mentor's node written first, two accepts racing for the last place
    conflict in the store, and the retried one sees the mentor full.

    Raises:
        NotFound: no such mentorship.
        Conflict: it is no longer requested, or the mentor is at capacity.
    """
    current = await get_mentorship(tx, id)
    if current is None:
        raise NotFound(f"No mentorship with id {id!r}.")
    if current.status is not MentorshipStatus.REQUESTED:
        raise Conflict(
            f"This mentorship is {current.status.value}; only a request can be answered."
        )
    if accept:
        rows = await run(
            tx,
            "MATCH (mentor:Person {id: $mentor}) SET mentor.load_version = coalesce(mentor.load_version, 0) + 1 "
            "WITH mentor OPTIONAL MATCH (mentor)-[:MENTOR_IN]->(a:Mentorship {status: 'active'}) "
            "RETURN coalesce(mentor.mentoring_capacity, 0) AS capacity, count(a) AS active",
            mentor=current.mentor_id,
        )
        if rows[0]["active"] >= rows[0]["capacity"]:
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
    updated = await get_mentorship(tx, id)
    assert updated is not None
    return updated


async def end_mentorship(
    tx: AsyncManagedTransaction, id: str, *, by: str, rating: int, comment: str = ""
) -> Mentorship:
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
    current = await get_mentorship(tx, id)
    if current is None:
        raise NotFound(f"No mentorship with id {id!r}.")
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
    updated = await get_mentorship(tx, id)
    assert updated is not None
    return updated
