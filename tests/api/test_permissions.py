"""The role × operation table of api/permissions.py, exercised through HTTP.

Every refused case must answer FORBIDDEN and leave the graph exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.auth import Role
from graph import communities, mentorships, squads
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MENTOR, MODERATOR, PEER, Api
from tests.conftest import graph_snapshot

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    allowed: tuple[tuple[str, Role], ...]
    refused: tuple[tuple[str, Role], ...]


CASES = [
    Case("read someone's learning goals", '{ person(id: "ben") { learningGoals { priority } } }',
         allowed=(PEER, MODERATOR, HR, ADMIN), refused=(AGENT,)),
    Case("read someone's mentorships", '{ mentorships(personId: "mia") { id } }',
         allowed=(MENTOR, HR, ADMIN), refused=(AGENT, MODERATOR)),
    Case("read a mentorship of others", '{ mentorship(id: "$REQUEST") { id } }',
         allowed=(AGENT, MENTOR, HR, ADMIN), refused=(PEER, MODERATOR)),
    Case("edit someone else's skills", 'mutation { setSkill(skill: "sql", level: 1, personId: "ben") { id } }',
         allowed=(PEER, ADMIN), refused=(AGENT, MODERATOR, HR)),
    Case("edit someone else's profile", 'mutation { updateProfile(input: {shift: "x"}, personId: "ben") { id } }',
         allowed=(PEER, ADMIN), refused=(AGENT, MODERATOR, HR)),
    Case("answer a request", 'mutation { respondToMentorship(id: "$REQUEST", accept: false) { id } }',
         allowed=(MENTOR, ADMIN), refused=(AGENT, PEER, MODERATOR, HR)),
    Case("end a mentorship", 'mutation { endMentorship(id: "$ACTIVE", feedback: {rating: 4}) { id } }',
         allowed=(PEER, ADMIN), refused=(AGENT, MODERATOR, HR)),
    Case("create a squad",
         'mutation { createSquad(input: {name: "Q", members: [{personId: "ana"}, {personId: "ben"}]}) { id } }',
         allowed=(MODERATOR, ADMIN), refused=(AGENT, HR)),
    Case("archive a squad", 'mutation { archiveSquad(squadId: "$SQUAD") { id } }',
         allowed=(MODERATOR, ADMIN), refused=(AGENT, HR)),
    Case("add a squad member", 'mutation { addSquadMember(squadId: "$SQUAD", personId: "mia") { id } }',
         allowed=(MODERATOR, ADMIN), refused=(AGENT, HR)),
    Case("create a community", 'mutation { createCommunity(input: {name: "C"}) { id } }',
         allowed=(MODERATOR, ADMIN), refused=(AGENT, HR)),
    Case("add a community moderator",
         'mutation { addCommunityModerator(communityId: "$COMMUNITY", personId: "ana") { id } }',
         allowed=(MODERATOR, ADMIN), refused=(AGENT, HR)),
    Case("join a community for someone else",
         'mutation { joinCommunity(communityId: "$COMMUNITY", personId: "mia") { id } }',
         allowed=(MENTOR, ADMIN), refused=(AGENT, MODERATOR, HR)),
    Case("join a community yourself", 'mutation { joinCommunity(communityId: "$COMMUNITY") { id } }',
         allowed=(AGENT, MODERATOR, HR, ADMIN), refused=()),
]  # fmt: skip

TABLE = [
    pytest.param(case, who, ok, id=f"{case.name} as {who[1].value} {who[0]}")
    for case in CASES
    for ok, group in ((True, case.allowed), (False, case.refused))
    for who in group
]


@pytest.mark.parametrize(("case", "who", "ok"), TABLE)
async def test_role_table(
    org: Store, api: Api, case: Case, who: tuple[str, Role], ok: bool
) -> None:
    request = await org.write(
        mentorships.request_mentorship, mentee_id="ana", mentor_id="mia", focus_skills=["sql"]
    )
    active = await org.write(
        mentorships.request_mentorship, mentee_id="ben", mentor_id="omar", focus_skills=["sql"]
    )
    await org.write(mentorships.respond_to_mentorship, active.id, accept=True)
    squad = await org.write(
        squads.create_squad, name="S", members=[SquadMember("ana"), SquadMember("ben")]
    )
    community = await org.write(communities.create_community, name="C", moderator_ids=["omar"])
    query = (
        case.query.replace("$REQUEST", request.id)
        .replace("$ACTIVE", active.id)
        .replace("$SQUAD", squad.id)
        .replace("$COMMUNITY", community.id)
    )
    before = await graph_snapshot(org)
    body = api(query, as_=who)
    if ok:
        assert "errors" not in body, body
    else:
        error = body["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN", body
        assert who[1].value in error["message"]
        assert await graph_snapshot(org) == before
