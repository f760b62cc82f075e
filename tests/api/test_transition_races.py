"""Every state change raced against the changes it conflicts with: one answer per request.

Each test sends conflicting calls at the same instant, over HTTP, to one worker and to two
worker processes (``skillweave serve --workers 2``), and checks that the acknowledged answers
and the stored state tell the same story: exactly one of two exclusive changes succeeds, the
rest get ``CONFLICT`` (or ``NOT_FOUND`` where the thing is gone), and nothing acknowledged was
overwritten. The expiry sweep, which no client calls, is raced in the store.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from api.auth import Role, Tokens
from graph import communities, mentorships, people, squads
from graph.embedded import BoltEndpoint
from graph.model import SquadMember, SquadRole
from graph.store import Store
from tests.api.conftest import ServeProcess, ServerThread, race, small_org

pytestmark = pytest.mark.anyio

MIA, ANA, TESS = ("mia", Role.AGENT), ("ana", Role.AGENT), ("tess", Role.MODERATOR)


@pytest.fixture(scope="module")
def two_workers(
    endpoint: BoltEndpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    """``skillweave serve --workers 2``: two worker processes behind one port."""
    running = ServeProcess(
        endpoint, tmp_path_factory.mktemp("two-workers"), "--workers", "2",
        SKILLWEAVE_EXPIRY_SWEEP_SECONDS="3600",
    ).wait_ready()  # fmt: skip
    yield running
    running.stop()


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def url(request: pytest.FixtureRequest, org: Store) -> str:
    """The service to race against; ``org`` is written first, so the graph is ready."""
    if request.param == 1:
        server: ServerThread = request.getfixturevalue("server")
        return server.url
    workers: ServeProcess = request.getfixturevalue("two_workers")
    return workers.url


def split(answers: list[Any]) -> tuple[list[Any], set[str]]:
    """(the successes' data, the codes of the refusals)."""
    ok = [a["data"] for a in answers if not a.get("errors")]
    codes = {a["errors"][0]["extensions"]["code"] for a in answers if a.get("errors")}
    return ok, codes


async def _request(org: Store, mentee: str = "ana", mentor: str = "mia") -> str:
    created = await org.write(
        mentorships.request_mentorship, mentee_id=mentee, mentor_id=mentor, focus_skills=["empathy"]
    )
    return created.id


async def _status(org: Store, id: str) -> dict[str, Any]:
    rows = await org.query(
        "MATCH (m:Mentorship {id: $id}) RETURN m.status AS status, m.rating AS rating", id=id
    )
    return rows[0]


async def test_accepts_and_declines_racing_on_one_request_give_one_answer(
    org: Store, url: str, tokens: Tokens
) -> None:
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = 3")
    request = await _request(org)
    answer = 'mutation { respondToMentorship(id: "%s", accept: %s) { status } }'
    calls = [(MIA, answer % (request, "true")), (MIA, answer % (request, "false"))] * 10
    ok, codes = split(race(url, tokens, calls))
    assert len(ok) == 1, ok
    assert codes == {"CONFLICT"}
    stored = await _status(org, request)
    assert stored["status"].upper() == ok[0]["respondToMentorship"]["status"]
    answered = await org.query("MATCH (p:Person {id: 'mia'}) RETURN p.requests_answered AS n")
    assert answered == [{"n": 1}], "one answer counts once towards the mentor's responsiveness"


async def test_both_sides_ending_at_once_keep_one_feedback(
    org: Store, url: str, tokens: Tokens
) -> None:
    request = await _request(org)
    await org.write(mentorships.respond_to_mentorship, request, accept=True)
    end = 'mutation { endMentorship(id: "%s", feedback: {rating: %d, comment: "%s"}) { status } }'
    calls = [(MIA, end % (request, 5, "mentor")), (ANA, end % (request, 2, "mentee"))] * 5
    answers = race(url, tokens, calls)
    ok, codes = split(answers)
    assert len(ok) == 1 and codes == {"CONFLICT"}
    winner = next(calls[i] for i, a in enumerate(answers) if not a.get("errors"))
    stored = await _status(org, request)
    assert stored["status"] == "ended"
    assert stored["rating"] == (5 if winner[0] == MIA else 2), "the acknowledged feedback stays"


async def test_archive_racing_member_changes_leaves_no_change_after_the_archive(
    org: Store, url: str, tokens: Tokens
) -> None:
    members = [SquadMember("ana", SquadRole.LEARNER), SquadMember("ben", SquadRole.MEMBER),
               SquadMember("omar", SquadRole.EXPERT)]  # fmt: skip
    squad = await org.write(squads.create_squad, name="Racing squad", members=members)
    archive = f'mutation {{ archiveSquad(squadId: "{squad.id}") {{ status }} }}'
    add = f'mutation {{ addSquadMember(squadId: "{squad.id}", personId: "%s") {{ id }} }}'
    remove = f'mutation {{ removeSquadMember(squadId: "{squad.id}", personId: "%s") {{ id }} }}'
    calls = [(TESS, archive)] * 4 + [(TESS, add % "mia"), (TESS, add % "lead")]
    calls += [(TESS, remove % "ben")]
    answers = race(url, tokens, calls)
    assert sum(not a.get("errors") for a in answers[:4]) == 1, "one archive is acknowledged"
    assert split(answers)[1] <= {"CONFLICT"}
    rows = await org.query(
        "MATCH (p:Person)-[:IN_SQUAD]->(:Squad {id: $id}) RETURN p.id AS id", id=squad.id
    )
    stored = {r["id"] for r in rows}
    expected = {"ana", "ben", "omar"}
    for call, a in zip(calls[4:], answers[4:], strict=True):
        if not a.get("errors"):  # acknowledged before the archive
            who = call[1].split('personId: "')[1].split('"')[0]
            expected = expected | {who} if "addSquad" in call[1] else expected - {who}
    assert stored == expected
    status = await org.query("MATCH (q:Squad {id: $id}) RETURN q.status AS s", id=squad.id)
    assert status == [{"s": "archived"}]


async def test_racing_removals_never_take_a_squad_below_its_minimum(
    org: Store, url: str, tokens: Tokens
) -> None:
    members = [SquadMember("ana"), SquadMember("ben"), SquadMember("omar")]
    squad = await org.write(squads.create_squad, name="Three", members=members)
    remove = f'mutation {{ removeSquadMember(squadId: "{squad.id}", personId: "%s") {{ id }} }}'
    calls = [(TESS, remove % who) for who in ("ana", "ben", "omar")] * 3
    ok, codes = split(race(url, tokens, calls))
    assert len(ok) == 1, "only one removal fits above the minimum of 2"
    assert codes <= {"CONFLICT", "NOT_FOUND"}
    rows = await org.query(
        "MATCH (:Person)-[r:IN_SQUAD]->(:Squad {id: $id}) RETURN count(r) AS n", id=squad.id
    )
    assert rows == [{"n": 2}]


async def test_racing_adds_never_take_a_squad_past_its_maximum(
    org: Store, url: str, tokens: Tokens
) -> None:
    base = small_org()[1]
    extra = [dataclasses.replace(base, id=f"s{i:02}", manager_id=None) for i in range(14)]
    await org.write(people.write_people, extra)
    squad = await org.write(
        squads.create_squad, name="Eleven", members=[SquadMember(p.id) for p in extra[:11]]
    )
    add = f'mutation {{ addSquadMember(squadId: "{squad.id}", personId: "%s") {{ id }} }}'
    ok, codes = split(race(url, tokens, [(TESS, add % p.id) for p in extra[11:]] * 2))
    assert len(ok) == 1 and codes == {"CONFLICT"}
    rows = await org.query(
        "MATCH (:Person)-[r:IN_SQUAD]->(:Squad {id: $id}) RETURN count(r) AS n", id=squad.id
    )
    assert rows == [{"n": 12}]


async def test_joins_and_leaves_of_one_person_alternate(
    org: Store, url: str, tokens: Tokens
) -> None:
    community = await org.write(communities.create_community, name="Join and leave")
    join = f'mutation {{ joinCommunity(communityId: "{community.id}") {{ id }} }}'
    leave = f'mutation {{ leaveCommunity(communityId: "{community.id}") {{ id }} }}'
    answers = race(url, tokens, [(ANA, join), (ANA, leave)] * 10)
    joined = sum(not a.get("errors") for a in answers[0::2])
    left = sum(not a.get("errors") for a in answers[1::2])
    assert split(answers)[1] <= {"CONFLICT"}
    # acknowledged joins and leaves alternate, starting with a join
    assert joined - left in (0, 1), (joined, left)
    rows = await org.query(
        "MATCH (:Person {id: 'ana'})-[r:IN_COMMUNITY]->(:Community {id: $c}) RETURN count(r) AS n",
        c=community.id,
    )
    assert rows == [{"n": joined - left}]


async def test_racing_leaves_and_moderator_changes_keep_moderators_members(
    org: Store, url: str, tokens: Tokens
) -> None:
    community = await org.write(communities.create_community, name="Moderated")
    await org.write(communities.join_community, community.id, "ana")
    leave = f'mutation {{ leaveCommunity(communityId: "{community.id}") {{ id }} }}'
    moderate = (
        f'mutation {{ addCommunityModerator(communityId: "{community.id}", personId: "ana") '
        "{ id } }"
    )
    answers = race(url, tokens, [(ANA, leave)] * 5 + [(("adi", Role.ADMIN), moderate)] * 5)
    assert split(answers)[1] <= {"CONFLICT"}
    # From "member": a leave makes her nothing, a promotion member and moderator; from either
    # of those only the other change is allowed. So acknowledged changes alternate.
    left = sum(not a.get("errors") for a in answers[:5])
    promoted = sum(not a.get("errors") for a in answers[5:])
    assert abs(left - promoted) <= 1 and left + promoted >= 1, (left, promoted)
    rows = await org.query(
        "MATCH (p:Person {id: 'ana'}) RETURN "
        "[(p)-[:IN_COMMUNITY]->(c:Community {id: $c}) | 1] AS member, "
        "[(p)-[:MODERATES]->(c:Community {id: $c}) | 1] AS moderator",
        c=community.id,
    )
    member, moderator = len(rows[0]["member"]), len(rows[0]["moderator"])
    assert member <= 1 and moderator <= 1
    assert member == moderator, "a moderator is a member; one who left moderates nothing"
    if left != promoted:  # the last acknowledged change is the more frequent one
        assert member == int(promoted > left)


async def test_racing_skill_edits_leave_one_level(org: Store, url: str, tokens: Tokens) -> None:
    set_ = 'mutation { setSkill(skill: "SQL", level: %d) { id } }'
    remove = 'mutation { removeSkill(skill: "Zendesk") { id } }'
    answers = race(
        url, tokens, [(ANA, set_ % (1 + i % 5)) for i in range(10)] + [(ANA, remove)] * 4
    )
    assert split(answers)[1] == set(), "setting and removing are idempotent: all succeed"
    rows = await org.query(
        "MATCH (:Person {id: 'ana'})-[h:HAS_SKILL]->(s:Skill) RETURN s.key AS skill, h.level AS level"
    )
    levels = {r["skill"]: r["level"] for r in rows}
    assert len(rows) == len(levels), "one HAS_SKILL per skill, never two"
    assert "zendesk" not in levels and levels["sql"] in range(1, 6)


async def test_the_expiry_sweep_racing_an_answer_or_another_sweep_counts_once(
    org: Store,
) -> None:
    await org.query("MATCH (p:Person) SET p.open_to_mentoring = true, p.mentoring_capacity = 5")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    for round_ in range(6):
        await org.query("MATCH (m:Mentorship) DETACH DELETE m")
        await org.query("MATCH (p:Person) REMOVE p.requests_expired, p.requests_answered")
        ids = [await _request(org, mentee, "mia") for mentee in ("ana", "ben", "omar")]
        sweeps = [org.write(mentorships.expire_requests, now=later) for _ in range(3)]
        answer = org.write(mentorships.respond_to_mentorship, ids[round_ % 3], accept=True)
        outcomes = await asyncio.gather(*sweeps, answer, return_exceptions=True)
        expired = sum(int(n) for n in outcomes[:3])  # type: ignore[call-overload]
        accepted = not isinstance(outcomes[3], Exception)
        statuses = [(await _status(org, i))["status"] for i in ids]
        assert expired == statuses.count("expired"), (outcomes, statuses)
        assert statuses.count("active") == int(accepted), (outcomes, statuses)
        assert expired + int(accepted) == 3, "each request ends one way"
        counted = await org.query(
            "MATCH (p:Person {id: 'mia'}) RETURN coalesce(p.requests_expired, 0) AS n"
        )
        assert counted == [{"n": expired}], "an expiry counts against the mentor once"
