"""The app over real HTTP: health, readiness, GraphiQL and the store going away."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.auth import Role, Tokens
from graph.store import Store
from tests.api.conftest import Api, BoltEndpoint, ServerThread, app_settings, store_settings_for
from tests.conftest import store_server

pytestmark = pytest.mark.anyio


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_when_the_store_answers(client: httpx.Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_responses_carry_a_request_id(client: httpx.Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    assert len(client.get("/healthz").headers["X-Request-ID"]) >= 32


async def test_graphql_reads_skills_from_the_store(taxonomy_store: Store, api: Api) -> None:
    data = api.ok(
        '{ skills(search: "sfdc") { name category aliases } }', as_=("anyone", Role.AGENT)
    )
    assert data == {
        "skills": [
            {
                "name": "Salesforce Service Cloud",
                "category": "tools",
                "aliases": ["Salesforce", "SFDC", "Service Cloud"],
            }
        ]
    }


def test_graphiql_page_served_in_development(client: httpx.Client) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


def test_production_turns_graphiql_and_introspection_off(
    endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    app = create_app(
        app_settings(skillweave_env="production"), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
        page = http.get("/graphql", headers={"Accept": "text/html"})
        token = tokens.mint("someone", Role.ADMIN)
        introspection = http.post(
            "/graphql",
            json={"query": "{ __schema { types { name } } }"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert page.status_code in (401, 404)
    assert introspection["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_store_down_gives_unavailable_and_a_failing_readyz(tmp_path: Path, tokens: Tokens) -> None:
    embedded = store_server(tmp_path / "data")
    endpoint = embedded.start()
    app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=60) as http:
        assert http.get("/readyz").status_code == 200
        embedded.stop()
        ready = http.get("/readyz")
        token = tokens.mint("ana", Role.AGENT)
        answer = http.post(
            "/graphql",
            json={"query": "{ teams { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        alive = http.get("/healthz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert alive.status_code == 200
    assert answer.status_code == 200
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert "not answering" in error["message"]
