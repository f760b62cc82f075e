"""HRIS CSV import against the real store: good files land whole, bad files write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import people
from graph.hris import import_hris
from graph.model import JobRole, LearningGoal, SkillLevel
from graph.store import Store
from tests.conftest import graph_snapshot

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).parents[2] / "examples" / "hris" / "people.csv"
HEADER = "employee_id,name,role,team,function,site,manager_id,skills,learning_goals\n"


async def test_example_file_imports(taxonomy_store: Store) -> None:
    report = await import_hris(taxonomy_store, EXAMPLE)
    assert report.ok, report.errors
    assert report.rows == 13 and report.written["people"] == 13
    lead = await taxonomy_store.read(people.get_person, "L200")
    assert lead is not None
    assert (
        lead.role is JobRole.TEAM_LEAD
        and lead.manager_id == "M100"
        and lead.team_id == "manila-voice-1"
    )
    # "Genesys" is an alias of Genesys Cloud CX; "SQL:high" is priority 1
    assert SkillLevel("genesys cloud cx", 4) in lead.skills
    assert LearningGoal("sql", 1) in lead.goals


async def test_reimport_changes_nothing(taxonomy_store: Store) -> None:
    await import_hris(taxonomy_store, EXAMPLE)
    before = await graph_snapshot(taxonomy_store)
    report = await import_hris(taxonomy_store, EXAMPLE)
    assert report.ok
    assert await graph_snapshot(taxonomy_store) == before


async def test_bad_rows_are_named_and_nothing_is_written(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "E1,Ana Cruz,agent,Voice 1,voice,Manila,,Zendesk:4,SQL:high\n"  # line 2: fine
        + "E2,Ben Ong,agent,Voice 1,voice,Manila,,Zendesk:9,\n"  # line 3: level out of range
        + "E3,,agent,Voice 1,voice,Manila,,,\n"  # line 4: empty name
        + "E1,Ana Again,agent,Voice 1,voice,Manila,,,\n"  # line 5: duplicate id
        + "E4,Cy Lim,astronaut,Voice 1,voice,Manila,,,\n"  # line 6: unknown role
        + "E5,Di Tan,agent,Voice 1,voice,Manila,BOSS,,\n"  # line 7: unknown manager
        + "E6,Ed Sy,agent,Voice 1,voice,Manila,,Zendsk:3,\n"  # line 8: unknown skill
        + "E7,Fe Go,agent,Voice 1,chat,Cebu,,,\n"  # line 9: team in two places
    )
    report = await import_hris(taxonomy_store, path)
    assert not report.ok
    by_line = {e.line: e.reason for e in report.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert "from 1 to 5" in by_line[3]
    assert "name must not be empty" in by_line[4]
    assert "already on line 2" in by_line[5]
    assert "astronaut" in by_line[6]
    assert "'BOSS'" in by_line[7]
    assert "Did you mean 'Zendesk'" in by_line[8]
    assert "Voice 1" in by_line[9]
    assert report.unmatched_skills == {"Zendsk": [8]}
    assert await taxonomy_store.read(people.count_people) == 0
    assert await taxonomy_store.query("MATCH (t:Team) RETURN t.id AS id") == []


async def test_check_only_writes_nothing(taxonomy_store: Store) -> None:
    report = await import_hris(taxonomy_store, EXAMPLE, check=True)
    assert report.ok and report.checked_only and report.written == {}
    assert await taxonomy_store.read(people.count_people) == 0


async def test_semicolon_dialect_with_bom_and_new_skills(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeffemployee_id;name;team;function;site;skills\n"
        'X1;"Lopez, Maria";Email 1;email;Austin;"Freshdesk:4| Mainframe green screens:2"\n',
        encoding="utf-8",
    )
    refused = await import_hris(taxonomy_store, path)
    assert [e.line for e in refused.errors] == [2]
    report = await import_hris(taxonomy_store, path, create_skills=True)
    assert report.ok and report.created_skills == ["Mainframe green screens"]
    person = await taxonomy_store.read(people.get_person, "X1")
    assert person is not None and person.name == "Lopez, Maria"
    assert {s.skill for s in person.skills} == {"freshdesk", "mainframe green screens"}


async def test_missing_columns_are_reported(taxonomy_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("employee_id,name\nE1,Ana\n")
    report = await import_hris(taxonomy_store, path)
    assert [(e.line, e.reason) for e in report.errors] == [
        (1, "missing required column(s): team, function, site")
    ]


async def test_import_keeps_columns_the_file_does_not_have(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    await import_hris(taxonomy_store, EXAMPLE)
    path = tmp_path / "move.csv"
    path.write_text(
        "employee_id,name,team,function,site\nA201,Kristine Santos,Manila Voice 1,voice,Manila\n"
    )
    assert (await import_hris(taxonomy_store, path)).ok
    person = await taxonomy_store.read(people.get_person, "A201")
    assert person is not None and person.shift == "night" and person.manager_id == "L200"


async def test_a_file_of_a_million_rows_is_refused_early_in_bounded_memory(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    import time
    import tracemalloc

    path = tmp_path / "huge.csv"
    with path.open("w") as out:
        out.write(HEADER)
        row = "E{0},Person {0},Agent,Voice 1,voice,Manila,,SQL:3,Excel:high\n"
        out.writelines(row.format(i) for i in range(1_000_000))
    before = await graph_snapshot(taxonomy_store)
    tracemalloc.start()
    started = time.perf_counter()
    report = await import_hris(taxonomy_store, path, max_rows=5_000)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok and report.rows == 5_000
    assert "more than 5,000 people" in report.errors[0].reason
    assert report.errors[0].line == 5_002
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MiB for a {path.stat().st_size >> 20} MiB file"
    assert seconds < 30, "it stops reading at the limit"
    assert await graph_snapshot(taxonomy_store) == before
