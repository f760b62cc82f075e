"""Health snapshots round-trip through the store, by scope and time."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.snapshots import save_snapshot, scope_key, snapshot_history
from graph.store import Store

pytestmark = pytest.mark.anyio

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


def test_scope_keys_are_stable() -> None:
    assert scope_key() == "org"
    assert scope_key(site="Cebu") == "site:Cebu"
    assert scope_key(function="chat", site="Cebu") == "site:Cebu,function:chat"


async def test_history_returns_a_scopes_snapshots_in_order(store: Store) -> None:
    for days, value in ((2, 0.5), (0, 0.25), (1, 0.75)):
        await store.write(
            save_snapshot, scope="org", metrics={"reach.isolated": value, "load.gini": 0.1},
            version=days, taken_at=T0 + days * DAY,
        )  # fmt: skip
    await store.write(save_snapshot, scope="site:Cebu", metrics={"x": 1}, version=9, taken_at=T0)
    history = await store.read(snapshot_history, scope="org")
    assert [s.metrics["reach.isolated"] for s in history] == [0.25, 0.75, 0.5]
    assert [s.taken_at for s in history] == [T0, T0 + DAY, T0 + 2 * DAY]
    assert [s.version for s in history] == [0, 1, 2]
    window = await store.read(snapshot_history, scope="org", since=T0 + DAY, until=T0 + DAY)
    assert [s.version for s in window] == [1]
    cebu = await store.read(snapshot_history, scope="site:Cebu")
    assert [dict(s.metrics) for s in cebu] == [{"x": 1}]
