"""Skills: the taxonomy, name resolution through aliases, and skill records in the store.

People type skill names in many ways ("SFDC", "salesforce", "Salesforce
Service Cloud"). :func:`skill_key` normalises a name, and :class:`SkillCatalog`
resolves any name or alias, case-insensitively, to one canonical skill, with
"did you mean" suggestions when nothing matches.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from graph.changes import ALL, record_change
from graph.errors import InvalidInput
from graph.model import Skill
from graph.store import Record, Tx, run

_NON_WORD = re.compile(r"[^0-9a-z]+")


def skill_key(name: str) -> str:
    """The normalised form of a skill name or alias: lower case, accents and punctuation gone.

    Example:
        >>> skill_key("  PCI-DSS ")
        'pci dss'
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    return _NON_WORD.sub(" ", folded.casefold()).strip() or name.casefold().strip()


@dataclass(frozen=True)
class Taxonomy:
    """The skills Skillweave ships with, their categories and relations."""

    categories: dict[str, str]
    skills: tuple[Skill, ...]
    related: tuple[tuple[str, str], ...]
    """Pairs of skill keys, each stored once."""


def load_taxonomy() -> Taxonomy:
    """Read the bundled taxonomy of contact-center skills (``graph/data/skills.json``)."""
    raw = json.loads(resources.files("graph").joinpath("data/skills.json").read_text("utf-8"))
    categories = {c["key"]: c["name"] for c in raw["categories"]}
    skills = tuple(
        Skill(
            key=skill_key(s["name"]),
            name=s["name"],
            category=s["category"],
            aliases=tuple(s["aliases"]),
        )
        for s in raw["skills"]
    )
    pairs: set[tuple[str, str]] = set()
    for s in raw["skills"]:
        for other in s["related"]:
            a, b = sorted((skill_key(s["name"]), skill_key(other)))
            pairs.add((a, b))
    return Taxonomy(categories=categories, skills=skills, related=tuple(sorted(pairs)))


class SkillCatalog:
    """Resolves typed skill names to canonical skills, in memory."""

    def __init__(self, skills: Iterable[Skill]) -> None:
        self.skills: dict[str, Skill] = {}
        self._lookup: dict[str, str] = {}
        for skill in skills:
            self.add(skill)

    def add(self, skill: Skill) -> None:
        """Make ``skill`` resolvable by its name and every alias."""
        self.skills[skill.key] = skill
        for name in (skill.name, *skill.aliases):
            self._lookup.setdefault(skill_key(name), skill.key)

    def resolve(self, name: str) -> Skill | None:
        """The skill ``name`` means, through its name or any alias, or None."""
        key = self._lookup.get(skill_key(name))
        return self.skills[key] if key else None

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Canonical names close to ``name``, for a "did you mean" hint."""
        close = difflib.get_close_matches(
            skill_key(name), list(self._lookup), n=limit * 3, cutoff=0.6
        )
        names: list[str] = []
        for key in close:
            canonical = self.skills[self._lookup[key]].name
            if canonical not in names:
                names.append(canonical)
        return names[:limit]

    def require(self, name: str) -> Skill:
        """The skill ``name`` means; an unknown name raises :class:`InvalidInput` with hints."""
        skill = self.resolve(name)
        if skill is None:
            raise InvalidInput(unknown_skill_message(name, self.suggest(name)))
        return skill


def unknown_skill_message(name: str, suggestions: list[str]) -> str:
    """'Unknown skill "x"' with a "did you mean" when there are close names."""
    hint = f" Did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return f"Unknown skill {name!r}.{hint}"


def skill_params(skill: Skill) -> dict[str, Any]:
    """A skill as the properties stored on its node."""
    lookup = sorted({skill_key(n) for n in (skill.name, *skill.aliases)})
    return {
        "key": skill.key,
        "name": skill.name,
        "category": skill.category,
        "aliases": list(skill.aliases),
        "lookup": lookup,
    }


def skill_from_record(row: Record) -> Skill:
    """A skill from a row with ``key``, ``name``, ``category`` and ``aliases``."""
    return Skill(
        key=row["key"],
        name=row["name"],
        category=row["category"],
        aliases=tuple(row["aliases"] or ()),
    )


async def upsert_skills(tx: Tx, skills: Iterable[Skill]) -> int:
    """Create or update skills by key; returns how many were written."""
    rows = await run(
        tx,
        "UNWIND $rows AS row MERGE (s:Skill {key: row.key}) "
        "SET s.name = row.name, s.category = row.category, s.aliases = row.aliases, "
        "s.lookup = row.lookup RETURN count(s) AS n",
        rows=[skill_params(s) for s in skills],
    )
    await record_change(tx, people=[ALL])
    return int(rows[0]["n"]) if rows else 0


async def relate_skills(tx: Tx, pairs: Iterable[tuple[str, str]]) -> int:
    """Link pairs of skills (by key) with one RELATED_TO each; existing links are kept."""
    rows = await run(
        tx,
        "UNWIND $pairs AS pair MATCH (a:Skill {key: pair[0]}) MATCH (b:Skill {key: pair[1]}) "
        "MERGE (a)-[:RELATED_TO]->(b) RETURN count(*) AS n",
        pairs=[list(p) for p in pairs],
    )
    await record_change(tx, people=[ALL])
    return int(rows[0]["n"]) if rows else 0


async def list_skills(
    tx: Tx, *, search: str | None = None, category: str | None = None
) -> list[Skill]:
    """Skills whose name or alias contains ``search`` (any case), optionally of one category."""
    rows = await run(
        tx,
        "MATCH (s:Skill) WHERE ($category IS NULL OR s.category = $category) "
        "AND ($search IS NULL OR any(k IN s.lookup WHERE k CONTAINS $search)) "
        "RETURN s.key AS key, s.name AS name, s.category AS category, s.aliases AS aliases "
        "ORDER BY s.name",
        search=skill_key(search) if search else None,
        category=category,
    )
    return [skill_from_record(r) for r in rows]


async def related_skills(tx: Tx, key: str) -> list[str]:
    """Keys of the skills related to ``key``, in either direction."""
    rows = await run(
        tx,
        "MATCH (:Skill {key: $key})-[:RELATED_TO]-(o:Skill) RETURN DISTINCT o.key AS key ORDER BY key",
        key=key,
    )
    return [r["key"] for r in rows]


async def load_catalog(tx: Tx) -> SkillCatalog:
    """Every skill in the store, ready to resolve names in memory."""
    return SkillCatalog(await list_skills(tx))
