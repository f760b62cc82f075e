"""The store stops under load and starts again: fast refusals, self-recovery, no lost or
duplicated writes."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from api.auth import Role, Tokens
from graph import people
from graph.embedded import BoltEndpoint
from graph.schema import ensure_schema
from graph.store import Store
from tests.api.conftest import ServerThread, app_settings, small_org, store_settings_for
from tests.conftest import store_server

CREATE = """mutation($name: String!, $key: String!) {
  createCommunity(input: {name: $name}, idempotencyKey: $key) { id name }
}"""
WRITERS = 4


async def _prepare(endpoint: BoltEndpoint) -> None:
    async with await Store.connect(endpoint) as store:
        await ensure_schema(store)
        await store.write(people.write_people, [p for p in small_org() if p.id == "tess"])


async def _stored_names(endpoint: BoltEndpoint) -> list[str]:
    async with await Store.connect(endpoint) as store:
        rows = await store.query("MATCH (c:Community) RETURN c.name AS name")
    return [r["name"] for r in rows]


class Writer:
    """Creates communities one after another, retrying each with its key until acknowledged."""

    def __init__(self, url: str, token: str, number: int) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.number = number
        self.acknowledged: list[str] = []
        # (sent at, seconds, code) of failed attempts
        self.refusals: list[tuple[float, float, str]] = []

    def create(self, name: str) -> None:
        for _ in range(600):  # about a minute of retries
            started = time.monotonic()
            try:
                body: dict[str, Any] = self.http.post(
                    "/graphql",
                    json={"query": CREATE, "variables": {"name": name, "key": f"key-{name}"}},
                    headers=self.headers,
                ).json()
            except httpx.TransportError:
                body = {"errors": [{"extensions": {"code": "TRANSPORT"}}]}
            if "errors" not in body:
                assert body["data"]["createCommunity"]["name"] == name
                self.acknowledged.append(name)
                return
            code = body["errors"][0]["extensions"]["code"]
            self.refusals.append((started, time.monotonic() - started, code))
            time.sleep(0.1)
        raise AssertionError(f"{name} was never acknowledged")

    def run(self, stop: threading.Event) -> None:
        i = 0
        while not stop.is_set():
            self.create(f"writer{self.number}-{i:04}")
            i += 1


def test_a_store_restart_under_load_loses_and_duplicates_nothing(
    tmp_path: Path, tokens: Tokens
) -> None:
    embedded = store_server(tmp_path / "data")
    endpoint = embedded.start()
    try:
        asyncio.run(_prepare(endpoint))
        app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
        with ServerThread(app) as running, ThreadPoolExecutor(WRITERS) as pool:
            token = tokens.mint("tess", Role.MODERATOR)
            writers = [Writer(running.url, token, n) for n in range(WRITERS)]
            stop = threading.Event()
            jobs = [pool.submit(w.run, stop) for w in writers]
            try:

                def acknowledged() -> int:
                    return sum(len(w.acknowledged) for w in writers)

                while acknowledged() < 20:
                    time.sleep(0.05)
                embedded.stop()
                down_at = time.monotonic()
                assert httpx.get(f"{running.url}/readyz", timeout=10).status_code == 503
                time.sleep(2)
                refused = [r for w in writers for r in w.refusals]
                assert {code for _, _, code in refused} <= {"UNAVAILABLE"}, refused
                # Requests in flight while the store shut down end when it has (Neo4j lets
                # running transactions finish first); those sent once it was down fail fast.
                during = [seconds for sent, seconds, _ in refused if sent >= down_at]
                assert during, "writes were refused while the store was down"
                assert max(during) < 3, ("refusals are quick", sorted(during)[-5:])

                embedded.start()  # same data, same port; the service is not restarted
                deadline = time.monotonic() + 60
                while httpx.get(f"{running.url}/readyz", timeout=10).status_code != 200:
                    assert time.monotonic() < deadline, "the service did not recover"
                    time.sleep(0.2)
                recovered_after = time.monotonic() - down_at
                before = acknowledged()
                while acknowledged() < before + 20:
                    assert time.monotonic() < deadline, "writes did not resume"
                    time.sleep(0.05)
            finally:
                stop.set()
            for job in jobs:
                job.result(timeout=60)
            for writer in writers:
                writer.http.close()
        names = asyncio.run(_stored_names(endpoint))
    finally:
        embedded.stop()
    expected = sorted(name for w in writers for name in w.acknowledged)
    assert sorted(names) == expected, "every acknowledged write is there, exactly once"
    assert recovered_after < 60
