"""The matcher through HTTP: suggestions, assignment, squads and communities, with roles and errors."""

from __future__ import annotations

import pytest

from graph import communities, mentorships, squads
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, HR, MENTOR, MODERATOR, PEER, Api

pytestmark = pytest.mark.anyio

SUGGEST = """
query($id: ID, $first: Int! = 10, $filter: MentorFilter) {
  mentorSuggestions(personId: $id, first: $first, filter: $filter) {
    mentor { id } score learning reciprocity responsiveness explanation
    matchedSkills { skill { key } teacherLevel learnerLevel priority points via { key } }
    preferences { name points }
  }
}"""

ASSIGN = """
mutation($mode: AssignmentMode! = OPTIMAL, $objective: AssignmentObjective! = SCORE,
         $commit: Boolean! = false, $scope: AssignmentScope) {
  assignMentors(mode: $mode, objective: $objective, commit: $commit, scope: $scope) {
    committed totalScore mentees mentors mentorshipIds pairCount unmatchedCount
    pairs(first: 100) { mentor { id } mentee { id } score matchedSkills { skill { key } } }
    unmatched(first: 100) { person { id } reason }
    load { mentees mentors }
  }
}"""


async def test_an_agent_gets_explained_mentors_without_excluded_ones(org: Store, api: Api) -> None:
    found = api.ok(SUGGEST, as_=AGENT)["mentorSuggestions"]
    mentors = [s["mentor"]["id"] for s in found]
    # Mia teaches de-escalation (priority 1), Omar SQL (priority 2). Lea leads Ana's team and
    # is open to mentoring, but sits in her reporting line; Ben is not open to mentoring.
    assert mentors == ["mia", "omar"]
    mia = found[0]
    assert [m["skill"]["key"] for m in mia["matchedSkills"]] == ["de escalation"]
    assert mia["matchedSkills"][0]["teacherLevel"] == 5
    assert mia["matchedSkills"][0]["learnerLevel"] == 0
    assert abs(sum(m["points"] for m in mia["matchedSkills"]) - mia["learning"]) < 1e-3
    assert "De-escalation" in mia["explanation"] or "de escalation" in mia["explanation"].lower()
    assert {p["name"] for p in mia["preferences"]} >= {"shift_overlap", "shared_language"}
    assert found[0]["score"] >= found[1]["score"]


async def test_filters_narrow_the_suggestions(org: Store, api: Api) -> None:
    only_sql = api.ok(SUGGEST, {"filter": {"teaches": "SQL"}}, as_=AGENT)["mentorSuggestions"]
    assert [s["mentor"]["id"] for s in only_sql] == ["omar"]
    at_cebu = api.ok(SUGGEST, {"filter": {"site": "Manila"}}, as_=AGENT)["mentorSuggestions"]
    assert [s["mentor"]["id"] for s in at_cebu] == ["mia"]


async def test_a_full_mentor_disappears_from_suggestions(org: Store, api: Api) -> None:
    m = await org.write(
        mentorships.request_mentorship, mentor_id="mia", mentee_id="ben", focus_skills=["empathy"]
    )
    await org.write(mentorships.respond_to_mentorship, m.id, accept=True)
    found = api.ok(SUGGEST, as_=AGENT)["mentorSuggestions"]
    assert [s["mentor"]["id"] for s in found] == ["omar"]


async def test_suggestions_for_someone_else_need_hr(org: Store, api: Api) -> None:
    assert api.error(SUGGEST, {"id": "ana"}, as_=PEER)["extensions"]["code"] == "FORBIDDEN"
    found = api.ok(SUGGEST, {"id": "ana"}, as_=HR)["mentorSuggestions"]
    assert [s["mentor"]["id"] for s in found] == ["mia", "omar"]


async def test_suggestion_errors(org: Store, api: Api) -> None:
    assert api.error(SUGGEST, {"id": "nobody"}, as_=HR)["extensions"]["code"] == "NOT_FOUND"
    error = api.error(SUGGEST, {"first": 0}, as_=AGENT)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "first" in error["message"]
    error = api.error(SUGGEST, {"filter": {"teaches": "sqll"}}, as_=AGENT)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "SQL" in error["message"]


