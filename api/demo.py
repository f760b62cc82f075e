"""Demo sign-in: one person per role from the seeded organisation."""

from __future__ import annotations

from api.auth import Role
from graph.store import Tx, run

_PICKS = {
    Role.AGENT: "p.role = 'agent' AND p.open_to_being_mentored = true",
    Role.MODERATOR: "p.role = 'trainer'",
    Role.HR: "p.role = 'manager'",
    Role.ADMIN: "p.role = 'manager'",
}


async def demo_people(tx: Tx) -> dict[Role, tuple[str, str]]:
    """A (person id, name) for each role, the same every time for the same data."""
    picks: dict[Role, tuple[str, str]] = {}
    taken: set[str] = set()
    for role, condition in _PICKS.items():
        rows = await run(
            tx,
            f"MATCH (p:Person) WHERE {condition} AND NOT p.id IN $taken AND p.left_at IS NULL "
            "AND EXISTS { MATCH (p)-[:WANTS_TO_LEARN]->() } "
            "RETURN p.id AS id, p.name AS name ORDER BY p.id LIMIT 1",
            taken=sorted(taken),
        )
        if rows:
            picks[role] = (rows[0]["id"], rows[0]["name"])
            taken.add(rows[0]["id"])
    return picks
