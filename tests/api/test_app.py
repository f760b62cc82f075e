"""The app over real HTTP: health, readiness, GraphQL reads from the real store."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.settings import AppSettings
from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.api.conftest import ServerThread, store_settings_for

pytestmark = pytest.mark.anyio


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_when_the_store_answers(client: httpx.Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_graphql_reads_skills_from_the_store(
    taxonomy_store: Store, client: httpx.Client
) -> None:
    response = client.post(
        "/graphql", json={"query": '{ skills(search: "sfdc") { name category aliases } }'}
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "skills": [
                {
                    "name": "Salesforce Service Cloud",
                    "category": "tools",
                    "aliases": ["Salesforce", "SFDC", "Service Cloud"],
                }
            ]
        }
    }


def test_graphiql_served_in_development(client: httpx.Client) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


def test_graphiql_off_in_production(endpoint: BoltEndpoint) -> None:
    app = create_app(
        AppSettings(skillweave_env="production"), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running:
        response = httpx.get(f"{running.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404


def test_readyz_reports_a_store_that_stopped(tmp_path: object) -> None:
    from pathlib import Path

    from graph.embedded import EmbeddedArcadeDB

    embedded = EmbeddedArcadeDB(Path(str(tmp_path)) / "data")
    endpoint = embedded.start()
    app = create_app(AppSettings(), store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running:
        assert httpx.get(f"{running.url}/readyz").status_code == 200
        embedded.stop()
        response = httpx.get(f"{running.url}/readyz", timeout=30)
        assert httpx.get(f"{running.url}/healthz").status_code == 200
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
