"""Webhook deliveries per second to a local receiver.

    python benchmarks/webhooks.py                    # 2,000 events, 3 runs
    python benchmarks/webhooks.py --events 5000 --runs 5 --concurrency 4 16 64

Starts the embedded store in a temporary folder, registers one JSON webhook, and for each
run writes ``--events`` events to the outbox (not timed), then runs the API's sender
(:class:`api.webhooks.WebhookSender`, the job every API process runs) step after step until
the receiver has acknowledged every one. Timed: turning events into deliveries, claiming,
signing, POSTing (8, then 32 — the service's — at once over keep-alive connections) and recording the outcomes. The
receiver (``tests/api/webhook_receiver.py``, ``http.server`` with a thread per connection)
runs in a process of its own on the same cores. Reports the median of the runs and checks
that no event was acknowledged twice or lost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402

from api.settings import AppSettings  # noqa: E402
from api.webhooks import CONCURRENCY, WebhookSender  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from graph import outbox, webhooks  # noqa: E402
from graph.embedded import EmbeddedArcadeDB  # noqa: E402
from graph.outbox import EventKind  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from graph.store import Store, Tx  # noqa: E402


class Receiver:
    """The test receiver in a process of its own."""

    def __enter__(self) -> Receiver:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.webhook_receiver"],
            cwd=_HERE.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        return self

    def counts(self) -> tuple[int, int]:
        """(acknowledged, distinct event ids) so far."""
        stats = httpx.get(self.url).json()
        return int(stats["acked"]), int(stats["distinct"])

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()


async def emit(store: Store, count: int) -> None:
    async def work(tx: Tx, n: int) -> None:
        await outbox.emit_many(
            tx,
            [
                (EventKind.REQUEST_RECEIVED, "mia", {"person_id": "ana", "person_name": "Ana"})
                for _ in range(n)
            ],
        )

    for start in range(0, count, 500):
        await store.write(work, min(500, count - start))


async def one_run(store: Store, events: int, concurrency: int) -> float:
    await emit(store, events)
    settings = AppSettings(skillweave_jwt_secret="x" * 40, skillweave_webhook_timeout_seconds=10)
    sender = WebhookSender(store, settings, concurrency=concurrency)
    try:
        started = time.perf_counter()
        while sender.sent < events:
            sent = sender.sent
            await sender.step()
            if sender.sent == sent:  # a retry not due yet
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        await sender.aclose()
    return events / elapsed


async def main(events: int, runs: int, concurrencies: list[int]) -> None:
    console = Console()
    with tempfile.TemporaryDirectory() as folder, Receiver() as receiver:
        embedded = EmbeddedArcadeDB(Path(folder) / "data")
        store = await Store.connect(await asyncio.to_thread(embedded.start), embedded=embedded)
        try:
            await ensure_schema(store)
            await store.write(
                webhooks.register_webhook,
                url=receiver.url,
                kinds=[EventKind.REQUEST_RECEIVED],
                format=webhooks.WebhookFormat.JSON,
                created_by="benchmark",
            )
            rates: dict[int, list[float]] = {}
            for concurrency in concurrencies:
                for run in range(runs):
                    rate = await one_run(store, events, concurrency)
                    console.print(f"{concurrency} at once, run {run + 1}: {rate:,.0f} deliveries/s")
                    rates.setdefault(concurrency, []).append(rate)
        finally:
            await store.close()
        acked, distinct = receiver.counts()
    sent = events * runs * len(concurrencies)
    assert acked == distinct == sent, f"{acked} acknowledged, {distinct} distinct of {sent}"
    report = Report(console)
    report.table(
        "Webhook deliveries to a local receiver (embedded store)",
        ["in flight at once", "events per run", "runs", "median deliveries/s", "min", "max"],
        [
            [
                f"{concurrency}{' (the service)' if concurrency == CONCURRENCY else ''}",
                f"{events:,}",
                str(runs),
                f"{statistics.median(found):,.0f}",
                f"{min(found):,.0f}",
                f"{max(found):,.0f}",
            ]
            for concurrency, found in rates.items()
        ],
        ["Each event acknowledged exactly once, signatures computed per try."],
        text_columns=0,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, CONCURRENCY])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.runs, arguments.concurrency))
