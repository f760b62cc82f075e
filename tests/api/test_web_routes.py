"""The web pages' server side: pages, the offline chart library, demo sign-in, facets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.auth import Role, Tokens
from api.demo import demo_sign_in
from graph.errors import StoreUnavailable
from graph.store import Store
from tests.api.conftest import (
    AGENT,
    Api,
    BoltEndpoint,
    ServerThread,
    app_settings,
    store_settings_for,
)
from web.routes import routes as web_routes


@pytest.mark.parametrize(
    "path", ["/app/", "/app/mentor", "/app/path", "/app/squads", "/app/health"]
)
def test_each_page_is_served_with_its_script(client: httpx.Client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    script = page.text.split('type="module" src="')[1].split('"')[0]
    assert client.get(script).status_code == 200


def test_the_bare_address_leads_to_the_pages(client: httpx.Client) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/app/"


def test_plotly_comes_from_the_installed_package_not_a_cdn(client: httpx.Client) -> None:
    health = client.get("/app/health").text
    assert 'src="/app/vendor/plotly.min.js"' in health and "cdn" not in health.lower()
    js = client.get("/app/vendor/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert len(js.content) > 1_000_000


def test_demo_sign_in_is_off_unless_asked_for(client: httpx.Client) -> None:
    refused = client.get("/app/demo-users")
    assert refused.status_code == 404
    assert "skillweave token" in refused.json()["error"]


def test_demo_sign_in_is_never_offered_in_production(endpoint: BoltEndpoint) -> None:
    settings = app_settings(skillweave_env="production", skillweave_demo_signin=True)
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running:
        assert httpx.get(f"{running.url}/app/demo-users").status_code == 404


@pytest.mark.anyio
async def test_demo_users_carry_working_tokens_of_each_role(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    app = create_app(
        app_settings(skillweave_demo_signin=True), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running:
        async with httpx.AsyncClient(base_url=running.url) as http:
            users = (await http.get("/app/demo-users")).json()["users"]
            assert {u["role"] for u in users} <= {r.value for r in Role}
            assert "agent" in {u["role"] for u in users}
            for user in users:
                principal = tokens.decode(user["token"])
                assert (principal.person_id, principal.role.value) == (
                    user["personId"],
                    user["role"],
                )


class _StoreDown:
    async def read(self, work: Any, /, *args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailable("The skills graph store is not answering.")


@pytest.mark.anyio
async def test_demo_sign_in_answers_503_while_the_store_is_down(tokens: Tokens) -> None:
    app = Starlette(routes=web_routes(demo_users=demo_sign_in(tokens)))
    app.state.store = _StoreDown()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        answer = await http.get("/app/demo-users")
    assert answer.status_code == 503
    assert answer.json() == {"error": "The skills graph store is not answering."}


@pytest.mark.anyio
async def test_facets_list_the_values_in_use(org: Store, api: Api) -> None:
    facets = api.ok("{ facets { sites functions shifts languages } }", as_=AGENT)["facets"]
    people = api.ok(
        "{ people(first: 100) { edges { node { site function shift languages } } } }", as_=AGENT
    )["people"]["edges"]
    nodes = [e["node"] for e in people]
    assert facets["sites"] == sorted({n["site"] for n in nodes})
    assert facets["functions"] == sorted({n["function"] for n in nodes})
    assert facets["shifts"] == sorted({n["shift"] for n in nodes})
    assert facets["languages"] == sorted({lang for n in nodes for lang in n["languages"]})
