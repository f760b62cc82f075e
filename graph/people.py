"""People, their skills and their learning goals.

:func:`write_people` is the bulk path (seed and HRIS import use it): a few
``UNWIND`` statements per batch, never one statement per person. The small
functions below it are the single-person edits the API makes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from graph import validation
from graph.changes import ALL, record_change
from graph.errors import InvalidInput, NotFound
from graph.locks import lock
from graph.model import JobRole, LearningGoal, Person, SkillLevel
from graph.store import Record, Tx, run

PERSON_PROPERTIES = (
    "id", "name", "title", "role", "function", "site", "shift", "timezone", "languages",
    "tenure_months", "mentoring_capacity", "open_to_mentoring", "open_to_being_mentored",
    "share_goals",
)  # fmt: skip
"""Properties stored on a Person node (team and manager are relationships)."""

PERSON_FIELDS = (*PERSON_PROPERTIES, "manager_id")
"""What :func:`write_people` can write: the properties plus the manager link."""

BATCH_SIZE = 1000


def person_params(person: Person, fields: Collection[str] = PERSON_PROPERTIES) -> dict[str, Any]:
    """A person as the parameters of :func:`write_people`, with only ``fields`` as properties."""
    props = {
        name: getattr(person, name) for name in PERSON_PROPERTIES if name in fields or name == "id"
    }
    if "role" in props:
        props["role"] = person.role.value
    if "languages" in props:
        props["languages"] = list(person.languages)
    return {
        "props": props,
        "team": person.team_id,
        "manager": person.manager_id,
        "skills": [{"key": s.skill, "level": s.level} for s in person.skills],
        "goals": [{"key": g.skill, "priority": g.priority} for g in person.goals],
    }


_CREATE_PEOPLE = """
UNWIND $rows AS row
CREATE (p:Person) SET p = row.props
WITH p, row
CALL (p, row) {
  MATCH (t:Team {id: row.team}) CREATE (p)-[:MEMBER_OF]->(t) RETURN count(*) AS teams }
CALL (p, row) {
  UNWIND row.skills AS s MATCH (k:Skill {key: s.key})
  CREATE (p)-[:HAS_SKILL {level: s.level}]->(k) RETURN count(*) AS skills }
CALL (p, row) {
  UNWIND row.goals AS g MATCH (k:Skill {key: g.key})
  CREATE (p)-[:WANTS_TO_LEARN {priority: g.priority}]->(k) RETURN count(*) AS goals }
RETURN count(p) AS people, sum(teams) AS teams, sum(skills) AS skills, sum(goals) AS goals
"""

_MERGE_PEOPLE = """
UNWIND $rows AS row
MERGE (p:Person {id: row.props.id}) SET p += row.props
WITH p, row
CALL (p, row) {
  OPTIONAL MATCH (p)-[old:MEMBER_OF]->(t:Team) WHERE t.id <> row.team DELETE old RETURN count(*) AS dropped }
CALL (p, row) {
  MATCH (t:Team {id: row.team}) MERGE (p)-[:MEMBER_OF]->(t) RETURN count(*) AS teams }
CALL (p, row) {
  UNWIND row.skills AS s MATCH (k:Skill {key: s.key})
  WITH p, k, s, [(p)-[h:HAS_SKILL]->(k) | h.level] AS before WHERE before <> [s.level]
  CREATE (p)-[:LEVEL_CHANGE {level: s.level, at: datetime(), source: $source}]->(k)
  RETURN count(*) AS changed }
CALL (p, row) {
  UNWIND row.skills AS s MATCH (k:Skill {key: s.key})
  MERGE (p)-[h:HAS_SKILL]->(k) SET h.level = s.level RETURN count(*) AS skills }
CALL (p, row) {
  UNWIND row.goals AS g MATCH (k:Skill {key: g.key})
  MERGE (p)-[w:WANTS_TO_LEARN]->(k) SET w.priority = g.priority RETURN count(*) AS goals }
RETURN count(p) AS people, sum(teams) AS teams, sum(skills) AS skills, sum(goals) AS goals
"""

_LINK_MANAGERS = """
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
CALL (p, row) {
  OPTIONAL MATCH (p)-[old:REPORTS_TO]->(m:Person) WHERE row.manager IS NULL OR m.id <> row.manager
  DELETE old RETURN count(*) AS dropped }
