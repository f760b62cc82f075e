"""Every model element written to the real store comes back as it went in."""

from __future__ import annotations

import pytest

from graph import communities, mentorships, people, skills, squads, teams
from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import (
    JobRole,
    LearningGoal,
    MentorshipStatus,
    Person,
    SkillLevel,
    SquadMember,
    SquadRole,
    SquadStatus,
    Team,
)
from graph.store import Store

pytestmark = pytest.mark.anyio

VOICE = Team(id="voice-manila-1", name="Voice Manila 1", function="voice", site="Manila")
CHAT = Team(id="chat-cebu-1", name="Chat Cebu 1", function="chat", site="Cebu")


def person(id: str, **overrides: object) -> Person:
    values: dict[str, object] = {
        "id": id,
        "name": f"Person {id}",
        "title": "Customer Service Agent",
        "role": JobRole.AGENT,
        "team_id": VOICE.id,
        "function": "voice",
        "site": "Manila",
        "shift": "night",
        "timezone": "Asia/Manila",
        "languages": ("English", "Tagalog"),
        "tenure_months": 14,
        "mentoring_capacity": 2,
        "open_to_mentoring": True,
        "open_to_being_mentored": True,
    }
    values.update(overrides)
    return Person(**values)  # type: ignore[arg-type]


async def add_people(store: Store, *people_: Person) -> None:
    await store.write(teams.upsert_teams, [VOICE, CHAT])
    await store.write(people.write_people, list(people_))


async def test_team_round_trip(store: Store) -> None:
    await store.write(teams.upsert_teams, [VOICE, CHAT])
    assert await store.read(teams.list_teams) == [CHAT, VOICE]


async def test_skill_lookup_is_case_and_alias_insensitive(taxonomy_store: Store) -> None:
    catalog = await taxonomy_store.read(skills.load_catalog)
    by_alias = catalog.resolve("sfdc")
    by_name = catalog.resolve("SALESFORCE service CLOUD")
    assert by_alias is not None and by_alias == by_name
    assert by_alias.category == "tools"
    assert catalog.resolve("basket weaving") is None


async def test_skill_search_matches_aliases_and_filters_by_category(taxonomy_store: Store) -> None:
    found = await taxonomy_store.read(skills.list_skills, search="aht")
    assert [s.name for s in found] == ["Average handle time analysis"]
    compliance = await taxonomy_store.read(skills.list_skills, category="compliance")
    assert compliance and all(s.category == "compliance" for s in compliance)


async def test_related_skills_are_linked_both_ways(taxonomy_store: Store) -> None:
    related = await taxonomy_store.read(skills.related_skills, "de escalation")
    assert "empathy" in related
    assert "de escalation" in await taxonomy_store.read(skills.related_skills, "empathy")


async def test_person_round_trip_with_team_manager_skills_and_goals(taxonomy_store: Store) -> None:
    lead = person("lead-1", role=JobRole.TEAM_LEAD, mentoring_capacity=3)
    agent = person(
        "agent-1",
        manager_id="lead-1",
        team_id=CHAT.id,
        skills=(SkillLevel("zendesk", 4), SkillLevel("empathy", 3)),
        goals=(LearningGoal("sql", 1), LearningGoal("power bi", 2)),
    )
    await add_people(taxonomy_store, lead, agent)
    assert await taxonomy_store.read(people.get_person, "agent-1") == agent
    assert await taxonomy_store.read(people.get_person, "lead-1") == lead
    assert await taxonomy_store.read(people.get_person, "nobody") is None


async def test_rewriting_people_is_idempotent_and_follows_changes(taxonomy_store: Store) -> None:
    agent = person("a1", skills=(SkillLevel("zendesk", 2),), manager_id=None)
    await add_people(taxonomy_store, person("m1"), person("m2"), agent)
    moved = person("a1", team_id=CHAT.id, manager_id="m2", skills=(SkillLevel("zendesk", 3),))
    await taxonomy_store.write(people.write_people, [moved])
    await taxonomy_store.write(people.write_people, [moved])
    assert await taxonomy_store.read(people.get_person, "a1") == moved
    counts = await taxonomy_store.query(
        "MATCH (p:Person {id: 'a1'}) OPTIONAL MATCH (p)-[r]->() RETURN type(r) AS type, count(r) AS n"
    )
    # the history has the first level and the change; writing the same level again adds none
    assert {r["type"]: r["n"] for r in counts} == {
        "MEMBER_OF": 1, "REPORTS_TO": 1, "HAS_SKILL": 1, "LEVEL_CHANGE": 2,
    }  # fmt: skip


async def test_skill_and_goal_edits(taxonomy_store: Store) -> None:
    await add_people(taxonomy_store, person("a1"))
    await taxonomy_store.write(people.set_skill, "a1", "sql", 2)
    await taxonomy_store.write(people.set_skill, "a1", "sql", 3)
    await taxonomy_store.write(people.add_learning_goal, "a1", "tableau", 1)
    found = await taxonomy_store.read(people.get_person, "a1")
    assert found is not None
    assert found.skills == (SkillLevel("sql", 3),)
    assert found.goals == (LearningGoal("tableau", 1),)
    assert await taxonomy_store.write(people.remove_skill, "a1", "sql") is True
    assert await taxonomy_store.write(people.remove_learning_goal, "a1", "tableau") is True
    assert await taxonomy_store.write(people.remove_skill, "a1", "sql") is False
    with pytest.raises(InvalidInput, match="from 1 to 5"):
        await taxonomy_store.write(people.set_skill, "a1", "sql", 7)
    with pytest.raises(NotFound):
        await taxonomy_store.write(people.set_skill, "ghost", "sql", 3)


