"""The outbox: each write's events land with it, for the right people, in order; none without it."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import communities, mentorships, outbox, people, squads, teams
from graph.errors import Conflict
from graph.model import Person, SquadMember, Team
from graph.outbox import EventKind
from graph.store import Store, Tx

pytestmark = pytest.mark.anyio


async def small(store: Store) -> None:
    await store.write(teams.upsert_teams, [Team("t", "T", "voice", "Manila")])
    await store.write(
        people.write_people,
        [
            Person(
                id=i, name=f"Person {i}", team_id="t", mentoring_capacity=2, open_to_mentoring=True
            )
            for i in "abcd"
        ],
    )


async def inbox(store: Store, person: str) -> list[outbox.Event]:
    return await store.read(outbox.events_for, person)


async def request(store: Store, mentee: str = "a", mentor: str = "b") -> str:
    found = await store.write(
        mentorships.request_mentorship, mentee_id=mentee, mentor_id=mentor, focus_skills=["sql"]
    )
    return found.id


async def test_a_request_tells_the_mentor(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    [event] = await inbox(taxonomy_store, "b")
    assert event.kind is EventKind.REQUEST_RECEIVED and event.recipient == "b"
    assert event.payload == {
        "mentorship_id": id,
        "person_id": "a",
        "person_name": "Person a",
        "focus_skills": ["sql"],
    }
    assert not event.read and event.at is not None
    assert await inbox(taxonomy_store, "a") == []


@pytest.mark.parametrize(
    ("accept", "kind"), [(True, EventKind.REQUEST_ACCEPTED), (False, EventKind.REQUEST_DECLINED)]
)
async def test_an_answer_tells_the_mentee(
    taxonomy_store: Store, accept: bool, kind: EventKind
) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    await taxonomy_store.write(mentorships.respond_to_mentorship, id, accept=accept)
    [event] = await inbox(taxonomy_store, "a")
    assert event.kind is kind
    assert event.payload == {"mentorship_id": id, "person_id": "b", "person_name": "Person b"}
    assert [e.kind for e in await inbox(taxonomy_store, "b")] == [EventKind.REQUEST_RECEIVED]


async def test_ending_tells_the_other_party_with_the_feedback(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    await taxonomy_store.write(mentorships.respond_to_mentorship, id, accept=True)
    await taxonomy_store.write(
        mentorships.end_mentorship, id, by="a", rating=5, comment="Thank you"
    )
    [ended] = [e for e in await inbox(taxonomy_store, "b") if e.kind is EventKind.MENTORSHIP_ENDED]
    assert ended.payload == {
        "mentorship_id": id,
        "person_id": "a",
        "person_name": "Person a",
        "rating": 5,
        "comment": "Thank you",
    }
    assert EventKind.MENTORSHIP_ENDED not in {e.kind for e in await inbox(taxonomy_store, "a")}


async def test_the_expiry_sweep_tells_both(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert await taxonomy_store.write(mentorships.expire_requests, now=later) == 1
    for person, role, other in (("a", "mentee", "b"), ("b", "mentor", "a")):
        [expired] = [
            e for e in await inbox(taxonomy_store, person) if e.kind is EventKind.REQUEST_EXPIRED
        ]
        assert expired.payload == {
            "mentorship_id": id,
            "role": role,
            "person_id": other,
            "person_name": f"Person {other}",
        }
    # a second sweep finds nothing more to record, and says nothing more
    assert await taxonomy_store.write(mentorships.expire_requests, now=later) == 0
    assert len(await inbox(taxonomy_store, "a")) == 1


async def test_a_committed_assignment_tells_each_mentor_and_mentee(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    ids = await taxonomy_store.write(
        mentorships.create_requests, [("a", "b", ["sql"]), ("c", "d", ["empathy"])]
    )
    for person, role, other, id in (
        ("a", "mentee", "b", ids[0]),
        ("b", "mentor", "a", ids[0]),
        ("c", "mentee", "d", ids[1]),
        ("d", "mentor", "c", ids[1]),
    ):
        [event] = await inbox(taxonomy_store, person)
        assert event.kind is EventKind.ASSIGNMENT_COMMITTED
        assert event.payload["mentorship_id"] == id
        assert event.payload["role"] == role and event.payload["person_id"] == other


async def test_being_put_in_a_squad_by_someone_else_is_an_invitation(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    squad = await taxonomy_store.write(
        squads.create_squad, name="Night shift", members=[SquadMember("a"), SquadMember("b")],
        by="a",
    )  # fmt: skip
    assert await inbox(taxonomy_store, "a") == []
    [invited] = await inbox(taxonomy_store, "b")
    assert invited.kind is EventKind.SQUAD_INVITATION
    assert invited.payload == {"squad_id": squad.id, "group_name": "Night shift", "person_id": "a"}
    await taxonomy_store.write(squads.add_squad_member, squad.id, "c", by="a")
    await taxonomy_store.write(squads.add_squad_member, squad.id, "d", by="d")
    assert [e.kind for e in await inbox(taxonomy_store, "c")] == [EventKind.SQUAD_INVITATION]
    assert await inbox(taxonomy_store, "d") == []


async def test_being_made_a_community_member_by_someone_else_is_an_invitation(
    taxonomy_store: Store,
) -> None:
    await small(taxonomy_store)
    community = await taxonomy_store.write(
        communities.create_community, name="SQL club", moderator_ids=["a", "b"], by="a"
    )
    [b] = await inbox(taxonomy_store, "b")
    assert b.kind is EventKind.COMMUNITY_INVITATION
    assert b.payload == {
        "community_id": community.id,
        "group_name": "SQL club",
        "person_id": "a",
        "role": "moderator",
    }
    await taxonomy_store.write(communities.join_community, community.id, "c")  # by oneself
    await taxonomy_store.write(communities.join_community, community.id, "d", by="a")
    await taxonomy_store.write(communities.add_community_moderator, community.id, "c", by="a")
    assert [e.payload["role"] for e in await inbox(taxonomy_store, "c")] == ["moderator"]
    assert [e.payload["role"] for e in await inbox(taxonomy_store, "d")] == ["member"]
    assert await inbox(taxonomy_store, "a") == []


async def test_every_kind_has_a_write_that_emits_it() -> None:
    from pathlib import Path

    folder = Path(__file__).parents[2] / "graph"
    source = "".join(p.read_text() for p in folder.glob("*.py") if p.name != "outbox.py")
    assert [kind.name for kind in EventKind if f"EventKind.{kind.name}" not in source] == []


async def test_a_write_that_fails_after_emitting_leaves_no_event(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    before = await taxonomy_store.read(outbox.latest_sequence)

    async def request_then_fail(tx: Tx) -> None:
        await mentorships.request_mentorship(tx, mentee_id="a", mentor_id="b", focus_skills=["sql"])
        raise RuntimeError("something after the event failed")

    with pytest.raises(RuntimeError):
        await taxonomy_store.write(request_then_fail)
    assert await inbox(taxonomy_store, "b") == []
    assert await taxonomy_store.read(outbox.latest_sequence) == before
    assert await taxonomy_store.read(mentorships.mentorships_of, "a") == []


async def test_a_refused_write_emits_nothing(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    id = await request(taxonomy_store)
    await taxonomy_store.write(mentorships.respond_to_mentorship, id, accept=False)
    with pytest.raises(Conflict):  # answered already
        await taxonomy_store.write(mentorships.respond_to_mentorship, id, accept=True)
    with pytest.raises(Conflict):  # over the pending limit, refused after the checks
        await taxonomy_store.write(
            mentorships.request_mentorship, mentee_id="c", mentor_id="b", focus_skills=["sql"],
            pending_limit=0,
        )  # fmt: skip
    assert [e.kind for e in await inbox(taxonomy_store, "a")] == [EventKind.REQUEST_DECLINED]
    assert [e.kind for e in await inbox(taxonomy_store, "b")] == [EventKind.REQUEST_RECEIVED]


async def test_events_are_numbered_in_commit_order_and_read_after_a_number(
    taxonomy_store: Store,
) -> None:
    await small(taxonomy_store)
    first = await request(taxonomy_store, "a", "b")
    await request(taxonomy_store, "c", "b")
    await taxonomy_store.write(mentorships.respond_to_mentorship, first, accept=True)
    await request(taxonomy_store, "d", "b")
    events = await inbox(taxonomy_store, "b")
    numbers = [e.sequence for e in events]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert [e.payload["person_id"] for e in events] == ["a", "c", "d"]
    assert [e.sequence for e in await taxonomy_store.read(
        outbox.events_for, "b", after=numbers[0])] == numbers[1:]  # fmt: skip
    newest = await taxonomy_store.read(outbox.events_for, "b", first=2, newest_first=True)
    assert [e.sequence for e in newest] == numbers[:0:-1]
    older = await taxonomy_store.read(
        outbox.events_for, "b", after=newest[-1].sequence, newest_first=True
    )
    assert [e.sequence for e in older] == numbers[:1]
    assert await taxonomy_store.read(outbox.latest_sequence) == max(
        numbers[-1], (await inbox(taxonomy_store, "a"))[-1].sequence
    )
    assert await taxonomy_store.read(outbox.latest_sequence_for, "b") == numbers[-1]


async def test_marking_read_is_per_person_and_idempotent(taxonomy_store: Store) -> None:
    await small(taxonomy_store)
    for mentee in "acd":
        await request(taxonomy_store, mentee, "b")
    await request(taxonomy_store, "b", "a")
    b_events = await inbox(taxonomy_store, "b")
    [a_event] = await inbox(taxonomy_store, "a")
    assert await taxonomy_store.read(outbox.unread_count, "b") == 3
    # a cannot mark b's events, by id or by number
    assert await taxonomy_store.write(outbox.mark_read, "a", ids=[b_events[0].id]) == 0
    assert await taxonomy_store.read(outbox.unread_count, "b") == 3
    assert await taxonomy_store.write(outbox.mark_read, "b", ids=[b_events[0].id, a_event.id]) == 1
    assert await taxonomy_store.write(outbox.mark_read, "b", ids=[b_events[0].id]) == 0
    assert await taxonomy_store.read(outbox.unread_count, "b") == 2
    assert await taxonomy_store.read(outbox.unread_count, "a") == 1
    unread = await taxonomy_store.read(outbox.events_for, "b", unread_only=True)
    assert [e.id for e in unread] == [e.id for e in b_events[1:]]
    assert await taxonomy_store.write(outbox.mark_read, "b", up_to=b_events[1].sequence) == 1
    assert await taxonomy_store.write(outbox.mark_read, "b", up_to=b_events[2].sequence) == 1
    assert await taxonomy_store.write(outbox.mark_read, "b", up_to=b_events[2].sequence) == 0
    assert await taxonomy_store.read(outbox.unread_count, "b") == 0
    assert await taxonomy_store.read(outbox.unread_count, "a") == 1
    read_at = {e.id: e.read_at for e in await inbox(taxonomy_store, "b")}
    assert all(read_at.values())
    await taxonomy_store.write(outbox.mark_read, "b", up_to=10**9)
    assert {e.id: e.read_at for e in await inbox(taxonomy_store, "b")} == read_at
