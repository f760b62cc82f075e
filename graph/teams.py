"""Teams: a name, a function and a site; people are MEMBER_OF one team."""

from __future__ import annotations

import re
from collections.abc import Iterable

from graph.changes import ALL, record_change
from graph.model import Team
from graph.store import Record, Tx, run


def team_id(name: str) -> str:
    """A stable id from a team name: ``"Voice – Manila 1"`` becomes ``voice-manila-1``."""
    return re.sub(r"[^0-9a-z]+", "-", name.casefold()).strip("-")


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


async def get_team(tx: Tx, id: str) -> Team | None:
    """The team with this id, or None."""
    rows = await run(
        tx,
        "MATCH (t:Team {id: $id}) RETURN t.id AS id, t.name AS name, t.function AS function, "
        "t.site AS site",
        id=id,
    )
    return _team(rows[0]) if rows else None


async def list_teams(tx: Tx) -> list[Team]:
    """Every team, by site then name."""
    rows = await run(
        tx,
        "MATCH (t:Team) RETURN t.id AS id, t.name AS name, t.function AS function, t.site AS site "
        "ORDER BY t.site, t.name",
    )
    return [_team(r) for r in rows]