async def test_a_dry_run_assigns_within_capacity_and_writes_nothing(org: Store, api: Api) -> None:
    result = api.ok(ASSIGN, as_=HR)["assignMentors"]
    assert result["committed"] is False and result["mentorshipIds"] == []
    pairs = {(p["mentee"]["id"], p["mentor"]["id"]) for p in result["pairs"]}
    assert ("ana", "mia") in pairs
    assert all(mentee != mentor for mentee, mentor in pairs)
    load: dict[str, int] = {}
    for _, mentor in pairs:
        load[mentor] = load.get(mentor, 0) + 1
    assert load.get("mia", 0) <= 1 and load.get("omar", 0) <= 2
    assert abs(result["totalScore"] - sum(p["score"] for p in result["pairs"])) < 1e-2
    assert result["pairCount"] == len(result["pairs"])
    assert await org.fetch(mentorships.mentorships_of, "ana") == []


async def test_committing_creates_the_requests_in_one_go(org: Store, api: Api) -> None:
    result = api.ok(ASSIGN, {"commit": True, "mode": "STABLE"}, as_=ADMIN)["assignMentors"]
    assert result["committed"] is True
    assert len(result["mentorshipIds"]) == len(result["pairs"]) > 0
    for pair in result["pairs"]:
        mine = await org.fetch(mentorships.mentorships_of, pair["mentee"]["id"])
        assert [(m.mentor_id, m.status.value) for m in mine] == [
            (pair["mentor"]["id"], "requested")
        ]
        assert list(mine[0].focus_skills) == sorted(
            s["skill"]["key"] for s in pair["matchedSkills"]
        )
    again = api.ok(ASSIGN, as_=HR)["assignMentors"]
    assert again["pairs"] == [], "mentees with a pending request are not assigned twice"


async def test_assignment_reports_who_was_left_out(org: Store, api: Api) -> None:
    result = api.ok(ASSIGN, {"scope": {"site": "Manila"}}, as_=HR)["assignMentors"]
    reasons = {u["person"]["id"]: u["reason"] for u in result["unmatched"]}
    assert all(p["mentor"]["id"] != "omar" for p in result["pairs"]), "Omar is at Cebu"
    assert set(reasons.values()) <= {"no_candidates", "mentors_full"}, "a certified plan"


