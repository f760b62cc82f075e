"""Constraints and indexes, created at start-up and safe to run again.

Both Neo4j 5 and ArcadeDB accept ``CREATE CONSTRAINT … IF NOT EXISTS``, so
running :func:`ensure_schema` on every start is a no-op once the schema exists.
"""

from __future__ import annotations

from graph.store import Store

UNIQUE_IDS: tuple[tuple[str, str], ...] = (
    ("Person", "id"),
    ("Team", "id"),
    ("Skill", "key"),
    ("Mentorship", "id"),
    ("Squad", "id"),
    ("Community", "id"),
    ("Role", "id"),
    ("GraphMeta", "key"),
    ("Event", "id"),
    ("Session", "id"),
    ("Webhook", "id"),
    ("Delivery", "id"),
)
"""(label, property) pairs that identify a node; each gets a uniqueness constraint."""

INDEXES: tuple[tuple[str, str], ...] = (
    ("Person", "site"),
    ("Person", "function"),
    ("Person", "shift"),
    ("Skill", "category"),
    ("Mentorship", "status"),
    ("Squad", "status"),
    ("Change", "version"),
    ("HealthSnapshot", "scope"),
    ("Person", "left_at"),
    ("Event", "recipient"),
    ("Event", "sequence"),
    ("Delivery", "status"),
    ("Delivery", "webhook_id"),
    ("Delivery", "event_id"),
)
"""(label, property) pairs filtered on often enough to deserve an index."""


def schema_statements() -> list[str]:
    """The Cypher statements that set the schema up, in order."""
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
        for label, prop in UNIQUE_IDS
    ]
    statements += [
        f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for label, prop in INDEXES
    ]
    return statements


async def ensure_schema(store: Store) -> None:
    """Create every constraint and index that does not exist yet."""
    for statement in schema_statements():
        await store.query(statement)
