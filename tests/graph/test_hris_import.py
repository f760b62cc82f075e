"""HRIS CSV import against the real store: good files land whole, bad files write nothing."""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path

import pytest

from graph import people
from graph.embedded import BoltEndpoint
from graph.hris import import_hris
from graph.model import JobRole, LearningGoal, SkillLevel
from graph.organisation import ensure_bundled_catalog, install_bundled_catalog
from graph.roles import load_role_profiles
from graph.store import Store
from graph.teams import team_id
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


async def test_manager_cycles_are_refused_naming_people_and_lines(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "cycles.csv"
    path.write_text(
        HEADER
        + "B1,Bea,agent,Voice 1,voice,Manila,B2,,\n"  # line 2: B1 and B2 manage each other
        + "B2,Bo,agent,Voice 1,voice,Manila,B1,,\n"
        + "C1,Cy,agent,Voice 1,voice,Manila,C3,,\n"  # line 4: C1 → C3 → C2 → C1
        + "C2,Cai,agent,Voice 1,voice,Manila,C1,,\n"
        + "C3,Cas,agent,Voice 1,voice,Manila,C2,,\n"
        + "D1,Di,agent,Voice 1,voice,Manila,D1,,\n"  # line 7: manages themselves
        + "E1,Ed,agent,Voice 1,voice,Manila,C1,,\n"  # line 8: reports into a cycle, not in it
        + "F1,Fe,agent,Voice 1,voice,Manila,,,\n",
        encoding="utf-8",
    )
    report = await import_hris(taxonomy_store, path)
    assert [(e.line, e.employee_id, e.reason) for e in report.errors] == [
        (
            2,
            "B1",
            "managers go round in a circle of 2 people: B1 (line 2) → B2 (line 3) → B1; "
            "someone in it must report to a person outside it",
        ),
        (
            4,
            "C1",
            "managers go round in a circle of 3 people: C1 (line 4) → C3 (line 6) → "
            "C2 (line 5) → C1; someone in it must report to a person outside it",
        ),
        (7, "D1", "manager_id is the person themselves"),
    ]
    assert await taxonomy_store.read(people.count_people) == 0


async def test_a_cycle_through_people_already_in_skillweave_is_refused(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    assert (await import_hris(taxonomy_store, EXAMPLE)).ok
    before = await graph_snapshot(taxonomy_store)
    path = tmp_path / "promotion.csv"
    # A201 reports to L200, who reports to M100: M100 cannot report to A201
    path.write_text(
        "employee_id,name,team,function,site,manager_id\n"
        "M100,Rosa Villanueva,Manila Leadership,operations,Manila,A201\n",
        encoding="utf-8",
    )
    report = await import_hris(taxonomy_store, path)
    assert [(e.line, e.employee_id) for e in report.errors] == [(2, "M100")]
    assert (
        "circle of 3 people: M100 (line 2) → A201 (in Skillweave) → L200 (in Skillweave) → M100"
        in report.errors[0].reason
    )
    assert await graph_snapshot(taxonomy_store) == before
    # the same file is fine once A201 reports to someone else in it
    path.write_text(
        "employee_id,name,team,function,site,manager_id\n"
        "M100,Rosa Villanueva,Manila Leadership,operations,Manila,A201\n"
        "A201,Kristine Santos,Manila Voice 1,voice,Manila,\n",
        encoding="utf-8",
    )
    assert (await import_hris(taxonomy_store, path)).ok


@pytest.mark.parametrize(
    ("name", "kept_id"),
    [
        ("Voice Manila 1", "voice-manila-1"),
        ("Manila Voice 1", "manila-voice-1"),
        ("Voice – Manila 1", "voice-manila-1"),
        ("  VOICE / Manila #1 ", "voice-manila-1"),
        ("Manila Leadership", "manila-leadership"),
        ("Équipe Montréal 2", "quipe-montr-al-2"),  # accents were always dropped; ids kept
        ("Kraków Voice", "krak-w-voice"),
    ],
)
def test_team_ids_of_latin_names_do_not_change(name: str, kept_id: str) -> None:
    assert team_id(name) == kept_id


SCRIPTS = {
    "Arabic": ("القاهرة صوت 1", "القاهرة صوت 2"),
    "Cyrillic": ("Москва Голос 1", "Москва Голос 2"),
    "Thai": ("กรุงเทพ เสียง 1", "กรุงเทพ เสียง 2"),
    "Chinese": ("上海 语音 1", "上海 语音 2"),
    "Japanese": ("東京 ボイス 1", "東京 ボイス 2"),
    "Korean": ("서울 음성 1", "서울 음성 2"),
    "Greek": ("Αθήνα Φωνή 1", "Αθήνα Φωνή 2"),
    "Hebrew": ("תל אביב קול 1", "תל אביב קול 2"),
    "Devanagari": ("मुंबई वॉइस 1", "मुंबई वॉइस 2"),
    "symbols": ("★★★", "☆☆☆"),
}


def test_team_ids_are_distinct_and_stable_in_any_script() -> None:
    names = [name for pair in SCRIPTS.values() for name in pair] + ["Voice 1", "Voice 2"]
    ids = [team_id(name) for name in names]
    assert len(set(ids)) == len(names), dict(zip(names, ids, strict=True))
    assert all(ids), "no empty id"
    for name in names:
        # case, spacing, punctuation and Unicode normal form do not make another team
        variants = [name.upper(), f"  {name} ", name.replace(" ", " - ")]
        variants += [unicodedata.normalize(form, name) for form in ("NFC", "NFD", "NFKC")]
        assert {team_id(v) for v in variants} == {team_id(name)}, name


async def test_teams_in_any_script_import_apart_and_twice_the_same(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    header = "employee_id,name,team,function,site\n"
    files = []
    for number, (script, (first, second)) in enumerate(SCRIPTS.items()):
        path = tmp_path / f"{number}.csv"
        function = ("voice", "chat", "email")[number % 3]
        path.write_text(
            header
            + f"{script[:2]}1,Person One,{first},{function},Site {number}\n"
            + f"{script[:2]}2,Person Two,{second},qa,Site {number}\n",
            encoding="utf-8",
        )
        files.append(path)
    for path in files:
        report = await import_hris(taxonomy_store, path)
        assert report.ok, report.errors
    teams = await taxonomy_store.query("MATCH (t:Team) RETURN t.id AS id, t.name AS name")
    assert len(teams) == 2 * len(SCRIPTS)
    moscow = await taxonomy_store.read(people.get_person, "Cy1")
    assert moscow is not None
    assert (moscow.team_id, moscow.function) == (team_id("Москва Голос 1"), "chat")
    before = await graph_snapshot(taxonomy_store)
    for path in files:
        assert (await import_hris(taxonomy_store, path)).ok
    assert await graph_snapshot(taxonomy_store) == before


async def _targets(store: Store) -> dict[str, tuple[str, object]]:
    rows = await store.query(
        "MATCH (p:Person)-[t:TARGETS]->(r:Role) RETURN p.id AS id, r.id AS role, t.since AS since"
    )
    return {r["id"]: (r["role"], r["since"]) for r in rows}


async def test_a_new_store_gets_the_bundled_catalog_once_and_edits_are_kept(store: Store) -> None:
    written = await store.write(install_bundled_catalog)
    assert written["skills"] > 100 and written["roles"] == len(load_role_profiles())
    await store.query("MATCH (r:Role {id: 'team lead'}) SET r.name = 'Team Lead (edited)'")
    assert await store.write(install_bundled_catalog) == {"skills": 0, "roles": 0}
    rows = await store.query("MATCH (r:Role {id: 'team lead'}) RETURN r.name AS name")
    assert rows == [{"name": "Team Lead (edited)"}], "HR's edit is not overwritten"


async def test_target_roles_import_keep_their_date_and_a_wrong_one_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    await store.write(install_bundled_catalog)
    good = tmp_path / "targets.csv"
    good.write_text(
        "employee_id,name,team,function,site,target_role\n"
        "E1,Ana Cruz,Voice 1,voice,Manila,Team Lead\n"
        "E2,Ben Ong,Voice 1,voice,Manila,qa analyst\n"
        "E3,Cy Lim,Voice 1,voice,Manila,\n"
    )
    report = await import_hris(store, good)
    assert report.ok, report.errors
    first = await _targets(store)
    assert {pid: role for pid, (role, _) in first.items()} == {
        "E1": "team lead",
        "E2": "qa analyst",
    }
    good.write_text(
        "employee_id,name,team,function,site,target_role\n"
        "E1,Ana Cruz,Voice 1,voice,Manila,TEAM LEAD\n"  # the same role: progress keeps its start
        "E2,Ben Ong,Voice 1,voice,Manila,Trainer\n"  # another role: a new start
    )
    assert (await import_hris(store, good)).ok
    second = await _targets(store)
    assert second["E1"] == first["E1"]
    assert second["E2"][0] == "trainer" and second["E2"][1] != first["E2"][1]

    before = await graph_snapshot(store)
    bad = tmp_path / "bad-target.csv"
    bad.write_text(
        "employee_id,name,team,function,site,target_role\n"
        "E1,Ana Cruz,Voice 1,voice,Manila,Trainer\n"
        "E2,Ben Ong,Voice 1,voice,Manila,Team Leed\n"
    )
    report = await import_hris(store, bad)
    assert [(e.line, e.employee_id) for e in report.errors] == [(3, "E2")]
    assert "did you mean 'Team Lead'" in report.errors[0].reason
    assert await graph_snapshot(store) == before, "a bad row writes nothing"


async def test_two_processes_starting_on_a_new_store_install_the_catalog_once(
    store: Store, endpoint: BoltEndpoint
) -> None:
    other = await Store.connect(endpoint)
    try:
        first, second = await asyncio.gather(
            ensure_bundled_catalog(store), ensure_bundled_catalog(other)
        )
    finally:
        await other.close()
    assert first["roles"] + second["roles"] == len(load_role_profiles())
    rows = await store.query("MATCH (r:Role) RETURN count(r) AS n")
    assert rows == [{"n": len(load_role_profiles())}]
