"""``skillweave serve --demo`` as a user runs it: a real process, demo data, tokens that work."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_cli import CliRunner, cli

HEALTH = """{
  networkHealth { metrics { name value } }
  networkHealthHistory { takenAt metrics(names: ["reach.isolated_share"]) { name value } }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_demo_seeds_prints_tokens_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(SKILLWEAVE_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--demo",
                "--demo-people",
                "120",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
        output = log.read_text()
        assert f"http://localhost:{port}/graphql" in output
        tokens = dict(re.findall(r"^\s+(agent|moderator|hr|admin)\s.*\n\s+(\S+)$", output, re.M))
        assert set(tokens) == {"agent", "moderator", "hr", "admin"}, output
        me = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ me { name } people { totalCount } }"},
            headers={"Authorization": f"Bearer {tokens['hr']}"},
        ).json()
        assert me["data"]["people"]["totalCount"] == 120
        # HR's dashboard on first start: a live programme, with twelve weeks of history
        health = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": HEALTH},
            headers={"Authorization": f"Bearer {tokens['hr']}"},
            timeout=60,
        ).json()["data"]
        now = {m["name"]: m["value"] for m in health["networkHealth"]["metrics"]}
        assert now["reach.isolated_share"] < 0.45 and now["reach.goal_coverage"] > 0.2, now
        taken = [dt.datetime.fromisoformat(s["takenAt"]) for s in health["networkHealthHistory"]]
        assert len(taken) == 12
        assert {b - a for a, b in itertools.pairwise(taken)} == {dt.timedelta(weeks=1)}
        assert dt.datetime.now(dt.UTC) - dt.timedelta(weeks=13) < taken[0]
        assert taken[-1] < dt.datetime.now(dt.UTC) - dt.timedelta(days=6)
        shares = [s["metrics"][0]["value"] for s in health["networkHealthHistory"]]
        assert shares[0] > shares[-1] >= now["reach.isolated_share"], "fewer isolated as it runs"
        # the pages' address is printed, and their sign-in offers the demo people
        assert f"Web app: http://localhost:{port}/app/" in output
        assert "<form" in httpx.get(f"http://127.0.0.1:{port}/app/").text
        demo = httpx.get(f"http://127.0.0.1:{port}/app/demo-users").json()
        assert {u["role"] for u in demo["users"]} == {"agent", "moderator", "hr", "admin"}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    # the embedded store stopped with the service: the data folder is free again
    from graph.embedded import EmbeddedArcadeDB

    again = EmbeddedArcadeDB(tmp_path / "data")
    again.start()
    again.stop()


def test_token_command_mints_a_token_the_service_accepts(tmp_path: Path) -> None:
    from api.auth import Role, Tokens
    from api.settings import AppSettings
    from graph.settings import StoreSettings

    env = {"SKILLWEAVE_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner(env=env).invoke(cli, ["token", "--person", "E000042", "--role", "moderator"])
    assert result.exit_code == 0, result.output
    tokens = Tokens.from_settings(
        AppSettings(), StoreSettings(skillweave_data_dir=tmp_path / "data")
    )
    principal = tokens.decode(result.output.strip())
    assert (principal.person_id, principal.role) == ("E000042", Role.MODERATOR)


def test_store_command_serves_the_embedded_store_for_other_processes(tmp_path: Path) -> None:
    import asyncio

    from graph.embedded import BoltEndpoint, EmbeddedArcadeDB
    from graph.store import Store

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SKILLWEAVE_"))}
    env.update(SKILLWEAVE_DATA_DIR=str(tmp_path / "data"), COLUMNS="300")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "store", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "NEO4J_URI=" in line:
                break
        settings = dict(re.findall(r"(NEO4J_\w+)=(\S+)", "".join(lines)))
        assert settings["NEO4J_URI"] == f"bolt://127.0.0.1:{port}", lines
        endpoint = BoltEndpoint(
            settings["NEO4J_URI"],
            settings["NEO4J_USER"],
            settings["NEO4J_PASSWORD"],
            settings["NEO4J_DATABASE"],
        )

        async def ask() -> list[dict[str, object]]:
            async with await Store.connect(endpoint) as store:
                return await store.query("RETURN 41 + 1 AS answer")

        assert asyncio.run(ask()) == [{"answer": 42}]
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=60)
        assert process.stdout is not None
        process.stdout.close()
    assert status == 0
    again = EmbeddedArcadeDB(tmp_path / "data")  # the data folder was released
    again.start()
    again.stop()
