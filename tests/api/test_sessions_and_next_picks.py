"""Sessions, reminders, next picks and the response rate through the API and its sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from api.requests_sweep import sweep_requests
from graph import communities, mentorships, outbox, people
from graph.outbox import EventKind
from graph.store import Store
from matching.health.groups import group_health
from readmodel.keeper import ReadModelKeeper
from tests.api.conftest import ADMIN, AGENT, HR, MENTOR, MODERATOR, PEER, Api, app_settings

pytestmark = pytest.mark.anyio

DAY = dt.timedelta(days=1)

SCHEDULE = """mutation($c: ID!, $at: DateTime!, $cap: Int!, $skills: [String!]) {
  scheduleSession(communityId: $c, title: "Calm calls", startsAt: $at, capacity: $cap,
                  topicSkills: $skills) {
    id title capacity going seatsLeft topicSkills { key } } }"""
RSVP = "mutation($s: ID!) { rsvpSession(sessionId: $s) { going seatsLeft youAreGoing } }"


def soon() -> str:
    return (dt.datetime.now(dt.UTC) + 2 * DAY).isoformat()


async def club(org: Store) -> str:
    """Tess moderates; Ana and Ben are members; Mia is not."""
    found = await org.write(communities.create_community, name="Calm", moderator_ids=["tess"])
    for member in ("ana", "ben"):
        await org.write(communities.join_community, found.id, member)
    return found.id


def code(error: dict[str, object]) -> object:
    return error["extensions"]["code"]  # type: ignore[index]


async def test_sessions_through_the_api(org: Store, api: Api) -> None:
    cid = await club(org)
    args = {"c": cid, "at": soon(), "cap": 1, "skills": ["de-escalation"]}
    made = api.ok(SCHEDULE, args, as_=MODERATOR)["scheduleSession"]
    assert made["going"] == 0 and made["seatsLeft"] == 1
    assert [s["key"] for s in made["topicSkills"]] == ["de escalation"]
    [told] = [e for e in await org.read(outbox.events_for, "ana")
              if e.kind is EventKind.COMMUNITY_SESSION_SCHEDULED]  # fmt: skip
    assert told.payload["session_id"] == made["id"]
    notes = api.ok("{ notifications { edges { node { kind sessionId communityId summary } } } }",
                   as_=AGENT)["notifications"]["edges"]  # fmt: skip
    assert {"kind": "COMMUNITY_SESSION_SCHEDULED", "sessionId": made["id"], "communityId": cid,
            "summary": "A session was scheduled in Calm: Calm calls."} in [n["node"] for n in notes]  # fmt: skip
    # refusals, each with its code
    assert code(api.error(SCHEDULE, args, as_=AGENT)) == "FORBIDDEN"  # a member, not moderator
    assert code(api.error(SCHEDULE, {**args, "cap": 0}, as_=MODERATOR)) == "BAD_USER_INPUT"
    past = {**args, "at": (dt.datetime.now(dt.UTC) - DAY).isoformat()}
    assert code(api.error(SCHEDULE, past, as_=MODERATOR)) == "BAD_USER_INPUT"
    typo = api.error(SCHEDULE, {**args, "skills": ["empaty"]}, as_=MODERATOR)
    assert code(typo) == "BAD_USER_INPUT" and "Did you mean" in str(typo["message"])
    assert code(api.error(SCHEDULE, {**args, "c": "cop-none"}, as_=ADMIN)) == "NOT_FOUND"
    assert api.ok(SCHEDULE, args, as_=ADMIN)["scheduleSession"]["capacity"] == 1
    # RSVPs: members only, up to capacity
    taken = api.ok(RSVP, {"s": made["id"]}, as_=AGENT)["rsvpSession"]
    assert taken == {"going": 1, "seatsLeft": 0, "youAreGoing": True}
    assert code(api.error(RSVP, {"s": made["id"]}, as_=PEER)) == "CONFLICT"
    assert code(api.error(RSVP, {"s": made["id"]}, as_=MENTOR)) == "FORBIDDEN"
    assert code(api.error(RSVP, {"s": "ses-none"}, as_=PEER)) == "NOT_FOUND"
    # attendance: moderators, after the start
    attend = (
        'mutation($s: ID!) { recordAttendance(sessionId: $s, personIds: ["ana"]) { attended } }'
    )
    assert code(api.error(attend, {"s": made["id"]}, as_=AGENT)) == "FORBIDDEN"
    assert code(api.error(attend, {"s": made["id"]}, as_=MODERATOR)) == "CONFLICT"
    await org.query("MATCH (s:Session {id: $id}) SET s.starts_at = $at", id=made["id"],
                    at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))  # fmt: skip
    assert api.ok(attend, {"s": made["id"]}, as_=MODERATOR)["recordAttendance"]["attended"] == 1
    listed = api.ok("query($c: ID!) { community(id: $c) { sessions { id going attended } } }",
                    {"c": cid}, as_=PEER)["community"]["sessions"]  # fmt: skip
    assert {"id": made["id"], "going": 1, "attended": 1} in listed


async def test_a_community_quiet_since_its_last_session_is_flagged_until_a_new_one(
    org: Store,
) -> None:
    cid = await club(org)
    long_ago = dt.datetime.now(dt.UTC) - 200 * DAY
    await org.write(communities.join_community, cid, "mia")  # four members: not too small
    from graph import sessions

    await org.write(sessions.schedule_session, cid, title="Old", starts_at=long_ago + DAY,
                    capacity=5, by="tess", now=long_ago)  # fmt: skip
    keeper = ReadModelKeeper(org)
    assert cid in group_health(await keeper.current(fresh=True)).communities.inactive
    await org.write(sessions.schedule_session, cid, title="New", starts_at=dt.datetime.now(dt.UTC)
                    + DAY, capacity=5, by="tess")  # fmt: skip
    assert cid not in group_health(await keeper.current(fresh=True)).communities.inactive


async def test_the_sweep_reminds_expires_and_offers_the_next_pick(org: Store) -> None:
    mine = await org.write(mentorships.request_mentorship, mentee_id="ana", mentor_id="mia",
                           focus_skills=["de escalation"])  # fmt: skip
    keeper, settings = ReadModelKeeper(org), app_settings()
    in_6_days = dt.datetime.now(dt.UTC) + 6 * DAY + dt.timedelta(hours=1)
    for _ in range(2):
        await sweep_requests(org, keeper, None, settings, now=in_6_days)
    reminders = [e for e in await org.read(outbox.events_for, "mia")
                 if e.kind is EventKind.REQUEST_EXPIRING_SOON]  # fmt: skip
    assert [e.payload["mentorship_id"] for e in reminders] == [mine.id]
    later = dt.datetime.now(dt.UTC) + 8 * DAY
    for _ in range(2):
        await sweep_requests(org, keeper, None, settings, now=later)
    offers = [e for e in await org.read(outbox.events_for, "ana")
              if e.kind is EventKind.NEXT_PICK_OFFERED]  # fmt: skip
    assert len(offers) == 1
    offer = offers[0].payload
    assert offer["person_id"] not in ("mia", "ana") and offer["lapsed_mentor_id"] == "mia"
    assert offer["expired_mentorship_id"] == mine.id and offer["auto_requested"] is False
    assert offer["focus_skills"]
    assert not [e for e in await org.read(outbox.events_for, offer["person_id"])
                if e.kind is EventKind.REQUEST_RECEIVED]  # fmt: skip


async def test_an_opted_in_mentee_gets_the_next_pick_requested(org: Store, api: Api) -> None:
    set_pref = (
        "mutation { updateProfile(input: {autoRequestNextPick: true}) { autoRequestNextPick } }"
    )
    assert api.ok(set_pref, as_=AGENT)["updateProfile"]["autoRequestNextPick"] is True
    await org.write(mentorships.request_mentorship, mentee_id="ana", mentor_id="mia",
                    focus_skills=["de escalation"])  # fmt: skip
    later = dt.datetime.now(dt.UTC) + 8 * DAY
    await sweep_requests(org, ReadModelKeeper(org), None, app_settings(), now=later)
    [offer] = [e for e in await org.read(outbox.events_for, "ana")
               if e.kind is EventKind.NEXT_PICK_OFFERED]  # fmt: skip
    assert offer.payload["auto_requested"] is True
    picked = str(offer.payload["person_id"])
    assert picked != "mia"
    [received] = [e for e in await org.read(outbox.events_for, picked)
                  if e.kind is EventKind.REQUEST_RECEIVED]  # fmt: skip
    assert received.payload["person_id"] == "ana"
    assert received.payload["mentorship_id"] == offer.payload["mentorship_id"]


RATE = "{ %s { responseRate { answered expired rate medianResponseHours } } }"


async def test_a_mentor_sees_their_own_response_rate_and_only_hr_sees_others(
    org: Store, api: Api
) -> None:
    first = await org.write(mentorships.request_mentorship, mentee_id="ana", mentor_id="mia",
                            focus_skills=["empathy"])  # fmt: skip
    await org.write(mentorships.respond_to_mentorship, first.id, accept=False)
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.requests_expired = 1")
    await org.write(people.update_profile, "mia", {"title": "Senior agent"})  # record a change
    rate = api.ok(RATE % "me", as_=MENTOR)["me"]["responseRate"]
    assert rate["answered"] == 1 and rate["expired"] == 1 and rate["rate"] == 0.5
    assert rate["medianResponseHours"] is not None and rate["medianResponseHours"] < 1
    others = RATE % 'person(id: "mia")'
    assert api.ok(others, as_=AGENT)["person"]["responseRate"] is None
    assert api.ok(others, as_=HR)["person"]["responseRate"]["answered"] == 1


async def test_sessions_attended_are_in_the_impact_report_by_scope(org: Store, api: Api) -> None:
    cid = await club(org)
    query = """query($scope: HealthScopeInput) { impactReport(scope: $scope) {
      sessions { attended attendees sessions } } }"""
    empty = api.ok(query, as_=HR)["impactReport"]["sessions"]
    assert empty == {"attended": 0, "attendees": 0, "sessions": 0}
    made = [
        api.ok(SCHEDULE, {"c": cid, "at": soon(), "cap": 5, "skills": None}, as_=MODERATOR)[
            "scheduleSession"
        ]["id"]
        for _ in range(2)
    ]
    await org.query(
        "MATCH (s:Session) WHERE s.id IN $ids SET s.starts_at = $at",
        ids=made,
        at=dt.datetime.now(dt.UTC) - DAY,
    )
    attend = """mutation($s: ID!, $who: [ID!]!) {
      recordAttendance(sessionId: $s, personIds: $who) { attended } }"""
    api.ok(attend, {"s": made[0], "who": ["ana", "ben"]}, as_=MODERATOR)
    api.ok(attend, {"s": made[1], "who": ["ana"]}, as_=MODERATOR)
    found = api.ok(query, as_=HR)["impactReport"]["sessions"]
    assert found == {"attended": 3, "attendees": 2, "sessions": 2}
    site = (await org.query("MATCH (p:Person {id: 'ben'}) RETURN p.site AS site"))[0]["site"]
    ana_site = (await org.query("MATCH (p:Person {id: 'ana'}) RETURN p.site AS s"))[0]["s"]
    scoped = api.ok(query, {"scope": {"site": site}}, as_=HR)["impactReport"]["sessions"]
    expected = {"attended": 3, "attendees": 2, "sessions": 2}
    if ana_site != site:
        expected = {"attended": 1, "attendees": 1, "sessions": 1}
    assert scoped == expected
