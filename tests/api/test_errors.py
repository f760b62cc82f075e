"""Every error code, with a message a person understands and nothing internal leaked."""

from __future__ import annotations

import json

import pytest

from graph import mentorships, people, squads
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import AGENT, MENTOR, MODERATOR, Api

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ('mutation { setSkill(skill: "sql", level: 7) { id } }', "from 1 to 5"),
        ('mutation { setSkill(skill: "sql", level: 0) { id } }', "from 1 to 5"),
        ('mutation { setSkill(skill: "Zendsk", level: 3) { id } }', "Did you mean 'Zendesk'"),
        (
            'mutation { addLearningGoal(skill: "basket weaving") { id } }',
            "Unknown skill 'basket weaving'",
        ),
        ('mutation { updateProfile(input: {name: "   "}) { id } }', "Name must not be empty"),
        ('mutation { updateProfile(input: {timezone: "Mars/Olympus"}) { id } }', "not a time zone"),
        ("mutation { updateProfile(input: {mentoringCapacity: 99}) { id } }", "from 0 to 20"),
        (
            'mutation { updateProfile(input: {title: "' + "x" * 300 + '"}) { id } }',
            "the limit is 200",
        ),
        ('{ people(after: "not-a-cursor") { totalCount } }', "cursor is not valid"),
        ("{ people(first: 5000) { totalCount } }", "from 1 to 100"),
        ("{ people(first: 0) { totalCount } }", "from 1 to 100"),
        ('{ people(filter: {skill: "sql", minLevel: 9}) { totalCount } }', "minLevel"),
        (
            'mutation { requestMentorship(mentorId: "ana", focusSkills: ["sql"]) { id } }',
            "own mentor",
        ),
        (
            'mutation { requestMentorship(mentorId: "mia", focusSkills: []) { id } }',
            "at least one skill",
        ),
        (
            'mutation { endMentorship(id: "x", feedback: {rating: 9}) { id } }',
            "No mentorship",  # the id is checked first: NOT_FOUND, tested below
        ),
    ][:-1],
)
async def test_bad_user_input(org: Store, api: Api, query: str, fragment: str) -> None:
    error = api.error(query, as_=AGENT)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert fragment in error["message"]
    assert await org.read(people.get_person, "ana") is not None


async def test_invalid_rating(org: Store, api: Api) -> None:
    created = await org.write(
        mentorships.request_mentorship, mentee_id="ana", mentor_id="mia", focus_skills=["sql"]
    )
    await org.write(mentorships.respond_to_mentorship, created.id, accept=True)
    error = api.error(
        f'mutation {{ endMentorship(id: "{created.id}", feedback: {{rating: 9}}) {{ id }} }}',
        as_=AGENT,
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Rating" in error["message"]


async def test_wrongly_typed_variable_is_bad_user_input(org: Store, api: Api) -> None:
    error = api.error(
        "query($n: Int) { people(first: $n) { totalCount } }", {"n": "ten"}, as_=AGENT
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ('{ person(id: "nobody") { name } }', "No person with id 'nobody'"),
        ('{ squad(id: "nope") { name } }', "No squad"),
        ('{ community(id: "nope") { name } }', "No community"),
        ('mutation { respondToMentorship(id: "nope", accept: true) { id } }', "No mentorship"),
        (
            'mutation { requestMentorship(mentorId: "ghost", focusSkills: ["sql"]) { id } }',
            "'ghost'",
        ),
    ],
)
async def test_not_found(org: Store, api: Api, query: str, fragment: str) -> None:
    error = api.error(query, as_=AGENT)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert fragment in error["message"]


async def test_conflicts(org: Store, api: Api) -> None:
    ask = 'mutation { requestMentorship(mentorId: "mia", focusSkills: ["empathy"]) { id } }'
    api.ok(ask, as_=AGENT)
    again = api.error(ask, as_=AGENT)
    assert again["extensions"]["code"] == "CONFLICT" and "already a requested" in again["message"]
    closed = api.error(
        'mutation { requestMentorship(mentorId: "ben", focusSkills: ["sql"]) { id } }', as_=AGENT
    )
    assert closed["extensions"]["code"] == "CONFLICT" and "not taking mentees" in closed["message"]
    squad = await org.write(
        squads.create_squad, name="S", members=[SquadMember("ana"), SquadMember("ben")]
    )
    await org.write(squads.archive_squad, squad.id)
    archived = api.error(
        f'mutation {{ addSquadMember(squadId: "{squad.id}", personId: "mia") {{ id }} }}',
        as_=MODERATOR,
    )
    assert archived["extensions"]["code"] == "CONFLICT" and "archived" in archived["message"]


async def test_pending_request_limit(org: Store, api: Api) -> None:
    await org.query("MATCH (p:Person) SET p.open_to_mentoring = true, p.mentoring_capacity = 2")
    for mentor in ("mia", "omar", "lead"):
        api.ok(
            f'mutation {{ requestMentorship(mentorId: "{mentor}", focusSkills: ["sql"]) {{ id }} }}',
            as_=AGENT,
        )
    fourth = api.error(
        'mutation { requestMentorship(mentorId: "tess", focusSkills: ["sql"]) { id } }', as_=AGENT
    )
    assert fourth["extensions"]["code"] == "CONFLICT"
    assert "3 requests waiting" in fourth["message"]


async def test_expired_request_reads_expired_and_counts_against_the_mentor(
    org: Store, api: Api
) -> None:
    import datetime as dt

    created = await org.write(
        mentorships.request_mentorship,
        mentee_id="ana", mentor_id="mia", focus_skills=["sql"], ttl=dt.timedelta(seconds=-1),
    )  # fmt: skip
    mine = api.ok("{ mentorships { id status } }", as_=AGENT)["mentorships"]
    assert mine == [{"id": created.id, "status": "EXPIRED"}]
    late = api.error(
        f'mutation {{ respondToMentorship(id: "{created.id}", accept: true) {{ id }} }}', as_=MENTOR
    )
    assert late["extensions"]["code"] == "CONFLICT" and "expired" in late["message"]
    assert await org.write(mentorships.expire_requests) == 1
    assert await org.read(mentorships.responsiveness, "mia") == (0, 1)
    # the mentee can ask again once it expired
    api.ok(
        'mutation { requestMentorship(mentorId: "mia", focusSkills: ["sql"]) { id } }', as_=AGENT
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ me { nosuchfield } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ me { name }", "GRAPHQL_PARSE_FAILED"),
        (
            "{ me { manager { manager { manager { manager { manager { manager { manager { manager "
            "{ manager { manager { name } } } } } } } } } } } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(20)) + " }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
async def test_malformed_queries(org: Store, api: Api, query: str, code: str) -> None:
    assert api.error(query, as_=AGENT)["extensions"]["code"] == code


async def test_unexpected_errors_are_masked_and_logged(
    org: Store, api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("MATCH (p:Person) secret internals at line 42")

    monkeypatch.setattr("graph.teams.list_teams", broken)
    response = api.post("{ teams { id } }", as_=AGENT)
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert request_id in error["message"]
    body = json.dumps(response.json())
    assert "MATCH" not in body and "Traceback" not in body and "secret" not in body
    assert any(request_id in r.getMessage() for r in caplog.records)
