"""The project's modules import one another without cycles, and the editors' UI stays
a client of the services' APIs: read from the source (no importing), function-local
imports included, since a cycle hidden behind one is still a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contracts", "runtime", "gateway", "portal", "services", "scripts")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # alembic's scripts are loaded by path, not imported
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project's modules that `name` imports (a package import counts as its
    __init__; `from package import module` counts as the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle among the project's modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt in MODULES and nxt.startswith(node + "."):
                continue  # a package's __init__ re-exporting its own module is not a cycle
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_the_graph_is_read() -> None:
    assert "services.admin.ui.app" in GRAPH
    assert "services.admin.ui.common" in GRAPH["services.admin.ui.feedback"]
    assert "runtime.settings" in GRAPH["services.admin.ui.app"]


def test_no_module_imports_itself_back() -> None:
    assert _cycle() is None, " → ".join(_cycle() or [])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("services.admin.ui")))
def test_the_editors_ui_is_a_client_of_the_apis(name: str) -> None:
    """It may use runtime and contracts, its own package, and admin's device-cookie
    contract; every other service, admin's included, only over HTTP."""
    allowed_admin = {"services.admin.throttle"}
    for target in GRAPH[name]:
        if target.startswith("services."):
            assert target.startswith("services.admin.ui") or target in allowed_admin, (
                f"{name} imports {target}"
            )
