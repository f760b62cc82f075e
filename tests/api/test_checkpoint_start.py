"""``skillweave serve`` with ``SKILLWEAVE_CHECKPOINT_DIR``: the first start saves the read model,
the next starts from it and reads from the store only what changed in between."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.auth import Tokens
from graph import people
from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.api.conftest import AGENT, ServeProcess

pytestmark = pytest.mark.anyio

MY_SQL = "{ me { skills { level skill { key } } } }"


def my_skills(serving: ServeProcess, tokens: Tokens) -> list[dict[str, object]]:
    response = httpx.post(
        f"{serving.url}/graphql",
        json={"query": MY_SQL},
        headers={"Authorization": f"Bearer {tokens.mint(*AGENT)}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    skills: list[dict[str, object]] = response.json()["data"]["me"]["skills"]
    return skills


async def test_a_restart_reads_the_checkpoint_and_the_changes_since(
    org: Store, endpoint: BoltEndpoint, tmp_path: Path, tokens: Tokens
) -> None:
    folder = tmp_path / "checkpoints"
    settings = {"SKILLWEAVE_CHECKPOINT_DIR": str(folder)}
    first = ServeProcess(endpoint, tmp_path / "first", verbose=True, **settings).wait_ready()
    try:
        my_skills(first, tokens)
    finally:
        first.stop()  # SIGTERM: a checkpoint still being written is finished first
    saved = list(folder.glob("readmodel-*.pickle"))
    assert len(saved) == 1, first.log.read_text()
    assert "wrote the read-model checkpoint" in first.log.read_text()

    await org.write(people.set_skill, AGENT[0], "sql", 5)  # while no process runs
    second = ServeProcess(endpoint, tmp_path / "second", verbose=True, **settings).wait_ready()
    try:
        assert {"level": 5, "skill": {"key": "sql"}} in my_skills(second, tokens)
    finally:
        second.stop()
    log = second.log.read_text()
    assert "read the read-model checkpoint" in log, log
    assert "wrote the read-model checkpoint" not in log  # a full load would have saved again
