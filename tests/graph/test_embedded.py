"""The embedded store: a child process that keeps its data and guards its folder."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.dialect import Backend
from graph.embedded import EmbeddedArcadeDB
from graph.errors import DataFolderLocked, EmbeddedStartError
from graph.settings import StoreSettings
from graph.store import Store

pytestmark = pytest.mark.anyio


def embedded_settings(data_dir: Path) -> StoreSettings:
    return StoreSettings(neo4j_uri=None, skillweave_data_dir=data_dir)


async def test_data_survives_a_restart(data_dir: Path) -> None:
    store = await Store.open(embedded_settings(data_dir))
    assert store.backend is Backend.ARCADEDB
    await store.query("CREATE (:Person {id: 'kept', name: 'Still here'})")
    await store.close()
    assert store.embedded is not None and not store.embedded.running

    reopened = await Store.open(embedded_settings(data_dir))
    try:
        rows = await reopened.query("MATCH (p:Person {id: 'kept'}) RETURN p.name AS name")
        assert rows == [{"name": "Still here"}]
        # the schema set-up ran again on a store that already had it
        duplicate = "CREATE (:Person {id: 'kept'})"
        with pytest.raises(Exception, match="unique"):
            await reopened.query(duplicate)
    finally:
        await reopened.close()


def test_a_second_process_on_the_same_folder_gets_a_clear_error(data_dir: Path) -> None:
    first = EmbeddedArcadeDB(data_dir)
    first.start()
    try:
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from graph.embedded import EmbeddedArcadeDB
            from graph.errors import DataFolderLocked
            try:
                EmbeddedArcadeDB(Path({str(data_dir)!r})).start()
            except DataFolderLocked as error:
                print("LOCKED:", error)
            """
        )
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
        )
        assert "LOCKED:" in result.stdout
        assert "already used by another Skillweave process" in result.stdout
        assert "SKILLWEAVE_DATA_DIR" in result.stdout
    finally:
        first.stop()
    # once the first one stopped, the folder is free again
    again = EmbeddedArcadeDB(data_dir)
    again.start()
    again.stop()


def test_same_process_second_instance_is_refused_too(data_dir: Path) -> None:
    first = EmbeddedArcadeDB(data_dir)
    first.start()
    try:
        with pytest.raises(DataFolderLocked):
            EmbeddedArcadeDB(data_dir).start()
    finally:
        first.stop()


def test_start_failure_explains_itself(data_dir: Path) -> None:
    store = EmbeddedArcadeDB(data_dir, heap="lots")  # not a heap size the JVM accepts
    with pytest.raises(EmbeddedStartError, match="could not start") as error:
        store.start()
    assert str(data_dir.resolve()) in str(error.value)
    assert not store.running


async def test_unreachable_neo4j_is_reported_as_unavailable() -> None:
    from graph.errors import StoreUnavailable

    settings = StoreSettings(neo4j_uri="bolt://127.0.0.1:9", neo4j_password="x")
    with pytest.raises(StoreUnavailable, match="Cannot reach"):
        await Store.open(settings)
