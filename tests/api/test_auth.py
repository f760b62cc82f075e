"""Bearer tokens: no token, a bad one or an expired one gets HTTP 401."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import httpx
import jwt
import pytest
from click.testing import CliRunner

from api.auth import Role, Tokens
from api.cli import cli
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
        "iat": now,
        "exp": now + dt.timedelta(hours=1),
    }
    payload.update(claims)
    assert_401(post(client, jwt.encode(payload, SECRET, algorithm="HS256")), fragment)


def test_other_schemes_are_401(client: httpx.Client) -> None:
    response = client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Basic YW5hOnNlY3JldA=="}
    )
    assert_401(response, "Bearer")


def signed(claims: dict[str, object], *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    now = dt.datetime.now(dt.UTC)
    payload: dict[str, object] = {
        "sub": "ana",
        "role": "agent",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + dt.timedelta(hours=1),
    }
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm)


def test_a_token_not_valid_yet_is_401(client: httpx.Client) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert_401(post(client, signed({"nbf": later})), "not yet valid")


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "aud", "iss"])
def test_a_token_missing_a_required_claim_is_401(client: httpx.Client, missing: str) -> None:
    assert_401(post(client, signed({missing: None})), "not valid")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_algorithm_with_the_same_secret_is_401(client: httpx.Client) -> None:
    assert_401(post(client, signed({}, algorithm="HS512")), "not valid")


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.!!!.sig",
        "x" * 20_000,
        "Bearer nested",
    ],
    ids=["word", "two parts", "three junk parts", "bad base64", "huge", "space inside"],
)
def test_malformed_tokens_are_401(client: httpx.Client, token: str) -> None:
    response = post(client, token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_secret_never_reaches_the_logs(
    client: httpx.Client, tokens: Tokens, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from api.settings import AppSettings

    caplog.set_level(logging.DEBUG)
    post(client, tokens.mint("ana", Role.AGENT))
    post(client, signed({}, secret=SECRET[::-1]))
    post(client, "garbage")
    settings = AppSettings(skillweave_jwt_secret=SECRET)
    logging.getLogger("test").info("settings: %r %s", settings, settings)
    assert caplog.records, "the requests above log something"
    assert SECRET not in caplog.text and SECRET[::-1] not in caplog.text


def test_production_without_a_secret_refuses_to_start(tmp_path: object) -> None:
    from click.testing import CliRunner

    from api.app import create_app
    from api.cli import cli
    from api.settings import AppSettings

    with pytest.raises(RuntimeError, match="SKILLWEAVE_JWT_SECRET"):
        create_app(AppSettings(skillweave_env="production"))
    env = {"SKILLWEAVE_ENV": "production", "SKILLWEAVE_DATA_DIR": f"{tmp_path}/data"}
    result = CliRunner(env=env).invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code != 0
    assert "SKILLWEAVE_JWT_SECRET" in result.output


def test_a_token_that_lives_longer_than_the_maximum_is_401(client: httpx.Client) -> None:
    now = dt.datetime.now(dt.UTC)
    ten_years = signed({"iat": now, "exp": now + dt.timedelta(days=3650)})
    assert_401(post(client, ten_years), "accepts at most 24 hours")
    backdated = signed({"iat": now - dt.timedelta(days=30), "exp": now + dt.timedelta(hours=1)})
    assert_401(post(client, backdated), "accepts at most")
    at_the_limit = signed({"iat": now, "exp": now + dt.timedelta(hours=24)})
    assert post(client, at_the_limit).status_code == 200


def test_no_token_longer_than_the_maximum_is_minted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at most 24 hours"):
        Tokens(SECRET, issuer=ISSUER, audience=AUDIENCE, lifetime=dt.timedelta(hours=1)).mint(
            "ana", Role.AGENT, lifetime=dt.timedelta(days=7)
        )
    env = {"SKILLWEAVE_DATA_DIR": str(tmp_path / "data"), "SKILLWEAVE_TOKEN_MAX_HOURS": "48"}
    refused = CliRunner(env=env).invoke(cli, ["token", "--person", "ana", "--hours", "100"])
    assert refused.exit_code != 0 and "at most 2 days" in refused.output
    assert (
        CliRunner(env=env).invoke(cli, ["token", "--person", "ana", "--hours", "40"]).exit_code == 0
    )
