"""Entry point of the embedded store's child process.

Run as ``python -m graph._arcadedb_process``; :mod:`graph.embedded` starts it.
It takes the data folder's lock, starts ArcadeDB with its Bolt plugin on
loopback, creates the database, then prints one ``READY`` line on the original
stdout. ArcadeDB's own logs go to ``arcadedb.log`` in the data folder. It stops
cleanly when its standard input closes, which also happens when the parent
dies, so the store never outlives the service that started it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from filelock import FileLock, Timeout

EXIT_LOCKED = 75
LOCK_FILE = "skillweave.lock"
OWNER_FILE = "owner.pid"
LOG_FILE = "arcadedb.log"


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="skillweave-embedded-store")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--bolt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--database", default="skillweave")
    parser.add_argument("--heap", default="2g")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the data folder until standard input closes."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    data = args.data.resolve()
    lock = FileLock(str(data / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"data folder {data} is in use by another process", file=sys.stderr)
        return EXIT_LOCKED
    (data / OWNER_FILE).write_text(str(os.getpid()))

    # Keep the real stdout for the READY line; everything the JVM prints goes to the log.
    marker = os.fdopen(os.dup(1), "w")
    log_fd = os.open(data / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)

    from arcadedb_embedded.server import ArcadeDBServer

    password = os.environ["SKILLWEAVE_EMBEDDED_PASSWORD"]
    server = ArcadeDBServer(
        str(data),
        root_password=password,
        config={
            "host": "127.0.0.1",
            "http_port": args.http_port,
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": args.bolt_port,
            "bolt_host": "127.0.0.1",
            "bolt_defaultDatabase": args.database,
        },
        jvm_kwargs={"heap_size": args.heap},
    )
    server.start()
    try:
        server.create_database(args.database)
        marker.write(f"READY {args.bolt_port}\n")
        marker.flush()
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
    finally:
        server.stop()
        lock.release()
    return 0


if __name__ == "__main__":
    status = main()
    # Leave without the interpreter's shutdown: ArcadeDB is stopped and its data
    # written, but JVM threads still alive could call into a finalising Python.
    sys.stdout.flush()
    os._exit(status)
