"""A bulk write larger than Neo4j lets one transaction hold: a clear refusal, nothing written.

Neo4j caps the memory of a transaction (``db.memory.transaction.max``, and all of them
together at ``dbms.memory.transaction.total.max``, 70% of the heap by default). A seed or an
HRIS import is one transaction, so a large one on a small server meets the cap. Neo4j calls
that a *transient* error; retried, the same write fails the same way. The embedded store has
no such cap, so this runs on the Neo4j suite only.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.conftest import TEST_STORE, store_env
from tests.neo4j_server import Neo4jTestServer

pytestmark = pytest.mark.skipif(
    TEST_STORE != "neo4j", reason="only Neo4j caps a transaction's memory"
)


@pytest.fixture(scope="module")
def small_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltEndpoint]:
    server = Neo4jTestServer(
        tmp_path_factory.mktemp("small-neo4j"), settings={"db.memory.transaction.max": "4m"}
    )
    yield server.start()
    server.stop()


def test_a_seed_over_the_transaction_cap_is_refused_at_once_and_writes_nothing(
    small_neo4j: BoltEndpoint, tmp_path: Path
) -> None:
    env = store_env(small_neo4j, SKILLWEAVE_DATA_DIR=str(tmp_path / "data"), COLUMNS="250")
    # what starting the command costs on this machine now (imports; slow on a busy runner)
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).parent / "skillweave"), "seed", "--help"],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    starting = time.monotonic() - started
    started = time.monotonic()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "skillweave"), "seed", "--people", "600"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "larger than the store lets one transaction hold" in said, said
    assert "db.memory.transaction.max" in said and "Traceback" not in said, said
    # a retried write would go on for RETRY_SECONDS (15 s) after starting
    assert took < starting + 10, f"refused after {took:.1f} s: the write was retried"

    async def count() -> int:
        async with await Store.connect(small_neo4j) as store:
            rows = await store.query("MATCH (n) WHERE NOT n:GraphMeta RETURN count(n) AS n")
        return int(rows[0]["n"])

    assert asyncio.run(count()) == 0, "nothing of the seed was written"