CALL (p, row) {
  MATCH (m:Person {id: row.manager}) MERGE (p)-[:REPORTS_TO]->(m) RETURN count(*) AS linked }
RETURN sum(linked) AS linked
"""


_CREATE_MANAGER_LINKS = """
UNWIND $rows AS row
MATCH (p:Person {id: row.id}) MATCH (m:Person {id: row.manager})
CREATE (p)-[:REPORTS_TO]->(m)
RETURN count(*) AS linked
"""
"""Manager links of people just created: there is no old link to drop."""


async def write_people(
    tx: Tx,
    people: Sequence[Person],
    *,
    create: bool = False,
    fields: Collection[str] = PERSON_FIELDS,
    on_batch: Callable[[int], None] | None = None,
    source: str = "import",
) -> dict[str, int]:
    """Write people with their team, manager, skills and goals, in batches, inside ``tx``.

    Records the change (:func:`graph.changes.record_change`). A bulk write over several
    transactions uses the two steps, :func:`write_people_nodes` and :func:`link_managers`,
    and records its change once, at its end.

    Args:
        tx: the transaction; the caller decides what commits together.
        people: the people to write. Teams and skills they name must exist.
        create: ``True`` only when none of them exists yet (a fresh seed): faster
            than the default, which merges so that writing the same people twice
            changes nothing.
        fields: the person properties (and ``manager_id``) to write; others keep
            their stored value (an import leaves alone what its file has no column for).
        on_batch: called with the number of people written after each batch.
        source: what the skill history records as the source of a level this write sets
            or changes (a fresh seed writes its own history instead).

    Returns:
        Counts of people, team links, skills, goals and manager links written.
    """
    totals = await write_people_nodes(
        tx, people, create=create, fields=fields, on_batch=on_batch, source=source
    )
    await record_change(tx, people=[p.id for p in people] if len(people) <= 1000 else [ALL])
    if "manager_id" in fields:
        totals["manager_links"] = await link_managers(tx, people, create=create)
    return totals


async def write_people_nodes(
    tx: Tx,
    people: Sequence[Person],
    *,
    create: bool = False,
    fields: Collection[str] = PERSON_FIELDS,
    on_batch: Callable[[int], None] | None = None,
    source: str = "import",
) -> dict[str, int]:
    """People with their team, skills and goals (not their manager), recording no change.

    Arguments as :func:`write_people`'s; ``manager_links`` is counted as 0.
    """
    totals = {
        "people": 0,
        "team_links": 0,
        "skill_levels": 0,
        "learning_goals": 0,
        "manager_links": 0,
    }
    statement = _CREATE_PEOPLE if create else _MERGE_PEOPLE
    for start in range(0, len(people), BATCH_SIZE):
        batch = [person_params(p, fields) for p in people[start : start + BATCH_SIZE]]
        counts = (await run(tx, statement, rows=batch, source=source))[0]
        totals["people"] += int(counts["people"] or 0)
        totals["team_links"] += int(counts["teams"] or 0)
        totals["skill_levels"] += int(counts["skills"] or 0)
        totals["learning_goals"] += int(counts["goals"] or 0)
        if on_batch:
            on_batch(len(batch))
    return totals


async def link_managers(tx: Tx, people: Sequence[Person], *, create: bool = False) -> int:
    """Link each person to their manager (replacing another), once everyone exists.

    With ``create`` (people just created, nobody linked yet) only those with a manager are
    sent, and nothing is dropped. Returns how many links were made.
    """
    statement = _CREATE_MANAGER_LINKS if create else _LINK_MANAGERS
    rows = [{"id": p.id, "manager": p.manager_id} for p in people if p.manager_id or not create]
    linked = 0
    for start in range(0, len(rows), BATCH_SIZE):
        answer = await run(tx, statement, rows=rows[start : start + BATCH_SIZE])
        linked += int(answer[0]["linked"] or 0) if answer else 0
    return linked


_GET_PEOPLE = """
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN properties(p) AS props,
  [(p)-[:MEMBER_OF]->(t:Team) | t.id] AS teams,
  [(p)-[:REPORTS_TO]->(m:Person) | m.id] AS managers,
  [(p)-[h:HAS_SKILL]->(s:Skill) | {skill: s.key, level: h.level}] AS skills,
  [(p)-[w:WANTS_TO_LEARN]->(s:Skill) | {skill: s.key, priority: w.priority}] AS goals
