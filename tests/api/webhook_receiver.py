"""A real local HTTP receiver for webhook deliveries, told to fail, hang or recover.

It records what it acknowledged (answered 2xx to): the event id, timestamp and signature
headers and the body. A hanging receiver answers only after ``hang_seconds`` (or when it
is closed), which is past the sender's timeout: the sender has given up, so nothing is
recorded. Used by tests/api/test_webhooks.py, and by benchmarks/webhooks.py in a process of
its own (``python -m tests.api.webhook_receiver``; ``GET`` answers the counts).
"""

from __future__ import annotations

import collections
import json
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Mode = Literal["ok", "fail", "hang"]


@dataclass(frozen=True)
class Received:
    """One acknowledged delivery."""

    event_id: str
    timestamp: str
    signature: str
    body: bytes


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default, 5, resets connections a sender opens at once
    daemon_threads = False
    block_on_close = True  # closing waits for the handlers (a hanging one is released)


class Receiver:
    """``http.server`` in a thread on a free port; ``with Receiver() as r: r.url``."""

    def __init__(self, *, delay: float = 0.0, hang_seconds: float = 5.0) -> None:
        self.mode: Mode = "ok"
        self.delay = delay
        self.hang_seconds = hang_seconds
        self.tries = 0
        self.acked: list[Received] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # an idle kept-alive connection's thread ends

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.tries += 1
                    mode = receiver.mode
                if mode == "fail":
                    self._answer(500)
                elif mode == "hang":
                    receiver._released.wait(receiver.hang_seconds)
                    self._answer(200)  # the sender gave up long ago: not an acknowledgement
                else:
                    if receiver.delay:
                        time.sleep(receiver.delay)
                    with receiver._lock:
                        receiver.acked.append(
                            Received(
                                self.headers.get("X-Skillweave-Event-Id", ""),
                                self.headers.get("X-Skillweave-Timestamp", ""),
                                self.headers.get("X-Skillweave-Signature", ""),
                                body,
                            )
                        )
                    self._answer(200)

            def do_GET(self) -> None:  # the counts, for a receiver in another process
                counts = receiver.ids()
                body = json.dumps({"acked": sum(counts.values()), "distinct": len(counts)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _answer(self, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender closed the connection (it timed out)
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def ids(self) -> collections.Counter[str]:
        """How many times each event id was acknowledged."""
        with self._lock:
            return collections.Counter(r.event_id for r in self.acked)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)


if __name__ == "__main__":  # a receiver of its own: prints its URL, stops when stdin closes
    with Receiver() as running:
        print(running.url, flush=True)
        sys.stdin.read()
