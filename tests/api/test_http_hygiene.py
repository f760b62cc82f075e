"""HTTP hygiene over real HTTP: security headers on every response, trusted hosts only,
downloads of any name, and GraphQL-shaped refusals of requests that are not one operation."""

from __future__ import annotations

import base64
import hashlib
import re
import time
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import create_app
from api.auth import Role, Tokens
from api.settings import AppSettings
from graph import people, teams
from graph.model import Person, Team
from graph.store import Store
from tests.api.conftest import (
    AGENT,
    HR,
    BoltEndpoint,
    ServerThread,
    app_settings,
    store_settings_for,
)

pytestmark = pytest.mark.anyio

PAGES = ["/app/", "/app/mentor", "/app/squads", "/app/health"]


def bearer(tokens: Tokens, who: tuple[str, Role] = AGENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint(*who)}"}


def csp(response: httpx.Response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as ``{directive: [sources]}``."""
    directives = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") in ("no-referrer", "same-origin"), where
    policy = csp(response)
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert policy.get("default-src") == ["'none'"], where


# ------------------------------------------------------------------ 1. security headers


class PageParts(HTMLParser):
    """What a page loads and what it holds inline."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            if values.get("src"):
                self.loads.append(str(values["src"]))
            else:
                self._in_script = True
        if tag == "link" and values.get("href"):
            self.loads.append(str(values["href"]))
        if tag == "a" and str(values.get("href", "")).lower().startswith("javascript:"):
            self.inline.append("<a href=javascript:...>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script>…</script>")


@pytest.fixture
def boom_server(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    """The real app plus one route that fails, to see what an unexpected error answers."""

    async def boom(request: Request) -> Response:
        raise RuntimeError("a bug")

    app = create_app(app_settings(), store_settings=store_settings_for(endpoint))
    app.router.routes.append(Route("/boom", boom))
    with ServerThread(app) as running:
        yield running


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_code_and_load_only_their_own_files(
    client: httpx.Client, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    parts = PageParts()
    parts.feed(page.text)
    assert not parts.inline, f"inline script or style on {path}: {parts.inline}"
    for address in parts.loads:
        assert address.startswith("/") and not address.startswith("//"), address
        assert client.get(address).status_code == 200, address
    policy = csp(page)
    assert policy["script-src"] == ["'self'"]
    assert all(s == "'self'" or s.startswith("'sha256-") for s in policy["style-src"])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & {
        s for sources in policy.values() for s in sources
    }


def test_every_kind_of_response_carries_the_security_headers(
    client: httpx.Client, tokens: Tokens
) -> None:
    responses = [
        *(client.get(path) for path in PAGES),
        client.get("/", follow_redirects=False),
        client.get("/app/static/app.css"),
        client.get("/app/static/js/api.js"),
        client.get("/app/vendor/plotly.min.js"),
        client.get("/app/demo-users"),  # 404: demo sign-in is off
        client.get("/app/no-such-page"),
        client.get("/healthz"),
        client.get("/readyz"),
        client.get("/health.csv"),  # 401
        client.post("/graphql", json={"query": "{ teams { id } }"}),  # 401
        client.post("/graphql", json={"query": "{ teams { id } }"}, headers=bearer(tokens)),
        client.post("/graphql", content="{", headers=bearer(tokens)),  # 400
        client.post("/graphql", content="x" * 2_000_000, headers=bearer(tokens)),  # 413
        client.get("/healthz", headers={"Host": "evil.example"}),  # 400: untrusted host
    ]
    assert {r.status_code for r in responses} >= {200, 307, 400, 401, 404, 413}
    for response in responses:
        assert_security_headers(response)


def test_an_unexpected_error_is_json_and_carries_the_headers(boom_server: ServerThread) -> None:
    response = httpx.get(f"{boom_server.url}/boom")
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "a bug" not in response.text and len(response.headers["x-request-id"]) >= 32
    assert_security_headers(response)


def test_graphiql_names_its_cdn_and_its_inline_script(client: httpx.Client) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert_security_headers(page)
    policy = csp(page)
    assert "'unsafe-inline'" not in policy["script-src"] and "*" not in policy["script-src"]
    external = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.text)
    assert external, "GraphiQL's page changed: check its policy"
    for src in external:
        assert any(src.startswith(source) for source in policy["script-src"]), src
    inline = [s for s in re.findall(r"<script>(.*?)</script>", page.text, re.S) if s]
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    assert policy["connect-src"] == ["'self'"]


def test_the_browser_tests_fail_on_what_the_policy_refuses(server: ServerThread) -> None:
    """The watch that fails every browser test on a violation (tests/web/conftest.py) sees
    an inline script, an inline style, a style attribute and a foreign fetch refused."""
    web = pytest.importorskip("tests.web.conftest")  # Playwright, Chromium and the watch
    if not Path(web.CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {web.CHROMIUM}")
    with web.playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=web.CHROMIUM, args=web.CHROMIUM_FLAGS)
        try:
            context = browser.new_context(base_url=server.url)
            tab = context.new_page()
            violations = web.watch_csp(context, tab)
            tab.goto("/app/")
            tab.wait_for_load_state("networkidle")
            assert violations == [], "the sign-in page itself breaks the policy"
            tab.evaluate(
                """() => {
                  const script = document.createElement("script");
                  script.textContent = "window.injected = true";
                  document.body.append(script);
                  const style = document.createElement("style");
                  style.textContent = "body { color: red }";
                  document.head.append(style);
                  document.body.setAttribute("style", "color: red");
                  return fetch("https://elsewhere.example/").catch(() => null);
                }"""
            )
            deadline = time.monotonic() + 10
            while len(violations) < 8 and time.monotonic() < deadline:
                tab.wait_for_timeout(100)
            assert tab.evaluate("window.injected") is None
        finally:
            browser.close()
    refused = " ".join(violations)
    for directive in ["script-src", "style-src", "connect-src"]:
        assert f"CSP violation: {directive}" in refused, refused


# ------------------------------------------------------------------ 2. trusted hosts


@pytest.fixture(scope="module")
def any_host_server(endpoint: BoltEndpoint) -> Iterator[ServerThread]:
    """The app with trusted hosts switched off (``*``): nothing may reflect the Host header."""
    app = create_app(
        app_settings(skillweave_allowed_hosts="*", skillweave_demo_signin=True),
        store_settings=store_settings_for(endpoint),
    )
    with ServerThread(app) as running:
        yield running


@pytest.mark.parametrize("host", ["evil.example:666", "evil.example", "localhost.evil.example"])
def test_an_untrusted_host_gets_400(client: httpx.Client, host: str) -> None:
    for path in ["/app/", "/app/health", "/healthz", "/graphql"]:
        assert client.get(path, headers={"Host": host}).status_code == 400, path


def test_the_loopback_names_are_trusted_by_default(server: ServerThread) -> None:
    for host in ["localhost", "127.0.0.1", "[::1]"]:
        response = httpx.get(f"{server.url}/app/", headers={"Host": f"{host}:{server.port}"})
        assert response.status_code == 200, host


def test_no_response_reflects_the_host_header(any_host_server: ServerThread) -> None:
    forged = {"Host": "evil.example:666"}
    with httpx.Client(base_url=any_host_server.url, headers=forged) as http:
        responses = [
            *(http.get(path) for path in PAGES),
            http.get("/", follow_redirects=False),
            http.get("/app", follow_redirects=False),
            http.get("/app/mentor/", follow_redirects=False),
            http.get("/app/static/js/", follow_redirects=False),
            http.get("/app/demo-users"),
            http.get("/graphql", headers={"Accept": "text/html"}),
        ]
    assert all(r.status_code < 500 for r in responses)
    assert responses[0].status_code == 200
    for response in responses:
        shown = response.text + " ".join(response.headers.values())
        assert "evil.example" not in shown, response.request.url.path


def test_allowed_hosts_come_from_the_settings() -> None:
    field = AppSettings.model_fields["skillweave_allowed_hosts"]
    assert field.default == "localhost,127.0.0.1,[::1]" and field.description
    configured = AppSettings(skillweave_allowed_hosts=" skills.example.com, *.corp.example ,")
    assert configured.allowed_hosts == ["skills.example.com", "*.corp.example"]
    for bad in ["", " , ", "skills.*.example", "*example.com"]:
        with pytest.raises(ValidationError, match="skillweave_allowed_hosts"):
            AppSettings(skillweave_allowed_hosts=bad)


def test_a_configured_host_is_served(endpoint: BoltEndpoint) -> None:
    settings = app_settings(skillweave_allowed_hosts="skills.example.com,*.corp.example")
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
        assert http.get("/healthz", headers={"Host": "skills.example.com"}).status_code == 200
        assert http.get("/healthz", headers={"Host": "eu.corp.example:443"}).status_code == 200
        assert http.get("/healthz", headers={"Host": "corp.example.evil"}).status_code == 400
        assert http.get("/healthz").status_code == 400  # 127.0.0.1 is no longer listed


# ------------------------------------------------------------------ 3. downloads of any name

SITES = ["Łódź", "東京", "Київ", "São Paulo", 'Quote "HQ" \\ back']


async def sites_of_any_name(store: Store) -> None:
    """One team and one person at each of :data:`SITES`."""
    await store.write(
        teams.upsert_teams,
        [Team(f"t{i}", f"Team {site}", "voice", site) for i, site in enumerate(SITES)],
    )
    await store.write(
        people.write_people,
        [
            Person(f"p{i}", f"Person {i}", team_id=f"t{i}", function="voice", site=site)
            for i, site in enumerate(SITES)
        ],
    )


def download_name(disposition: str) -> tuple[str, str]:
    """The (UTF-8 name, ASCII fallback) of an RFC 6266 attachment header."""
    fallback = re.search(r'filename="([^"]*)"', disposition)
    encoded = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert disposition.startswith("attachment;") and fallback and encoded, disposition
    return urllib.parse.unquote(encoded.group(1)), fallback.group(1)


@pytest.mark.parametrize("site", SITES)
async def test_the_csv_of_a_scope_of_any_name_downloads(
    org: Store, client: httpx.Client, tokens: Tokens, site: str
) -> None:
    await sites_of_any_name(org)
    response = client.get("/health.csv", params={"site": site}, headers=bearer(tokens, HR))
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    disposition.encode("ascii")  # a header any client reads
    name, fallback = download_name(disposition)
    assert name.startswith(f"health-site-{site}-") and name.endswith(".csv")
    assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
    assert fallback.startswith("health-site-") and fallback.endswith(".csv")
    assert response.text.startswith("metric,value,definition")


async def test_the_csv_of_a_team_and_a_function_of_any_name(
    org: Store, client: httpx.Client, tokens: Tokens
) -> None:
    await org.write(teams.upsert_teams, [Team("équipe-東京", "Équipe", "поддержка", "Manila")])
    await org.write(
        people.write_people,
        [Person("zoe", "Zoë", team_id="équipe-東京", function="поддержка", site="Manila")],
    )
    for params, prefix in [
        ({"team": "équipe-東京"}, "health-team-équipe-東京-"),
        ({"function": "поддержка"}, "health-function-поддержка-"),
    ]:
        response = client.get("/health.csv", params=params, headers=bearer(tokens, HR))
        assert response.status_code == 200, response.text
        name, fallback = download_name(response.headers["content-disposition"])
        assert name.startswith(prefix) and fallback.isascii()


# ------------------------------------------------------------------ 4. not one operation


def assert_refused(response: httpx.Response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert isinstance(error["message"], str) and fragment in error["message"]
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"query": "{ teams { id } }"', "JSON"),  # invalid JSON
        ("", "JSON"),
        ('[{"query": "{ teams { id } }"}]', "Batched"),
        ("[]", "Batched"),
        ('"{ teams { id } }"', "JSON object"),
        ("42", "JSON object"),
        ("null", "JSON object"),
        ("true", "JSON object"),
        ("{}", "query"),
        ('{"variables": {}}', "query"),
        ('{"query": 5}', "query"),
        ('{"query": "{ teams { id } }", "variables": [1]}', "variables"),
    ],
)
def test_a_body_that_is_not_one_operation_is_a_json_400(
    client: httpx.Client, tokens: Tokens, body: str, fragment: str
) -> None:
    headers = {**bearer(tokens), "Content-Type": "application/json"}
    assert_refused(client.post("/graphql", content=body, headers=headers), 400, fragment)


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_is_a_json_415(
    client: httpx.Client, tokens: Tokens, content_type: str | None
) -> None:
    headers = bearer(tokens)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/graphql", content='{"query": "{ teams { id } }"}', headers=headers)
    assert_refused(response, 415, "application/json")


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ teams { id } }"},
        {"query": 'mutation { createCommunity(input: {name: "x"}) { id } }'},
        {},
    ],
)
def test_operations_over_get_are_a_json_405(
    client: httpx.Client, tokens: Tokens, params: dict[str, str]
) -> None:
    headers = {**bearer(tokens), "Accept": "application/json"}
    response = client.get("/graphql", params=params, headers=headers)
    assert_refused(response, 405, "POST")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_a_json_405(client: httpx.Client, tokens: Tokens, method: str) -> None:
    response = client.request(
        method, "/graphql", json={"query": "{ teams { id } }"}, headers=bearer(tokens)
    )
    assert_refused(response, 405)


def test_one_operation_is_still_served(client: httpx.Client, tokens: Tokens) -> None:
    response = client.post("/graphql", json={"query": "{ teams { id } }"}, headers=bearer(tokens))
    assert response.status_code == 200 and "errors" not in response.json()
    assert_security_headers(response)


def test_graphiql_switched_off_is_a_json_404(endpoint: BoltEndpoint) -> None:
    app = create_app(
        app_settings(skillweave_env="production"), store_settings=store_settings_for(endpoint)
    )
    with ServerThread(app) as running:
        page = httpx.get(f"{running.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert_security_headers(page)
