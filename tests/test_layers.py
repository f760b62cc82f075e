"""Imports go one way between the layers, and Cypher stays in ``graph/``.

HTTP → ``api`` → ``graph`` / ``readmodel`` → ``matching``; ``api`` mounts ``web``. So:

* ``matching`` is pure: it imports none of ``api``, ``graph``, ``readmodel``, ``web``;
* ``graph`` imports none of ``matching``, ``readmodel``, ``api``, ``web``;
* ``readmodel`` imports neither ``api`` nor ``web``;
* ``web`` imports none of ``graph``, ``readmodel``, ``api`` (the app hands it what it needs);
* no module imports a private module (a path component starting with ``_``) of another
  top-level package;
* no Cypher statement appears in a string outside ``graph/``.

The checker reads the source with :mod:`ast` (imports inside functions count too) and is
tried on a planted tree first, so a broken checker cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LAYERS = ("api", "graph", "readmodel", "matching", "web")
FORBIDDEN: dict[str, frozenset[str]] = {
    "matching": frozenset({"api", "graph", "readmodel", "web"}),
    "graph": frozenset({"matching", "readmodel", "api", "web"}),
    "readmodel": frozenset({"api", "web"}),
    "web": frozenset({"graph", "readmodel", "api"}),
}
"""Each layer's forbidden imports; ``api`` may import every other layer."""

CYPHER = re.compile(
    r"\b(?:MATCH|MERGE|CREATE|UNWIND)\s+[(\[$][^\n]*"
    r"\b(?:RETURN|SET|DELETE|REMOVE|MERGE|CREATE|WITH)\b"
)
"""A Cypher statement: a clause opening on a pattern, list or parameter (``MATCH (``,
``UNWIND $``), then one that returns or changes, on the same line. Upper case and the
pattern both, so prose naming clauses ("``UNWIND`` batches that ``MERGE``") does not count."""

UPWARD = "imports upward"
PRIVATE = "imports a private module of another package"
CYPHER_OUTSIDE_GRAPH = "holds Cypher outside graph/"


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: where, which rule, and the module imported (or the statement)."""

    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.rule}: {self.detail}"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(root: Path, name: str) -> bool:
    base = root.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imports(root: Path, path: Path, tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in ``tree``; ``from p import m`` yields ``p.m``
    when ``m`` is a module, so private modules imported that way are seen."""
    package = _module_name(root, path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield node.lineno, submodule if _is_module(root, submodule) else module


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal; an f-string as one text, ``{…}`` for its fields."""
    inside_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstrings.update(id(value) for value in node.values)
            text = "".join(
                value.value if isinstance(value, ast.Constant) else "{…}" for value in node.values
            )
            yield node.lineno, text
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside_fstrings
        ):
            yield node.lineno, node.value


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def check(root: Path) -> list[Violation]:
    """Every broken layering rule in the packages under ``root`` (absent packages are skipped)."""
    found: list[Violation] = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text("utf-8"), filename=where)
            for line, module in dict.fromkeys(_imports(root, path, tree)):
                target = module.split(".")[0]
                if target in FORBIDDEN.get(layer, ()):
                    found.append(Violation(where, line, UPWARD, module))
                if target != layer and target in LAYERS and _is_private(module):
                    found.append(Violation(where, line, PRIVATE, module))
            if layer != "graph":
                for line, text in _strings(tree):
                    statement = CYPHER.search(text)
                    if statement:
                        found.append(
                            Violation(where, line, CYPHER_OUTSIDE_GRAPH, statement.group(0)[:60])
                        )
    return sorted(found)


def test_layers_import_downward_only_and_cypher_stays_in_graph() -> None:
    assert {"api", "graph", "matching", "web"} <= {p.name for p in ROOT.iterdir() if p.is_dir()}
    found = check(ROOT)
    new = [str(v) for v in found]
    assert not new, "layering rules broken:\n" + "\n".join(new)


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if parent != Path("."):
                (root / parent / "__init__.py").touch()
        path.write_text(text, "utf-8")


ALLOWED = {
    "api/app.py": "import graph.store\nfrom web.routes import routes\nfrom readmodel import views\n",
    "api/docs.py": '"""Writes ``UNWIND`` batches and ``MERGE`` skills by key: a rerun returns the same set."""\n',
    "graph/store.py": 'Q = "MATCH (n) WITH n LIMIT 10 DETACH DELETE n RETURN count(*) AS n"\n',
    "matching/health/report.py": "from matching.health import _population\nfrom . import _stats\n",
    "matching/health/_population.py": "",
    "matching/health/_stats.py": "",
    "readmodel/views.py": "from graph.store import Store\nfrom matching import scoring\n",
    "web/routes.py": "from starlette.routing import Route\n",
}


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        ({"matching/pure.py": "import graph.store\n"}, (UPWARD, "graph.store")),
        ({"matching/pure.py": "from readmodel import views\n"}, (UPWARD, "readmodel.views")),
        ({"graph/store.py": "from matching.data import GraphData\n"}, (UPWARD, "matching.data")),
        ({"graph/store.py": "def f():\n    import api.app\n"}, (UPWARD, "api.app")),
        ({"readmodel/views.py": "from web import routes\n"}, (UPWARD, "web.routes")),
        ({"web/routes.py": "from api.auth import Tokens\n"}, (UPWARD, "api.auth")),
        ({"web/routes.py": "from graph.errors import StoreError\n"}, (UPWARD, "graph.errors")),
        (
            {"api/health.py": "from matching.health import _population\n"},
            (PRIVATE, "matching.health._population"),
        ),
        (
            {"api/health.py": "from matching.health._population import Population\n"},
            (PRIVATE, "matching.health._population"),
        ),
        (
            {"api/demo.py": 'Q = (\n    "MATCH (p:Person) "\n    "RETURN p.id AS id"\n)\n'},
            (CYPHER_OUTSIDE_GRAPH, "MATCH (p:Person) RETURN"),
        ),
        (
            {"web/pick.py": 'def q(c):\n    return f"MATCH (p) WHERE {c} SET p.x = 1"\n'},
            (CYPHER_OUTSIDE_GRAPH, "MATCH (p) WHERE {…} SET"),
        ),
    ],
)
def test_the_checker_finds_each_planted_violation(
    tmp_path: Path, planted: dict[str, str], expected: tuple[str, str]
) -> None:
    _plant(tmp_path, {**ALLOWED, **planted})
    found = check(tmp_path)
    assert [(v.rule, v.detail) for v in found] == [expected]
    (violation,) = found
    assert str(violation).startswith(f"{next(iter(planted))}:{violation.line} ")


def test_the_checker_passes_allowed_imports_and_prose(tmp_path: Path) -> None:
    _plant(tmp_path, ALLOWED)
    assert check(tmp_path) == []


def test_no_docstring_in_the_code_base_reads_as_cypher() -> None:
    """The Cypher rule would not mistake documentation for a statement, here or in graph/."""
    mentions = 0
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node, clean=False) or ""
                mentions += bool(re.search(r"\b(MATCH|MERGE|CREATE|UNWIND)\b", doc))
                assert not CYPHER.search(doc), f"{path}:{getattr(node, 'lineno', 1)}"
    assert mentions, "some docstrings name Cypher clauses; the rule must let them through"
