"""Import an HRIS export (one CSV row per person) into the skills graph.

A file ends in one of two ways: imported whole, or a list of problems, each with its
line number, and nothing written. :func:`detect_encoding` decides how its bytes become
text (byte-order mark, else UTF-8, else Windows-1252) and refuses files that are not text.
:func:`import_hris` then reads the file twice, streaming both times: a check that keeps
only what rows are checked against (ids, managers, teams), and, when every row is good,
a second read that builds the people to write with ``MERGE`` (in one transaction up to
10,000 people, in marked batches beyond: :mod:`graph.organisation`), so importing it
again changes nothing. ``docs/hris-import.md`` documents the columns;
``examples/hris/people.csv`` is a small working example.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from graph import validation
from graph.errors import InvalidInput
from graph.model import JobRole, LearningGoal, Person, Skill, SkillLevel, Team
from graph.organisation import Organisation, Progress, write_organisation
from graph.people import PERSON_FIELDS
from graph.roles import role_id
from graph.skills import SkillCatalog, load_catalog, skill_key, unknown_skill_message
from graph.store import Store, Tx, run
from graph.teams import team_id

REQUIRED_COLUMNS = ("employee_id", "name", "team", "function", "site")
OPTIONAL_COLUMNS = (
    "title", "role", "shift", "timezone", "languages", "tenure_months", "manager_id",
    "mentoring_capacity", "open_to_mentoring", "open_to_being_mentored", "share_goals", "skills",
    "learning_goals", "status", "target_role",
)  # fmt: skip
STATUSES = {"active": False, "leaver": True, "left": True}
"""The ``status`` column's words, and whether each means the person has left."""
COLUMN_TO_PROPERTY = {"employee_id": "id"}
"""CSV column names that differ from the Person property they fill."""
LIST_COLUMNS = ("languages", "skills", "learning_goals")
"""Cells holding lists may be as long as the API's longest text; others as long as a name."""

LIST_SEPARATORS = (";", "|")
MAX_ROWS = 200_000
"""People one import takes at most; larger files are refused early."""
MAX_LINE_LENGTH = 1 << 20
"""Characters of one line of the file; a longer line is a problem, read past, never held whole."""
MAX_CYCLE_SHOWN = 10
"""People a manager-cycle problem lists by name."""
ROLE_SYNONYMS = {
    "lead": JobRole.TEAM_LEAD,
    "tl": JobRole.TEAM_LEAD,
    "supervisor": JobRole.TEAM_LEAD,
    "qa": JobRole.QA_ANALYST,
    "quality analyst": JobRole.QA_ANALYST,
    "wfm": JobRole.WFM_ANALYST,
    "analyst": JobRole.DATA_ANALYST,
    "it": JobRole.IT_SUPPORT,
    "csr": JobRole.AGENT,
    "advisor": JobRole.AGENT,
    "senior": JobRole.SENIOR_AGENT,
}
PRIORITY_WORDS = {"high": 1, "medium": 2, "med": 2, "low": 3}
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Encoding:
    """How the bytes of a file become text."""

    codec: str
    """Python's name of the codec."""
    label: str
    """What messages and the docs call it."""
    fallback: bool = False
    """Taken because the file is not UTF-8: cells that look mis-read are refused."""


UTF_8 = Encoding("utf-8", "UTF-8")
WINDOWS_1252 = Encoding("cp1252", "Windows-1252", fallback=True)
"""What Excel's "CSV (Comma delimited)" writes on Windows in Western European and American
locales, so what a file that is not UTF-8 is taken to be."""
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, Encoding("utf-32", "UTF-32 LE")),  # before UTF-16 LE: same start
    (codecs.BOM_UTF32_BE, Encoding("utf-32", "UTF-32 BE")),
    (codecs.BOM_UTF8, Encoding("utf-8-sig", "UTF-8 with BOM")),
    (codecs.BOM_UTF16_LE, Encoding("utf-16", "UTF-16 LE")),  # Excel's "Unicode Text"
    (codecs.BOM_UTF16_BE, Encoding("utf-16", "UTF-16 BE")),
)
FILE_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
    (b"%PDF-", "a PDF document"),
)
"""The first bytes of files HR sends instead of a CSV, and what they are."""
SNIFF_BYTES = 64 * 1024
"""How much of the start of a file tells whether it is text."""
_SCAN_BYTES = 1 << 20

