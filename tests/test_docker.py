"""The Docker image's file set, installed and started without Docker (no engine runs here).

The test reads the ``Dockerfile`` itself, so it cannot drift from it: it copies exactly what
the ``COPY`` lines name into a folder laid out like the image's ``WORKDIR``, installs that
folder into a new virtual environment with ``pip install .`` as the image does, and runs the
image's ``CMD`` from there with the environment ``docker-compose.yml`` gives the ``api``
service, against the suite's store. The service must start in production mode, answer
``/readyz`` and serve its pages.

The image downloads the dependencies from PyPI; here they come from the test environment
(a ``.pth`` file), so what is checked is the file set and the package build, not PyPI.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from graph.embedded import BoltEndpoint

ROOT = Path(__file__).resolve().parent.parent
SECRET = "docker-test-secret-of-more-than-32-characters"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        joined.append(pending.strip())
        pending = ""
    found = []
    for text in joined:
        word, _, rest = text.partition(" ")
        found.append((word.upper(), rest.strip()))
    return found


def _words(arguments: str) -> list[str]:
    """A COPY's or CMD's words, from the exec (JSON) form or the shell form."""
    if arguments.startswith("["):
        return [str(w) for w in json.loads(arguments)]
    return shlex.split(arguments)


def lay_out_image(dockerfile: Path, into: Path) -> tuple[Path, list[str]]:
    """Copy what the Dockerfile's COPY lines name into ``into``; return the workdir and CMD."""
    workdir = Path("/")
    command: list[str] = []
    for word, arguments in instructions(dockerfile):
        if word == "WORKDIR":
            workdir = workdir / arguments
        elif word == "COPY":
            parts = [p for p in _words(arguments) if not p.startswith("--")]
            *sources, destination = parts
            target = into / (workdir / destination).relative_to("/")
            for source in sources:
                origin = ROOT / source
                if origin.is_dir():
                    shutil.copytree(
                        origin,
                        target,
                        dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"),
                    )
                else:
                    place = target / origin.name if destination.endswith("/") else target
                    place.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, place)
        elif word == "RUN":
            assert "pip install" not in arguments or re.search(
                r"pip install\b.*\s\.(\s|$)", arguments
            )
        elif word == "CMD":
            command = _words(arguments)
    return into / workdir.relative_to("/"), command


def install(app_dir: Path, venv: Path) -> Path:
    """``pip install .`` of ``app_dir`` into a new venv; its dependencies come from ours."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--quiet", "."],
        cwd=app_dir,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def compose_environment(service: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """The service's environment as compose resolves it: ``${NAME:-default}`` and ``${NAME}``."""

    def resolve(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            name, rule, default = match["name"], match["rule"], match["default"] or ""
            if name in given and (given[name] or rule != ":-"):
                return given[name]
            if rule in (":?", "?"):
                raise AssertionError(f"compose requires {name}: {default}")
            return default

        return re.sub(r"\$\{(?P<name>\w+)(?:(?P<rule>:?[-?])(?P<default>[^}]*))?\}", one, value)

    return {key: resolve(str(value)) for key, value in service["environment"].items()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, list[str]]]:
    """(bin folder of the install, the image's workdir, the image's CMD)."""
    root = tmp_path_factory.mktemp("image")
    app_dir, command = lay_out_image(ROOT / "Dockerfile", root / "fs")
    bin_dir = install(app_dir, root / "venv")
    yield bin_dir, app_dir, command


def test_the_dockerfile_copies_every_package_the_project_ships(tmp_path: Path) -> None:
    app_dir, _ = lay_out_image(ROOT / "Dockerfile", tmp_path)
    config = (ROOT / "pyproject.toml").read_text()
    packages = re.search(r"include = \[(.*?)\]", config)
    assert packages is not None
    for pattern in re.findall(r'"(\w+)\*"', packages[1]):
        assert (app_dir / pattern / "__init__.py").exists(), f"the image lacks {pattern}/"


