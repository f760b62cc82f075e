"""The one place Neo4j and ArcadeDB differ, checked against the server the tests run on."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.dialect import Backend, backend_from_agent, limit, to_utc
from graph.store import Store
from tests.conftest import TEST_BACKEND

pytestmark = pytest.mark.anyio


def test_backend_from_agent() -> None:
    assert backend_from_agent("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)") is Backend.ARCADEDB
    assert backend_from_agent("Neo4j/5.24.1") is Backend.NEO4J


async def test_connected_backend_is_detected(store: Store) -> None:
    assert store.backend is TEST_BACKEND


async def test_server_datetimes_become_aware_utc(store: Store) -> None:
    rows = await store.query("RETURN datetime('2024-05-06T07:08:09Z') AS at, datetime() AS now")
    at = to_utc(rows[0]["at"])
    assert at == dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    now = to_utc(rows[0]["now"])
    assert now is not None and now.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - now).total_seconds()) < 60


async def test_python_datetimes_round_trip(store: Store) -> None:
    moment = dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC)
    await store.query("CREATE (:GraphMeta {key: 'probe', at: $at})", at=moment)
    rows = await store.query("MATCH (m:GraphMeta {key: 'probe'}) RETURN m.at AS at")
    assert to_utc(rows[0]["at"]) == moment


def test_limit_is_written_in_and_only_takes_ints() -> None:
    assert limit(51) == "LIMIT 51"
    for bad in (-1, 2.5, "5; MATCH (n) DETACH DELETE n", True):
        with pytest.raises(ValueError):
            limit(bad)  # type: ignore[arg-type]


async def test_literal_limit_returns_the_top_rows(store: Store) -> None:
    await store.query(
        "UNWIND range(1, 30) AS i CREATE (:Person {id: 'p' + toString(i), name: toString(100 - i)})"
    )
    rows = await store.query(f"MATCH (p:Person) RETURN p.name AS name ORDER BY p.name {limit(3)}")
    assert [r["name"] for r in rows] == ["70", "71", "72"]
