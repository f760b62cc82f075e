"""The engagement loop's conflicting steps raced against the real store.

Three pairs, each run many times at the same instant, with the invariant read back from the
store after every round:

- an RSVP against the member leaving (or an admin removing them from) the community: never
  an RSVP to a session not started yet without a member;
- a moderator scheduling a session against being taken out of the community: the session
  exists only if they still moderated it when it was written (under the community's lock),
  else the schedule is refused with ``FORBIDDEN``, and nothing of it is written;
- the requests sweep's automatic next pick against the mentee's own request: never more
  than the pending limit, never two pending requests to one mentor.

Two RSVPs racing for the last seat are in ``tests/graph/test_sessions.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from api.auth import Role, Tokens
from api.requests_sweep import settle_next_picks
from graph import communities, mentorships, outbox, sessions
from graph.embedded import BoltEndpoint
from graph.errors import Conflict, NotPermitted
from graph.outbox import EventKind
from graph.store import Store
from readmodel.keeper import ReadModelKeeper
from tests.api.conftest import ServerThread, app_settings, race

pytestmark = pytest.mark.anyio

DAY = dt.timedelta(days=1)
ROUNDS = 12


@pytest.fixture
async def other(endpoint: BoltEndpoint, org: Store) -> AsyncIterator[Store]:
    """A second connection to the same store, as a second API process has."""
    second = await Store.connect(endpoint)
    yield second
    await second.close()


async def _club(org: Store, name: str = "Calm calls") -> str:
    """Tess moderates; Ana and Ben are members."""
    found = await org.write(communities.create_community, name=name, moderator_ids=["tess"])
    for member in ("ana", "ben"):
        await org.write(communities.join_community, found.id, member)
    return found.id


async def _session(org: Store, cid: str, *, capacity: int = 10, title: str = "Calm") -> str:
    made = await org.write(
        sessions.schedule_session,
        cid,
        title=title,
        starts_at=dt.datetime.now(dt.UTC) + 2 * DAY,
        capacity=capacity,
        by="tess",
    )
    return made.id


async def _standing(org: Store, cid: str, person: str) -> tuple[bool, list[str]]:
    """(a member of the community?, the community's sessions not started they RSVPed to)."""
    rows = await org.query(
        "MATCH (p:Person {id: $p}) RETURN "
        "[(p)-[:IN_COMMUNITY]->(:Community {id: $c}) | 1] AS member, "
        "[(p)-[:GOING]->(s:Session)-[:HELD_IN]->(:Community {id: $c}) "
        "WHERE s.starts_at > $now | s.id] AS going",
        p=person,
        c=cid,
        now=dt.datetime.now(dt.UTC),
    )
    return bool(rows[0]["member"]), sorted(rows[0]["going"])


# 1. An RSVP against leaving ------------------------------------------------------------------


async def test_an_rsvp_racing_the_member_leaving_never_stands_without_a_member(
    org: Store, other: Store
) -> None:
    cid = await _club(org)
    first, second = await _session(org, cid, title="First"), await _session(org, cid, title="Next")
    await org.write(sessions.rsvp, second, "ana", going=True)  # an RSVP made before the race
    orders = {"rsvp first": 0, "leave first": 0}
    for round_ in range(ROUNDS):
        if not (await _standing(org, cid, "ana"))[0]:
            await org.write(communities.join_community, cid, "ana")
        await org.write(sessions.rsvp, first, "ana", going=False)
        rsvp = (sessions.rsvp, first, "ana")
        leave = (communities.leave_community, cid, "ana")
        # alternate which connection and which call goes first
        a, b = (org, other) if round_ % 2 else (other, org)
        answered, left = await asyncio.gather(
            a.write(*rsvp, going=True), b.write(*leave), return_exceptions=True
        )
        assert isinstance(left, communities.Community), left
        assert "ana" not in left.member_ids
        if isinstance(answered, NotPermitted):  # the leave came first
            assert "join it first" in str(answered)
            orders["leave first"] += 1
        else:  # the RSVP came first, and the leave took it back
            assert isinstance(answered, sessions.Session), answered
            assert "ana" in answered.going
            orders["rsvp first"] += 1
        member, going = await _standing(org, cid, "ana")
        assert (member, going) == (False, []), "she left: no RSVP to a coming session stays"
        # the other members' RSVPs are theirs: untouched
        assert await _standing(org, cid, "ben") == (True, [])
    assert sum(orders.values()) == ROUNDS, orders


async def test_an_rsvp_racing_an_admin_removing_the_member_over_the_api(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    cid = await _club(org)
    sid = await _session(org, cid, capacity=3)
    await org.write(sessions.rsvp, sid, "ben", going=True)
    rsvp = f'mutation {{ rsvpSession(sessionId: "{sid}") {{ going youAreGoing }} }}'
    remove = f'mutation {{ leaveCommunity(communityId: "{cid}", personId: "ana") {{ id }} }}'
    for _ in range(ROUNDS // 2):
        if not (await _standing(org, cid, "ana"))[0]:
            await org.write(communities.join_community, cid, "ana")
        answers = race(
            server.url, tokens, [(("ana", Role.AGENT), rsvp)] * 3 + [(("adi", Role.ADMIN), remove)]
        )
        assert not answers[3].get("errors"), answers[3]
        for refused in (a["errors"][0] for a in answers[:3] if a.get("errors")):
            assert refused["extensions"]["code"] == "FORBIDDEN", refused
            assert "member" in refused["message"], refused
        assert await _standing(org, cid, "ana") == (False, [])
        assert await _standing(org, cid, "ben") == (True, [sid]), "Ben's seat is his still"


# 2. Scheduling against losing the moderator role ---------------------------------------------

SCHEDULE = (
    'mutation {{ scheduleSession(communityId: "{cid}", title: "{title}", startsAt: "{at}", '
    "capacity: 5) {{ id title }} }}"
)


async def _change_versions(org: Store, cid: str) -> list[tuple[int, list[str]]]:
    """(version, people) of every change recorded on the community, oldest first."""
    rows = await org.query(
        "MATCH (ch:Change) RETURN ch.version AS version, ch.people AS people, "
        "ch.communities AS communities"
    )
    return sorted(
        (int(r["version"]), list(r["people"] or ()))
        for r in rows
        if cid in (r["communities"] or ())
    )


async def test_scheduling_racing_the_moderators_removal_is_all_or_nothing(
    org: Store, server: ServerThread, tokens: Tokens
) -> None:
    at = (dt.datetime.now(dt.UTC) + 3 * DAY).isoformat()
    outcomes = {"scheduled": 0, "refused": 0}
    for round_ in range(ROUNDS):
        cid = await _club(org, name=f"Round {round_}")
        since = max((v for v, _ in await _change_versions(org, cid)), default=0)
        schedules = [(("tess", Role.MODERATOR), SCHEDULE.format(cid=cid, title=f"T{i}", at=at))
                     for i in range(3)]  # fmt: skip
        if round_ % 2:  # she steps down herself
            leave = (("tess", Role.MODERATOR), f'mutation {{ leaveCommunity(communityId: "{cid}") '
                     "{ id } }")  # fmt: skip
        else:  # an admin takes her out
            leave = (("adi", Role.ADMIN), f'mutation {{ leaveCommunity(communityId: "{cid}", '
                     'personId: "tess") { id } }')  # fmt: skip
        calls = [*schedules[:1], leave, *schedules[1:]]
        answers = race(server.url, tokens, calls)
        assert not answers[1].get("errors"), answers[1]
        made = {a["data"]["scheduleSession"]["id"] for a in answers if "scheduleSession" in
                (a.get("data") or {}) and a["data"]["scheduleSession"]}  # fmt: skip
        for refused in (a["errors"][0] for a in answers if a.get("errors")):
            assert refused["extensions"]["code"] == "FORBIDDEN", refused
            assert "moderator" in refused["message"] and len(refused["message"]) > 20, refused
        outcomes["scheduled"] += len(made)
        outcomes["refused"] += 3 - len(made)
        # the store holds exactly the acknowledged sessions, whole
        stored = await org.query(
            "MATCH (s:Session)-[:HELD_IN]->(:Community {id: $c}) "
            "RETURN s.id AS id, s.created_by AS by",
            c=cid,
        )
        assert {r["id"] for r in stored} == made
        assert all(r["by"] == "tess" for r in stored)
        orphans = await org.query(
            "MATCH (s:Session) WHERE NOT (s)-[:HELD_IN]->(:Community) RETURN count(s) AS n"
        )
        assert orphans == [{"n": 0}], "no session without its community"
        told = {
            str(e.payload["session_id"])
            for e in await org.read(outbox.events_for, "ana")
            if e.kind is EventKind.COMMUNITY_SESSION_SCHEDULED and e.payload["community_id"] == cid
        }
        assert told == made, "members are told of the written sessions, and only of those"
        # every acknowledged schedule committed before her removal (they share the lock)
        changes = [(v, p) for v, p in await _change_versions(org, cid) if v > since]
        [removed_at] = [v for v, people in changes if people == ["tess"]]
        scheduled_at = [v for v, people in changes if not people]
        assert len(scheduled_at) == len(made)
        assert all(v < removed_at for v in scheduled_at), (scheduled_at, removed_at)
        moderators = await org.query(
            "MATCH (p:Person)-[:MODERATES]->(:Community {id: $c}) RETURN p.id AS id", c=cid
        )
        assert moderators == []
    assert sum(outcomes.values()) == 3 * ROUNDS, outcomes


# 3. The sweep's next pick against the mentee's own request -----------------------------------

LIMIT = 3


async def _pending(org: Store, mentee: str) -> list[str]:
    """The mentors of the mentee's requests waiting for an answer (not expired)."""
    rows = await org.query(
        "MATCH (:Person {id: $p})-[:MENTEE_IN]->(m:Mentorship {status: 'requested'}) "
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m) WHERE m.expires_at > $now "
        "RETURN mentor.id AS mentor",
        p=mentee,
        now=dt.datetime.now(dt.UTC),
    )
    return sorted(str(r["mentor"]) for r in rows)


async def _lapsed_request(org: Store, *, open_to: list[str]) -> mentorships.Lapsed:
    """A fresh start: Ana's request to Mia expired, and requests waiting with ``open_to``."""
    await org.query("MATCH (m:Mentorship) DETACH DELETE m")
    await org.write(
        mentorships.request_mentorship,
        mentee_id="ana",
        mentor_id="mia",
        focus_skills=["sql"],
        ttl=-dt.timedelta(seconds=1),
    )
    for mentor in open_to:
        await org.write(
            mentorships.request_mentorship, mentee_id="ana", mentor_id=mentor, focus_skills=["sql"]
        )
    assert await org.write(mentorships.expire_requests) == 1
    [lapsed] = await org.read(mentorships.awaiting_next_pick, since=dt.datetime.now(dt.UTC) - DAY)
    return lapsed


async def _settle(store: Store, lapsed: mentorships.Lapsed, mentor: str) -> str:
    """What the sweep does with a next pick: request it for the mentee, else offer it."""
    try:
        done = await store.write(
            mentorships.settle_next_pick,
            lapsed.id,
            mentor_id=mentor,
            focus_skills=["sql"],
            pending_limit=LIMIT,
        )
    except Conflict:
        done = await store.write(
            mentorships.settle_next_pick,
            lapsed.id,
            mentor_id=mentor,
            focus_skills=["sql"],
            allow_auto=False,
        )
    assert done is not None
    return "requested" if done.requested_id else "offered"


async def _ask(store: Store, mentor: str) -> str:
    try:
        await store.write(
            mentorships.request_mentorship,
            mentee_id="ana",
            mentor_id=mentor,
            focus_skills=["sql"],
            pending_limit=LIMIT,
        )
    except Conflict as refused:
        assert "limit" in str(refused) or "already" in str(refused), refused
        return "refused"
    return "requested"


@pytest.fixture
async def opted_in(org: Store) -> Store:
    """Everyone mentors (room for five mentees); Ana asked for her next picks to be requested."""
    await org.query("MATCH (p:Person) SET p.open_to_mentoring = true, p.mentoring_capacity = 5")
    await org.query("MATCH (p:Person {id: 'ana'}) SET p.auto_request_next_pick = true")
    return org


async def test_the_next_pick_racing_the_mentees_own_request_keeps_the_pending_limit(
    opted_in: Store, other: Store
) -> None:
    org = opted_in
    seen: dict[tuple[str, str], int] = {}
    for round_ in range(ROUNDS):
        # two requests waiting: the next pick and her own request both fit under the limit
        # alone, not together
        lapsed = await _lapsed_request(org, open_to=["hana", "adi"])
        a, b = (org, other) if round_ % 2 else (other, org)
        picked, asked = await asyncio.gather(_settle(a, lapsed, "omar"), _ask(b, "ben"))
        seen[picked, asked] = seen.get((picked, asked), 0) + 1
        pending = await _pending(org, "ana")
        assert len(pending) <= LIMIT, pending
        assert len(pending) == len(set(pending)), pending
        assert (picked, asked) in {("requested", "refused"), ("offered", "requested")}, seen
        assert pending == sorted(["hana", "adi", "omar" if picked == "requested" else "ben"])
    assert sum(seen.values()) == ROUNDS, seen


async def test_the_next_pick_racing_her_own_request_to_the_same_mentor_makes_one(
    opted_in: Store, other: Store
) -> None:
    org = opted_in
    seen: dict[tuple[str, str], int] = {}
    for round_ in range(ROUNDS):
        lapsed = await _lapsed_request(org, open_to=["hana"])
        a, b = (org, other) if round_ % 2 else (other, org)
        picked, asked = await asyncio.gather(_settle(a, lapsed, "omar"), _ask(b, "omar"))
        seen[picked, asked] = seen.get((picked, asked), 0) + 1
        assert (picked, asked) in {("requested", "refused"), ("offered", "requested")}, seen
        assert await _pending(org, "ana") == ["hana", "omar"], "one request to Omar, not two"
    assert sum(seen.values()) == ROUNDS, seen


async def test_the_sweep_racing_the_mentees_requests_keeps_the_pending_limit(
    opted_in: Store, other: Store
) -> None:
    """The whole sweep step (matcher included) against her requests, started a little apart."""
    org = opted_in
    keeper, settings = ReadModelKeeper(org), app_settings()
    for round_ in range(ROUNDS // 2):
        await _lapsed_request(org, open_to=["hana"])
        await keeper.current(fresh=True)

        async def ask_later(mentor: str, delay: float) -> str:
            await asyncio.sleep(delay)
            return await _ask(other, mentor)

        delays = [0.0, 0.005 * round_, 0.01 * round_]
        settled, *asked = await asyncio.gather(
            settle_next_picks(org, keeper, settings),
            *(ask_later(m, d) for m, d in zip(["omar", "ben", "lead"], delays, strict=True)),
        )
        assert len(settled) == 1
        pending = await _pending(org, "ana")
        assert len(pending) <= LIMIT and len(pending) == len(set(pending)), pending
        assert len(pending) == 1 + asked.count("requested") + bool(settled[0].requested_id)