async def test_mentorship_lifecycle_round_trip(taxonomy_store: Store) -> None:
    await add_people(taxonomy_store, person("mentor", mentoring_capacity=1), person("mentee"))
    requested = await taxonomy_store.write(
        mentorships.request_mentorship,
        mentee_id="mentee",
        mentor_id="mentor",
        focus_skills=["de escalation", "empathy"],
        message="Could you help me with angry callers?",
    )
    assert requested.status is MentorshipStatus.REQUESTED
    assert requested.focus_skills == ("de escalation", "empathy")
    assert requested.requested_at is not None and requested.requested_at.tzinfo is not None
    active = await taxonomy_store.write(
        mentorships.respond_to_mentorship, requested.id, accept=True
    )
    assert active.status is MentorshipStatus.ACTIVE and active.responded_at is not None
    ended = await taxonomy_store.write(
        mentorships.end_mentorship, active.id, by="mentee", rating=5, comment="Great help"
    )
    assert ended.status is MentorshipStatus.ENDED
    assert ended.feedback is not None and (ended.feedback.rating, ended.feedback.by) == (
        5,
        "mentee",
    )
    assert await taxonomy_store.read(mentorships.get_mentorship, requested.id) == ended
    assert await taxonomy_store.read(mentorships.mentorships_of, "mentee") == [ended]


async def test_mentorship_rules(taxonomy_store: Store) -> None:
    await add_people(
        taxonomy_store, person("mentor", mentoring_capacity=1), person("m1"), person("m2")
    )
    with pytest.raises(InvalidInput, match="own mentor"):
        await taxonomy_store.write(
            mentorships.request_mentorship, mentee_id="m1", mentor_id="m1", focus_skills=["sql"]
        )
    first = await taxonomy_store.write(
        mentorships.request_mentorship, mentee_id="m1", mentor_id="mentor", focus_skills=["sql"]
    )
    with pytest.raises(Conflict, match="already a requested"):
        await taxonomy_store.write(
            mentorships.request_mentorship, mentee_id="m1", mentor_id="mentor", focus_skills=["sql"]
        )
    second = await taxonomy_store.write(
        mentorships.request_mentorship, mentee_id="m2", mentor_id="mentor", focus_skills=["sql"]
    )
    await taxonomy_store.write(mentorships.respond_to_mentorship, first.id, accept=True)
    with pytest.raises(Conflict, match="capacity"):
        await taxonomy_store.write(mentorships.respond_to_mentorship, second.id, accept=True)
    declined = await taxonomy_store.write(
        mentorships.respond_to_mentorship, second.id, accept=False
    )
    assert declined.status is MentorshipStatus.DECLINED
    with pytest.raises(NotFound):
        await taxonomy_store.write(
            mentorships.request_mentorship, mentee_id="m2", mentor_id="ghost", focus_skills=["sql"]
        )


async def test_squad_round_trip_and_rules(taxonomy_store: Store) -> None:
    await add_people(taxonomy_store, person("a"), person("b"), person("c"))
    squad = await taxonomy_store.write(
        squads.create_squad,
        name="Chat quality crew",
        purpose="Lift CSAT on chat",
        focus_skills=["csat analysis", "written communication"],
        members=[SquadMember("a", SquadRole.LEAD), SquadMember("b", SquadRole.LEARNER)],
    )
    assert squad.members == (SquadMember("a", SquadRole.LEAD), SquadMember("b", SquadRole.LEARNER))
    assert squad.focus_skills == ("csat analysis", "written communication")
    assert await taxonomy_store.read(squads.get_squad, squad.id) == squad
    grown = await taxonomy_store.write(squads.add_squad_member, squad.id, "c")
    assert [m.person_id for m in grown.members] == ["a", "b", "c"]
    shrunk = await taxonomy_store.write(squads.remove_squad_member, squad.id, "c")
    assert [m.person_id for m in shrunk.members] == ["a", "b"]
    archived = await taxonomy_store.write(squads.archive_squad, squad.id)
    assert archived.status is SquadStatus.ARCHIVED
    with pytest.raises(Conflict, match="archived"):
        await taxonomy_store.write(squads.add_squad_member, squad.id, "c")
    with pytest.raises(InvalidInput, match="2 to 12"):
        await taxonomy_store.write(squads.create_squad, name="Solo", members=[SquadMember("a")])


async def test_community_round_trip_and_rules(taxonomy_store: Store) -> None:
    await add_people(taxonomy_store, person("mod"), person("x"), person("y"))
    community = await taxonomy_store.write(
        communities.create_community,
        name="Automation guild",
        description="RPA and bots for back office",
        topic_skills=["power automate"],
        moderator_ids=["mod"],
    )
    assert community.moderator_ids == ("mod",) and community.member_ids == ("mod",)
    joined = await taxonomy_store.write(communities.join_community, community.id, "x")
    assert joined.member_ids == ("mod", "x")
    with pytest.raises(Conflict, match="not a member"):
        await taxonomy_store.write(communities.leave_community, community.id, "y")
    moderated = await taxonomy_store.write(communities.add_community_moderator, community.id, "y")
    assert moderated.moderator_ids == ("mod", "y") and "y" in moderated.member_ids
    left = await taxonomy_store.write(communities.leave_community, community.id, "x")
    assert left.member_ids == ("mod", "y")
    assert await taxonomy_store.read(communities.get_community, community.id) == left
