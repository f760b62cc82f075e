"""Reads through HTTP on a small organisation in the real store."""

from __future__ import annotations

import pytest

from graph import communities, mentorships, squads
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MENTOR, Api

pytestmark = pytest.mark.anyio

PERSON_FIELDS = """
  id name title role function site shift timezone languages tenureMonths
  mentoringCapacity openToMentoring openToBeingMentored activeMenteeCount
  team { id name function site }
  manager { id name }
  skills { level skill { key name category } }
"""


async def test_me_returns_the_signed_in_person(org: Store, api: Api) -> None:
    data = api.ok(
        f"{{ me {{ {PERSON_FIELDS} learningGoals {{ priority skill {{ name }} }} }} }}", as_=AGENT
    )
    me = data["me"]
    assert me["id"] == "ana" and me["name"] == "Ana Santos"
    assert me["role"] == "AGENT" and me["team"]["name"] == "Voice Manila 1"
    assert me["manager"] == {"id": "lead", "name": "Lea Lead"}
    assert me["skills"][0] == {
        "level": 5,
        "skill": {"key": "english", "name": "English", "category": "languages"},
    }
    assert [(g["priority"], g["skill"]["name"]) for g in me["learningGoals"]] == [
        ("HIGH", "De-escalation"),
        ("MEDIUM", "SQL"),
    ]


async def test_person_by_id_shows_the_public_profile(org: Store, api: Api) -> None:
    data = api.ok(
        '{ person(id: "mia") { name openToMentoring skills { level skill { name } } } }', as_=AGENT
    )
    assert data["person"]["openToMentoring"] is True
    assert {"level": 5, "skill": {"name": "De-escalation"}} in data["person"]["skills"]


async def test_people_pages_walk_the_directory_in_name_order(org: Store, api: Api) -> None:
    query = """query($after: String) {
      people(first: 3, after: $after) {
        totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor }
      }
    }"""
    names: list[str] = []
    after = None
    pages = 0
    while True:
        page = api.ok(query, {"after": after}, as_=AGENT)["people"]
        assert page["totalCount"] == 8
        names += [e["node"]["name"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert names == sorted(names) and len(names) == 8


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"site": "Cebu"}, {"omar", "tess", "hana", "adi"}),
        ({"function": "chat"}, {"omar"}),
        ({"shift": "day"}, {"omar"}),
        ({"team": "voice-manila-1"}, {"lead", "ana", "ben", "mia"}),
        ({"skill": "SQL", "minLevel": 4}, {"ben", "omar"}),
        ({"skill": "sql", "minLevel": 5}, {"omar"}),
        ({"skill": "de-escalation"}, {"mia"}),
        ({"openToMentoring": True}, {"lead", "mia", "omar"}),
        ({"openToMentoring": True, "site": "Manila"}, {"lead", "mia"}),
    ],
)
async def test_people_filters(
    org: Store, api: Api, filter: dict[str, object], expected: set[str]
) -> None:
    query = "query($f: PeopleFilter) { people(filter: $f, first: 50) { totalCount edges { node { id } } } }"
    page = api.ok(query, {"f": filter}, as_=AGENT)["people"]
    assert {e["node"]["id"] for e in page["edges"]} == expected
    assert page["totalCount"] == len(expected)


async def test_skills_search_by_alias_and_category(org: Store, api: Api) -> None:
    data = api.ok(
        '{ a: skills(search: "aht") { name } b: skills(category: "languages") { category } }',
        as_=AGENT,
    )
    assert data["a"] == [{"name": "Average handle time analysis"}]
    assert data["b"] and {s["category"] for s in data["b"]} == {"languages"}


async def test_teams(org: Store, api: Api) -> None:
    assert api.ok("{ teams { id site } }", as_=AGENT)["teams"] == [
        {"id": "chat-cebu-1", "site": "Cebu"},
        {"id": "voice-manila-1", "site": "Manila"},
    ]


