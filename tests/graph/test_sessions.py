"""Community sessions: who may schedule, RSVP and record; seats under races; events; activity."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from graph import communities, people, sessions
from graph.errors import Conflict, InvalidInput, NotFound, NotPermitted
from graph.model import Person
from graph.outbox import EventKind
from graph.store import Store, Tx
from tests.graph.test_outbox import inbox, small

pytestmark = pytest.mark.anyio

SOON = dt.timedelta(days=2)


async def community(store: Store) -> str:
    """a moderates; a, b, c are members; d is not."""
    await small(store)
    found = await store.write(communities.create_community, name="SQL club", moderator_ids=["a"])
    for member in ("b", "c"):
        await store.write(communities.join_community, found.id, member)
    return found.id


async def schedule(store: Store, community_id: str, **values: object) -> sessions.Session:
    args: dict[str, object] = {
        "title": "Joins, gently",
        "starts_at": dt.datetime.now(dt.UTC) + SOON,
        "capacity": 2,
        "topic_skills": ["sql"],
        "by": "a",
    }
    args.update(values)
    return await store.write(sessions.schedule_session, community_id, **args)


async def last_activity(store: Store, community_id: str) -> dt.datetime | None:
    rows = await store.query(
        "MATCH (c:Community {id: $id}) RETURN c.last_activity_at AS at", id=community_id
    )
    from graph.dialect import to_utc

    return to_utc(rows[0]["at"])


async def test_scheduling_tells_each_member_but_the_moderator(taxonomy_store: Store) -> None:
    cid = await community(taxonomy_store)
    assert await last_activity(taxonomy_store, cid) is None
    session = await schedule(taxonomy_store, cid)
    assert (session.community_id, session.capacity, session.topic_skills) == (cid, 2, ("sql",))
    for member in ("b", "c"):
        [event] = [
            e
            for e in await inbox(taxonomy_store, member)
            if e.kind is EventKind.COMMUNITY_SESSION_SCHEDULED
        ]
        assert event.recipient == member
        assert event.payload["session_id"] == session.id
        assert event.payload["community_id"] == cid
        assert event.payload["group_name"] == "SQL club"
        assert event.payload["title"] == "Joins, gently"
        assert event.payload["person_id"] == "a" and event.payload["focus_skills"] == ["sql"]
    for outsider in ("a", "d"):
        assert not [
            e
            for e in await inbox(taxonomy_store, outsider)
            if e.kind is EventKind.COMMUNITY_SESSION_SCHEDULED
        ]
    assert await last_activity(taxonomy_store, cid) is not None
    assert [s.id for s in await taxonomy_store.read(sessions.sessions_of, cid)] == [session.id]


async def test_scheduling_rolled_back_tells_nobody(taxonomy_store: Store) -> None:
    cid = await community(taxonomy_store)

    async def schedule_then_fail(tx: Tx) -> None:
        await sessions.schedule_session(
            tx, cid, title="T", starts_at=dt.datetime.now(dt.UTC) + SOON, capacity=5, by="a"
        )
        raise RuntimeError("failed after scheduling")

    with pytest.raises(RuntimeError):
        await taxonomy_store.write(schedule_then_fail)
    assert not [
        e
        for e in await inbox(taxonomy_store, "b")
        if e.kind is EventKind.COMMUNITY_SESSION_SCHEDULED
    ]
    assert await taxonomy_store.read(sessions.sessions_of, cid) == []


async def test_only_moderators_or_admins_schedule_and_values_are_checked(
    taxonomy_store: Store,
) -> None:
    cid = await community(taxonomy_store)
    with pytest.raises(NotPermitted):
        await schedule(taxonomy_store, cid, by="b")
    assert (await schedule(taxonomy_store, cid, by="d", admin=True)).created_by == "d"
    for bad in (
        {"capacity": 0},
        {"capacity": 1001},
        {"starts_at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)},
        {"title": "  "},
    ):
        with pytest.raises(InvalidInput):
            await schedule(taxonomy_store, cid, **bad)
    with pytest.raises(NotFound):
        await schedule(taxonomy_store, cid, topic_skills=["no such skill"])
    with pytest.raises(NotFound):
        await schedule(taxonomy_store, "cop-none")


async def test_members_rsvp_up_to_capacity(taxonomy_store: Store) -> None:
    cid = await community(taxonomy_store)
    session = await schedule(taxonomy_store, cid, capacity=1)
    with pytest.raises(NotPermitted):
        await taxonomy_store.write(sessions.rsvp, session.id, "d", going=True)
    taken = await taxonomy_store.write(sessions.rsvp, session.id, "b", going=True)
    assert taken.going == ("b",)
    assert (await taxonomy_store.write(sessions.rsvp, session.id, "b", going=True)).going == ("b",)
    with pytest.raises(Conflict, match="full"):
        await taxonomy_store.write(sessions.rsvp, session.id, "c", going=True)
    await taxonomy_store.write(sessions.rsvp, session.id, "b", going=False)
    assert (await taxonomy_store.write(sessions.rsvp, session.id, "c", going=True)).going == ("c",)
    with pytest.raises(NotFound):
        await taxonomy_store.write(sessions.rsvp, "ses-none", "c", going=True)


async def test_two_members_racing_for_the_last_seat_one_gets_it(taxonomy_store: Store) -> None:
    cid = await community(taxonomy_store)
    await taxonomy_store.write(
        people.write_people, [Person(id=f"r{i}", name=f"Racer {i}", team_id="t") for i in range(4)]
    )
    for i in range(4):
        await taxonomy_store.write(communities.join_community, cid, f"r{i}")
    for round in range(3):
        session = await schedule(taxonomy_store, cid, capacity=2, title=f"Round {round}")
        await taxonomy_store.write(sessions.rsvp, session.id, "b", going=True)
        results = await asyncio.gather(
            *(
                taxonomy_store.write(sessions.rsvp, session.id, f"r{i}", going=True)
                for i in range(4)
            ),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, sessions.Session)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert (len(won), len(lost)) == (1, 3), results
        found = await taxonomy_store.read(sessions.get_session, session.id)
        assert found is not None and len(found.going) == 2


async def test_attendance_is_recorded_by_moderators_after_the_start(taxonomy_store: Store) -> None:
    cid = await community(taxonomy_store)
    session = await schedule(taxonomy_store, cid)
    with pytest.raises(Conflict, match="not started"):
        await taxonomy_store.write(sessions.record_attendance, session.id, ["b"], by="a")
    after = dt.datetime.now(dt.UTC) + SOON + dt.timedelta(hours=1)
    with pytest.raises(NotPermitted):
        await taxonomy_store.write(sessions.record_attendance, session.id, ["b"], by="b", now=after)
    with pytest.raises(InvalidInput):
        await taxonomy_store.write(sessions.record_attendance, session.id, ["d"], by="a", now=after)
    with pytest.raises(Conflict, match="started"):
        await taxonomy_store.write(sessions.rsvp, session.id, "c", going=True, now=after)
    done = await taxonomy_store.write(
        sessions.record_attendance, session.id, ["b", "c"], by="a", now=after
    )
    assert done.attended == ("b", "c")
    again = await taxonomy_store.write(
        sessions.record_attendance, session.id, ["b"], by="a", now=after
    )
    assert again.attended == ("b", "c")
    assert await last_activity(taxonomy_store, cid) == after


async def test_a_leaver_gives_back_their_seats(taxonomy_store: Store) -> None:
    from graph import offboarding

    cid = await community(taxonomy_store)
    session = await schedule(taxonomy_store, cid, capacity=1)
    assert (await taxonomy_store.write(sessions.rsvp, session.id, "b", going=True)).going == ("b",)
    with pytest.raises(Conflict, match="full"):
        await taxonomy_store.write(sessions.rsvp, session.id, "c", going=True)
    await taxonomy_store.write(offboarding.offboard_person, "b")
    assert (await taxonomy_store.read(sessions.get_session, session.id)).going == ()  # type: ignore[union-attr]
    assert (await taxonomy_store.write(sessions.rsvp, session.id, "c", going=True)).going == ("c",)
