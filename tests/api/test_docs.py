"""Every example in docs/api.md runs, in order, against the demo organisation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api.auth import Role
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from tests.api.conftest import Api

pytestmark = pytest.mark.anyio

DOC = Path(__file__).parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```(graphql|json)\n(.*?)```", re.S)
PLACEHOLDER = re.compile(r"^<(\w+)\.(\w+)>$")


def examples() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role, person, query, variables) for each GraphQL block, with the JSON block after it."""
    found: list[tuple[str, str, str, dict[str, Any]]] = []
    for kind, body in BLOCK.findall(DOC.read_text()):
        if kind == "json":
            role, person, query, _ = found[-1]
            found[-1] = (role, person, query, json.loads(body))
            continue
        header, _, query = body.partition("\n")
        match = re.fullmatch(r"# as: (\w+) (\S+)", header.strip())
        assert match, f"every example must start with '# as: ROLE PERSON', not {header!r}"
        found.append((match[1], match[2], query, {}))
    return found


def test_the_doc_has_examples_for_every_kind_of_user() -> None:
    assert {role for role, *_ in examples()} >= {"agent", "moderator", "hr", "admin"}


async def test_examples_run_against_the_demo_data(store: Store, api: Api) -> None:
    await write_organisation(store, generate_organisation(people=500, seed=7), create=True)
    results: dict[str, Any] = {}
    for role, person, query, variables in examples():
        for name, value in variables.items():
            match = PLACEHOLDER.match(str(value))
            if match:
                variables[name] = results[match[1]][match[2]]
        data = api.ok(query, variables, as_=(person, Role(role)))
        assert data, query
        results.update(data)
    assert results["respondToMentorship"]["status"] == "ACTIVE"
    assert results["endMentorship"]["status"] == "ENDED"
    assert results["people"]["totalCount"] > 0
