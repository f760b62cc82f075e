"""Shared fixtures: one real embedded store per test session, a clean graph per test.

Set ``NEO4J_URI`` (with ``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE``)
to run the same tests against a Neo4j 5 server instead. Either way the tests
wipe the graph they run on, so never point them at data you want to keep.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from graph.embedded import BoltEndpoint, EmbeddedArcadeDB
from graph.schema import ensure_schema
from graph.settings import StoreSettings
from graph.skills import load_taxonomy, relate_skills, upsert_skills
from graph.store import Store

T = TypeVar("T")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltEndpoint]:
    """The Bolt endpoint every test talks to: NEO4J_URI if set, else an embedded store."""
    settings = StoreSettings()
    if settings.neo4j_uri:
        yield BoltEndpoint(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
        return
    server = EmbeddedArcadeDB(tmp_path_factory.mktemp("store"))
    yield server.start()
    server.stop()


def run_aside(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from sync code whose thread may already run an event loop
    (Playwright's sync API, a sync test in an anyio session)."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def empty(store: Store) -> None:
    """Delete the whole graph and set the schema up again."""
    await store.query("MATCH (n) DETACH DELETE n")
    await ensure_schema(store)


async def write_taxonomy(store: Store) -> None:
    """Load the bundled skill taxonomy."""
    taxonomy = load_taxonomy()
    await store.write(upsert_skills, taxonomy.skills)
    await store.write(relate_skills, taxonomy.related)


@pytest.fixture
async def store(endpoint: BoltEndpoint) -> AsyncIterator[Store]:
    """A store connected to an empty graph with the schema in place."""
    store = await Store.connect(endpoint)
    await empty(store)
    yield store
    await store.close()


@pytest.fixture
async def taxonomy_store(store: Store) -> Store:
    """The clean store with the bundled skill taxonomy loaded."""
    await write_taxonomy(store)
    return store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


async def graph_snapshot(store: Store) -> list[Any]:
    """Every node and relationship of the organisation with its properties, in a stable order:
    compare two to prove that nothing was written. The change log (GraphMeta, Change) is
    bookkeeping, left out."""
    nodes = await store.query(
        "MATCH (n) WHERE NOT (n:GraphMeta OR n:Change) "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY coalesce(n.id, n.key)"
    )
    rels = await store.query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.key) AS a, type(r) AS type, "
        "properties(r) AS props, coalesce(b.id, b.key) AS b ORDER BY a, type, b"
    )
    return [nodes, rels]
