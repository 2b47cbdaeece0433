"""Lower layers never import higher ones (STYLE.md): the warehouse packages do not import
the synthetic generator or test support, so a deployment runs without either. The one
exception is the `generate`/`demo` commands, which import the generator when called."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_PACKAGES = ("ingest", "linkage", "orchestration", "vrn", "exports", "expectations")
FORBIDDEN = ("synthetic", "tests")
# (module file, enclosing function) where importing the generator is the point.
ALLOWED = {("vrn/cli.py", "generate"), ("vrn/cli.py", "demo")}


def _imports(tree: ast.AST) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, enclosing top-level function or None, line) of every import."""
    def walk(node: ast.AST, function: str | None) -> Iterator[tuple[str, str | None, int]]:
        for child in ast.iter_child_nodes(node):
            inner = function
            if function is None and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, inner, child.lineno
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.module, inner, child.lineno
            yield from walk(child, inner)
    yield from walk(tree, None)


def forbidden_imports() -> list[str]:
    found = []
    for package in WAREHOUSE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
            for module, function, line in _imports(tree):
                if module.split(".")[0] in FORBIDDEN and (name, function) not in ALLOWED:
                    found.append(f"{name}:{line} imports {module}")
    return found


def test_warehouse_packages_never_import_the_generator_or_test_support() -> None:
    assert forbidden_imports() == []


def test_the_import_check_sees_a_lazy_import_inside_a_function() -> None:
    tree = ast.parse("def run():\n    from synthetic.generate import generate\n")
    assert list(_imports(tree)) == [("synthetic.generate", "run", 2)]