"""
"""Pattern comprehensions rather than OPTIONAL MATCH: ArcadeDB scans every relationship of
the type for the latter (see :mod:`graph.export`)."""


def person_from_record(row: Record) -> Person:
    """A :class:`Person` from a row of ``props``, ``teams``, ``managers``, ``skills``, ``goals``."""
    props = row["props"]
    values = {name: props[name] for name in PERSON_PROPERTIES if props.get(name) is not None}
    values["auto_request_next_pick"] = bool(props.get("auto_request_next_pick") or False)
    values["role"] = JobRole(values.get("role", JobRole.AGENT))
    values["languages"] = tuple(values.get("languages", ()))
    skills, goals = row["skills"], row["goals"]
    return Person(
        **values,
        team_id=next(iter(row["teams"]), None),
        manager_id=next(iter(row["managers"]), None),
        skills=tuple(SkillLevel(s["skill"], int(s["level"])) for s in skills),
        goals=tuple(LearningGoal(g["skill"], int(g["priority"])) for g in goals),
    )


async def get_people(tx: Tx, ids: Sequence[str]) -> list[Person]:
    """The people with these ids (unknown ids are left out), in the order asked: one statement."""
    rows = await run(tx, _GET_PEOPLE, ids=list(dict.fromkeys(ids)))
    found = {r["props"]["id"]: person_from_record(r) for r in rows}
    return [found[i] for i in ids if i in found]


async def get_person(tx: Tx, id: str) -> Person | None:
    """The person with this id, with skills and goals, or None."""
    people = await get_people(tx, [id])
    return people[0] if people else None


async def count_people(tx: Tx) -> int:
    """How many people the store holds."""
    rows = await run(tx, "MATCH (p:Person) RETURN count(p) AS n")
    return int(rows[0]["n"])


async def first_learner(
    tx: Tx,
    role: JobRole,
    *,
    open_to_being_mentored: bool = False,
    excluding: Collection[str] = (),
) -> tuple[str, str] | None:
    """The (id, name) of the current person of ``role`` with a learning goal, lowest id first.

    The demo sign-in picks its people with this: the same data gives the same picks.

    Args:
        tx: the transaction to read in.
        role: the job role to pick from.
        open_to_being_mentored: only people open to being mentored.
        excluding: ids not to pick (people already picked for another role).
    """
    open_only = " AND p.open_to_being_mentored = true" if open_to_being_mentored else ""
    rows = await run(
        tx,
        f"MATCH (p:Person) WHERE p.role = $role{open_only} AND NOT p.id IN $excluding "
        "AND p.left_at IS NULL AND EXISTS { MATCH (p)-[:WANTS_TO_LEARN]->() } "
        "RETURN p.id AS id, p.name AS name ORDER BY p.id LIMIT 1",
        role=role.value,
        excluding=sorted(excluding),
    )
    return (rows[0]["id"], rows[0]["name"]) if rows else None


async def set_skill(
    tx: Tx, person_id: str, skill: str, level: int, source: str = "profile"
) -> None:
    """Give a person a skill at ``level`` (1–5), replacing any earlier level.

    A new or different level is added to the person's skill history with ``source``
    (``profile`` when they edit their own, ``admin`` when someone else does; imports write
    ``import`` and the demo seed ``seed``).
    """
    validation.level(level, skill=skill)
    await lock(tx, "Person", person_id)
    rows = await run(
        tx,
        "MATCH (p:Person {id: $person}) MATCH (s:Skill {key: $skill}) "
        "MERGE (p)-[h:HAS_SKILL]->(s) "
        "WITH p, s, h, h.level AS before SET h.level = $level, h.updated_at = datetime() "
        "RETURN count(h) AS n, before",
        person=person_id,
        skill=skill,
        level=level,
    )
    if not rows or rows[0]["n"] == 0:
        raise NotFound(f"No person {person_id!r} or no skill {skill!r}.")
    if rows[0]["before"] != level:
        await run(
            tx,
            "MATCH (p:Person {id: $person}) MATCH (s:Skill {key: $skill}) "
            "CREATE (p)-[:LEVEL_CHANGE {level: $level, at: datetime(), source: $source}]->(s)",
            person=person_id,
            skill=skill,
            level=level,
            source=source,
        )
    await record_change(tx, people=[person_id])


async def remove_skill(tx: Tx, person_id: str, skill: str, source: str = "profile") -> bool:
    """Remove a skill from a person (level 0 in their history); True if they had it."""
    await lock(tx, "Person", person_id)
    rows = await run(
        tx,
        "MATCH (p:Person {id: $person})-[h:HAS_SKILL]->(s:Skill {key: $skill}) "
        "DELETE h CREATE (p)-[:LEVEL_CHANGE {level: 0, at: datetime(), source: $source}]->(s) "
        "RETURN count(*) AS n",
        person=person_id,
        skill=skill,
        source=source,
    )
    if rows and rows[0]["n"]:
        await record_change(tx, people=[person_id])
    return bool(rows and rows[0]["n"])


async def add_learning_goal(tx: Tx, person_id: str, skill: str, priority: int) -> None:
    """Record that a person wants to learn a skill, with a priority from 1 (high) to 3."""
    validation.priority(priority, skill=skill)
    await lock(tx, "Person", person_id)
    rows = await run(
        tx,
        "MATCH (p:Person {id: $person}) MATCH (s:Skill {key: $skill}) "
        "MERGE (p)-[w:WANTS_TO_LEARN]->(s) SET w.priority = $priority, w.since = coalesce(w.since, datetime()) "
        "RETURN count(w) AS n",
        person=person_id,
        skill=skill,
        priority=priority,
    )
    if not rows or rows[0]["n"] == 0:
        raise NotFound(f"No person {person_id!r} or no skill {skill!r}.")
    await record_change(tx, people=[person_id])


async def remove_learning_goal(tx: Tx, person_id: str, skill: str) -> bool:
    """Drop a learning goal; True if the person had it."""
    await lock(tx, "Person", person_id)
    rows = await run(
        tx,
        "MATCH (:Person {id: $person})-[w:WANTS_TO_LEARN]->(:Skill {key: $skill}) "
        "DELETE w RETURN count(*) AS n",
        person=person_id,
        skill=skill,
    )
    if rows and rows[0]["n"]:
        await record_change(tx, people=[person_id])
    return bool(rows and rows[0]["n"])


PROFILE_FIELDS = (
    "name", "title", "shift", "timezone", "languages", "mentoring_capacity",
    "open_to_mentoring", "open_to_being_mentored", "share_goals", "auto_request_next_pick",
)  # fmt: skip
"""What a person may change about themselves (HR owns team, role, site, manager)."""


async def update_profile(tx: Tx, person_id: str, changes: dict[str, Any]) -> Person:
    """Apply profile changes (a subset of :data:`PROFILE_FIELDS`) and return the person.

    Raises:
        InvalidInput: an unknown field or a value out of range.
        NotFound: no such person.
    """
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidInput(f"These profile fields cannot be changed here: {', '.join(unknown)}.")
    clean = dict(changes)
    if "name" in clean:
        clean["name"] = validation.text(clean["name"], what="Name")
    for field in ("title", "shift"):
        if field in clean:
            clean[field] = validation.text(clean[field], what=field.title(), required=False)
    if "timezone" in clean:
        clean["timezone"] = validation.timezone(clean["timezone"])
    if "languages" in clean:
        clean["languages"] = [validation.text(x, what="Language") for x in clean["languages"]]
        if len(clean["languages"]) > 20:
            raise InvalidInput("List at most 20 languages.")
    if "mentoring_capacity" in clean:
        clean["mentoring_capacity"] = validation.capacity(clean["mentoring_capacity"])
    rows = await run(
        tx,
        "MATCH (p:Person {id: $id}) SET p += $changes RETURN p.id AS id",
        id=person_id,
        changes=clean,
    )
    if not rows:
        raise NotFound(f"No person with id {person_id!r}.")
    await record_change(tx, people=[person_id])
    person = await get_person(tx, person_id)
    assert person is not None
    return person
