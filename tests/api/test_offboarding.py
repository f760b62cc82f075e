"""Off-boarding a leaver: one transaction ends what they were part of, and their tokens die,
on every replica at once; the HRIS import does the same for a `leaver` row."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.auth import Role, Tokens
from graph import communities, mentorships, squads
from graph.embedded import BoltEndpoint
from graph.hris import import_hris
from graph.model import SquadMember
from graph.store import Store
from tests.api.conftest import (
    ADMIN,
    AGENT,
    HR,
    Api,
    ServerThread,
    app_settings,
    store_settings_for,
)
from tests.conftest import graph_snapshot

pytestmark = pytest.mark.anyio

OFFBOARD = """mutation($p: ID!) { offboardPerson(personId: $p) {
  personId mentorshipsEnded squadsLeft squadsArchived communitiesLeft } }"""


async def mias_world(org: Store) -> dict[str, str]:
    """Mia mentors Ana, Ben asks her too; she is in a squad of two and moderates a community."""
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = 3")
    active = await org.write(
        mentorships.request_mentorship, mentee_id="ana", mentor_id="mia", focus_skills=["empathy"]
    )
    await org.write(mentorships.respond_to_mentorship, active.id, accept=True)
    request = await org.write(
        mentorships.request_mentorship, mentee_id="ben", mentor_id="mia", focus_skills=["empathy"]
    )
    pair = await org.write(
        squads.create_squad, name="Pair", members=[SquadMember("mia"), SquadMember("ben")]
    )
    trio = await org.write(
        squads.create_squad,
        name="Trio",
        members=[SquadMember("mia"), SquadMember("ben"), SquadMember("omar")],
    )
    club = await org.write(communities.create_community, name="Club", moderator_ids=["mia", "ana"])
    return {"active": active.id, "request": request.id, "pair": pair.id, "trio": trio.id,
            "club": club.id}  # fmt: skip


async def test_offboarding_ends_everything_in_one_go_and_her_tokens_stop(
    org: Store, api: Api, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    ids = await mias_world(org)
    mia = ("mia", Role.AGENT)
    assert api.ok("{ me { id } }", as_=mia)["me"]["id"] == "mia"
    # a second replica that has seen mia's token work
    other = create_app(app_settings(), store_settings=store_settings_for(endpoint))
    with ServerThread(other) as replica, httpx.Client(base_url=replica.url) as http:
        headers = {"Authorization": f"Bearer {tokens.mint(*mia)}"}
        assert (
            http.post("/graphql", json={"query": "{ me { id } }"}, headers=headers).status_code
            == 200
        )

        done = api.ok(OFFBOARD, {"p": "mia"}, as_=HR)["offboardPerson"]
        assert done == {"personId": "mia", "mentorshipsEnded": 2, "squadsLeft": 2,
                        "squadsArchived": 1, "communitiesLeft": 1}  # fmt: skip

        # her tokens stop, on this replica and the other, for every route
        for client, post in ((api.client, api.post), (http, None)):
            if post is not None:
                refused = post("{ me { id } }", as_=mia)
            else:
                refused = client.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
            assert refused.status_code == 401, refused.text
            assert "left the organisation" in refused.json()["errors"][0]["message"]
        assert http.get("/health.csv", headers=headers).status_code == 401

    rows = await org.query(
        "MATCH (m:Mentorship) WHERE m.id IN [$a, $r] RETURN m.id AS id, m.status AS status, "
        "m.ended_by AS by",
        a=ids["active"],
        r=ids["request"],
    )
    statuses = {r["id"]: (r["status"], r["by"]) for r in rows}
    assert statuses == {ids["active"]: ("ended", "offboarding"),
                        ids["request"]: ("declined", "offboarding")}  # fmt: skip
    groups = await org.query(
        "MATCH (q:Squad) RETURN q.id AS id, q.status AS status, "
        "[(p:Person)-[:IN_SQUAD]->(q) | p.id] AS members"
    )
    by_id = {g["id"]: g for g in groups}
    assert by_id[ids["pair"]]["status"] == "archived", "one member left: archived"
    assert sorted(by_id[ids["trio"]]["members"]) == ["ben", "omar"]
    assert by_id[ids["trio"]]["status"] == "active"
    reports = await org.query(
        "MATCH (:Person)-[r:REPORTS_TO]->(:Person {id: 'mia'}) RETURN count(r) AS n"
    )
    assert reports == [{"n": 0}]

    # the directory, the matcher and her partners no longer see her
    assert api.error('{ person(id: "mia") { id } }', as_=AGENT)["extensions"]["code"] == "NOT_FOUND"
    names = api.ok("{ people(first: 100) { edges { node { id } } } }", as_=AGENT)["people"]
    assert "mia" not in {e["node"]["id"] for e in names["edges"]}
    suggestions = api.ok("{ mentorSuggestions(first: 50) { mentor { id } } }", as_=AGENT)
    assert "mia" not in {s["mentor"]["id"] for s in suggestions["mentorSuggestions"]}
    club = api.ok(
        "query($c: ID!) { community(id: $c) { members(first: 10) { id } moderators { id } } }",
        {"c": ids["club"]},
        as_=AGENT,
    )["community"]
    assert {m["id"] for m in club["members"]} == {"ana"} and club["moderators"] == [{"id": "ana"}]

    again = api.error(OFFBOARD, {"p": "mia"}, as_=ADMIN)
    assert again["extensions"]["code"] == "CONFLICT"


async def test_who_may_offboard(org: Store, api: Api) -> None:
    assert api.error(OFFBOARD, {"p": "ben"}, as_=AGENT)["extensions"]["code"] == "FORBIDDEN"
    assert api.error(OFFBOARD, {"p": "adi"}, as_=ADMIN)["extensions"]["code"] == "BAD_USER_INPUT"
    assert api.error(OFFBOARD, {"p": "nobody"}, as_=HR)["extensions"]["code"] == "NOT_FOUND"
    assert api.ok("{ me { id } }", as_=("ben", Role.AGENT)), "nothing was closed"


async def test_an_hris_leaver_row_offboards_and_importing_it_again_changes_nothing(
    org: Store, api: Api, tmp_path: Path
) -> None:
    await mias_world(org)
    csv = tmp_path / "leavers.csv"
    csv.write_text(
        "employee_id,name,team,function,site,status\n"
        "mia,Mia Reyes,Voice Manila 1,voice,Manila,leaver\n"
        "ben,Ben Cruz,Voice Manila 1,voice,Manila,active\n"
    )
    report = await import_hris(org, csv)
    assert report.ok, report.errors
    assert report.written["leavers"] == 1
    left = await org.query("MATCH (p:Person {id: 'mia'}) RETURN p.left_at IS NOT NULL AS left")
    assert left == [{"left": True}]
    refused = api.post("{ me { id } }", as_=("mia", Role.AGENT))
    assert refused.status_code == 401
    before = await graph_snapshot(org)
    again = await import_hris(org, csv)
    assert again.ok and again.written["leavers"] == 0
    assert await graph_snapshot(org) == before, "a second import changes nothing"
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,name,team,function,site,status\nx1,X,T,voice,Manila,gone\n")
    refused_file = await import_hris(org, bad)
    assert not refused_file.ok and "status must be one of" in refused_file.errors[0].reason
