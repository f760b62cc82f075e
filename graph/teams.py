"""Teams: a name, a function and a site; people are MEMBER_OF one team."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

from graph.changes import ALL, record_change
from graph.model import Team
from graph.store import Record, Tx, run

_LATIN_EXTRAS = frozenset("ªº")
"""Letters of Latin script whose Unicode names do not say so (the ordinal indicators)."""


def _latin_script(char: str) -> bool:
    return char.isascii() or char in _LATIN_EXTRAS or "LATIN" in unicodedata.name(char, "")


def _other_script(name: str) -> bool:
    """True when a letter or digit of ``name`` is not Latin script (Cyrillic, Arabic, Thai...)."""
    return any(
        (unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd")
        and not _latin_script(c)
        for c in name
    )


@functools.lru_cache(maxsize=4096)
def team_id(name: str) -> str:
    """A stable id from a team name, the same for names that differ only in case or punctuation.

    A name written in Latin script keeps the id it has always had: its ASCII letters and
    digits, lower case, joined by hyphens (other characters, accented letters included, only
    separate). A name with a letter or digit of any other script keeps all its letters, marks
    and digits (NFKC-normalised, case-folded), so names in different scripts get different
    ids. A name without any letter or digit gets ``team-`` and a hash of the name.

    Examples:
        >>> team_id("Voice – Manila 1")
        'voice-manila-1'
        >>> team_id("Москва Голос 1")
        'москва-голос-1'
        >>> team_id("★★★")
        'team-597d97765589'
    """
    if _other_script(name):
        folded = unicodedata.normalize("NFKC", name).casefold()
        kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded)
        slug = "-".join(kept.split())
    else:
        slug = re.sub(r"[^0-9a-z]+", "-", name.casefold()).strip("-")
    if slug:
        return slug
    normal = unicodedata.normalize("NFKC", name).casefold().strip()
    return "team-" + hashlib.sha256(normal.encode()).hexdigest()[:12]


def _team(row: Record) -> Team:
    return Team(id=row["id"], name=row["name"], function=row["function"], site=row["site"])


async def upsert_teams(tx: Tx, teams: Iterable[Team]) -> int:
    """Create or update teams by id."""
    rows = await run(
        tx,
        "UNWIND $rows AS row MERGE (t:Team {id: row.id}) "
        "SET t.name = row.name, t.function = row.function, t.site = row.site RETURN count(t) AS n",
        rows=[{"id": t.id, "name": t.name, "function": t.function, "site": t.site} for t in teams],
    )
    await record_change(tx, people=[ALL])
    return int(rows[0]["n"]) if rows else 0


async def list_teams(tx: Tx) -> list[Team]:
    """Every team, by site then name."""
    rows = await run(
        tx,
        "MATCH (t:Team) RETURN t.id AS id, t.name AS name, t.function AS function, t.site AS site "
        "ORDER BY t.site, t.name",
    )
    return [_team(r) for r in rows]
