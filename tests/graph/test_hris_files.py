"""HRIS files as HR really exports them, against the real store: every file ends in a clean
import or in problems with their lines and nothing written, never in a traceback."""

from __future__ import annotations

import codecs
import csv
import random
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from graph import people, validation
from graph.hris import MAX_LINE_LENGTH, count_rows, import_hris
from graph.store import Store
from tests.conftest import graph_snapshot

pytestmark = pytest.mark.anyio

HEADER = ["employee_id", "name", "team", "function", "site", "manager_id", "skills"]
ROWS = [
    ["E1", "José García", "Voice Bogotá 1", "voice", "Bogotá", "", "Zendesk:4"],
    ["E2", "Jürgen Müller", "Voice Bogotá 1", "voice", "Bogotá", "E1", "Excel:3"],
    ["E3", "Ñusta Peña", "Voice Bogotá 1", "voice", "Bogotá", "E1", ""],
]


def table(rows: list[list[str]], delimiter: str = ",", header: list[str] = HEADER) -> str:
    return "".join(delimiter.join(cells) + "\r\n" for cells in [header, *rows])


async def nothing_written(store: Store) -> bool:
    return await store.read(people.count_people) == 0


# Encodings, and files that are not text


@pytest.mark.parametrize(
    ("what", "data", "label"),
    [
        ("Excel's CSV on Windows", table(ROWS).encode("cp1252"), "Windows-1252"),
        ("Excel's CSV UTF-8", codecs.BOM_UTF8 + table(ROWS).encode(), "UTF-8 with BOM"),
        ("UTF-8 without a BOM", table(ROWS).encode(), "UTF-8"),
        (
            "Excel's Unicode Text",
            codecs.BOM_UTF16_LE + table(ROWS, "\t").encode("utf-16-le"),
            "UTF-16 LE",
        ),
        ("UTF-16 BE", codecs.BOM_UTF16_BE + table(ROWS, ";").encode("utf-16-be"), "UTF-16 BE"),
        ("UTF-32", codecs.BOM_UTF32_LE + table(ROWS).encode("utf-32-le"), "UTF-32 LE"),
    ],
)
async def test_excel_encodings_import_the_same_people(
    taxonomy_store: Store, tmp_path: Path, what: str, data: bytes, label: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    report = await import_hris(taxonomy_store, path)
    assert report.ok, (what, report.errors)
    assert report.encoding == label and report.rows == 3
    for employee_id, name, _, _, site, _, _ in ROWS:
        person = await taxonomy_store.read(people.get_person, employee_id)
        assert person is not None and (person.name, person.site) == (name, site), what
    assert count_rows(path) == 3


async def test_unicode_text_in_any_script_round_trips(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    rows = [
        ["T1", "สมชาย ใจดี", "กรุงเทพ 1", "voice", "Bangkok", "", ""],
        ["A1", "عمر حسن", "القاهرة 1", "chat", "Cairo", "", ""],
        ["C1", "王伟", "上海 1", "email", "Shanghai", "", ""],
    ]
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + table(rows, "\t").encode("utf-16-le"))
    assert (await import_hris(taxonomy_store, path)).ok
    for employee_id, name, *_ in rows:
        person = await taxonomy_store.read(people.get_person, employee_id)
        assert person is not None and person.name == name


def xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 500 + "</worksheet>")


@pytest.mark.parametrize(
    ("make", "looks_like"),
    [
        (xlsx, "looks like an Excel workbook (.xlsx)"),
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)),
            "looks like an old Excel workbook (.xls)",
        ),
        (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "looks like a PDF"),
        (lambda p: p.write_bytes(random.Random(7).randbytes(20_000)), "control characters"),
        (lambda p: p.write_bytes(table(ROWS).encode("utf-16-le")), "control characters"),
    ],
    ids=["xlsx", "xls", "pdf", "random-bytes", "utf-16-without-bom"],
)
async def test_a_file_that_is_not_text_is_one_clear_problem(
    taxonomy_store: Store, tmp_path: Path, make: Callable[[Path], object], looks_like: str
) -> None:
    path = tmp_path / "people.csv"
    make(path)
    report = await import_hris(taxonomy_store, path)
    assert [e.line for e in report.errors] == [1]
    assert report.errors[0].reason.startswith("not a CSV/text file")
    assert looks_like in report.errors[0].reason
    assert report.errors[0].reason.endswith("save it as CSV UTF-8")
    assert await nothing_written(taxonomy_store)
    assert count_rows(path) == 0


