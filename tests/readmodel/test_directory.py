"""Profiles read from the projection equal what the store's own reads return, in the same order."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import communities, mentorships, people, squads
from graph.changes import record_change
from graph.model import MentorshipStatus, SquadMember, SquadRole, SquadStatus
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from tests.graph import readers

pytestmark = pytest.mark.anyio


async def _write_some_of_everything(store: Store, ids: list[str]) -> None:
    a, b, c, d, e = ids[:5]
    await store.query(
        "MATCH (p:Person) WHERE p.id IN [$c, $d] SET p.open_to_mentoring = true, "
        "p.mentoring_capacity = 3",
        c=c,
        d=d,
    )
    asked = await store.write(
        mentorships.request_mentorship, mentee_id=a, mentor_id=c, focus_skills=["sql"],
        message="Could you help me with joins?",
    )  # fmt: skip
    await store.write(mentorships.respond_to_mentorship, asked.id, accept=True)
    await store.write(mentorships.end_mentorship, asked.id, by=a, rating=4, comment="Thanks!")
    declined = await store.write(
        mentorships.request_mentorship, mentee_id=b, mentor_id=c, focus_skills=["empathy"]
    )
    await store.write(mentorships.respond_to_mentorship, declined.id, accept=False)
    await store.write(
        mentorships.request_mentorship, mentee_id=e, mentor_id=d, focus_skills=["sql", "empathy"]
    )
    squad = await store.write(
        squads.create_squad, name="Joins", purpose="Learn SQL joins", focus_skills=["sql"],
        members=[SquadMember(a, SquadRole.LEAD), SquadMember(d), SquadMember(e)],
    )  # fmt: skip
    await store.write(squads.remove_squad_member, squad.id, e)
    await store.write(squads.archive_squad, squad.id)
    community = await store.write(
        communities.create_community, name="Data", description="Numbers people",
        topic_skills=["sql"], moderator_ids=[b],
    )  # fmt: skip
    await store.write(communities.join_community, community.id, a)
    await store.write(communities.add_community_moderator, community.id, c)


async def test_profiles_from_the_projection_equal_the_stores(store: Store) -> None:
    org = generate_organisation(people=120, seed=5)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store)
    await keeper.current()
    ids = [p.id for p in org.people]
    await _write_some_of_everything(store, ids)
    projection = await keeper.current()
    assert keeper.partial_loads == 1

    by_person = await store.read(mentorships.mentorships_of_people, ids)
    assert any(m.feedback and m.feedback.by for found in by_person.values() for m in found)
    assert any(m.status is MentorshipStatus.DECLINED for found in by_person.values() for m in found)
    for pid in ids:
        assert directory.mentorships_of(projection, pid) == by_person[pid], pid
    every = sorted({m.id for found in by_person.values() for m in found})
    assert [directory.mentorship_record(projection, i) for i in every] == await store.read(
        mentorships.get_mentorships, every
    )
    assert directory.mentorship_record(projection, "mnt-none") is None

    squads_of = await store.read(readers.squads_of_people, ids)
    assert {pid: directory.squads_of(projection, pid) for pid in ids} == squads_of
    all_squads = await store.read(readers.list_squads)
    assert [directory.squad_record(projection, q.id) for q in all_squads] == all_squads
    assert directory.list_squads(projection) == all_squads
    for status in SquadStatus:
        assert directory.list_squads(projection, status) == await store.read(
            readers.list_squads, status=status
        )

    communities_of = await store.read(readers.communities_of_people, ids)
    assert {pid: directory.communities_of(projection, pid) for pid in ids} == communities_of
    all_communities = await store.read(readers.list_communities)
    found = [directory.community_record(projection, c.id) for c in all_communities]
    assert found == all_communities
    assert directory.list_communities(projection) == all_communities
    for search in ("DATA", " numbers ", "no such words", ""):
        listed = directory.list_communities(projection, search)
        assert listed == await store.read(readers.list_communities, search=search), search
    assert directory.list_communities(projection, "numbers")[0].name == "Data"
    assert directory.squad_record(projection, "sqd-none") is None
    assert directory.community_record(projection, "cop-none") is None


async def test_a_request_past_its_expiry_reads_as_expired(store: Store) -> None:
    org = generate_organisation(people=30, seed=2)
    await write_organisation(store, org, create=True)
    mentor, mentee = org.people[3].id, org.people[4].id
    await store.query("MATCH (p:Person {id: $id}) SET p.open_to_mentoring = true", id=mentor)
    asked = await store.write(
        mentorships.request_mentorship, mentee_id=mentee, mentor_id=mentor,
        focus_skills=["sql"], ttl=dt.timedelta(hours=1),
    )  # fmt: skip
    projection = await ReadModelKeeper(store).current()
    now = dt.datetime.now(dt.UTC)
    later = now + dt.timedelta(hours=2)
    assert directory.mentorship_record(projection, asked.id, now=now) == asked
    expired = directory.mentorship_record(projection, asked.id, now=later)
    assert expired is not None and expired.status is MentorshipStatus.EXPIRED
    assert [m.status for m in directory.mentorships_of(projection, mentor, now=later)] == [
        MentorshipStatus.EXPIRED
    ]
    stored = await store.query(
        "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship {id: $id})<-[:MENTEE_IN]-(mentee) "
        "RETURN m {.*} AS m, mentor.id AS mentor, mentee.id AS mentee, ['sql'] AS focus",
        id=asked.id,
    )
    assert mentorships.mentorship_from_record(stored[0], now=later) == expired


async def test_the_mentorship_index_follows_changes(store: Store) -> None:
    org = generate_organisation(people=30, seed=2)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store)
    projection = await keeper.current()
    assert directory.mentorship_record(projection, "mnt-new") is None  # builds the index
    mentor, mentee = org.people[5].id, org.people[6].id
    await store.query("MATCH (p:Person {id: $id}) SET p.open_to_mentoring = true", id=mentor)
    asked = await store.write(
        mentorships.request_mentorship, mentee_id=mentee, mentor_id=mentor,
        focus_skills=["sql"], id="mnt-new",
    )  # fmt: skip
    projection = await keeper.current()
    assert keeper.partial_loads == 1
    assert directory.mentorship_record(projection, "mnt-new") == asked


async def test_kept_group_records_follow_changes(store: Store) -> None:
    org = generate_organisation(people=60, seed=2)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store)
    community = org.communities[0]
    outsider = next(p.id for p in org.people if p.id not in community.member_ids)
    before = directory.community_record(await keeper.current(), community.id)
    assert before is not None and outsider not in before.member_ids
    await store.write(communities.join_community, community.id, outsider)
    after = directory.community_record(await keeper.current(), community.id)
    assert after == await store.read(communities.get_community, community.id)
    assert after is not None and outsider in after.member_ids


async def test_facets_follow_profile_changes(store: Store) -> None:
    org = generate_organisation(people=40, seed=4)
    await write_organisation(store, org, create=True)
    keeper = ReadModelKeeper(store)
    before = directory.facets(await keeper.current())
    assert before.sites == tuple(sorted({p.site for p in org.people}))
    assert "graveyard" not in before.shifts and "Klingon" not in before.languages

    someone = org.people[0]
    await store.write(
        people.update_profile, someone.id, {"shift": "graveyard", "languages": ["Klingon"]}
    )
    after = directory.facets(await keeper.current())
    assert "graveyard" in after.shifts and "Klingon" in after.languages
    assert after.sites == before.sites

    # the last person on a site moves away: the site is no longer offered
    site = someone.site
    others = [p.id for p in org.people if p.site == site]
    await store.query("MATCH (p:Person) WHERE p.id IN $ids SET p.site = 'Elsewhere'", ids=others)
    await store.write(record_change, people=others)  # as an HRIS import logs its changes
    moved = directory.facets(await keeper.current())
    assert site in after.sites and site not in moved.sites