_UNDECODABLE_ERRORS = "skillweave-undecodable"
_UNDECODABLE = re.compile("[\udc00-\udcff]")
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MISREAD_SYMBOLS = "¡-©«-\xad¯±-³µ¶¸¹»-¿"
"""Windows-1252 symbols (ª º ° ´ · ® left out) that name no letter, so touch no letter in a
name unless the bytes were another code page's letters (Polish ł is ³ in Windows-1252)."""
_MISREAD = re.compile(
    "[À-ÖØ-öø-ÿ]{3,}"  # Cyrillic, Greek, Hebrew, Arabic, Thai... read as accented letters
    f"|(?<=[A-Za-zÀ-ÖØ-öø-ÿ])[{_MISREAD_SYMBOLS}]|[{_MISREAD_SYMBOLS}](?=[A-Za-zÀ-ÖØ-öø-ÿ])"
    "|[ÂÃÐÑ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|â€"  # UTF-8 read as Windows-1252
)
"""What text of another encoding looks like once read as Windows-1252 (``JosÃ©``, ``Èâàí``)."""


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each byte that is not text becomes U+DC00 + the byte.

    Such lone surrogates never come out of decoding good text, so a cell holding one can
    name the byte and its line, where ``errors="strict"`` would stop the whole read.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(_UNDECODABLE_ERRORS, _mark_undecodable)


class NotTextFile(Exception):
    """The file is not text (a workbook, an archive, a binary file), so not a CSV."""


def _refuse_binary(text: str) -> None:
    """Refuse text of which more than 1% is control characters (a NUL or two are lines' problems)."""
    if len(_BINARY_CONTROLS.findall(text)) * 100 > len(text):
        raise NotTextFile(
            "not a CSV/text file (it holds NUL bytes or other control characters): "
            "save it as CSV UTF-8"
        )


def detect_encoding(path: Path) -> Encoding:
    """How to read ``path``: by its byte-order mark, else UTF-8 if it all is, else Windows-1252.

    The file is read in chunks, never whole.

    Raises:
        NotTextFile: its first bytes are a workbook's, an archive's, or not text at all.
        OSError: it cannot be read.
    """
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
        for mark, encoding in BYTE_ORDER_MARKS:
            if head.startswith(mark):
                _refuse_binary(head.decode(encoding.codec, errors="replace"))
                return encoding
        for signature, what in FILE_SIGNATURES:
            if head.startswith(signature):
                raise NotTextFile(
                    f"not a CSV/text file; it looks like {what}: save it as CSV UTF-8"
                )
        _refuse_binary(head.decode("latin-1"))
        utf8 = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                utf8.decode(chunk)
                chunk = file.read(_SCAN_BYTES)
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return WINDOWS_1252
    return UTF_8


def open_text(path: Path, encoding: Encoding) -> TextIO:
    """``path`` opened as text in ``encoding``, for csv.

    A byte that is not text does not stop the read: it shows in its cell, which is then a
    problem with its line.
    """
    return path.open(encoding=encoding.codec, errors=_UNDECODABLE_ERRORS, newline="")


def count_rows(path: Path) -> int:
    """The lines after the header: the most people ``path`` can hold (a progress bar's total).

    Reads the file as :func:`import_hris` does; a file that is not text has none.
    """
    try:
        encoding = detect_encoding(path)
    except NotTextFile:
        return 0
    lines, last = 0, ""
    with open_text(path, encoding) as stream:
        while chunk := stream.read(_SCAN_BYTES):
            lines += chunk.count("\n")
            last = chunk[-1]
    return max(0, lines + (last not in ("", "\n")) - 1)


