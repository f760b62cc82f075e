"""When a transaction is run again: transient errors yes, lost connections once, unknown
commits never. The work functions raise the driver's own exceptions inside a real
transaction on the real store."""

from __future__ import annotations

import pytest
from neo4j import exceptions as bolt

from graph.errors import CommitUnknown, StoreUnavailable
from graph.store import Store, Tx, run

pytestmark = pytest.mark.anyio


def failing(error: Exception, times: int) -> tuple[list[int], object]:
    calls: list[int] = []

    async def work(tx: Tx) -> str:
        calls.append(1)
        await run(tx, "CREATE (:Probe {n: $n})", n=len(calls))
        if len(calls) <= times:
            raise error
        return "done"

    return calls, work


def transient() -> bolt.TransientError:
    return bolt.TransientError._hydrate_neo4j(  # the driver's own constructor for server errors
        code="Neo.TransientError.Transaction.DeadlockDetected", message="concurrent change"
    )


async def probes(store: Store) -> int:
    return int((await store.query("MATCH (p:Probe) RETURN count(p) AS n"))[0]["n"])


async def test_transient_errors_are_retried_and_only_the_last_attempt_commits(
    store: Store,
) -> None:
    calls, work = failing(transient(), times=3)
    assert await store.write(work) == "done"  # type: ignore[arg-type]
    assert len(calls) == 4
    assert await probes(store) == 1, "the failed attempts rolled back"


async def test_a_lost_connection_is_retried_once_then_reported(store: Store) -> None:
    calls, work = failing(bolt.SessionExpired("connection lost"), times=1)
    assert await store.write(work) == "done"  # type: ignore[arg-type]
    assert len(calls) == 2
    calls, work = failing(bolt.ServiceUnavailable("down"), times=5)
    with pytest.raises(StoreUnavailable, match="not answering"):
        await store.write(work)  # type: ignore[arg-type]
    assert len(calls) == 2, "no worker waits on a store that is down"


async def test_a_commit_of_unknown_outcome_is_never_retried(store: Store) -> None:
    calls, work = failing(bolt.IncompleteCommit("broke after COMMIT"), times=5)
    with pytest.raises(CommitUnknown, match="may or may not have been saved"):
        await store.write(work)  # type: ignore[arg-type]
    assert len(calls) == 1


async def test_errors_in_the_work_itself_are_not_retried(store: Store) -> None:
    calls, work = failing(ValueError("a bug"), times=5)
    with pytest.raises(ValueError):
        await store.write(work)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert await probes(store) == 0


async def test_arcadedbs_stale_read_mid_transaction_is_retried_like_a_conflict(
    store: Store,
) -> None:
    stale = bolt.ClientError._hydrate_neo4j(
        code="Neo.ClientError.Statement.EntityNotFound", message="Record #13:2 not found"
    )
    calls, work = failing(stale, times=2)
    assert await store.write(work) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3
    assert await probes(store) == 1, "the failed attempts rolled back"
    other = bolt.ClientError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError", message="Invalid input"
    )
    calls, work = failing(other, times=5)
    with pytest.raises(bolt.ClientError):
        await store.write(work)  # type: ignore[arg-type]
    assert len(calls) == 1, "other client errors are ours to fix, not retried"
