"""Import an HRIS export (one CSV row per person) into the skills graph.

The file is checked in full before anything is written: each bad row is
reported with its line number and the reason, and a file with any bad row
writes nothing. A good file is written in one transaction with ``MERGE``, so
importing it again changes nothing. ``docs/hris-import.md`` documents the
columns; ``examples/hris/people.csv`` is a small working example.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from graph import validation
from graph.errors import InvalidInput
from graph.model import JobRole, LearningGoal, Person, Skill, SkillLevel, Team
from graph.organisation import Organisation, Progress, write_organisation
from graph.people import PERSON_FIELDS
from graph.skills import SkillCatalog, load_catalog, skill_key, unknown_skill_message
from graph.store import Store, Tx, run
from graph.teams import team_id

REQUIRED_COLUMNS = ("employee_id", "name", "team", "function", "site")
OPTIONAL_COLUMNS = (
    "title", "role", "shift", "timezone", "languages", "tenure_months", "manager_id",
    "mentoring_capacity", "open_to_mentoring", "open_to_being_mentored", "skills", "learning_goals",
)  # fmt: skip
COLUMN_TO_PROPERTY = {"employee_id": "id"}
"""CSV column names that differ from the Person property they fill."""

LIST_SEPARATORS = (";", "|")
MAX_ROWS = 200_000
"""People one import takes at most (one transaction); larger files are refused early."""
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


class _Parser:
    def __init__(
        self, catalog: SkillCatalog, known_people: Collection[str], create_skills: bool
    ) -> None:
        self.catalog = catalog
        self.known_people = known_people
        self.create_skills = create_skills
        self.teams: dict[str, Team] = {}
        self.people: list[Person] = []
        self.lines: dict[str, int] = {}
        self.new_skills: dict[str, Skill] = {}

    def skill(self, name: str, line: int, report: ImportReport) -> str:
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
            yield self.skill(name.strip(), line, report), value.strip()

    def row(self, row: dict[str, str], line: int, report: ImportReport) -> None:
        employee_id = row["employee_id"].strip()
        missing = [c for c in REQUIRED_COLUMNS if not row[c].strip()]
        if missing:
            raise _RowProblem(f"{', '.join(missing)} must not be empty")
        if employee_id in self.lines:
            raise _RowProblem(
                f"employee_id {employee_id!r} is already on line {self.lines[employee_id]}"
            )
        team = Team(
            team_id(row["team"]), row["team"].strip(), row["function"].strip(), row["site"].strip()
        )
        earlier = self.teams.setdefault(team.id, team)
        if earlier != team:
            raise _RowProblem(
                f"team {team.name!r} is in {earlier.function} at {earlier.site} on an earlier line, "
                f"not {team.function} at {team.site}"
            )
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
            row.get("mentoring_capacity", ""), "mentoring_capacity", low=0, high=20, default=0
        )
        self.lines[employee_id] = line
        self.people.append(
            Person(
                id=employee_id,
                name=row["name"].strip(),
                title=row.get("title", "").strip(),
                role=_role(row.get("role", "")),
                team_id=team.id,
                function=team.function,
                site=team.site,
                shift=row.get("shift", "").strip().casefold(),
                timezone=_timezone(row.get("timezone", "")),
                languages=tuple(_split(row.get("languages", ""))),
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
                manager_id=row.get("manager_id", "").strip() or None,
                skills=tuple(SkillLevel(k, v) for k, v in sorted(skills.items())),
                goals=tuple(LearningGoal(k, v) for k, v in sorted(goals.items())),
            )
        )

    def check_managers(self, report: ImportReport) -> None:
        for person in self.people:
            manager = person.manager_id
            if manager is None:
                continue
            if manager == person.id:
                report.errors.append(
                    RowError(
                        self.lines[person.id], person.id, "manager_id is the person themselves"
                    )
                )
            elif manager not in self.lines and manager not in self.known_people:
                report.errors.append(
                    RowError(
                        self.lines[person.id],
                        person.id,
                        f"manager_id {manager!r} is neither in this file nor already in Skillweave",
                    )
                )


def parse_hris(
    text: str | TextIO,
    *,
    path: Path,
    catalog: SkillCatalog,
    known_people: Collection[str] = (),
    create_skills: bool = False,
    max_rows: int = MAX_ROWS,
) -> tuple[Organisation, ImportReport]:
    """Check an HRIS CSV and turn its good rows into an :class:`Organisation`.

    The dialect (comma, semicolon or tab) is sniffed; a UTF-8 byte-order mark
    from Excel is ignored. The file is read a row at a time: one with more than
    ``max_rows`` people is refused as soon as the row after the limit is read, so a
    file of millions of rows costs no more memory than ``max_rows`` of them.
    """
    report = ImportReport(path=path)
    stream = io.StringIO(text) if isinstance(text, str) else text
    sample = stream.read(8192)
    stream.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(stream, dialect)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        report.errors.append(RowError(1, "", "the file is empty"))
        return Organisation(), report
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append(RowError(1, "", f"missing required column(s): {', '.join(missing)}"))
        return Organisation(), report
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        report.errors.append(RowError(1, "", f"unknown column(s): {', '.join(unknown)}"))
        return Organisation(), report
    parser = _Parser(catalog, set(known_people), create_skills)
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
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
                RowError(
                    start,
                    row.get("employee_id", ""),
                    f"has {len(cells)} cells; the header has {len(header)}",
                )
            )
            continue
        try:
            parser.row(row, start, report)
        except _RowProblem as problem:
            report.errors.append(RowError(start, row["employee_id"].strip(), str(problem)))
    parser.check_managers(report)
    report.errors.sort(key=lambda e: e.line)
    report.created_skills = sorted(s.name for s in parser.new_skills.values())
    given = {COLUMN_TO_PROPERTY.get(c, c) for c in header}
    fields = [p for p in PERSON_FIELDS if p in given or p in ("function", "site")]
    org = Organisation(
        skills=list(parser.new_skills.values()),
        teams=list(parser.teams.values()),
        people=parser.people,
        person_fields=fields,
    )
    return org, report


async def _existing(tx: Tx) -> tuple[SkillCatalog, set[str]]:
    catalog = await load_catalog(tx)
    rows = await run(tx, "MATCH (p:Person) RETURN p.id AS id")
    return catalog, {r["id"] for r in rows}


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

    Raises:
        OSError: the file cannot be read.
    """
    catalog, known = await store.read(_existing)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        org, report = parse_hris(
            stream,
            path=path,
            catalog=catalog,
            known_people=known,
            create_skills=create_skills,
            max_rows=max_rows,
        )
    report.checked_only = check
    if report.ok and not check:
        report.written = await write_organisation(store, org, progress=progress)
    return report
