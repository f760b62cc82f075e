"""Text the store cannot hold, limits that name themselves, production's quiet schema, and
logs that say what happened without a traceback for every client mistake."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

from api.app import create_app
from api.auth import Tokens
from api.schema import schema
from graph.embedded import BoltEndpoint
from graph.store import Store
from tests.api.conftest import ADMIN, AGENT, Api, ServerThread, app_settings, store_settings_for

pytestmark = pytest.mark.anyio

BAD = "a\ud800b"


def _type_text(kind: GraphQLInputType) -> str:
    if isinstance(kind, GraphQLNonNull):
        return f"{_type_text(kind.of_type)}!"
    if isinstance(kind, GraphQLList):
        return f"[{_type_text(kind.of_type)}]"
    return get_named_type(kind).name


def _value(kind: GraphQLInputType) -> tuple[Any, bool]:
    """A value of ``kind`` with the bad text in every string, and whether it holds any."""
    if isinstance(kind, GraphQLNonNull):
        return _value(kind.of_type)
    if isinstance(kind, GraphQLList):
        item, bad = _value(kind.of_type)
        return [item], bad
    if isinstance(kind, GraphQLInputObjectType):
        fields = {name: _value(f.type) for name, f in kind.fields.items()}
        return {n: v for n, (v, _) in fields.items()}, any(b for _, b in fields.values())
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values)), False
    assert isinstance(kind, GraphQLScalarType)
    return {
        "String": (BAD, True),
        "ID": (BAD, True),
        "Int": (1, False),
        "Float": (1.0, False),
        "Boolean": (True, False),
        "DateTime": ("2025-01-01T00:00:00+00:00", False),
    }.get(kind.name, ("x", False))


def string_taking_fields() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, operation, variables) for every root field with a string argument anywhere."""
    found = []
    for operation, root in (("query", schema._schema.query_type),
                            ("mutation", schema._schema.mutation_type)):  # fmt: skip
        assert root is not None
        for name, field in root.fields.items():
            values = {arg: _value(a.type) for arg, a in field.args.items()}
            if not any(bad for _, bad in values.values()):
                continue
            declared = ", ".join(f"${a}: {_type_text(f.type)}" for a, f in field.args.items())
            passed = ", ".join(f"{a}: ${a}" for a in field.args)
            selection = (
                " { __typename }"
                if isinstance(get_named_type(field.type), GraphQLObjectType)
                else ""
            )
            text = f"{operation}({declared}) {{ {name}({passed}){selection} }}"
            found.append((name, text, {a: v for a, (v, _) in values.items()}))
    return found


FIELDS = string_taking_fields()


def test_the_sweep_covers_the_fields_users_type_into() -> None:
    names = {name for name, _, _ in FIELDS}
    assert {"updateProfile", "setSkill", "requestMentorship", "createSquad", "people",
            "communities", "createCommunity", "skills", "endMentorship"} <= names  # fmt: skip


@pytest.mark.parametrize(("name", "query", "variables"), FIELDS, ids=[f[0] for f in FIELDS])
async def test_text_utf8_cannot_hold_is_bad_input_in_every_string_argument(
    org: Store, api: Api, name: str, query: str, variables: dict[str, Any]
) -> None:
    # sent as JSON escapes (`\ud800`), as a browser's JSON.stringify sends a lone surrogate
    response = api.client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}).encode(),
        headers={
            "Authorization": f"Bearer {api.tokens.mint(*ADMIN)}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code in (200, 400), response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "not valid Unicode" in error["message"]


async def test_a_bad_operation_name_is_bad_input_too(org: Store, api: Api) -> None:
    response = api.client.post(
        "/graphql",
        content=json.dumps({"query": "query a { me { id } }", "operationName": BAD}).encode(),
        headers={
            "Authorization": f"Bearer {api.tokens.mint(*AGENT)}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "operationName" in error["message"]


async def test_the_token_limit_says_what_it_is(org: Store, api: Api) -> None:
    fields = " ".join(["id name"] * 1200)
    error = api.error(f"{{ me {{ {fields} }} }}", as_=AGENT)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == "The query has more than 2000 tokens, the limit; send a shorter one."


async def test_production_answers_without_naming_the_schema(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens
) -> None:
    wrong = '{ mentorshipz(id: "x") { id } me { nme } }'
    answers = {}
    for env in ("development", "production"):
        app = create_app(
            app_settings(skillweave_env=env), store_settings=store_settings_for(endpoint)
        )
        with ServerThread(app) as running, httpx.Client(base_url=running.url) as http:
            answers[env] = http.post(
                "/graphql",
                json={"query": wrong},
                headers={"Authorization": f"Bearer {tokens.mint(*AGENT)}"},
            ).json()["errors"]
    assert any("Did you mean" in e["message"] for e in answers["development"])
    assert answers["production"], "the query is still refused"
    for error in answers["production"]:
        assert "Did you mean" not in error["message"], error
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_client_errors_are_logged_in_one_line_without_a_traceback(
    org: Store, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    refusals = [
        ("{ networkHealth { people } }", AGENT),  # FORBIDDEN
        ('{ person(id: "nobody") { id } }', AGENT),  # NOT_FOUND
        ('mutation { setSkill(skill: "Zendesk", level: 9) { id } }', AGENT),  # BAD_USER_INPUT
        ("{ nope }", AGENT),  # GRAPHQL_VALIDATION_FAILED
    ] * 8
    for query, who in refusals:
        assert api(query, as_=who).get("errors")
    ours = [r for r in caplog.records if r.name.startswith(("api", "skillweave", "strawberry"))]
    assert not [r for r in ours if r.levelno >= logging.ERROR], [r.getMessage() for r in ours]
    assert not [r for r in ours if r.exc_info], "no traceback for a client's mistake"
    assert sum(r.levelno == logging.INFO for r in ours) >= len(refusals)
    assert len(ours) <= 2 * len(refusals), "a line or two per refusal, not a traceback"


async def test_an_unexpected_error_is_logged_once_at_error_with_its_request_id(
    org: Store, api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("graph.teams.list_teams", broken)
    error = api.error("{ teams { id } }", as_=AGENT)
    request_id = error["extensions"]["requestId"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert request_id in errors[0].getMessage() and errors[0].exc_info
