"""The one way Skillweave talks to its graph: an async Bolt driver per process.

:class:`Store` owns the driver and, without ``NEO4J_URI``, the embedded
ArcadeDB child process. Every call goes through :meth:`Store.read`,
:meth:`Store.write` or :meth:`Store.query`, which turn driver errors into
:mod:`graph.errors` so no caller sees a Bolt exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j import exceptions as bolt

from graph.dialect import Backend, backend_from_agent, check_server_version
from graph.embedded import BoltEndpoint, EmbeddedArcadeDB
from graph.errors import (
    CommitUnknown,
    Conflict,
    StoreError,
    StoreMisconfigured,
    StoreUnavailable,
    TransactionTooLarge,
)
from graph.settings import StoreSettings

log = logging.getLogger(__name__)

RETRY_SECONDS = 15.0
"""How long a transaction that keeps meeting transient errors is retried."""
BROKEN_CONNECTION_CODE = "Neo.ClientError.Request.Invalid"
"""A Bolt message the server did not expect in the connection's state. Our Cypher never
causes it (bad Cypher is a Statement error); ArcadeDB answers it on connections it is
tearing down while stopping ("BEGIN not expected in state: AUTHENTICATION"), so it counts
as a lost connection."""
STALE_READ_CODE = "Neo.ClientError.Statement.EntityNotFound"
"""ArcadeDB's answer when a transaction follows a link another one committed meanwhile to a
record this one read too early ("Record #13:2 not found"): its reads are not one snapshot,
and the conflict it would report at commit shows up mid-transaction instead. The transaction
is rolled back and, like a conflict, run again (Neo4j never says this: its statements find
no row rather than fail)."""
MEMORY_LIMIT_CODES = frozenset(
    {
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
        "Neo.TransientError.General.TransactionMemoryLimit",
    }
)
"""Neo4j's answers to a transaction over its memory limits: transient by name, yet the same
write fails the same way again, so it is never retried."""
BOLT_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
"""URI schemes of the Bolt protocol (the driver's HTTP preview is not for us)."""
DATABASE_MISSING_CODES = frozenset(
    {"Neo.ClientError.Database.DatabaseNotFound", "Neo.ClientError.Database.DatabaseUnavailable"}
)
"""What Neo4j (and ArcadeDB's Bolt plugin alike) answer for a database name they lack."""
CONNECT_SECONDS = 5.0
"""How long opening a connection may take before the store counts as not answering."""

P = ParamSpec("P")
T = TypeVar("T")
Record = dict[str, Any]


class Tx(Protocol):
    """Anything that runs Cypher: a managed transaction, or a session (auto-commit reads)."""

    def run(
        self, query: Any, parameters: dict[str, Any] | None = ..., **kwargs: Any
    ) -> Awaitable[neo4j.AsyncResult]:
        """Send one statement."""
        ...


Work = Callable[Concatenate[Tx, P], Awaitable[T]]


@contextlib.contextmanager
def translate_errors() -> Any:
    """Turn driver exceptions into :mod:`graph.errors`; let ours pass through."""
    try:
        yield
    except StoreError:
        raise
    except bolt.ConstraintError as error:
        raise Conflict(
            "This would duplicate a record that must be unique "
            f"({error.message or 'uniqueness constraint'})."
        ) from error
    except bolt.IncompleteCommit as error:
        raise CommitUnknown(
            "The skills graph store stopped answering while saving, so the change may or may "
            "not have been saved. Check before trying again (or retry with the same "
            "idempotency key)."
        ) from error
    except bolt.AuthError as error:
        # An open connection losing its credentials: ArcadeDB says so while shutting down.
        raise StoreUnavailable(
            "The skills graph store is restarting or refused this connection; try again shortly."
        ) from error
    except bolt.ClientError as error:
        if _stale_read(error):
            raise StoreUnavailable(
                "The skills graph store is busy and the change could not be applied; try again."
            ) from error
        if error.code != BROKEN_CONNECTION_CODE:
            raise
        raise StoreUnavailable(
            "The skills graph store is restarting; try again shortly."
        ) from error
    except bolt.DatabaseError as error:
        # The server failed to run the statement (ArcadeDB does while it is stopping); the
        # transaction did not commit. Logged, since a statement the store cannot run would
        # also land here.
        log.warning("the store failed a statement: %s", error.message)
        raise StoreUnavailable(
            "The skills graph store failed to carry this out; nothing was saved. Try again shortly."
        ) from error
    except (bolt.ServiceUnavailable, bolt.SessionExpired, OSError) as error:
        raise StoreUnavailable(
            "The skills graph store is not answering; try again shortly."
        ) from error
    except bolt.TransientError as error:
        if error.code in MEMORY_LIMIT_CODES:
            raise TransactionTooLarge(
                "This write is larger than the store lets one transaction hold, so nothing "
                "was saved. On Neo4j, raise db.memory.transaction.max and "
                "dbms.memory.transaction.total.max (by default 70% of server.memory.heap."
                "max_size), or write fewer people at once (skillweave import --max-rows)."
            ) from error
        raise StoreUnavailable(
            "The skills graph store is busy and the change could not be applied; try again."
        ) from error


def _stale_read(error: BaseException) -> bool:
    """ArcadeDB's mid-transaction conflict: see :data:`STALE_READ_CODE`."""
    return (
        isinstance(error, bolt.ClientError)
        and error.code == STALE_READ_CODE
        and (error.message or "").startswith("Record #")
    )


async def _to_the_end(call: Coroutine[Any, Any, T]) -> T:
    """Await a store call that runs to its end even if the caller is cancelled.

    GraphQL cancels a request's other resolvers when one fails; a driver call cancelled
    half-way leaves its connection unusable and never closed. Shielded, the call finishes
    and hands its connection back to the pool; only the waiting is cancelled.
    """
    task = asyncio.ensure_future(call)
    task.add_done_callback(_consume)
    return await asyncio.shield(task)


def _consume(task: asyncio.Future[Any]) -> None:
    """Read an abandoned call's outcome, so an error nobody awaits is not reported."""
    if not task.cancelled():
        task.exception()


class Store:
    """A connected skills-graph store.

    Open it with :meth:`open` and close it with :meth:`close` (or ``async with``).
    The application creates one per process, in its lifespan.
    """

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        *,
        backend: Backend,
        embedded: EmbeddedArcadeDB | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.backend = backend
        self.embedded = embedded

    @classmethod
    async def open(
        cls, settings: StoreSettings | None = None, *, setup_schema: bool = True
    ) -> Store:
        """Connect to Neo4j, or start the embedded store, and set the schema up.

        Raises:
            StoreUnavailable: the server does not answer or cannot start.
        """
        settings = settings or StoreSettings()
        embedded: EmbeddedArcadeDB | None = None
        if settings.neo4j_uri:
            endpoint = BoltEndpoint(
                uri=settings.neo4j_uri,
                user=settings.neo4j_user,
                password=settings.neo4j_password,
                database=settings.neo4j_database,
            )
        else:
            embedded = EmbeddedArcadeDB(
                settings.skillweave_data_dir,
                heap=settings.skillweave_embedded_heap,
                start_timeout=settings.skillweave_embedded_start_timeout,
            )
            endpoint = await asyncio.to_thread(embedded.start)
        store = await cls.connect(endpoint, embedded=embedded)
        if setup_schema:
            from graph.schema import ensure_schema

            try:
                await ensure_schema(store)
            except BaseException:
                await store.close()
                raise
        return store

    @classmethod
    async def connect(
        cls, endpoint: BoltEndpoint, *, embedded: EmbeddedArcadeDB | None = None
    ) -> Store:
        """Connect to a running server at ``endpoint`` and check it can serve Skillweave.

        Raises:
            StoreUnavailable: the server does not answer.
            StoreMisconfigured: it answers, but the settings are wrong for it (credentials,
                database name, a server older than Neo4j 5); the message names the setting.
        """
        scheme = endpoint.uri.partition("://")[0].lower()
        if scheme not in BOLT_SCHEMES:
            raise StoreMisconfigured(
                f"NEO4J_URI {endpoint.uri!r} is not a Bolt address; set it to one such as "
                "bolt://localhost:7687 or neo4j+s://xxxx.databases.neo4j.io."
            )
        try:
            driver = AsyncGraphDatabase.driver(
                endpoint.uri,
                auth=(endpoint.user, endpoint.password),
                connection_acquisition_timeout=10.0,
                connection_timeout=CONNECT_SECONDS,
                # Neo4j warns on every statement that names a property no node has yet
                # (optional ones such as a mentorship's `ended_by`): noise in the logs. Hints
                # worth acting on (deprecations, performance) still come.
                notifications_disabled_classifications=["UNRECOGNIZED"],
            )
        except (bolt.ConfigurationError, ValueError) as error:
            raise StoreMisconfigured(
                f"NEO4J_URI {endpoint.uri!r} is not a Bolt address ({error}); set it to one "
                "such as bolt://localhost:7687 or neo4j://db.example.com:7687."
            ) from None
        try:
            backend = await _check_server(driver, endpoint)
        except BaseException:
            await driver.close()
            if embedded is not None:
                embedded.stop()
            raise
        return cls(driver, endpoint.database, backend=backend, embedded=embedded)

    async def close(self) -> None:
        """Close the driver and stop the embedded store if this process owns one.

        Closing never fails because the server has gone away: its connections are dropped.
        """
        try:
            await self.driver.close()
        except (bolt.Neo4jError, bolt.DriverError, OSError) as error:
            log.warning("closing the store's connections: %s", error)
        finally:
            if self.embedded is not None:
                await asyncio.to_thread(self.embedded.stop)

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def _session(self, access: str) -> AsyncIterator[neo4j.AsyncSession]:
        async with self.driver.session(
            database=self.database, default_access_mode=access
        ) as session:
            yield session

    async def read(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work(tx, ...)`` in one read transaction, retried on transient errors."""
        return await _to_the_end(self._managed(neo4j.READ_ACCESS, work, *args, **kwargs))

    async def fetch(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run read-only ``work`` with each statement auto-committed: one round trip each.

        Faster than :meth:`read` (no BEGIN/COMMIT) for single-statement reads such as
        the API's DataLoaders; statements do not share a snapshot, and there is no retry.
        """
        return await _to_the_end(self._auto_commit(work, *args, **kwargs))

    async def _auto_commit(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        with translate_errors():
            async with self._session(neo4j.READ_ACCESS) as session:
                return await work(session, *args, **kwargs)

    async def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work(tx, ...)`` in one write transaction: all of it commits, or none.

        Retried as :meth:`_managed` says; ``work`` must be safe to run again.
        """
        return await _to_the_end(self._managed(neo4j.WRITE_ACCESS, work, *args, **kwargs))

    async def _managed(self, access: str, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """One transaction, retried when retrying is safe and useful, failing fast otherwise.

        - A transient error (a lock timeout, a deadlock, ArcadeDB's concurrent-change
          conflict) rolled the transaction back: it is run again, with jittered backoff,
          for up to :data:`RETRY_SECONDS`.
        - A lost connection before the commit is retried once at once, on a fresh
          connection (a pooled one may have died with a restarted server); if the store
          is still not answering, the caller gets ``UNAVAILABLE`` now instead of holding
          a worker while the driver keeps trying.
        - A commit whose outcome is unknown (the connection broke after COMMIT was sent)
          is never retried: the change may have been saved (:class:`CommitUnknown`).
        - Nothing but :class:`StoreUnavailable` is retried: a conflict, our own refusals and a
          write too large for the server (:class:`TransactionTooLarge`, which Neo4j calls
          transient) would fail the same way again.
        """
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.02
        reconnected = False
        while True:
            try:
                with translate_errors():
                    async with (
                        self._session(access) as session,
                        await session.begin_transaction() as tx,
                    ):
                        result = await work(cast(Tx, tx), *args, **kwargs)
                        await tx.commit()
                        return result
            except StoreError as error:
                cause = error.__cause__
                stale = cause is not None and _stale_read(cause)
                if (
                    not isinstance(error, StoreUnavailable)
                    or isinstance(cause, bolt.IncompleteCommit)
                    or not (
                        stale
                        or isinstance(
                            cause,
                            bolt.TransientError
                            | bolt.ServiceUnavailable
                            | bolt.SessionExpired
                            | bolt.AuthError,
                        )
                    )
                ):
                    raise
                if stale or isinstance(cause, bolt.TransientError):
                    retryable = stale or (
                        isinstance(cause, bolt.TransientError) and cause.is_retryable()
                    )
                    if not retryable or time.monotonic() + delay > deadline:
                        raise
                    code = cause.code if isinstance(cause, bolt.Neo4jError) else None
                    log.info("transaction retried after a transient error: %s", code)
                    await asyncio.sleep(delay * random.uniform(0.5, 1.5))
                    delay = min(delay * 2, 0.5)
                elif reconnected:
                    raise
                else:
                    reconnected = True

    async def query(self, cypher: str, /, **params: Any) -> list[Record]:
        """Run one statement in its own transaction and return its rows as dicts."""

        async def work(tx: Tx) -> list[Record]:
            return await run(tx, cypher, **params)

        return await self.write(work)

    async def ping(self, timeout: float = 2.0) -> bool:
        """True when the store answers a trivial query within ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                rows = await self.read(_ping)
        except (StoreError, TimeoutError):
            return False
        return rows == 1


class StatementCounter:
    """How many Cypher statements this process has sent: a metric, and what tests count.

    ``tap``, when set, also sees each statement and its parameters: ``benchmarks/plans.py``
    collects the statements a workload sends to profile them on Neo4j.
    """

    def __init__(self) -> None:
        self.value = 0
        self.tap: Callable[[str, dict[str, Any]], None] | None = None


statements_sent = StatementCounter()


async def _send(tx: Tx, cypher: str, params: dict[str, Any]) -> neo4j.AsyncResult:
    """Send one statement, counted (and shown to a tap: tests that count round trips)."""
    statements_sent.value += 1
    if statements_sent.tap is not None:
        statements_sent.tap(cypher, params)
    return await tx.run(cypher, params)


async def run(tx: Tx, cypher: str, /, **params: Any) -> list[Record]:
    """Run one statement inside ``tx`` and return all its rows as dicts."""
    result = await _send(tx, cypher, params)
    return [record.data() for record in await result.fetch(2**31 - 1)]


async def run_values(tx: Tx, cypher: str, /, **params: Any) -> list[Record]:
    """:func:`run` for statements whose rows hold values, lists and maps only (no nodes).

    The rows are the driver's values as they come: ``Record.data()`` walks each through
    abstract-base-class checks to turn nodes into maps, which cost reading the whole graph
    at start-up a fifth of its client CPU. For the bulk reads of the export.
    """
    result = await _send(tx, cypher, params)
    records = await result.fetch(2**31 - 1)
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) for record in records]


async def stream_values(tx: Tx, cypher: str, /, **params: Any) -> AsyncIterator[Record]:
    """:func:`run_values` a row at a time, as the driver receives them (in batches).

    For the export's largest reads (every person, every mentorship): all the rows at once,
    with their nested lists, took more memory than the records made of them, and the
    process kept it (Python does not hand back the arenas they were freed from).
    """
    result = await _send(tx, cypher, params)
    keys = result.keys()
    async for record in result:
        yield dict(zip(keys, record, strict=True))


async def _check_server(driver: AsyncDriver, endpoint: BoltEndpoint) -> Backend:
    """Which server answers at ``endpoint``, once it has proved usable.

    Usable: the credentials are right, the database exists, and it is Neo4j 5 or newer (or
    ArcadeDB's Bolt plugin).
    """
    try:
        info = await driver.get_server_info()
        backend = backend_from_agent(info.agent)
        check_server_version(info.agent)
        await driver.execute_query("RETURN 1", database_=endpoint.database)
    except bolt.AuthError:
        raise StoreMisconfigured(
            f"The store at {endpoint.uri} refused the credentials of user "
            f"{endpoint.user!r}: check NEO4J_USER and NEO4J_PASSWORD."
        ) from None
    except bolt.ClientError as error:
        if error.code in DATABASE_MISSING_CODES:
            raise StoreMisconfigured(
                f"The store at {endpoint.uri} has no database named {endpoint.database!r}: "
                "check NEO4J_DATABASE (Neo4j Community has one, 'neo4j')."
            ) from None
        raise
    except (bolt.ServiceUnavailable, bolt.SessionExpired, OSError):
        raise StoreUnavailable(
            f"Cannot reach the skills graph store at {endpoint.uri}: is it running, and is "
            "NEO4J_URI right?"
        ) from None
    log.info("connected to %s (%s) at %s", info.agent, backend.value, endpoint.uri)
    return backend


async def _ping(tx: Tx) -> int:
    rows = await run(tx, "RETURN 1 AS ok")
    return int(rows[0]["ok"])
