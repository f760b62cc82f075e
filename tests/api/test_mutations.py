"""Every write's happy path through HTTP, checked against what the store then holds."""

from __future__ import annotations

import pytest

from graph import communities, mentorships, people, squads
from graph.model import MentorshipStatus, SquadStatus
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, MENTOR, MODERATOR, PEER, Api

pytestmark = pytest.mark.anyio


async def test_profile_and_availability(org: Store, api: Api) -> None:
    data = api.ok(
        """mutation { updateProfile(input: {shift: "day", mentoringCapacity: 2, openToMentoring: true,
             languages: ["English", "Spanish"], timezone: "America/Bogota"}) {
             shift mentoringCapacity openToMentoring languages timezone } }""",
        as_=AGENT,
    )
    assert data["updateProfile"] == {
        "shift": "day",
        "mentoringCapacity": 2,
        "openToMentoring": True,
        "languages": ["English", "Spanish"],
        "timezone": "America/Bogota",
    }
    stored = await org.read(people.get_person, "ana")
    assert stored is not None and stored.shift == "day" and stored.mentoring_capacity == 2


async def test_skills_and_goals(org: Store, api: Api) -> None:
    api.ok('mutation { setSkill(skill: "SFDC", level: 3) { id } }', as_=AGENT)
    api.ok('mutation { removeSkill(skill: "zendesk") { id } }', as_=AGENT)
    api.ok('mutation { addLearningGoal(skill: "Power BI", priority: HIGH) { id } }', as_=AGENT)
    data = api.ok(
        'mutation { removeLearningGoal(skill: "sql") { '
        "skills { level skill { key } } learningGoals { skill { key } } } }",
        as_=AGENT,
    )
    me = data["removeLearningGoal"]
    assert {(s["skill"]["key"], s["level"]) for s in me["skills"]} == {
        ("salesforce service cloud", 3),
        ("english", 5),
    }
    # both HIGH now, so by name
    assert [g["skill"]["key"] for g in me["learningGoals"]] == ["de escalation", "power bi"]


async def test_mentorship_lifecycle(org: Store, api: Api) -> None:
    requested = api.ok(
        """mutation { requestMentorship(mentorId: "mia", focusSkills: ["De-escalation"],
             message: "Help with angry callers?") { id status expiresAt mentor { id } } }""",
        as_=AGENT,
    )["requestMentorship"]
    assert requested["status"] == "REQUESTED" and requested["expiresAt"]
    mid = requested["id"]
    accepted = api.ok(
        f'mutation {{ respondToMentorship(id: "{mid}", accept: true) {{ status respondedAt }} }}',
        as_=MENTOR,
    )
    assert accepted["respondToMentorship"]["status"] == "ACTIVE"
    assert api.ok("{ me { mentors { id } } }", as_=AGENT)["me"]["mentors"] == [{"id": "mia"}]
    assert api.ok("{ me { mentees { id } activeMenteeCount } }", as_=MENTOR)["me"] == {
        "mentees": [{"id": "ana"}],
        "activeMenteeCount": 1,
    }
    ended = api.ok(
        f'mutation {{ endMentorship(id: "{mid}", feedback: {{rating: 5, comment: "Thanks!"}}) '
        "{ status feedback { rating comment by } } }",
        as_=AGENT,
    )["endMentorship"]
    assert ended == {
        "status": "ENDED",
        "feedback": {"rating": 5, "comment": "Thanks!", "by": "ana"},
    }
    stored = await org.read(mentorships.get_mentorship, mid)
    assert stored is not None and stored.status is MentorshipStatus.ENDED


async def test_decline(org: Store, api: Api) -> None:
    mid = api.ok(
        'mutation { requestMentorship(mentorId: "mia", focusSkills: ["empathy"]) { id } }',
        as_=AGENT,
    )["requestMentorship"]["id"]
    data = api.ok(
        f'mutation {{ respondToMentorship(id: "{mid}", accept: false) {{ status }} }}', as_=MENTOR
    )
    assert data["respondToMentorship"]["status"] == "DECLINED"
    assert await org.read(mentorships.responsiveness, "mia") == (1, 0)


async def test_squad_management(org: Store, api: Api) -> None:
    created = api.ok(
        """mutation { createSquad(input: {name: "De-escalation crew", purpose: "Calmer calls",
             focusSkills: ["de-escalation", "Empathy"],
             members: [{personId: "mia", role: EXPERT}, {personId: "ana", role: LEARNER}]}) {
             id status members { role person { id } } focusSkills { key } } }""",
        as_=MODERATOR,
    )["createSquad"]
    assert created["members"] == [
        {"role": "LEARNER", "person": {"id": "ana"}},
        {"role": "EXPERT", "person": {"id": "mia"}},
    ]
    sid = created["id"]
    api.ok(
        f'mutation {{ addSquadMember(squadId: "{sid}", personId: "ben") {{ id }} }}', as_=MODERATOR
    )
    api.ok(
        f'mutation {{ removeSquadMember(squadId: "{sid}", personId: "ana") {{ id }} }}',
        as_=MODERATOR,
    )
    archived = api.ok(f'mutation {{ archiveSquad(squadId: "{sid}") {{ status }} }}', as_=MODERATOR)
    assert archived["archiveSquad"]["status"] == "ARCHIVED"
    stored = await org.read(squads.get_squad, sid)
    assert stored is not None and stored.status is SquadStatus.ARCHIVED
    assert sorted(m.person_id for m in stored.members) == ["ben", "mia"]


async def test_community_management(org: Store, api: Api) -> None:
    cid = api.ok(
        'mutation { createCommunity(input: {name: "AI at the desk", topicSkills: ["agent assist tools"]}) { id } }',
        as_=MODERATOR,
    )["createCommunity"]["id"]
    api.ok(f'mutation {{ joinCommunity(communityId: "{cid}") {{ id }} }}', as_=AGENT)
    api.ok(f'mutation {{ joinCommunity(communityId: "{cid}") {{ id }} }}', as_=PEER)
    api.ok(f'mutation {{ leaveCommunity(communityId: "{cid}") {{ id }} }}', as_=PEER)
    data = api.ok(
        f'mutation {{ addCommunityModerator(communityId: "{cid}", personId: "ana") '
        "{ memberCount moderators { id } members { id } } }",
        as_=MODERATOR,
    )["addCommunityModerator"]
    assert data == {
        "memberCount": 2,
        "moderators": [{"id": "ana"}, {"id": "tess"}],
        "members": [{"id": "ana"}, {"id": "tess"}],
    }
    stored = await org.read(communities.get_community, cid)
    assert stored is not None and stored.member_ids == ("ana", "tess")


async def test_admin_edits_someone_else(org: Store, api: Api) -> None:
    api.ok('mutation { setSkill(skill: "sql", level: 2, personId: "ben") { id } }', as_=ADMIN)
    stored = await org.read(people.get_person, "ben")
    assert stored is not None and {(s.skill, s.level) for s in stored.skills} == {("sql", 2)}
