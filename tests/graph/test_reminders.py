"""Reminders before a request expires, and the next pick after it did: exactly once each."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import mentorships, outbox, people
from graph.errors import Conflict
from graph.outbox import EventKind
from graph.store import Store, Tx
from tests.graph.test_outbox import inbox, request, small

pytestmark = pytest.mark.anyio

DAY = dt.timedelta(days=1)


async def kinds(store: Store, person: str, kind: EventKind) -> list[outbox.Event]:
    return [e for e in await inbox(store, person) if e.kind is kind]


def in_six_days() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + 6 * DAY + dt.timedelta(hours=1)


async def test_a_mentor_is_reminded_once_of_a_request_about_to_expire(
    taxonomy_store: Store,
) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)  # expires in 7 days
    later = in_six_days()
    assert await taxonomy_store.write(mentorships.remind_expiring, now=later - DAY) == 0
    assert await taxonomy_store.write(mentorships.remind_expiring, now=later) == 1
    assert await taxonomy_store.write(mentorships.remind_expiring, now=later) == 0
    [event] = await kinds(taxonomy_store, "b", EventKind.REQUEST_EXPIRING_SOON)
    assert event.recipient == "b"
    assert event.payload["mentorship_id"] == id
    assert event.payload["person_id"] == "a" and event.payload["person_name"] == "Person a"
    assert event.payload["focus_skills"] == ["sql"]
    assert event.payload["expires_at"]
    assert await kinds(taxonomy_store, "a", EventKind.REQUEST_EXPIRING_SOON) == []


async def test_a_request_answered_before_the_sweep_gets_no_reminder(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    await taxonomy_store.write(mentorships.respond_to_mentorship, id, accept=False)
    assert await taxonomy_store.write(mentorships.remind_expiring, now=in_six_days()) == 0
    assert await kinds(taxonomy_store, "b", EventKind.REQUEST_EXPIRING_SOON) == []


async def test_a_reminder_rolled_back_leaves_no_event_and_no_mark(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    await request(taxonomy_store)
    later = in_six_days()

    async def remind_then_fail(tx: Tx) -> None:
        await mentorships.remind_expiring(tx, now=later)
        raise RuntimeError("the sweep failed after reminding")

    with pytest.raises(RuntimeError):
        await taxonomy_store.write(remind_then_fail)
    assert await kinds(taxonomy_store, "b", EventKind.REQUEST_EXPIRING_SOON) == []
    assert await taxonomy_store.write(mentorships.remind_expiring, now=later) == 1


async def expire(store: Store, mentee: str = "a", mentor: str = "b") -> str:
    id = await request(store, mentee, mentor)
    later = dt.datetime.now(dt.UTC) + 8 * DAY
    assert await store.write(mentorships.expire_requests, now=later) == 1
    return id


async def test_the_next_pick_is_offered_to_the_mentee_once(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await expire(taxonomy_store)
    since = dt.datetime.now(dt.UTC) - DAY
    [lapsed] = await taxonomy_store.read(mentorships.awaiting_next_pick, since=since)
    assert (lapsed.id, lapsed.mentee_id, lapsed.mentor_id) == (id, "a", "b")
    settled = await taxonomy_store.write(
        mentorships.settle_next_pick, id, mentor_id="c", focus_skills=["sql"]
    )
    assert settled == mentorships.NextPick(id, "c", None)
    again = await taxonomy_store.write(
        mentorships.settle_next_pick, id, mentor_id="d", focus_skills=["sql"]
    )
    assert again is None
    assert await taxonomy_store.read(mentorships.awaiting_next_pick, since=since) == []
    [offer] = await kinds(taxonomy_store, "a", EventKind.NEXT_PICK_OFFERED)
    assert offer.payload == {
        "mentorship_id": id,
        "expired_mentorship_id": id,
        "person_id": "c",
        "person_name": "Person c",
        "focus_skills": ["sql"],
        "lapsed_mentor_id": "b",
        "lapsed_mentor_name": "Person b",
        "auto_requested": False,
    }
    assert await kinds(taxonomy_store, "c", EventKind.REQUEST_RECEIVED) == []


async def test_a_mentee_who_opted_in_gets_the_next_pick_requested(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    await taxonomy_store.write(people.update_profile, "a", {"auto_request_next_pick": True})
    id = await expire(taxonomy_store)
    settled = await taxonomy_store.write(
        mentorships.settle_next_pick, id, mentor_id="c", focus_skills=["sql"]
    )
    assert settled is not None and settled.requested_id is not None
    new = await taxonomy_store.read(mentorships.get_mentorship, settled.requested_id)
    assert new is not None and (new.mentee_id, new.mentor_id) == ("a", "c")
    [received] = await kinds(taxonomy_store, "c", EventKind.REQUEST_RECEIVED)
    assert received.payload["mentorship_id"] == settled.requested_id
    [offer] = await kinds(taxonomy_store, "a", EventKind.NEXT_PICK_OFFERED)
    assert offer.payload["auto_requested"] is True
    assert offer.payload["mentorship_id"] == settled.requested_id


async def test_an_auto_request_refused_rolls_back_whole(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    await taxonomy_store.write(people.update_profile, "a", {"auto_request_next_pick": True})
    id = await expire(taxonomy_store)
    await taxonomy_store.write(people.update_profile, "c", {"open_to_mentoring": False})
    with pytest.raises(Conflict):
        await taxonomy_store.write(
            mentorships.settle_next_pick, id, mentor_id="c", focus_skills=["sql"]
        )
    assert await kinds(taxonomy_store, "a", EventKind.NEXT_PICK_OFFERED) == []
    since = dt.datetime.now(dt.UTC) - DAY
    pending = await taxonomy_store.read(mentorships.awaiting_next_pick, since=since)
    assert [x.id for x in pending] == [id]