async def test_bytes_that_are_not_text_are_named_with_their_line(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    not_1252 = tmp_path / "windows.csv"
    # 0x81 is undefined in Windows-1252, and not UTF-8 either
    not_1252.write_bytes(table(ROWS).encode("cp1252").replace("Peña".encode("cp1252"), b"Pe\x81a"))
    report = await import_hris(taxonomy_store, not_1252)
    assert [(e.line, e.employee_id) for e in report.errors] == [(4, "E3")]
    assert "name has a byte (0x81) that is not UTF-8 or Windows-1252 text" in str(report.errors[0])
    bad_utf8 = tmp_path / "bom.csv"
    bad_utf8.write_bytes(codecs.BOM_UTF8 + table(ROWS).encode().replace(b"Jos\xc3\xa9", b"Jos\xe9"))
    report = await import_hris(taxonomy_store, bad_utf8)
    assert [(e.line, e.employee_id) for e in report.errors] == [(2, "E1")]
    assert "byte (0xE9) that is not UTF-8 with BOM text" in report.errors[0].reason
    assert await nothing_written(taxonomy_store)


@pytest.mark.parametrize(
    ("code_page", "name"),
    [
        ("cp1250", "Łukasz Wójcik"),  # Excel on Polish Windows
        ("cp1251", "Иван Петров"),  # Russian
        ("cp1253", "Γιώργος Παππάς"),  # Greek
        ("cp1256", "عمر حسن"),  # Arabic
        ("cp874", "สมชาย ใจดี"),  # Thai
        ("utf-8", "José García"),  # UTF-8 pasted into a Windows-1252 file
    ],
)
async def test_another_code_page_is_refused_not_imported_garbled(
    taxonomy_store: Store, tmp_path: Path, code_page: str, name: str
) -> None:
    path = tmp_path / "people.csv"
    first = table([["E1", "Ana Müller", "Voice 1", "voice", "Manila", "", ""]]).encode("cp1252")
    path.write_bytes(first + b"E2," + name.encode(code_page) + b",Voice 1,voice,Manila,,\r\n")
    report = await import_hris(taxonomy_store, path)
    assert report.encoding == "Windows-1252"
    assert [(e.line, e.employee_id) for e in report.errors] == [(3, "E2")]
    assert "looks garbled" in report.errors[0].reason
    assert "save it as CSV UTF-8" in report.errors[0].reason
    assert await nothing_written(taxonomy_store)


# Oversized cells and lines, the API's limits, control characters


async def test_a_cell_over_the_csv_limit_is_a_problem_with_its_line(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    huge = "x" * (csv.field_size_limit() + 1)
    path = tmp_path / "huge-cell.csv"
    path.write_text(
        table([ROWS[0], ["E2", huge, "Voice 1", "voice", "Manila", "", ""], ROWS[2]]),
        encoding="utf-8",
    )
    report = await import_hris(taxonomy_store, path)
    assert [e.line for e in report.errors] == [3]
    assert f"longer than {csv.field_size_limit():,} characters" in report.errors[0].reason
    unclosed = tmp_path / "unclosed-quote.csv"
    body = [["E1", '"Lopez, Maria', "Voice 1", "voice", "Manila", "", ""]]
    body += [[f"F{i}", "Ana", "Voice 1", "voice", "Manila", "", ""] for i in range(20_000)]
    unclosed.write_text(table(body), encoding="utf-8")
    report = await import_hris(taxonomy_store, unclosed)
    assert report.errors[0].line == 2 and "is a quote left open?" in report.errors[0].reason
    assert await nothing_written(taxonomy_store)


async def test_a_line_over_the_line_limit_is_read_past_and_named(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "long-line.csv"
    path.write_text(table([ROWS[0], ["E2", *(["y"] * MAX_LINE_LENGTH)], ROWS[2]]), encoding="utf-8")
    report = await import_hris(taxonomy_store, path)
    assert [e.line for e in report.errors] == [3]
    assert f"the most is {MAX_LINE_LENGTH:,}" in report.errors[0].reason
    assert await nothing_written(taxonomy_store)


async def test_the_apis_limits_and_control_characters_are_problems_with_lines(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    name_limit, text_limit = validation.MAX_NAME_LENGTH, validation.MAX_TEXT_LENGTH
    longest_name = "N" * name_limit
    header = [*HEADER, "title", "languages"]
    rows = [
        ["E1", longest_name, "Voice 1", "voice", "Manila", "", "", "T" * name_limit, ""],
        ["E2", "N" * (name_limit + 1), "Voice 1", "voice", "Manila", "", "", "", ""],
        ["E3", "Ana", "Voice 1", "voice", "Manila", "", "", "T" * (name_limit + 1), ""],
        ["E4", "Ana", "V" * (name_limit + 1), "voice", "Manila", "", "", "", ""],
        ["E5", "Ana", "Voice 1", "voice", "Manila", "", "Excel:3;" * (text_limit // 8 + 1), "", ""],
        ["E6", "Ana", "Voice 1", "voice", "Manila", "", "S" * (name_limit + 1), "", ""],
        ["E7", "Ana", "Voice 1", "voice", "Manila", "", "", "", "; ".join(["English"] * 21)],
        ["E8", "Ana\x07Cruz", "Voice 1", "voice", "Manila", "", "", "", ""],
        ["E9", '"Ana\nCruz"', "Voice 1", "voice", "Manila", "", "", "", ""],
        ["E10", "Ana", "Voice\u20281", "voice", "Manila", "", "", "", ""],
        ["E11", "Ana", "Voice 1", "voice", "Manila", "", "", "Lead\x1b[31m", ""],
        ["E12", "Ana", "Voice 1", "voice", "Manila", "", "", "", "English;\x00Tagalog"],
        ["E1" + "\x7f", "Ana", "Voice 1", "voice", "Manila", "", "", "", ""],
    ]
    path = tmp_path / "limits.csv"
    path.write_text(table(rows, header=header), encoding="utf-8")
    report = await import_hris(taxonomy_store, path)
    by_line = {e.line: e.reason for e in report.errors}
    assert 2 not in by_line, "values at the limits are good"
    assert by_line[3] == f"name is {name_limit + 1} characters long; the limit is {name_limit}."
    assert by_line[4].startswith(f"title is {name_limit + 1} characters long")
    assert by_line[5].startswith(f"team is {name_limit + 1} characters long")
    assert by_line[6].startswith("skills is") and f"the limit is {text_limit}" in by_line[6]
    assert by_line[7].startswith(f"a skill name in skills is {name_limit + 1} characters long")
    assert by_line[8] == f"List at most {validation.MAX_LANGUAGES} languages."
    assert by_line[9] == "name has a control character (U+0007) at character 4."
    assert by_line[10] == "name has a control character (U+000A) at character 4."
    # E9's quoted line break makes its row two lines long: E10 is on line 12
    assert by_line[12] == "team has a control character (U+2028) at character 6."
    assert by_line[13] == "title has a control character (U+001B) at character 5."
    assert by_line[14] == "languages has a control character (U+0000) at character 9."
    assert by_line[15] == "employee_id has a control character (U+007F) at character 3."
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15]
    assert {e.employee_id for e in report.errors if e.line == 15} == {""}
    assert await nothing_written(taxonomy_store)


# Columns


async def test_duplicate_and_unnamed_columns_are_refused_by_name(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(
        "employee_id,name,team,function,site, Name ,skills,SKILLS,\n"
        "E1,Ana,Voice 1,voice,Manila,Ana Cruz,Excel:3,SQL:2,\n",
        encoding="utf-8",
    )
    report = await import_hris(taxonomy_store, path)
    assert [(e.line, e.reason) for e in report.errors] == [
        (1, "column 'name' appears twice: as column 2 and column 6"),
        (1, "column 'skills' appears twice: as column 7 and column 8"),
        (1, "column 9 has no name"),
    ]
    assert await nothing_written(taxonomy_store)


# Memory


async def test_a_large_file_whose_last_row_is_bad_is_checked_in_bounded_memory(
    taxonomy_store: Store, tmp_path: Path
) -> None:
    skills = "; ".join(f"{s}:4" for s in ["SQL", "Excel", "Zendesk", "Coaching", "Empathy", "SFDC"])
    goals = "; ".join(f"{s}:high" for s in ["Power BI", "Tableau", "Python scripting", "Erlang C"])
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "employee_id,name,title,team,function,site,languages,manager_id,skills,learning_goals\n"
        )
        out.writelines(
            f"E{i},Person Number {i},Senior Customer Service Agent,Voice {i % 40},voice,Manila,"
            f'English; Tagalog; Spanish,{f"E{i // 10}" if i >= 10 else ""},"{skills}","{goals}"\n'
            for i in range(10_000)
        )
        out.write("BAD,Last Row,Agent,Voice 1,voice,Manila,English,E1,Astronautics:4,\n")
    before = await graph_snapshot(taxonomy_store)
    tracemalloc.start()
    started = time.perf_counter()
    report = await import_hris(taxonomy_store, path)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(e.line, e.employee_id) for e in report.errors] == [(10_002, "BAD")]
    assert "Unknown skill 'Astronautics'" in report.errors[0].reason
    # Keeping every checked person, as the import did, took 18 MiB for this 2.2 MiB file
    assert peak < 6 * 2**20, f"{peak / 2**20:.1f} MiB to check {path.stat().st_size >> 10} KiB"
    assert seconds < 60
    assert await graph_snapshot(taxonomy_store) == before


# The command, as HR runs it


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("SKILLWEAVE_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def command_files(folder: Path) -> tuple[Path, Path]:
    book = folder / "people.xlsx"
    xlsx(book)
    windows = folder / "people.csv"
    windows.write_bytes(table([r[:6] for r in ROWS], header=HEADER[:6]).encode("cp1252"))
    return book, windows


def test_the_command_checks_any_file_without_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    book, windows = command_files(tmp_path)
    refused = runner.invoke(cli, ["import", "--check", str(book)])
    assert refused.exit_code == 1, refused.output
    assert "looks like an Excel workbook" in refused.output
    assert "Nothing was imported" in refused.output
    assert isinstance(refused.exception, SystemExit), "no traceback"
    checked = runner.invoke(cli, ["import", "--check", str(windows)])
    assert checked.exit_code == 0, checked.output
    assert "3 rows checked: all good" in checked.output


def test_the_command_imports_any_file_without_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    book, windows = command_files(tmp_path)
    refused = runner.invoke(cli, ["import", str(book)])
    assert refused.exit_code == 1 and "looks like an Excel workbook" in refused.output
    imported = runner.invoke(cli, ["import", str(windows)])
    assert imported.exit_code == 0 and "Imported 3 people" in imported.output
