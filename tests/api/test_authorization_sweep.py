# ruff: noqa: E501  (the rules table reads best one field to a line)
"""Every query and mutation of ``schema.graphql``, tried by every role, against the rules.

``FIELDS`` names the row of :data:`api.permissions.RULES` that governs each root field and
an operation that acts on *someone else* where the field can. A field the schema gains
without an entry here fails :func:`test_every_root_field_has_a_rule`. The expected answer
comes from the rules table; the actual one from HTTP against the real store.

The second half walks the schema for every path that reaches a person's private fields
(learning goals, mentorships) or a mentorship's private ones (message, feedback), and
checks an agent sees none of another person's through any of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_schema,
    parse,
    validate,
)

from api.app import create_app
from api.auth import Principal, Role, Tokens
from api.permissions import Action, allowed
from graph import communities, mentorships, people, roles, sessions, squads, webhooks
from graph.embedded import BoltEndpoint
from graph.model import SquadMember
from graph.outbox import EventKind
from graph.roles import load_role_profiles
from graph.store import Store
from graph.webhooks import DeliveryStatus
from tests.api.conftest import (
    ADMIN,
    AGENT,
    HR,
    MODERATOR,
    Api,
    ServerThread,
    app_settings,
    store_settings_for,
)

pytestmark = pytest.mark.anyio

SCHEMA: GraphQLSchema = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
CALLERS = (AGENT, MODERATOR, HR, ADMIN)
OTHER = "ben"  # an agent none of the callers is


@dataclass(frozen=True)
class Rule:
    action: Action
    document: str
    subjects: tuple[str, ...] = ()
    """The people the operation acts on (none: nobody in particular)."""


FIELDS: dict[str, Rule] = {
    # queries
    "mentorSuggestions": Rule(Action.SUGGEST_MENTORS, '{ mentorSuggestions(personId: "ben") { score } }', (OTHER,)),
    "suggestSquads": Rule(Action.MANAGE_SQUADS, '{ suggestSquads(pool: ["ana", "ben", "mia", "omar"], size: 2, count: 2) { coverage } }'),
    "recommendCommunities": Rule(Action.READ_GOALS, '{ recommendCommunities(personId: "ben") { name } }', (OTHER,)),
    "emergingCommunities": Rule(Action.MANAGE_COMMUNITIES, "{ emergingCommunities(minSize: 2) { overlap } }"),
    "networkHealth": Rule(Action.READ_NETWORK_HEALTH, "{ networkHealth { people } }"),
    "networkHealthHistory": Rule(Action.READ_NETWORK_HEALTH, "{ networkHealthHistory { id } }"),
    "impactReport": Rule(Action.READ_NETWORK_HEALTH, "{ impactReport { items during { difference } cells { skill { key } after { difference } } ratings { distribution } responses { medianHours } } }"),
    "me": Rule(Action.READ_DIRECTORY, "{ me { id } }"),
    "person": Rule(Action.READ_DIRECTORY, '{ person(id: "ben") { name skills { level } } }'),
    "people": Rule(Action.READ_DIRECTORY, "{ people(first: 5) { totalCount } }"),
    "facets": Rule(Action.READ_DIRECTORY, "{ facets { sites } }"),
    "skills": Rule(Action.READ_DIRECTORY, '{ skills(search: "sql") { key } }'),
    "teams": Rule(Action.READ_DIRECTORY, "{ teams { id } }"),
    "mentorships": Rule(Action.READ_MENTORSHIPS, '{ mentorships(personId: "ben") { id } }', (OTHER,)),
    "mentorship": Rule(Action.READ_MENTORSHIPS, '{ mentorship(id: "$ACTIVE") { id } }', (OTHER, "omar")),
    "squads": Rule(Action.READ_DIRECTORY, "{ squads { id } }"),
    "squad": Rule(Action.READ_DIRECTORY, '{ squad(id: "$SQUAD") { name } }'),
    "communities": Rule(Action.READ_DIRECTORY, "{ communities { id } }"),
    "community": Rule(Action.READ_DIRECTORY, '{ community(id: "$COMMUNITY") { name } }'),
    "roles": Rule(Action.READ_DIRECTORY, "{ roles { id } }"),
    "role": Rule(Action.READ_DIRECTORY, '{ role(name: "team lead") { id } }'),
    "benchStrength": Rule(Action.READ_BENCH, '{ benchStrength(role: "team lead") { overall { total } } }'),
    "successors": Rule(Action.READ_BENCH, "{ successors { lead { id } } }"),
    "promotionTrap": Rule(Action.READ_BENCH, "{ promotionTrap { readiness coaches { explanation } } }"),
    "notifications": Rule(Action.READ_NOTIFICATIONS, "{ notifications { unreadCount edges { node { id } } } }"),
    "webhooks": Rule(Action.MANAGE_WEBHOOKS, "{ webhooks { id url kinds format } }"),
    "deadLetters": Rule(Action.MANAGE_WEBHOOKS, "{ deadLetters(first: 5) { edges { node { id lastError } } } }"),
    # mutations
    "assignMentors": Rule(Action.ASSIGN_MENTORS, "mutation { assignMentors { pairCount } }"),
    "takeHealthSnapshot": Rule(Action.READ_NETWORK_HEALTH, "mutation { takeHealthSnapshot { id } }"),
    "updateProfile": Rule(Action.EDIT_PROFILE, 'mutation { updateProfile(personId: "ben", input: {shift: "day"}) { id } }', (OTHER,)),
    "setSkill": Rule(Action.EDIT_PROFILE, 'mutation { setSkill(personId: "ben", skill: "sql", level: 3) { id } }', (OTHER,)),
    "removeSkill": Rule(Action.EDIT_PROFILE, 'mutation { removeSkill(personId: "ben", skill: "sql") { id } }', (OTHER,)),
    "addLearningGoal": Rule(Action.EDIT_PROFILE, 'mutation { addLearningGoal(personId: "ben", skill: "zendesk") { id } }', (OTHER,)),
    "removeLearningGoal": Rule(Action.EDIT_PROFILE, 'mutation { removeLearningGoal(personId: "ben", skill: "empathy") { id } }', (OTHER,)),
    "requestMentorship": Rule(Action.MENTORSHIP, 'mutation { requestMentorship(mentorId: "lead", focusSkills: ["sql"]) { id } }'),
    "respondToMentorship": Rule(Action.MENTORSHIP, 'mutation { respondToMentorship(id: "$REQUEST", accept: false) { id } }', ("mia",)),
    "endMentorship": Rule(Action.MENTORSHIP, 'mutation { endMentorship(id: "$ACTIVE", feedback: {rating: 4}) { id } }', (OTHER, "omar")),
    "createSquad": Rule(Action.MANAGE_SQUADS, 'mutation { createSquad(input: {name: "Q", members: [{personId: "ben"}, {personId: "mia"}]}) { id } }'),
    "addSquadMember": Rule(Action.MANAGE_SQUADS, 'mutation { addSquadMember(squadId: "$SQUAD", personId: "lead") { id } }'),
    "removeSquadMember": Rule(Action.MANAGE_SQUADS, 'mutation { removeSquadMember(squadId: "$SQUAD", personId: "ben") { id } }'),
    "archiveSquad": Rule(Action.MANAGE_SQUADS, 'mutation { archiveSquad(squadId: "$SQUAD") { id } }'),
    "createCommunity": Rule(Action.MANAGE_COMMUNITIES, 'mutation { createCommunity(input: {name: "C2"}) { id } }'),
    "joinCommunity": Rule(Action.JOIN_COMMUNITY, 'mutation { joinCommunity(communityId: "$COMMUNITY", personId: "mia") { id } }', ("mia",)),
    "leaveCommunity": Rule(Action.JOIN_COMMUNITY, 'mutation { leaveCommunity(communityId: "$COMMUNITY", personId: "ben") { id } }', (OTHER,)),
    "addCommunityModerator": Rule(Action.MANAGE_COMMUNITIES, 'mutation { addCommunityModerator(communityId: "$COMMUNITY", personId: "mia") { id } }'),
    "saveRole": Rule(Action.MANAGE_ROLES, 'mutation { saveRole(input: {name: "Coach", requirements: [{skill: "coaching", level: 3}]}) { id } }'),
    "deleteRole": Rule(Action.MANAGE_ROLES, 'mutation { deleteRole(name: "knowledge manager") }'),
    "setTargetRole": Rule(Action.SET_TARGET_ROLE, 'mutation { setTargetRole(personId: "ben", role: "team lead") { id } }', (OTHER,)),
    "markNotificationsRead": Rule(Action.READ_NOTIFICATIONS, "mutation { markNotificationsRead(upTo: 1000000) { marked unreadCount } }"),
    "scheduleSession": Rule(Action.SCHEDULE_SESSIONS, 'mutation { scheduleSession(communityId: "$COMMUNITY", title: "T", startsAt: "2999-01-01T09:00:00Z", capacity: 5) { id } }', ("omar", "ben")),
    "rsvpSession": Rule(Action.JOIN_COMMUNITY, 'mutation { rsvpSession(sessionId: "$SESSION") { going } }'),
    "recordAttendance": Rule(Action.SCHEDULE_SESSIONS, 'mutation { recordAttendance(sessionId: "$STARTED", personIds: ["ben"]) { attended } }', ("omar", "ben")),
    "registerWebhook": Rule(Action.MANAGE_WEBHOOKS, 'mutation { registerWebhook(url: "https://hooks.example.com/x", kinds: [REQUEST_RECEIVED], format: SLACK) { secret } }'),
    "deleteWebhook": Rule(Action.MANAGE_WEBHOOKS, 'mutation { deleteWebhook(id: "$WEBHOOK") }'),
    "replayDeadLetters": Rule(Action.MANAGE_WEBHOOKS, 'mutation { replayDeadLetters(webhookId: "$WEBHOOK") }'),
    "replayDeadLetter": Rule(Action.MANAGE_WEBHOOKS, 'mutation { replayDeadLetter(id: "$DEAD") }'),
    "offboardPerson": Rule(Action.OFFBOARD, 'mutation { offboardPerson(personId: "ben") { mentorshipsEnded } }'),
}  # fmt: skip


def root_fields() -> set[str]:
    assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
    return set(SCHEMA.query_type.fields) | set(SCHEMA.mutation_type.fields)


def test_every_operation_of_the_sweep_fits_the_schema() -> None:
    for field, rule in FIELDS.items():
        assert not validate(SCHEMA, parse(rule.document)), field


def test_every_root_field_has_a_rule() -> None:
    missing = sorted(root_fields() - set(FIELDS))
    assert not missing, f"add these to FIELDS with the rule that governs them: {missing}"
    assert not set(FIELDS) - root_fields(), "FIELDS names fields the schema no longer has"


async def world(org: Store) -> dict[str, str]:
    """Records owned by others: ben's active mentorship with omar (ended with feedback in
    the private-field walk), mia's request from ben, a squad and a community with ben."""
    hook = await org.write(
        webhooks.register_webhook,
        url="https://hooks.example.com/sweep",
        kinds=[EventKind.REQUEST_RECEIVED],
        format=webhooks.WebhookFormat.JSON,
        created_by="adi",
    )
    await org.write(people.add_learning_goal, "ben", "empathy", 1)
    await org.write(roles.upsert_roles, load_role_profiles())
    await org.write(roles.set_target_role, "ben", "senior agent")
    await org.write(people.add_learning_goal, "mia", "zendesk", 2)
    active = await org.write(
        mentorships.request_mentorship, mentee_id="ben", mentor_id="omar", focus_skills=["sql"],
        message="private note from ben",
    )  # fmt: skip
    await org.write(mentorships.respond_to_mentorship, active.id, accept=True)
    request = await org.write(
        mentorships.request_mentorship, mentee_id="ben", mentor_id="mia", focus_skills=["empathy"]
    )
    squad = await org.write(
        squads.create_squad,
        name="S",
        members=[SquadMember("ben"), SquadMember("omar"), SquadMember("mia")],
    )
    community = await org.write(
        communities.create_community, name="C", moderator_ids=["omar", "ben"]
    )
    for caller in CALLERS:  # every caller may RSVP to its sessions
        await org.write(communities.join_community, community.id, caller[0])
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    session = await org.write(
        sessions.schedule_session, community.id, title="S", starts_at=soon, capacity=10, by="omar"
    )
    started = await org.write(
        sessions.schedule_session, community.id, title="P", starts_at=soon, capacity=10, by="omar"
    )
    await org.query(
        "MATCH (s:Session {id: $id}) SET s.starts_at = $at",
        id=started.id,
        at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    [claimed, *_] = await org.write(webhooks.claim, first=10, lease=dt.timedelta(minutes=1))
    assert claimed.claim is not None
    await org.write(
        webhooks.record_attempts,
        [webhooks.Attempt(claimed.id, claimed.claim, DeliveryStatus.DEAD, 8, None, "HTTP 500")],
    )
    return {
        "$SESSION": session.id,
        "$STARTED": started.id,
        "$WEBHOOK": hook.id,
        "$DEAD": claimed.id,
        "$ACTIVE": active.id,
        "$REQUEST": request.id,
        "$SQUAD": squad.id,
        "$COMMUNITY": community.id,
    }


def fill(document: str, ids: dict[str, str]) -> str:
    for placeholder, value in ids.items():
        document = document.replace(placeholder, value)
    return document


SWEEP = [
    pytest.param(field, caller, id=f"{field} as {caller[1].value}")
    for field in sorted(FIELDS)
    for caller in CALLERS
]


@pytest.mark.parametrize(("field", "caller"), SWEEP)
async def test_each_field_allows_or_refuses_each_role_as_the_rules_say(
    org: Store, api: Api, field: str, caller: tuple[str, Role]
) -> None:
    rule = FIELDS[field]
    expected = allowed(Principal(*caller), rule.action, *rule.subjects)
    body = api(fill(rule.document, await world(org)), as_=caller)
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    if expected:
        assert not codes, body
    else:
        assert codes == ["FORBIDDEN"], body


# ---------------------------------------------------------------- private fields, any path

PRIVATE = {
    "Person": "id learningGoals { priority } mentorships { id } mentors { id } mentees { id } "
    "targetRole { since } skillHistory { level } path { readiness gap { weight } } "
    "responseRate { answered }",
    "Mentorship": "id message feedback { rating } mentor { id } mentee { id }",
}
ROOT_ARGUMENTS = {
    "person": '(id: "ben")',
    "mentorship": '(id: "$ACTIVE")',
    "mentorships": '(personId: "ben")',
    "squad": '(id: "$SQUAD")',
    "community": '(id: "$COMMUNITY")',
    "mentorSuggestions": "",
    "suggestSquads": '(pool: ["ana", "ben", "mia", "omar"], size: 2, count: 2)',
}
MAX_DEPTH = 5


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _needs_arguments(field: Any) -> bool:
    return any(
        isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
        for a in field.args.values()
    )


def private_paths() -> list[str]:
    """A query for each path of the schema from a root query field to a Person or a
    Mentorship (each type at most twice on a path), selecting the private fields there."""
    found: list[str] = []

    def walk(t: GraphQLObjectType, seen: tuple[str, ...], depth: int) -> list[str]:
        """Selections under ``t`` that reach a private field (empty: none)."""
        parts = [PRIVATE[t.name]] if t.name in PRIVATE else []
        if depth < MAX_DEPTH:
            for name, field in t.fields.items():
                inner = _named(field.type)
                if not isinstance(inner, GraphQLObjectType) or _needs_arguments(field):
                    continue
                if seen.count(inner.name) >= 2:
                    continue
                for sub in walk(inner, (*seen, inner.name), depth + 1):
                    parts.append(f"{name} {{ {sub} }}")
        return parts

    assert SCHEMA.query_type is not None
    for name, field in SCHEMA.query_type.fields.items():
        inner = _named(field.type)
        if not isinstance(inner, GraphQLObjectType):
            continue
        if _needs_arguments(field) and name not in ROOT_ARGUMENTS:
            continue
        for selection in walk(inner, (inner.name,), 1):
            found.append(f"{{ {name}{ROOT_ARGUMENTS.get(name, '')} {{ {selection} }} }}")
    return found


def leaks(data: Any, caller: str) -> list[str]:
    """Private values of someone other than ``caller`` anywhere in ``data``."""
    out: list[str] = []
    if isinstance(data, list):
        for item in data:
            out += leaks(item, caller)
    elif isinstance(data, dict):
        if "learningGoals" in data and data.get("id") != caller:  # a person
            for private in (
                "learningGoals",
                "mentorships",
                "mentors",
                "mentees",
                "targetRole",
                "skillHistory",
                "path",
                "responseRate",
            ):
                if data.get(private):
                    out.append(f"{data['id']}.{private}")
        if "feedback" in data:  # a mentorship
            parties = {(data.get("mentor") or {}).get("id"), (data.get("mentee") or {}).get("id")}
            if caller not in parties and (data.get("message") or data.get("feedback")):
                out.append(f"mentorship {data['id']}")
        for value in data.values():
            out += leaks(value, caller)
    return out


@pytest.fixture
def unpriced(endpoint: BoltEndpoint, tokens: Tokens) -> Iterator[Api]:
    """The API without a query cost limit: every path of the walk runs, none is refused."""
    app = create_app(
        app_settings(skillweave_max_query_cost=10**12), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=60) as http:
        yield Api(http, tokens)


async def test_an_agent_reads_nobody_elses_private_fields_by_any_path(
    org: Store, unpriced: Api
) -> None:
    api = unpriced
    ids = await world(org)
    await org.write(mentorships.request_mentorship, mentee_id="ana", mentor_id="mia",
                    focus_skills=["empathy"])  # fmt: skip
    paths = private_paths()
    assert len(paths) > 30, "the walk reaches people and mentorships through many paths"
    leaked = {}
    for query in paths:
        body = api(fill(query, ids), as_=AGENT)
        if found := leaks(body.get("data"), AGENT[0]):
            leaked[query] = found
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes <= {"FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND"}, (query, body)
    assert not leaked, leaked
    # the walk does reach others' data: HR, who may read it, sees some
    seen_by_hr = [q for q in paths if leaks(api(fill(q, ids), as_=HR).get("data"), HR[0])]
    assert seen_by_hr, "the walk reaches other people's private fields"


SUGGESTIONS = """{ mentorSuggestions(first: 50) { mentor { id shareGoals }
  reciprocity explanation taughtBack { skill { key name } } } }"""


async def test_goals_show_through_profiles_and_suggestions_only_with_consent(
    org: Store, api: Api
) -> None:
    """An agent holding every skill at level 5 would be taught back every goal of every
    mentor: only the goals of mentors who share them may show, in any field."""
    skills = [r["key"] for r in await org.query("MATCH (s:Skill) RETURN s.key AS key")]
    for key in skills:
        if key not in ("sql", "de escalation"):  # her goals
            await org.write(people.set_skill, "ana", key, 5)
    for mentor, goal in (("mia", "zendesk"), ("omar", "empathy"), ("lead", "coaching")):
        await org.write(people.add_learning_goal, mentor, goal, 1)
    await org.query("MATCH (p:Person) WHERE p.id IN ['omar', 'lead'] SET p.share_goals = false")
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.share_goals = true")
    await org.query("MATCH (p:Person) WHERE p.id IN ['mia', 'omar', 'lead'] "
                    "SET p.open_to_mentoring = true, p.mentoring_capacity = 3")  # fmt: skip
    await org.write(people.set_skill, "mia", "sql", 5)  # omar holds sql at 5 already
    found = api.ok(SUGGESTIONS, as_=AGENT)["mentorSuggestions"]
    by_mentor = {s["mentor"]["id"]: s for s in found}
    assert {"mia", "omar"} <= set(by_mentor), by_mentor.keys()
    mia, omar = by_mentor["mia"], by_mentor["omar"]
    # mia shares: her goal shows in her profile, and what ana could teach her back counts
    shown = api.ok('{ person(id: "mia") { learningGoals { skill { key } } } }', as_=AGENT)
    assert shown["person"]["learningGoals"] == [{"skill": {"key": "zendesk"}}]
    assert [t["skill"]["key"] for t in mia["taughtBack"]] == ["zendesk"] and mia["reciprocity"] > 0
    # omar does not: nothing of his goal shows, in any field, nor moves his score
    assert omar["mentor"]["shareGoals"] is False
    assert omar["taughtBack"] == [] and omar["reciprocity"] == 0
    assert "mpathy" not in omar["explanation"], omar["explanation"]
    error = api.error('{ person(id: "omar") { learningGoals { priority } } }', as_=AGENT)
    assert error["extensions"]["code"] == "FORBIDDEN"
    # HR, who may read every goal, still sees his
    hr = api.ok('{ person(id: "omar") { learningGoals { skill { key } } } }', as_=HR)
    assert hr["person"]["learningGoals"] == [{"skill": {"key": "empathy"}}]
