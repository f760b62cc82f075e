"""Where Neo4j 5 and the embedded ArcadeDB differ, and nowhere else.

Skillweave sends the same Cypher to both. The differences found so far are
small and live here, each covered by ``tests/graph/test_dialect.py``:

* **Which server this is.** ArcadeDB announces itself as
  ``"Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)"``.
* **Time zones.** ArcadeDB returns UTC datetimes with a ``StaticTzInfo``
  named ``Etc/UTC``; Neo4j with ``UTC``. :func:`to_utc` gives the service one
  kind of aware ``datetime``.
* **Database name.** Neo4j Community has one user database (``neo4j``); the
  embedded store names its own (``skillweave``).
* **LIMIT from a parameter.** ArcadeDB sorts everything and then cuts when
  ``LIMIT`` is a parameter, but keeps only the top rows when it is a literal
  (25 ms against 73 ms for a page of 10,000 people). :func:`limit` writes a
  checked integer into the query; Neo4j is indifferent.
* **Empty conditions.** ArcadeDB evaluates even ``WHERE true`` row by row,
  and ``count(*)`` without a WHERE is answered from the label's size: build
  WHERE clauses from the conditions that are actually set.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

from graph.errors import StoreMisconfigured


class Backend(enum.Enum):
    """The kind of server behind the Bolt connection."""

    NEO4J = "neo4j"
    ARCADEDB = "arcadedb"


def backend_from_agent(agent: str) -> Backend:
    """Tell the server kind from the agent string it sends on connect."""
    return Backend.ARCADEDB if "arcadedb" in agent.lower() else Backend.NEO4J


MINIMUM_NEO4J = (5, 0)
"""The oldest Neo4j Skillweave's Cypher runs on (``CREATE CONSTRAINT … REQUIRE``, ``IS NOT NULL``)."""


def check_server_version(agent: str) -> None:
    """Refuse a Neo4j older than 5 by the agent string it announces (ArcadeDB passes).

    Raises:
        StoreMisconfigured: the server is Neo4j 4.x or older, naming the setting to change.
    """
    if backend_from_agent(agent) is Backend.ARCADEDB:
        return
    found = re.match(r"neo4j/(\d+)\.(\d+)", agent.strip(), re.IGNORECASE)
    if found is None:
        return  # an agent we cannot read (a proxy, a fork): let the statements decide
    if (int(found[1]), int(found[2])) < MINIMUM_NEO4J:
        raise StoreMisconfigured(
            f"The server at NEO4J_URI is {agent}; Skillweave needs Neo4j 5 or newer. "
            "Point NEO4J_URI at a Neo4j 5 server (docker-compose.yml runs neo4j:5.26-community)."
        )


def to_utc(value: Any) -> dt.datetime | None:
    """A driver datetime (either server) as an aware ``datetime`` in UTC."""
    if value is None:
        return None
    native = value.to_native() if hasattr(value, "to_native") else value
    if not isinstance(native, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(native).__name__}")
    if native.tzinfo is None:
        return native.replace(tzinfo=dt.UTC)
    return native.astimezone(dt.UTC)


def limit(rows: int) -> str:
    """A ``LIMIT`` clause with ``rows`` written in (see the module notes); only ints pass."""
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError(f"a row limit must be a non-negative int, not {rows!r}")
    return f"LIMIT {rows}"