async def test_pairs_come_a_slice_at_a_time(org: Store, api: Api) -> None:
    query = "mutation($o: Int!) { assignMentors { pairCount pairs(offset: $o, first: 1) { mentee { id } } } }"
    whole = api.ok(ASSIGN, as_=HR)["assignMentors"]["pairs"]
    sliced = [
        api.ok(query, {"o": k}, as_=HR)["assignMentors"]["pairs"] for k in range(len(whole) + 1)
    ]
    assert [s[0]["mentee"]["id"] for s in sliced[:-1]] == [p["mentee"]["id"] for p in whole]
    assert sliced[-1] == []
    error = api.error("mutation { assignMentors { pairs(first: 5000) { score } } }", as_=HR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


CERTIFIED = """
mutation($objective: AssignmentObjective! = SCORE, $limit: Int! = 60) {
  assignMentors(objective: $objective, timeLimitSeconds: $limit) {
    totalScore pairCount
    certificate { certified bound gap matchedBound rounds pairsPriced seconds }
  }
}"""


async def test_optimal_says_it_is_proven_and_a_bad_time_limit_is_refused(
    org: Store, api: Api
) -> None:
    for objective in ("SCORE", "PARTICIPATION"):
        result = api.ok(CERTIFIED, {"objective": objective}, as_=HR)["assignMentors"]
        proof = result["certificate"]
        assert proof["certified"] is True and proof["rounds"] >= 1
        assert proof["bound"] >= result["totalScore"] - 1e-4
        assert proof["gap"] <= 1e-4 and proof["matchedBound"] >= result["pairCount"]
    stable = api.ok(
        "mutation { assignMentors(mode: STABLE) { certificate { certified } } }", as_=HR
    )["assignMentors"]
    assert stable["certificate"] is None
    for limit in (0, 601):
        error = api.error(CERTIFIED, {"limit": limit}, as_=HR)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "timeLimitSeconds" in error["message"]


async def test_only_hr_and_admins_assign(org: Store, api: Api) -> None:
    for who in (AGENT, MODERATOR):
        assert api.error(ASSIGN, as_=who)["extensions"]["code"] == "FORBIDDEN"


SQUADS = """
query($pool: [ID!]!, $size: Int!, $count: Int! = 1, $focus: [String!]) {
  suggestSquads(pool: $pool, size: $size, count: $count, focusSkills: $focus) {
    coverage coverageBound leftOut
    squads {
      memberIds covered { key } missing { key } functions focusSkills { key }
      squadInput { name purpose focusSkills members { personId role } }
    }
  }
}"""

CREATE_SQUAD = """
mutation($input: SquadInput!) { createSquad(input: $input) { id members { person { id } } } }
"""


async def test_a_moderator_gets_squads_and_creates_one_as_suggested(org: Store, api: Api) -> None:
    pool = ["ana", "ben", "mia", "omar", "tess", "hana"]
    plan = api.ok(
        SQUADS, {"pool": pool, "size": 3, "count": 2, "focus": ["SQL", "De-escalation"]},
        as_=MODERATOR,
    )["suggestSquads"]  # fmt: skip
    squads = plan["squads"]
    assert sorted(m for q in squads for m in q["memberIds"]) == sorted(pool)
    assert plan["coverage"] == sum(len(q["covered"]) for q in squads) == plan["coverageBound"]
    first = squads[0]
    created = api.ok(CREATE_SQUAD, {"input": first["squadInput"]}, as_=MODERATOR)["createSquad"]
    assert sorted(m["person"]["id"] for m in created["members"]) == sorted(first["memberIds"])
    roles = {m["personId"]: m["role"] for m in first["squadInput"]["members"]}
    experts = {pid for pid, role in roles.items() if role == "EXPERT"}
    assert experts and experts <= {"mia", "omar", "ben"}


async def test_squad_errors(org: Store, api: Api) -> None:
    pool = ["ana", "ben", "mia", "omar"]
    error = api.error(SQUADS, {"pool": pool, "size": 13}, as_=MODERATOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "size" in error["message"]
    error = api.error(SQUADS, {"pool": pool, "size": 3, "count": 2}, as_=MODERATOR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = api.error(SQUADS, {"pool": [*pool, "ghost"], "size": 2}, as_=MODERATOR)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert api.error(SQUADS, {"pool": pool, "size": 2}, as_=AGENT)["extensions"]["code"] == (
        "FORBIDDEN"
    )


RECOMMEND = """
query($id: ID) { recommendCommunities(personId: $id) {
  communityId score learn { key } share { key } knownMembers { id } } }
"""
EMERGING = "{ emergingCommunities(minSize: 3) { members { id } closestCommunityId overlap } }"


async def test_communities_recommended_and_emerging(org: Store, api: Api) -> None:
    await org.write(
        communities.create_community, name="SQL guild", topic_skills=["sql"], id="cop-sql",
        moderator_ids=["omar"],
    )  # fmt: skip
    await org.write(communities.join_community, "cop-sql", "ben")
    await org.write(
        communities.create_community, name="CX circle", topic_skills=["empathy"], id="cop-cx",
        moderator_ids=["mia"],
    )  # fmt: skip
    found = api.ok(RECOMMEND, as_=AGENT)["recommendCommunities"]
    assert found[0]["communityId"] == "cop-sql"
    assert [s["key"] for s in found[0]["learn"]] == ["sql"]
    assert [p["id"] for p in found[0]["knownMembers"]] == ["ben"], "Ben is on Ana's team"
    assert api.error(RECOMMEND, {"id": "ana"}, as_=PEER)["extensions"]["code"] == "FORBIDDEN"
    # A squad and a mentorship tie Ana, Ben, Mia and Lea together, which no community names;
    # the SQL guild's people are tied only by the guild itself.
    await org.write(
        squads.create_squad, name="Night owls", focus_skills=["sql"],
        members=[SquadMember(p) for p in ("ana", "ben", "mia", "lead")],
    )  # fmt: skip
    m = await org.write(
        mentorships.request_mentorship, mentor_id="mia", mentee_id="ana", focus_skills=["empathy"]
    )
    await org.write(mentorships.respond_to_mentorship, m.id, accept=True)
    for pid in ("tess", "hana"):
        await org.write(communities.join_community, "cop-sql", pid)
    emerging = api.ok(EMERGING, as_=MODERATOR)["emergingCommunities"]
    clusters = [sorted(p["id"] for p in c["members"]) for c in emerging]
    assert ["ana", "ben", "lead", "mia"] in clusters, clusters
    assert all(not {"omar", "tess", "hana"} <= set(c) for c in clusters), clusters
    assert api.error(EMERGING, as_=AGENT)["extensions"]["code"] == "FORBIDDEN"
    assert api.error(EMERGING, as_=MENTOR)["extensions"]["code"] == "FORBIDDEN"
