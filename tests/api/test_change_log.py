"""The served app prunes the change log on schedule; a process left behind reloads it all."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from api.app import create_app
from api.auth import Tokens
from graph.changes import current_version
from graph.embedded import BoltEndpoint
from graph.store import Store
from readmodel.keeper import ReadModelKeeper
from tests.api.conftest import AGENT, ServerThread, app_settings, store_settings_for

pytestmark = pytest.mark.anyio


async def _changes(store: Store) -> int:
    rows = await store.query("MATCH (c:Change) RETURN count(c) AS n")
    return int(rows[0]["n"])


async def test_old_changes_are_pruned_and_a_process_behind_reloads_everything(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    behind = ReadModelKeeper(org)  # another API process, which then stops asking
    await behind.current()
    assert behind.full_loads == 1
    settings = app_settings(
        skillweave_change_log_days=0.5 / 86400,  # keep half a second of history
        skillweave_change_log_prune_seconds=0.2,
    )
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
        before = await org.read(current_version)
        headers = {"Authorization": f"Bearer {tokens.mint(*AGENT)}"}
        for level in (1, 2, 3):
            answer = http.post(
                "/graphql",
                json={"query": f'mutation {{ setSkill(skill: "SQL", level: {level}) {{ id }} }}'},
                headers=headers,
            ).json()
            assert "errors" not in answer, answer
        # each write was logged (its entries may already be pruned on a slow machine)
        after = await org.read(current_version)
        assert after.epoch == before.epoch and after.number >= before.number + 3
        deadline = time.monotonic() + 15
        while await _changes(org) > 0:
            assert time.monotonic() < deadline, "the app never pruned the change log"
            await asyncio.sleep(0.2)
    projection = await behind.current()
    assert behind.full_loads == 2, "with its history gone, the process reloaded everything"
    assert behind.partial_loads == 0
    assert projection.people["ana"].skills["sql"] == 3, "and sees the writes it missed"