def test_the_image_starts_in_production_and_answers_readyz(
    image: tuple[Path, Path, list[str]], endpoint: BoltEndpoint, tmp_path: Path
) -> None:
    bin_dir, app_dir, command = image
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose_environment(
        compose["services"]["api"],
        {"NEO4J_PASSWORD": endpoint.password, "SKILLWEAVE_JWT_SECRET": SECRET},
    )
    # the compose network's address of Neo4j becomes the test store's
    environment.update(
        NEO4J_URI=endpoint.uri, NEO4J_USER=endpoint.user, NEO4J_DATABASE=endpoint.database
    )
    # the read model's checkpoint goes to the volume compose mounts (here a folder of ours)
    mounts = {v.rpartition(":")[2]: v for v in compose["services"]["api"]["volumes"]}
    assert environment["SKILLWEAVE_CHECKPOINT_DIR"] in mounts
    environment["SKILLWEAVE_CHECKPOINT_DIR"] = str(tmp_path / "checkpoint-volume")
    assert environment["SKILLWEAVE_ENV"] == "production"
    port = _free_port()
    argv = compose["services"]["api"].get("command") or command
    argv = [*argv]
    argv[argv.index("--port") + 1] = str(port)
    argv[argv.index("--host") + 1] = "127.0.0.1"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SKILLWEAVE_"))}
    env.update(environment, PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", HOME=str(tmp_path))
    env.pop("PYTHONPATH", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(argv, cwd=app_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                ready = httpx.get(f"{url}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        assert ready.json()["store"] in ("neo4j", "arcadedb")
        assert httpx.get(f"{url}/app/").status_code == 200
        assert httpx.get(f"{url}/app/static/js/ui.js").status_code == 200
        assert httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}).status_code != 200
        assert httpx.get(f"{url}/app/demo-users").json().get("users", []) == []
        where = subprocess.run(
            [str(bin_dir / "python"), "-c", "import api, web; print(api.__file__, web.__file__)"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert where.stdout.count(str(bin_dir.parent)) == 2, where.stdout + where.stderr
    finally:
        process.terminate()
        process.wait(timeout=30)
    output = log.read_text()
    assert "Demo sign-in" not in output and "Bearer" not in output, output
    assert "Traceback" not in output, output
    assert list((tmp_path / "checkpoint-volume").glob("readmodel-*.pickle")), output


def test_the_image_gives_the_checkpoint_volume_to_the_service_user() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    folder = compose["services"]["api"]["environment"]["SKILLWEAVE_CHECKPOINT_DIR"]
    steps = [arguments for word, arguments in instructions(ROOT / "Dockerfile") if word == "RUN"]
    assert any(
        f"chown skillweave {folder}" in run and f"chmod 700 {folder}" in run for run in steps
    )


def test_compose_runs_the_neo4j_the_tests_run() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    pom = (ROOT / "neo4j-server" / "pom.xml").read_text()
    version = re.search(r"<neo4j.version>(\d+)\.(\d+)\.\d+</neo4j.version>", pom)
    assert version is not None
    assert compose["services"]["neo4j"]["image"] == f"neo4j:{version[1]}.{version[2]}-community"


def test_compose_hands_out_demo_tokens_only_when_asked() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    api = compose["services"]["api"]
    assert "--demo" not in api["command"]
    required = {"NEO4J_PASSWORD": "pw", "SKILLWEAVE_JWT_SECRET": SECRET}
    default = compose_environment(api, required)
    assert default["SKILLWEAVE_ENV"] == "production"
    assert default["SKILLWEAVE_DEMO"] == "false"
    asked = compose_environment(
        api, {**required, "SKILLWEAVE_ENV": "development", "SKILLWEAVE_DEMO": "true"}
    )
    assert (asked["SKILLWEAVE_ENV"], asked["SKILLWEAVE_DEMO"]) == ("development", "true")
