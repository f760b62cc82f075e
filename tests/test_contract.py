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


def test_everything_the_service_imports_is_a_runtime_dependency() -> None:
    # README's first command installs `pip install -e .` without the test extras: a module
    # the service imports from a test-only package would stop `serve` on a fresh machine.
    import ast
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {
        re.split(r"[<>=\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-")
        for d in project["dependencies"]
    }
    ours = {"api", "graph", "readmodel", "matching", "web", "benchmarks", "tests"}
    owners = packages_distributions()
    missing: set[str] = set()
    for package in ("api", "graph", "readmodel", "matching", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                    else []
                )  # fmt: skip
                for name in names:
                    top = name.split(".")[0]
                    if not top or top in ours or top in sys.stdlib_module_names:
                        continue
                    dists = {d.lower().replace("_", "-") for d in owners.get(top, [top])}
                    if not dists & runtime and not _installed_with(dists, runtime):
                        missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not in [project] dependencies: {sorted(missing)}"


def _installed_with(dists: set[str], runtime: set[str]) -> bool:
    """Whether one of ``dists`` comes with a runtime dependency (uvicorn[standard] brings
    websockets, strawberry brings graphql-core...)."""
    from importlib.metadata import PackageNotFoundError, requires

    for parent in runtime:
        try:
            needs = requires(parent) or []
        except PackageNotFoundError:
            continue
        for need in needs:
            if "extra ==" in need:
                continue  # only with an extra the project does not ask for
            name = re.split(r"[<>=\[ ;(!~]", need, maxsplit=1)[0].lower().replace("_", "-")
            if name in dists:
                return True
    return False
