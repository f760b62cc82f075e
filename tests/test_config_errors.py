"""Bad configuration ends ``skillweave serve`` with a message naming the setting, never a trace.

Each case runs the installed ``skillweave`` script as an operator would, against the suite's
store (Neo4j or the embedded one, both over Bolt) where a server is needed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graph.dialect import check_server_version
from graph.embedded import BoltEndpoint
from graph.errors import StoreMisconfigured

SKILLWEAVE = str(Path(sys.executable).parent / "skillweave")
SECRET = "a-secret-of-more-than-thirty-two-characters-0123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``skillweave serve`` with these settings; it must end by itself."""
    settings = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEO4J_", "SKILLWEAVE_"))
    }
    settings.update(
        SKILLWEAVE_DATA_DIR=str(tmp_path / "data"),
        SKILLWEAVE_JWT_SECRET=SECRET,
        SKILLWEAVE_PORT=str(_free_port()),
        COLUMNS="200",
    )
    settings.update(env)
    return subprocess.run(
        [SKILLWEAVE, "serve", *args],
        env=settings,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )


def _store(endpoint: BoltEndpoint, **changes: str) -> dict[str, str]:
    values = {
        "NEO4J_URI": endpoint.uri,
        "NEO4J_USER": endpoint.user,
        "NEO4J_PASSWORD": endpoint.password,
        "NEO4J_DATABASE": endpoint.database,
    }
    values.update(changes)
    return values


def assert_refused(done: subprocess.CompletedProcess[str], *names: str) -> None:
    said = done.stdout + done.stderr
    assert done.returncode != 0, said
    assert "Traceback" not in said, said
    for name in names:
        assert name in said, said


def test_an_unreachable_store_names_neo4j_uri(tmp_path: Path) -> None:
    done = serve(tmp_path, NEO4J_URI=f"bolt://127.0.0.1:{_free_port()}")
    assert_refused(done, "Cannot reach", "NEO4J_URI")


def test_an_address_that_is_not_bolt_names_neo4j_uri(tmp_path: Path) -> None:
    done = serve(tmp_path, NEO4J_URI="http://localhost:7474")
    assert_refused(done, "not a Bolt address", "NEO4J_URI")


def test_a_wrong_password_names_the_credentials(tmp_path: Path, endpoint: BoltEndpoint) -> None:
    done = serve(tmp_path, **_store(endpoint, NEO4J_PASSWORD="not-the-password"))
    assert_refused(done, "refused the credentials", "NEO4J_USER", "NEO4J_PASSWORD")


def test_a_database_the_server_lacks_names_neo4j_database(
    tmp_path: Path, endpoint: BoltEndpoint
) -> None:
    done = serve(tmp_path, **_store(endpoint, NEO4J_DATABASE="nosuchdatabase"))
    assert_refused(done, "no database named 'nosuchdatabase'", "NEO4J_DATABASE")


def test_a_setting_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    done = serve(tmp_path, SKILLWEAVE_PORT="eighty")
    assert_refused(done, "SKILLWEAVE_PORT='eighty'")


def test_the_demo_is_refused_in_production(tmp_path: Path, endpoint: BoltEndpoint) -> None:
    done = serve(tmp_path, **_store(endpoint), SKILLWEAVE_ENV="production", SKILLWEAVE_DEMO="true")
    assert_refused(done, "refused in production", "SKILLWEAVE_ENV")


@pytest.mark.parametrize(
    "agent", ["Neo4j/4.4.12", "Neo4j/3.5.35", "neo4j/4.0.0"], ids=["4.4", "3.5", "4.0"]
)
def test_a_server_older_than_neo4j_5_names_neo4j_uri(agent: str) -> None:
    # The suite runs no Neo4j 4 server; the check reads the agent string every server
    # announces on connect, which Store.connect hands it.
    with pytest.raises(StoreMisconfigured, match=r"needs Neo4j 5 or newer.*NEO4J_URI"):
        check_server_version(agent)


@pytest.mark.parametrize(
    "agent", ["Neo4j/5.26.30", "Neo4j/2025.10.1", "Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)"]
)
def test_neo4j_5_and_newer_and_arcadedb_pass(agent: str) -> None:
    check_server_version(agent)