class _Lines:
    """The lines of a text stream for :func:`csv.reader`, none longer than MAX_LINE_LENGTH.

    A longer line is read past in pieces and stands as an empty line; ``too_long`` keeps
    its number and length. ``number`` is the last line's number, as ``reader.line_num``.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.number = 0
        self.too_long: dict[int, int] = {}

    def __iter__(self) -> Iterator[str]:
        while line := self.stream.readline(MAX_LINE_LENGTH):
            self.number += 1
            if len(line) == MAX_LINE_LENGTH and not line.endswith(("\n", "\r")):
                length = len(line)
                while rest := self.stream.readline(MAX_LINE_LENGTH):
                    length += len(rest)
                    if rest.endswith(("\n", "\r")):
                        break
                self.too_long[self.number] = length
                line = "\n"
            yield line


def _shown(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message, cut short when long."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"


@dataclass(frozen=True)
class RowError:
    """Why one line of the file cannot be imported."""

    line: int
    employee_id: str
    reason: str

    def __str__(self) -> str:
        who = f" ({self.employee_id})" if self.employee_id else ""
        return f"line {self.line}{who}: {self.reason}"


@dataclass
class ImportReport:
    """What an import found and did."""

    path: Path
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmatched_skills: dict[str, list[int]] = field(default_factory=dict)
    """Skill names no skill or alias matched, with the lines they are on."""
    created_skills: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    checked_only: bool = False
    encoding: str = ""
    """How the file was read (``UTF-8``, ``Windows-1252``...), once it was found to be text."""

    @property
    def ok(self) -> bool:
        """True when every row is valid."""
        return not self.errors


class _RowProblem(Exception):
    pass


def _split(cell: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        cell = cell.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in cell.split(LIST_SEPARATORS[0]) if part.strip()]


def _int(value: str, column: str, *, low: int, high: int, default: int) -> int:
    if not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise _RowProblem(f"{column} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise _RowProblem(f"{column} must be from {low} to {high}, not {number}")
    return number


def _bool(value: str, column: str, *, default: bool) -> bool:
    word = value.strip().casefold()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _RowProblem(f"{column} must be yes or no, not {value!r}")


def _role(value: str) -> JobRole:
    word = " ".join(value.strip().casefold().replace("_", " ").replace("-", " ").split())
    if not word:
        return JobRole.AGENT
    for role in JobRole:
        if word == role.value.replace("_", " "):
            return role
    if word in ROLE_SYNONYMS:
        return ROLE_SYNONYMS[word]
    choices = ", ".join(r.value for r in JobRole)
    raise _RowProblem(f"role {value!r} is not one of {choices}")


def _timezone(value: str) -> str:
    try:
        return validation.timezone(value.strip() or "UTC")
    except InvalidInput as problem:
        raise _RowProblem(str(problem)) from None


def _cell(column: str, value: str, encoding: Encoding) -> None:
    """Refuse a cell the API would refuse, or one whose bytes were not text."""
    undecodable = _UNDECODABLE.search(value)
    if undecodable:
        readable = "UTF-8 or Windows-1252" if encoding.fallback else encoding.label
        raise _RowProblem(
            f"{column} has a byte (0x{ord(undecodable.group()) - 0xDC00:02X}) that is not "
            f"{readable} text: save the file as CSV UTF-8"
        )
    limit = validation.MAX_TEXT_LENGTH if column in LIST_COLUMNS else validation.MAX_NAME_LENGTH
    try:
        validation.single_line(value, what=column, max_length=limit, required=False)
    except InvalidInput as problem:
        raise _RowProblem(str(problem)) from None
    if encoding.fallback and _MISREAD.search(value):
        raise _RowProblem(
            f"{column} {_shown(value)} looks garbled: the file is not UTF-8, so it was read as "
            "Windows-1252; save it as CSV UTF-8"
        )


def _who(row: Mapping[str, str]) -> str:
    """The row's employee id, for a problem's ``employee_id``; empty when it is not showable."""
    employee_id = row.get("employee_id", "").strip()
    try:
        _cell("employee_id", employee_id, UTF_8)
    except _RowProblem:
        return ""
    return employee_id


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a cell is longer than {csv.field_size_limit():,} characters, the most a CSV cell "
            "may be (is a quote left open?)"
        )
    return f"cannot be read as CSV: {error}"


def _header_problems(header: list[str]) -> list[str]:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [f"missing required column(s): {', '.join(missing)}"]
    problems: list[str] = []
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    unknown = [_shown(h) for h in header if h and h not in known]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    first: dict[str, int] = {}
    for number, name in enumerate(header, 1):
        if not name:
            problems.append(f"column {number} has no name")
        elif name in first and name in known:
            problems.append(
                f"column {name!r} appears twice: as column {first[name]} and column {number}"
            )
        first.setdefault(name, number)
    return problems


class _Parser:
    """Checks rows one by one and keeps only what later rows are checked against.

    People are kept only when ``keep_people`` (the read that writes): the check holds ids,
    lines, managers and teams, about 150 bytes a person.
    """

    def __init__(
        self,
        catalog: SkillCatalog,
        managers: Mapping[str, str | None],
        *,
        create_skills: bool,
        encoding: Encoding,
        keep_people: bool,
        roles: Mapping[str, str] | None = None,
    ) -> None:
        self.catalog = catalog
        self.roles = roles or {}
        """Role id to name, the roles a ``target_role`` cell may name."""
        self.targets: list[tuple[str, str]] = []
        """Employee id and the role they grow towards, for rows that name one."""
        self.existing = managers
        self.create_skills = create_skills
        self.encoding = encoding
        self.keep_people = keep_people
        self.teams: dict[str, Team] = {}
        self.team_lines: dict[str, int] = {}
        self.people: list[Person] = []
        self.lines: dict[str, int] = {}
        """Line of each employee id whose cell is good, even when the rest of its row is not."""
        self.managers: dict[str, str] = {}
        """Manager of each good row that names one."""
        self.new_skills: dict[str, Skill] = {}
        self.leavers: list[str] = []
        """Employees whose row says they left: off-boarded in the import's transaction."""

    def skill(self, name: str, column: str, line: int, report: ImportReport) -> str:
        try:
            validation.text(name, what=f"a skill name in {column}")
        except InvalidInput as problem:
            raise _RowProblem(str(problem)) from None
        found = self.catalog.resolve(name) or self.new_skills.get(skill_key(name))
        if found:
            return found.key
        if self.create_skills:
            skill = Skill(key=skill_key(name), name=name.strip(), category="uncategorised")
            self.new_skills[skill.key] = skill
            return skill.key
        report.unmatched_skills.setdefault(name, []).append(line)
        raise _RowProblem(unknown_skill_message(name, self.catalog.suggest(name)))

    def pairs(
        self, cell: str, column: str, line: int, report: ImportReport
    ) -> Iterator[tuple[str, str]]:
        for part in _split(cell):
            name, _, value = part.rpartition(":")
            if not name:
                name, value = value, ""
            yield self.skill(name.strip(), column, line, report), value.strip()

    def target_role(self, cell: str) -> str | None:
        """The id of the role ``cell`` names (by name or id, any case); None when empty."""
        if not cell.strip():
            return None
        found = role_id(cell)
        if found in self.roles:
            return found
        close = difflib.get_close_matches(found, list(self.roles), n=3, cutoff=0.6)
        hint = (
            f"; did you mean {' or '.join(repr(self.roles[c]) for c in close)}?"
            if close
            else f"; the roles are {', '.join(sorted(self.roles.values())) or 'not set up yet'}"
        )
        raise _RowProblem(f"target_role {cell.strip()!r} is not a role{hint}")

    def team(self, row: Mapping[str, str], line: int) -> Team:
        name = row["team"].strip()
        team = Team(team_id(name), name, row["function"].strip(), row["site"].strip())
        earlier = self.teams.setdefault(team.id, team)
        self.team_lines.setdefault(team.id, line)
        if earlier.name != team.name:
            raise _RowProblem(
                f"team {team.name!r} has the same id ({team.id}) as team {earlier.name!r} on "
                f"line {self.team_lines[team.id]}: write a team's name the same way on every row"
            )
        if earlier != team:
            raise _RowProblem(
                f"team {team.name!r} is in {earlier.function} at {earlier.site} on line "
                f"{self.team_lines[team.id]}, not {team.function} at {team.site}"
            )
        return team

    def row(self, row: dict[str, str], line: int, report: ImportReport) -> None:
        missing = [c for c in REQUIRED_COLUMNS if not row[c].strip()]
        if missing:
            raise _RowProblem(f"{', '.join(missing)} must not be empty")
        _cell("employee_id", row["employee_id"], self.encoding)
        employee_id = row["employee_id"].strip()
        if employee_id in self.lines:
            raise _RowProblem(
                f"employee_id {employee_id!r} is already on line {self.lines[employee_id]}"
            )
        self.lines[employee_id] = line
        for column, value in row.items():
            _cell(column, value, self.encoding)
        status = row.get("status", "").strip().casefold() or "active"
        if status not in STATUSES:
            raise _RowProblem(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if STATUSES[status]:
            self.leavers.append(employee_id)
        team = self.team(row, line)
        skills: dict[str, int] = {}
        for key, level in self.pairs(row.get("skills", ""), "skills", line, report):
            skills[key] = _int(level, f"level of {key}", low=1, high=5, default=3)
        goals: dict[str, int] = {}
        for key, priority in self.pairs(
            row.get("learning_goals", ""), "learning_goals", line, report
        ):
            word = priority.casefold()
            goals[key] = PRIORITY_WORDS.get(word) or _int(
                word, f"priority of {key}", low=1, high=3, default=2
            )
        capacity = _int(
            row.get("mentoring_capacity", ""),
            "mentoring_capacity",
            low=0,
            high=validation.MAX_MENTORING_CAPACITY,
            default=0,
        )
        try:
            languages = tuple(validation.languages(_split(row.get("languages", ""))))
        except InvalidInput as problem:
            raise _RowProblem(str(problem)) from None
        person = Person(
            id=employee_id,
            name=row["name"].strip(),
            title=row.get("title", "").strip(),
            role=_role(row.get("role", "")),
            team_id=team.id,
            function=team.function,
            site=team.site,
            shift=row.get("shift", "").strip().casefold(),
            timezone=_timezone(row.get("timezone", "")),
            languages=languages,
            tenure_months=_int(
                row.get("tenure_months", ""), "tenure_months", low=0, high=720, default=0
            ),
            mentoring_capacity=capacity,
            open_to_mentoring=_bool(
                row.get("open_to_mentoring", ""), "open_to_mentoring", default=capacity > 0
            ),
            open_to_being_mentored=_bool(
                row.get("open_to_being_mentored", ""), "open_to_being_mentored", default=True
            ),
            share_goals=_bool(row.get("share_goals", ""), "share_goals", default=False),
            manager_id=row.get("manager_id", "").strip() or None,
            skills=tuple(SkillLevel(k, v) for k, v in sorted(skills.items())),
            goals=tuple(LearningGoal(k, v) for k, v in sorted(goals.items())),
        )
        target = self.target_role(row.get("target_role", ""))
        if person.manager_id:
            self.managers[employee_id] = sys.intern(person.manager_id)
        if self.keep_people:
            self.people.append(person)
            if target is not None:
                self.targets.append((employee_id, target))

    def manager_of(self, person_id: str) -> str | None:
        """Whom ``person_id`` reports to once the file is imported."""
        if person_id in self.lines:
            return self.managers.get(person_id)
        return self.existing.get(person_id)

    def cycles(self) -> Iterator[list[str]]:
        """Each circle of managers the file would make, of more than one person.

        Following their managers, its people come back to themselves. (Someone managing
        themselves is a problem of its own.)
        """
        done: set[str] = set()
        for start in self.managers:
            path: dict[str, None] = {}
            person: str | None = start
            while person is not None and person not in done and person not in path:
                path[person] = None
                person = self.manager_of(person)
            done.update(path)
            if person is not None and person in path:
                walk = list(path)
                cycle = walk[walk.index(person) :]
                if len(cycle) > 1 and any(p in self.lines for p in cycle):
                    yield cycle

    def check_managers(self, report: ImportReport) -> None:
        for employee_id, manager in self.managers.items():
            line = self.lines[employee_id]
            if manager == employee_id:
                report.errors.append(
                    RowError(line, employee_id, "manager_id is the person themselves")
                )
            elif manager not in self.lines and manager not in self.existing:
                report.errors.append(
                    RowError(
                        line,
                        employee_id,
                        f"manager_id {manager!r} is neither in this file nor already in Skillweave",
                    )
                )
        for cycle in self.cycles():
            first = min(range(len(cycle)), key=lambda i: self.lines.get(cycle[i], sys.maxsize))
            cycle = cycle[first:] + cycle[:first]
            names = [
                f"{p} (line {self.lines[p]})" if p in self.lines else f"{p} (in Skillweave)"
                for p in cycle[:MAX_CYCLE_SHOWN]
            ]
            if len(cycle) > MAX_CYCLE_SHOWN:
                names.append(f"… {len(cycle) - MAX_CYCLE_SHOWN} more")
            report.errors.append(
                RowError(
                    self.lines[cycle[0]],
                    cycle[0],
                    f"managers go round in a circle of {len(cycle)} people: "
                    f"{' → '.join(names)} → {cycle[0]}; "
                    "someone in it must report to a person outside it",
                )
            )


def parse_hris(
    text: str | TextIO,
    *,
    path: Path,
    catalog: SkillCatalog,
    managers: Mapping[str, str | None] | None = None,
    create_skills: bool = False,
    max_rows: int = MAX_ROWS,
    encoding: Encoding = UTF_8,
    keep_people: bool = True,
    roles: Mapping[str, str] | None = None,
) -> tuple[Organisation, ImportReport]:
    """Check an HRIS CSV and turn its good rows into an :class:`Organisation`.

    The dialect (comma, semicolon or tab) is sniffed. The file is read a line at a time,
    no line held longer than :data:`MAX_LINE_LENGTH`: one with more than ``max_rows``
    people is refused as soon as the row after the limit is read.

    Args:
        text: the file's text, or a stream of it (from :func:`open_text`).
        path: the file, for the report.
        catalog: the skills that skill names are resolved against.
        managers: each person already in Skillweave, with whom they report to (or None).
        create_skills: add skill names that match nothing, rather than refuse them.
        max_rows: the most people the file may have.
        encoding: how the text was decoded, for messages and the check for mis-read text.
        keep_people: build the people to write; False for a check in bounded memory (the
            organisation returned then has no people).
        roles: role id to name, the roles ``target_role`` may name.
    """
    report = ImportReport(path=path, encoding=encoding.label)
    stream = io.StringIO(text) if isinstance(text, str) else text
    sample = stream.read(8192)
    stream.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = _Lines(stream)
    reader = csv.reader(lines, dialect)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        report.errors.append(RowError(1, "", "the file is empty"))
        return Organisation(), report
    except csv.Error as error:
        report.errors.append(RowError(1, "", _csv_problem(error)))
        return Organisation(), report
    if lines.too_long:
        report.errors.append(
            RowError(1, "", f"the header is longer than {MAX_LINE_LENGTH:,} characters")
        )
        return Organisation(), report
    for problem in _header_problems(header):
        report.errors.append(RowError(1, "", problem))
    if report.errors:
        return Organisation(), report
    parser = _Parser(
        catalog,
        managers or {},
        create_skills=create_skills,
        encoding=encoding,
        keep_people=keep_people,
        roles=roles,
    )
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            start, line = line + 1, reader.line_num
            lines.too_long.clear()  # the error is about the same lines
            report.errors.append(RowError(start, "", _csv_problem(error)))
            continue
        start, line = line + 1, reader.line_num
        long_lines = [n for n in lines.too_long if n <= line]
        for number in long_lines:
            length = lines.too_long.pop(number)
            report.errors.append(
                RowError(
                    number,
                    "",
                    f"the line is {length:,} characters long; the most is {MAX_LINE_LENGTH:,}",
                )
            )
        if long_lines or not any(c.strip() for c in cells):
            continue
        report.rows += 1
        if report.rows > max_rows:
            report.rows -= 1
            report.errors.append(
                RowError(
                    start,
                    "",
                    f"the file has more than {max_rows:,} people, the most one import takes; "
                    "split it, or raise the limit with --max-rows",
                )
            )
            return Organisation(), report
        row = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            report.errors.append(
                RowError(start, _who(row), f"has {len(cells)} cells; the header has {len(header)}")
            )
            continue
        try:
            parser.row(row, start, report)
        except _RowProblem as problem:
            report.errors.append(RowError(start, _who(row), str(problem)))
    if "manager_id" in header:
        parser.check_managers(report)
    report.errors.sort(key=lambda e: e.line)
    report.created_skills = sorted(s.name for s in parser.new_skills.values())
    given = {COLUMN_TO_PROPERTY.get(c, c) for c in header}
    now = dt.datetime.now(dt.UTC)  # when the targets the file sets were set
    fields = [p for p in PERSON_FIELDS if p in given or p in ("function", "site")]
    org = Organisation(
        skills=list(parser.new_skills.values()),
        teams=list(parser.teams.values()),
        people=parser.people,
        person_fields=fields,
        leavers=tuple(parser.leavers),
        targets=[(pid, role, now) for pid, role in parser.targets],
    )
    return org, report


async def _existing(
    tx: Tx,
) -> tuple[SkillCatalog, dict[str, str | None], dict[str, str]]:
    catalog = await load_catalog(tx)
    rows = await run(
        tx,
        "MATCH (p:Person) RETURN p.id AS id, [(p)-[:REPORTS_TO]->(m:Person) | m.id] AS managers",
    )
    roles = await run(tx, "MATCH (r:Role) RETURN r.id AS id, r.name AS name")
    return (
        catalog,
        {r["id"]: next(iter(r["managers"]), None) for r in rows},
        {r["id"]: r["name"] for r in roles},
    )


async def import_hris(
    store: Store,
    path: Path,
    *,
    check: bool = False,
    create_skills: bool = False,
    progress: Progress | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportReport:
    """Check ``path`` and, when every row is good and ``check`` is False, write it.

    The file is read twice, streaming: first to check it (in memory that grows by about 150
    bytes a person, however long the rows), then, only when it is good and is to be
    written, to build the people written (:func:`graph.organisation.write_organisation`).

    Raises:
        OSError: the file cannot be read.
    """
    catalog, managers, roles = await store.read(_existing)
    try:
        encoding = detect_encoding(path)
    except NotTextFile as problem:
        report = ImportReport(path=path, checked_only=check)
        report.errors.append(RowError(1, "", str(problem)))
        return report

    def read(keep_people: bool) -> tuple[Organisation, ImportReport]:
        with open_text(path, encoding) as stream:
            return parse_hris(
                stream,
                path=path,
                catalog=catalog,
                managers=managers,
                create_skills=create_skills,
                max_rows=max_rows,
                encoding=encoding,
                keep_people=keep_people,
                roles=roles,
            )

    _, report = read(keep_people=False)
    report.checked_only = check
    if not report.ok or check:
        return report
    org, again = read(keep_people=True)
    if not again.ok:  # the file changed since it was checked
        return again
    report.written = await write_organisation(store, org, progress=progress)
    return report
