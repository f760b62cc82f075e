"""Shared fixtures: one real store per test session, a clean graph per test.

``SKILLWEAVE_TEST_STORE`` picks the store: ``embedded`` (the default, ArcadeDB as
``serve`` starts it) or ``neo4j`` (Neo4j 5.26 Community from Maven's jars, see
:mod:`tests.neo4j_server`). Setting ``NEO4J_URI`` (with ``NEO4J_USER``/``NEO4J_PASSWORD``/
``NEO4J_DATABASE``) runs the tests against that server instead. Either way the tests
wipe the graph they run on, so never point them at data you want to keep.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from graph.dialect import Backend
from graph.embedded import BoltEndpoint, EmbeddedArcadeDB
from graph.schema import ensure_schema
from graph.settings import StoreSettings
from graph.skills import load_taxonomy, relate_skills, upsert_skills
from graph.store import Store
from tests.neo4j_server import Neo4jTestServer

T = TypeVar("T")

TEST_STORE = os.environ.get("SKILLWEAVE_TEST_STORE", "embedded")
if TEST_STORE not in ("embedded", "neo4j"):
    raise pytest.UsageError(f"SKILLWEAVE_TEST_STORE must be embedded or neo4j, not {TEST_STORE!r}")
TEST_BACKEND = (
    Backend.NEO4J if TEST_STORE == "neo4j" or os.environ.get("NEO4J_URI") else Backend.ARCADEDB
)
"""The kind of server the suite runs on."""


def store_server(data_dir: Path) -> EmbeddedArcadeDB | Neo4jTestServer:
    """A server of the suite's kind for a test that must own one (to stop it, or its folder).

    Both kinds start with ``start()`` (returning the endpoint), stop with ``stop()`` and keep
    their port and data across a restart.
    """
    if TEST_STORE == "neo4j":
        return Neo4jTestServer(data_dir)
    return EmbeddedArcadeDB(data_dir)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltEndpoint]:
    """The Bolt endpoint every test talks to: NEO4J_URI if set, else the suite's store."""
    settings = StoreSettings()
    if settings.neo4j_uri:
        yield BoltEndpoint(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
        return
    server = store_server(tmp_path_factory.mktemp("store"))
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
        "RETURN labels(n) AS labels, properties(n) AS props"
    )
    rels = await store.query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.key) AS a, type(r) AS type, "
        "properties(r) AS props, coalesce(b.id, b.key) AS b"
    )

    def order(row: dict[str, Any]) -> str:
        # several relationships may join the same two nodes (a person's skill history)
        return json.dumps(row, sort_keys=True, default=str)

    return [sorted(nodes, key=order), sorted(rels, key=order)]


class ServerNotices(logging.Handler):
    """Collects what the server says about our Cypher (deprecations, performance hints).

    Neo4j sends notifications with results; the driver logs them on ``neo4j.notifications``.
    The suite lists the distinct ones at its end, so a statement Neo4j warns about is seen.
    """

    IGNORED = ("01N50", "01N51", "01N52")
    """Unknown label, relationship type or property: the graph is empty in most tests."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: dict[tuple[str, str], str] = {}
        self.deprecated: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        printer = record.args[0] if isinstance(record.args, tuple) and record.args else None
        notification = getattr(printer, "notification", None)
        status = str(getattr(notification, "gql_status", "?"))
        if status in self.IGNORED:
            return
        query = " ".join(str(getattr(printer, "query", "")).split())
        description = str(getattr(notification, "status_description", record.getMessage()))
        self.seen.setdefault((status, query), description)
        if str(getattr(notification, "classification", "")).endswith("DEPRECATION"):
            self.deprecated.add(query)


NOTICES = ServerNotices()
logging.getLogger("neo4j.notifications").addHandler(NOTICES)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Cypher that Neo4j calls deprecated fails the run: the next Neo4j would refuse it."""
    if NOTICES.deprecated and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not NOTICES.seen:
        return
    terminalreporter.section(f"server notifications ({len(NOTICES.seen)} distinct)")
    if NOTICES.deprecated:
        terminalreporter.write_line(
            f"FAILED: Neo4j calls {len(NOTICES.deprecated)} statement(s) deprecated; rewrite them"
            " in Cypher both stores run (docs/operations.md, 'Neo4j and ArcadeDB')."
        )
    for (status, query), text in sorted(NOTICES.seen.items()):
        terminalreporter.write_line(f"- {status} {text[:300]}\n    for: {query[:500]}")


def store_env(endpoint: BoltEndpoint, **settings: str) -> dict[str, str]:
    """This process's environment for a child on ``endpoint``: our NEO4J_* and SKILLWEAVE_*
    settings dropped, the endpoint's set, and ``settings`` added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SKILLWEAVE_"))}
    env.update(
        NEO4J_URI=endpoint.uri,
        NEO4J_USER=endpoint.user,
        NEO4J_PASSWORD=endpoint.password,
        NEO4J_DATABASE=endpoint.database,
        **settings,
    )
    return env
