"""The embedded store: ArcadeDB in a child process, reached over Bolt on loopback.

The service never loads the JVM itself. :class:`EmbeddedArcadeDB` starts
``python -m graph._arcadedb_process`` on a free loopback port, waits for it to
answer, and stops it on :meth:`~EmbeddedArcadeDB.stop` (or when this process
exits). A file lock in the data folder keeps a second process off the same data.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import selectors
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from graph import _arcadedb_process as child
from graph.errors import DataFolderLocked, EmbeddedStartError

EMBEDDED_USER = "root"
EMBEDDED_DATABASE = "skillweave"
PASSWORD_FILE = "bolt-password"


@dataclass(frozen=True)
class BoltEndpoint:
    """How to reach a running store over Bolt."""

    uri: str
    user: str
    password: str
    database: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _password(data_dir: Path) -> str:
    """The store's root password, made once per data folder and kept there (mode 0600)."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def _log_tail(data_dir: Path, lines: int = 15) -> str:
    path = data_dir / child.LOG_FILE
    if not path.exists():
        return "(no log written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _owner(data_dir: Path) -> str:
    with contextlib.suppress(OSError):
        return f" (process {(data_dir / child.OWNER_FILE).read_text().strip()})"
    return ""


def stop_child(process: subprocess.Popen[bytes], timeout: float, *, grace: float = 10.0) -> None:
    """Stop a store's child process, gracefully first; its pipes closed.

    Its stdin is closed (the child shuts down cleanly at EOF); it is terminated after
    ``timeout`` seconds and killed after ``grace`` more.
    """
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


class EmbeddedArcadeDB:
    """Starts and stops the embedded ArcadeDB store for one data folder.

    Example:
        >>> store = EmbeddedArcadeDB(Path(".skillweave/data"))  # doctest: +SKIP
        >>> endpoint = store.start()  # doctest: +SKIP
        >>> store.stop()  # doctest: +SKIP
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        heap: str = "2g",
        start_timeout: float = 90.0,
        bolt_port: int | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.heap = heap
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._bolt_port: int | None = bolt_port
        """None: a free port, chosen at the first start and kept across restarts."""
        self.endpoint: BoltEndpoint | None = None

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child process's id while it runs (benchmarks measure its CPU)."""
        return self._process.pid if self.running and self._process is not None else None

    def start(self) -> BoltEndpoint:
        """Start the store and return its Bolt endpoint once it answers.

        Raises:
            DataFolderLocked: another process serves this data folder.
            EmbeddedStartError: the store did not come up; the message has its log.
        """
        if self.running and self.endpoint is not None:
            return self.endpoint
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_unlocked()
        password = _password(self.data_dir)
        # A restart keeps the port, so connected clients find the store again by themselves.
        bolt_port = self._bolt_port = self._bolt_port or _free_port()
        env = {**os.environ, "SKILLWEAVE_EMBEDDED_PASSWORD": password}
        command = [
            sys.executable, "-m", "graph._arcadedb_process",
            "--data", str(self.data_dir),
            "--bolt-port", str(bolt_port),
            "--http-port", str(_free_port()),
            "--database", EMBEDDED_DATABASE,
            "--heap", self.heap,
        ]  # fmt: skip
        project_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [project_root, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.data_dir,
            env=env,
            start_new_session=True,  # a Ctrl-C reaches us, and we stop the store in order
        )
        atexit.register(self.stop)
        self._wait_ready()
        self.endpoint = BoltEndpoint(
            uri=f"bolt://127.0.0.1:{bolt_port}",
            user=EMBEDDED_USER,
            password=password,
            database=EMBEDDED_DATABASE,
        )
        return self.endpoint

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the store, gracefully first; safe to call twice."""
        process, self._process = self._process, None
        self.endpoint = None
        if process is None:
            return
        atexit.unregister(self.stop)
        stop_child(process, timeout)  # the child shuts ArcadeDB down at EOF

    def _check_unlocked(self) -> None:
        lock = FileLock(str(self.data_dir / child.LOCK_FILE))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise self._locked_error() from None
        lock.release()

    def _locked_error(self) -> DataFolderLocked:
        return DataFolderLocked(
            f"The data folder {self.data_dir} is already used by another Skillweave "
            f"process{_owner(self.data_dir)}. Stop that process, or set "
            "SKILLWEAVE_DATA_DIR to another folder."
        )

    def _wait_ready(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + self.start_timeout
        line = b""
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.startswith(b"READY"):
                    selector.close()
                    return
            if process.poll() is not None:
                break
        selector.close()
        code = process.poll()
        stderr = b""
        if code is not None and process.stderr is not None:
            stderr = process.stderr.read()
        self.stop(timeout=5)
        if code == child.EXIT_LOCKED:
            raise self._locked_error()
        reason = (
            f"it exited with status {code}"
            if code is not None
            else f"it did not answer within {self.start_timeout:.0f} s"
        )
        raise EmbeddedStartError(
            f"The embedded store in {self.data_dir} could not start: {reason}.\n"
            f"{stderr.decode(errors='replace').strip()}\n"
            f"Last lines of {self.data_dir / child.LOG_FILE}:\n{_log_tail(self.data_dir)}"
        )
