"""schema.graphql is the API's contract: it must match the code, and every field is described."""

from __future__ import annotations

import re
from pathlib import Path

from api.schema import schema

ROOT = Path(__file__).parent.parent


def test_schema_file_matches_the_code() -> None:
    exported = (ROOT / "schema.graphql").read_text()
    assert exported.strip() == schema.as_str().strip(), (
        "schema.graphql is out of date: run `strawberry export-schema api.schema:schema "
        "--output schema.graphql`"
    )


def test_every_type_and_field_has_a_description() -> None:
    from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType
        ):
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLEnumType):
            continue
        missing += [
            f"{name}.{f}" for f, field in graphql_type.fields.items() if not field.description
        ]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"```(?:bash|sh)\n# 2\. .*?\n(.+?)\n```", readme, re.S)
    assert match, "the README's quick start must show the test command as step 2"
    assert match.group(1).strip() in (ROOT / ".ci" / "run").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    from api.settings import AppSettings
    from graph.settings import StoreSettings

    readme = (ROOT / "README.md").read_text()
    names = [*AppSettings.model_fields, *StoreSettings.model_fields]
    missing = [n.upper() for n in names if f"`{n.upper()}`" not in readme]
    assert not missing, f"add these to the README's configuration table: {missing}"
