"""One person reader: what an HRIS file leaves out reads the same in the profile and the matcher.

An HRIS file without an ``open_to_being_mentored`` column writes no such property. The
profile used to read that as "not open to being mentored" while suggestions and
assignment treated the person as open; both now read the model's default (open).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.auth import Role
from graph.hris import import_hris
from graph.store import Store
from tests.api.conftest import Api

pytestmark = pytest.mark.anyio

HR_ROLE = ("hr-1", Role.HR)
FILE = (
    "employee_id,name,role,team,function,site,manager_id,skills,learning_goals,"
    "mentoring_capacity,open_to_mentoring\n"
    "hr-1,Hana HR,manager,People Cebu,hr,Cebu,,,,0,false\n"
    "m1,Mara Mentor,senior_agent,Voice Cebu,voice,Cebu,,SQL:5,,2,true\n"
    "e1,Eli Learner,agent,Chat Cebu,chat,Cebu,,,SQL:high,0,false\n"
)


async def test_a_missing_column_reads_as_open_in_profile_suggestions_and_assignment(
    taxonomy_store: Store, api: Api, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(FILE, encoding="utf-8")
    report = await import_hris(taxonomy_store, path)
    assert report.ok, report.errors
    stored = await taxonomy_store.query(
        "MATCH (p:Person {id: 'e1'}) RETURN p.open_to_being_mentored AS open"
    )
    assert stored[0]["open"] is None, "the file has no such column: nothing is written"

    profile = api.ok('{ person(id: "e1") { openToBeingMentored } }', as_=HR_ROLE)
    assert profile["person"]["openToBeingMentored"] is True
    found = api.ok('{ mentorSuggestions(personId: "e1") { mentor { id } } }', as_=HR_ROLE)[
        "mentorSuggestions"
    ]
    assert [s["mentor"]["id"] for s in found] == ["m1"]
    plan = api.ok(
        "mutation { assignMentors { pairs { mentee { id } mentor { id } } } }", as_=HR_ROLE
    )["assignMentors"]
    assert [(p["mentee"]["id"], p["mentor"]["id"]) for p in plan["pairs"]] == [("e1", "m1")]
