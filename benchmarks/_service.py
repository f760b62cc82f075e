"""What the HTTP benchmarks share: a seeded service in its own process, and a lean client.

``running_service`` seeds a fresh store (the embedded ArcadeDB, or Neo4j 5.26 from
``tests/neo4j_server.py``) and runs uvicorn on it, as production runs; ``Connection``
posts GraphQL over one keep-alive connection at a fraction of httpx's CPU cost (on 2
cores the load generator shares the machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from api.auth import Tokens
from graph.embedded import BoltEndpoint, EmbeddedArcadeDB
from graph.organisation import Organisation, write_organisation
from graph.schema import ensure_schema
from graph.seed import generate_organisation
from graph.store import Store
from tests.neo4j_server import Neo4jTestServer

STORES = ("embedded", "neo4j")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Connection:
    """One keep-alive HTTP/1.1 connection that posts pre-encoded GraphQL bodies."""

    def __init__(self, url: str, token: str) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self.head = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        ).encode()

    async def __aenter__(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()
        await self.writer.wait_closed()

    async def post(
        self, body: bytes, *, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """The status and body of the answer to one POST (with any extra ``headers``).

        A connection the server closed while idle (uvicorn's keep-alive timeout is 5 s) is
        opened again and the request sent once more, as an HTTP client would.
        """
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode()
        request = self.head + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body
        self.writer.write(request)
        line = await self.reader.readline()
        if not line:
            await self.__aexit__()
            await self.__aenter__()
            self.writer.write(request)
            line = await self.reader.readline()
        status = int(line.split()[1])
        length = None
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError("the service answered without a Content-Length")
        return status, await self.reader.readexactly(length)


@dataclass
class Service:
    """A running service: where it listens, how to sign tokens, what it was seeded with."""

    url: str
    tokens: Tokens
    org: Organisation
    store: Store
    """A connection of the benchmark's own to the same store (for in-process baselines)."""
    processes: dict[str, int]
    """Process ids by what they do: ``service`` (uvicorn, whose workers are its children),
    ``store`` (the embedded ArcadeDB or Neo4j) and ``load generator`` (this process)."""
    endpoint: BoltEndpoint
    seconds_to_seed: float
    """How long writing the organisation took (one ``write_organisation``)."""


class CpuMeter:
    """CPU seconds used by each of a service's processes between two calls of :meth:`read`.

    On a machine where the load generator, the service and the store share the cores,
    where the CPU went says what bounds the throughput.
    """

    def __init__(self, processes: dict[str, int]) -> None:
        self.roots = {name: psutil.Process(pid) for name, pid in processes.items()}

    def read(self) -> dict[str, float]:
        """CPU seconds (user and system) so far, per name.

        Children count with their parent (uvicorn's workers), except this process's own:
        they are the service and the store, counted apart.
        """
        used: dict[str, float] = {}
        for name, root in self.roots.items():
            total = 0.0
            children = root.children(recursive=True) if root.pid != os.getpid() else []
            for process in [root, *children]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system
            used[name] = total
        return used


def store_server(kind: str, folder: Path, heap: str) -> EmbeddedArcadeDB | Neo4jTestServer:
    """A fresh store server of ``kind`` (one of :data:`STORES`) with its data in ``folder``."""
    if kind == "embedded":
        return EmbeddedArcadeDB(folder, heap=heap)
    if kind == "neo4j":
        os.environ.setdefault("SKILLWEAVE_NEO4J_PAGE_CACHE_MB", "1024")
        return Neo4jTestServer(folder, heap=heap)
    raise ValueError(f"unknown store {kind!r}; one of {', '.join(STORES)}")


@contextlib.asynccontextmanager
async def running_service(
    people: int, *, seed: int = 7, heap: str = "4g", workers: int = 1, store: str = "embedded"
) -> AsyncIterator[Service]:
    """Seed ``people`` into a fresh ``store`` and serve it with uvicorn until exit."""
    secret = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory(prefix="skillweave-bench-") as folder:
        server_of_store = store_server(store, Path(folder) / "data", heap)
        endpoint = server_of_store.start()
        connection = await Store.connect(endpoint)
        server: subprocess.Popen[bytes] | None = None
        try:
            await ensure_schema(connection)
            print(f"seeding {people:,} people into {store} ...", flush=True)
            org = generate_organisation(people=people, seed=seed)
            started = time.perf_counter()
            await write_organisation(connection, org, create=True)
            seconds_to_seed = time.perf_counter() - started
            port = free_port()
            env = {
                **os.environ,
                "NEO4J_URI": endpoint.uri,
                "NEO4J_USER": endpoint.user,
                "NEO4J_PASSWORD": endpoint.password,
                "NEO4J_DATABASE": endpoint.database,
                "SKILLWEAVE_JWT_SECRET": secret,
                "SKILLWEAVE_DATA_DIR": str(Path(folder) / "app"),
            }
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                 "--port", str(port), "--log-level", "warning", "--workers", str(workers)],
                env=env,
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{url}/readyz").status_code == 200:
                        break
                await asyncio.sleep(0.5)
            tokens = Tokens(
                secret, issuer="skillweave", audience="skillweave-api",
                lifetime=dt.timedelta(hours=2),
            )  # fmt: skip
            processes = {"service": server.pid, "store": server_of_store.pid or os.getpid()}
            processes["load generator"] = os.getpid()
            yield Service(url, tokens, org, connection, processes, endpoint, seconds_to_seed)
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
            await connection.close()
            server_of_store.stop()
