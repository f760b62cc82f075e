"""A real Neo4j 5.26 Community server for the tests and benchmarks, started from Maven jars.

:class:`Neo4jTestServer` has the shape of :class:`graph.embedded.EmbeddedArcadeDB`
(``start`` returns a :class:`BoltEndpoint`, ``stop`` is safe twice, a restart keeps its
port and data), so a test that stops and starts its store runs on either. The server is
``neo4j-server/`` in this repository: a ``pom.xml`` and one Java class that opens Neo4j's Bolt
connector on loopback. The first start builds it with Maven (the jars come from Maven
Central into ``~/.m2``, about 125 MB); later starts reuse ``neo4j-server/target``.

Run it by hand with ``python -m tests.neo4j_server [DATA_DIR]``: it prints the
``NEO4J_*`` settings that point ``skillweave serve`` at it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import selectors
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

from graph.embedded import BoltEndpoint, stop_child

PROJECT = Path(__file__).resolve().parent.parent / "neo4j-server"
TARGET = PROJECT / "target"
MAIN_CLASS = "skillweave.Neo4jTestServer"
USER, DATABASE = "neo4j", "neo4j"
DEFAULT_HEAP, DEFAULT_PAGE_CACHE_MB = "1g", 512
"""Java heap and page cache of a test server; SKILLWEAVE_NEO4J_HEAP and
SKILLWEAVE_NEO4J_PAGE_CACHE_MB override them (the benchmarks give Neo4j more)."""


class Neo4jStartError(RuntimeError):
    """The Neo4j test server could not be built or did not come up."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([PROJECT / "pom.xml", *PROJECT.rglob("*.java")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build() -> Path:
    """Build the server with Maven unless ``neo4j-server/target`` is current; returns the target.

    A file lock makes parallel test sessions (and pytest-xdist workers) build it once.
    """
    TARGET.mkdir(parents=True, exist_ok=True)
    stamp = TARGET / f"built-{_sources_digest()}"
    with FileLock(str(TARGET / "build.lock")):
        if stamp.exists():
            return TARGET
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jStartError("Maven (mvn) is needed to fetch Neo4j's jars; install Maven 3.8+")
        print("building the Neo4j test server with Maven (first run only) …", file=sys.stderr)
        done = subprocess.run(
            [mvn, "-q", "-B", "-f", str(PROJECT / "pom.xml"), "package"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise Neo4jStartError(
                f"mvn package failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}"
            )
        for old in TARGET.glob("built-*"):
            old.unlink()
        stamp.touch()
    return TARGET


def java() -> str:
    """The ``java`` to run Neo4j 5 with: ``JAVA_HOME``'s, else the one on the PATH (17+)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise Neo4jStartError("Java 17 or newer is needed to run Neo4j 5; none is on the PATH")
    return found


class Neo4jTestServer:
    """Starts and stops Neo4j 5 Community (Bolt on loopback) for one data folder."""

    def __init__(
        self,
        data_dir: Path,
        *,
        start_timeout: float = 120.0,
        heap: str | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.start_timeout = start_timeout
        self.heap = heap or os.environ.get("SKILLWEAVE_NEO4J_HEAP", DEFAULT_HEAP)
        self.page_cache_mb = int(
            os.environ.get("SKILLWEAVE_NEO4J_PAGE_CACHE_MB", str(DEFAULT_PAGE_CACHE_MB))
        )
        self.settings = settings or {}
        """Further Neo4j settings by name (``db.memory.transaction.max``: ``8m``)."""
        self.password = secrets.token_urlsafe(18)
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.endpoint: BoltEndpoint | None = None
        self.version: str | None = None

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (benchmarks measure its CPU)."""
        return self._process.pid if self.running and self._process is not None else None

    def start(self) -> BoltEndpoint:
        """Start the server (building it first if needed) and return its endpoint once ready."""
        if self.running and self.endpoint is not None:
            return self.endpoint
        target = build()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = self._port = self._port or _free_port()  # a restart keeps the port
        classpath = os.pathsep.join([str(target / "classes"), str(target / "lib" / "*")])
        command = [
            java(), f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
            "-cp", classpath, MAIN_CLASS, str(self.data_dir), str(port), str(self.page_cache_mb),
            *(f"{name}={value}" for name, value in self.settings.items()),
        ]  # fmt: skip
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - the child holds it
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "NEO4J_TEST_PASSWORD": self.password},
            start_new_session=True,
        )
        log.close()
        atexit.register(self.stop)
        self.version = self._wait_ready()
        self.endpoint = BoltEndpoint(f"bolt://127.0.0.1:{port}", USER, self.password, DATABASE)
        return self.endpoint

    def _wait_ready(self) -> str:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and process.poll() is None:
                if selector.select(timeout=0.2):
                    line = process.stdout.readline().decode()
                    if line.startswith("READY"):
                        return line.split()[2]
        code = process.poll()
        self.stop(timeout=10)
        tail = (self.data_dir / "server.log").read_text(errors="replace").splitlines()[-20:]
        reason = f"exited with {code}" if code is not None else "did not answer in time"
        raise Neo4jStartError(f"the Neo4j test server {reason}:\n" + "\n".join(tail))

    def stop(self, timeout: float = 60.0) -> None:
        """Shut Neo4j down cleanly (stdin closed), forcibly if it hangs; safe to call twice."""
        process, self._process = self._process, None
        self.endpoint = None
        if process is None:
            return
        atexit.unregister(self.stop)
        stop_child(process, timeout, grace=15)


def main() -> None:
    """Run a Neo4j test server until Ctrl-C, printing how to point Skillweave at it."""
    data = Path(sys.argv[1] if len(sys.argv) > 1 else ".skillweave/neo4j")
    server = Neo4jTestServer(data)
    endpoint = server.start()
    print(f"Neo4j {server.version} ready, data in {server.data_dir}")
    print(f"NEO4J_URI={endpoint.uri} NEO4J_USER={endpoint.user} NEO4J_PASSWORD={endpoint.password}")
    try:
        while server.running:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