async def test_mentorships_of_self_and_for_hr(org: Store, api: Api) -> None:
    created = await org.write(
        mentorships.request_mentorship,
        mentee_id="ana",
        mentor_id="mia",
        focus_skills=["de escalation"],
    )
    query = "query($p: ID) { mentorships(personId: $p) { id status mentor { id } mentee { id } focusSkills { name } } }"
    mine = api.ok(query, as_=AGENT)["mentorships"]
    assert mine == [
        {
            "id": created.id,
            "status": "REQUESTED",
            "mentor": {"id": "mia"},
            "mentee": {"id": "ana"},
            "focusSkills": [{"name": "De-escalation"}],
        }
    ]
    assert api.ok(query, {"p": "mia"}, as_=HR)["mentorships"] == mine
    assert api.ok(query, {"p": "mia"}, as_=MENTOR)["mentorships"] == mine
    status = "query($p: ID) { mentorships(personId: $p, status: ACTIVE) { id } }"
    assert api.ok(status, {"p": "ana"}, as_=ADMIN)["mentorships"] == []


async def test_squads_and_communities(org: Store, api: Api) -> None:
    squad = await org.write(
        squads.create_squad,
        name="SQL circle",
        focus_skills=["sql"],
        members=[SquadMember("ana"), SquadMember("ben")],
    )
    community = await org.write(
        communities.create_community, name="Data for frontline", description="SQL for all",
        topic_skills=["sql"], moderator_ids=["omar"],
    )  # fmt: skip
    data = api.ok(
        """{ squads(status: ACTIVE) { id name members { role person { name } } focusSkills { name } }
             communities(search: "frontline") { id memberCount moderators { id } topicSkills { name } }
             me { squads { id } communities { id } } }""",
        as_=AGENT,
    )
    assert data["squads"] == [
        {
            "id": squad.id,
            "name": "SQL circle",
            "members": [
                {"role": "MEMBER", "person": {"name": "Ana Santos"}},
                {"role": "MEMBER", "person": {"name": "Ben Cruz"}},
            ],
            "focusSkills": [{"name": "SQL"}],
        }
    ]
    assert data["communities"] == [
        {
            "id": community.id,
            "memberCount": 1,
            "moderators": [{"id": "omar"}],
            "topicSkills": [{"name": "SQL"}],
        }
    ]
    assert data["me"] == {"squads": [{"id": squad.id}], "communities": []}
    one = api.ok(
        f'{{ squad(id: "{squad.id}") {{ name }} community(id: "{community.id}") {{ name }} }}',
        as_=AGENT,
    )
    assert one == {"squad": {"name": "SQL circle"}, "community": {"name": "Data for frontline"}}


async def test_filtered_directory_pages_follow_changes(org: Store, api: Api) -> None:
    query = "query($f: PeopleFilter) { people(filter: $f, first: 50) { totalCount edges { node { id } } } }"

    def ids(filter: dict[str, object]) -> list[str]:
        page = api.ok(query, {"f": filter}, as_=AGENT)["people"]
        assert page["totalCount"] == len(page["edges"])
        return [e["node"]["id"] for e in page["edges"]]

    strong_sql = {"skill": "sql", "minLevel": 4}
    day = {"shift": "day"}
    assert ids(strong_sql) == ["ben", "omar"] and ids(day) == ["omar"]  # both kept from here on
    api.ok('mutation { setSkill(skill: "sql", level: 5) { id } }', as_=AGENT)  # ana joins
    api.ok('mutation { setSkill(skill: "sql", level: 2) { id } }', as_=("ben", AGENT[1]))
    api.ok(
        'mutation { updateProfile(input: {shift: "day", name: "Zed Santos"}) { id } }', as_=AGENT
    )
    assert ids(strong_sql) == ["omar", "ana"], "ben left, ana (now Zed) sorts last"
    assert ids(day) == ["omar", "ana"]
    assert ids({"skill": "zendesk"}) == ["ana"], "a new filter is built from the changed graph"
