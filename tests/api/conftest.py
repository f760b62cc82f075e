"""A real uvicorn serving the real app in a thread, talking to the test store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.auth import Role, Tokens
from api.settings import AppSettings
from graph import mentorships, people, teams
from graph.embedded import BoltEndpoint
from graph.model import JobRole, LearningGoal, Person, SkillLevel, Team
from graph.settings import StoreSettings
from graph.store import Store
from tests.conftest import store_env

SECRET = "test-secret-for-skillweave-api-tests-0123456789"
ISSUER, AUDIENCE = "skillweave", "skillweave-api"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """uvicorn in a background thread, stopped on exit (as httpx's own tests do)."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the test server did not shut down"


class ServeProcess:
    """``skillweave serve`` in a process of its own on the suite's store, as operators run it."""

    def __init__(
        self,
        endpoint: BoltEndpoint,
        folder: Path,
        *args: str,
        verbose: bool = False,
        **settings: str,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = {"SKILLWEAVE_READ_STALENESS_SECONDS": "0", **settings}  # see app_settings
        env = store_env(
            endpoint, SKILLWEAVE_JWT_SECRET=SECRET, SKILLWEAVE_DATA_DIR=str(folder), **settings
        )
        self.log = folder.with_suffix(".log")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "skillweave"), *(["-v"] if verbose else []),
                 "serve", *args,
                 "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_ready(self) -> ServeProcess:
        """Wait until ``/readyz`` answers 200 (the log says why if it never does)."""
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def store_settings_for(endpoint: BoltEndpoint) -> StoreSettings:
    return StoreSettings(
        neo4j_uri=endpoint.uri,
        neo4j_user=endpoint.user,
        neo4j_password=endpoint.password,
        neo4j_database=endpoint.database,
    )


def app_settings(**overrides: Any) -> AppSettings:
    values: dict[str, Any] = {
        "skillweave_jwt_secret": SECRET,
        "skillweave_expiry_sweep_seconds": 3600,
        "skillweave_health_max_age_seconds": 0,  # every report current; see test_health_cache
        # every request checks the change log, so a test that writes to the store directly
        # reads it next; the bound and the version header: test_replicas, test_bookmarks
        "skillweave_read_staleness_seconds": 0,
        # no webhook sender unless a test asks for one (tests/api/test_webhooks.py)
        "skillweave_webhook_poll_seconds": 0,
    }
    values.update(overrides)
    return AppSettings(**values)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens(SECRET, issuer=ISSUER, audience=AUDIENCE, lifetime=dt.timedelta(hours=1))


@pytest.fixture(scope="session")
def server(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


class Api:
    """Sends GraphQL over HTTP as a given person and role."""

    def __init__(self, client: httpx.Client, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: tuple[str, Role]
    ) -> httpx.Response:
        token = self.tokens.mint(as_[0], as_[1])
        return self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: tuple[str, Role]
    ) -> dict[str, Any]:
        response = self.post(query, variables, as_=as_)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: tuple[str, Role]
    ) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = self(query, variables, as_=as_)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: tuple[str, Role]
    ) -> dict[str, Any]:
        """The single error of a query that must fail."""
        body = self(query, variables, as_=as_)
        assert body.get("errors"), body
        error: dict[str, Any] = body["errors"][0]
        return error


@pytest.fixture
def api(client: httpx.Client, tokens: Tokens) -> Api:
    return Api(client, tokens)


VOICE = Team("voice-manila-1", "Voice Manila 1", "voice", "Manila")
CHAT = Team("chat-cebu-1", "Chat Cebu 1", "chat", "Cebu")

# Who is who in the small organisation the API tests run on (ids → token roles in tests).
AGENT = ("ana", Role.AGENT)
PEER = ("ben", Role.AGENT)
MENTOR = ("mia", Role.AGENT)
MENTOR_2 = ("omar", Role.AGENT)
MODERATOR = ("tess", Role.MODERATOR)
HR = ("hana", Role.HR)
ADMIN = ("adi", Role.ADMIN)


def small_org() -> list[Person]:
    def person(id: str, name: str, **values: Any) -> Person:
        base: dict[str, Any] = {
            "id": id,
            "name": name,
            "title": "Customer Service Agent",
            "team_id": VOICE.id,
            "function": "voice",
            "site": "Manila",
            "shift": "night",
            "timezone": "Asia/Manila",
            "languages": ("English", "Tagalog"),
            "tenure_months": 12,
        }
        base.update(values)
        return Person(**base)

    return [
        person(
            "lead", "Lea Lead", role=JobRole.TEAM_LEAD, mentoring_capacity=2, open_to_mentoring=True
        ),
        person(
            "ana",
            "Ana Santos",
            manager_id="lead",
            skills=(SkillLevel("zendesk", 2), SkillLevel("english", 5)),
            goals=(LearningGoal("de escalation", 1), LearningGoal("sql", 2)),
        ),
        person("ben", "Ben Cruz", manager_id="lead", skills=(SkillLevel("sql", 4),)),
        person(
            "mia",
            "Mia Reyes",
            mentoring_capacity=1,
            open_to_mentoring=True,
            manager_id="lead",
            skills=(SkillLevel("de escalation", 5), SkillLevel("empathy", 4)),
        ),
        person(
            "omar",
            "Omar Hassan",
            team_id=CHAT.id,
            function="chat",
            site="Cebu",
            shift="day",
            mentoring_capacity=2,
            open_to_mentoring=True,
            skills=(SkillLevel("sql", 5),),
        ),
        person(
            "tess",
            "Tess Trainer",
            role=JobRole.TRAINER,
            team_id=CHAT.id,
            function="training",
            site="Cebu",
        ),
        person("hana", "Hana HR", role=JobRole.MANAGER, team_id=CHAT.id, site="Cebu"),
        person("adi", "Adi Admin", role=JobRole.MANAGER, team_id=CHAT.id, site="Cebu"),
    ]


async def write_small_org(store: Store) -> None:
    """The two teams and the people of :func:`small_org`."""
    await store.write(teams.upsert_teams, [VOICE, CHAT])
    await store.write(people.write_people, small_org())


async def requests_to_mia(org: Store, count: int, *, capacity: int = 2) -> list[str]:
    """``count`` new agents (copies of Ana) each asking Mia, whose capacity becomes
    ``capacity``, for a mentorship; the requests' ids."""
    base = small_org()[1]
    mentees = [
        dataclasses.replace(base, id=f"m{i:02}", name=f"Mentee {i}", manager_id=None)
        for i in range(count)
    ]
    await org.write(people.write_people, mentees)
    await org.query("MATCH (p:Person {id: 'mia'}) SET p.mentoring_capacity = $c", c=capacity)
    return [
        (
            await org.write(
                mentorships.request_mentorship,
                mentee_id=m.id,
                mentor_id="mia",
                focus_skills=["empathy"],
            )
        ).id
        for m in mentees
    ]


@pytest.fixture
async def org(taxonomy_store: Store) -> Store:
    """The taxonomy plus a small organisation: see the role constants above."""
    await write_small_org(taxonomy_store)
    return taxonomy_store


def race(url: str, tokens: Tokens, calls: list[tuple[tuple[str, Role], str]]) -> list[Any]:
    """Send every call at the same instant, each on its own connection; their answers."""

    def send(call: tuple[tuple[str, Role], str]) -> Any:
        (person, role), query = call
        with httpx.Client(base_url=url, timeout=60) as http:
            response = http.post(
                "/graphql",
                json={"query": query},
                headers={"Authorization": f"Bearer {tokens.mint(person, role)}"},
            )
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))
