"""Bearer tokens: no token, a bad one or an expired one gets HTTP 401."""

from __future__ import annotations

import base64
import datetime as dt
import json

import httpx
import jwt
import pytest

from api.auth import Role, Tokens
from tests.api.conftest import AUDIENCE, ISSUER, SECRET

QUERY = {"query": "{ teams { id } }"}


def post(client: httpx.Client, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/graphql", json=QUERY, headers=headers)


def assert_401(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert fragment.lower() in error["message"].lower()


def test_no_token_is_401(client: httpx.Client) -> None:
    assert_401(post(client, None), "Sign in")


def test_valid_token_is_accepted(client: httpx.Client, tokens: Tokens) -> None:
    response = post(client, tokens.mint("ana", Role.AGENT))
    assert response.status_code == 200 and "errors" not in response.json()


def test_expired_token_is_401_with_a_message(client: httpx.Client, tokens: Tokens) -> None:
    expired = tokens.mint("ana", Role.AGENT, lifetime=dt.timedelta(seconds=-5))
    assert_401(post(client, expired), "expired")


def test_bad_signature_is_401(client: httpx.Client) -> None:
    forged = Tokens("another-secret-that-is-long-enough-0123456789", issuer=ISSUER, audience=AUDIENCE,
                    lifetime=dt.timedelta(hours=1)).mint("ana", Role.ADMIN)  # fmt: skip
    assert_401(post(client, forged), "not valid")


def test_alg_none_is_401(client: httpx.Client) -> None:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {"sub": "ana", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800}
    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    assert_401(post(client, unsigned), "not valid")


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        ({"iss": "someone-else"}, "issuer"),
        ({"aud": "another-api"}, "audience"),
        ({"role": "superuser"}, "unknown role"),
    ],
)
def test_wrong_claims_are_401(client: httpx.Client, claims: dict[str, str], fragment: str) -> None:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "sub": "ana",
        "role": "agent",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now + dt.timedelta(hours=1),
    }
    payload.update(claims)
    assert_401(post(client, jwt.encode(payload, SECRET, algorithm="HS256")), fragment)


def test_other_schemes_are_401(client: httpx.Client) -> None:
    response = client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Basic YW5hOnNlY3JldA=="}
    )
    assert_401(response, "Bearer")
