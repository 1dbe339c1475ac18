"""The layers, read from the source (nothing is imported): `runtime` is what every service
needs and imports no service, script, gateway or `portal`; `contracts` imports none of
them nor `runtime`. Every import counts, at the top of a module or inside a function
(a relative one resolved against its package)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "runtime": {"services", "scripts", "gateway", "portal"},
    "contracts": {"runtime", "services", "gateway", "scripts", "portal"},
}


def imported(source: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, absolute name) of every import in `source`, the text of a module of
    `package` (("runtime",) for runtime/kafka.py and runtime/__init__.py), wherever in
    the module it sits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            # `from x import y` may name a module y: count x.y too.
            found += [(node.lineno, f"{name}.{alias.name}".lstrip(".")) for alias in node.names]
    return found


def package_of(path: Path) -> tuple[str, ...]:
    return path.relative_to(ROOT).parts[:-1]


def violations(package: str) -> list[str]:
    paths = sorted((ROOT / package).rglob("*.py"))
    assert paths, f"no modules under {package}/"
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in paths
        for line, name in imported(path.read_text(encoding="utf-8"), package_of(path))
        if name.split(".")[0] in FORBIDDEN[package]
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(package: str) -> None:
    assert violations(package) == []


def test_the_walk_finds_every_kind_of_import() -> None:
    source = (
        "import gateway.app as g\n"
        "from portal import cli\n"
        "def late():\n"
        "    from services.content import store\n"
        "    import scripts.seed_demo\n"
        "from .. import elsewhere\n"
        "from .kafka import client_security\n"
    )
    names = {name for _, name in imported(source, ("runtime",))}
    assert {
        "gateway.app",
        "portal.cli",
        "services.content.store",
        "scripts.seed_demo",
        "elsewhere",
        "runtime.kafka.client_security",
    } <= names
    nested = {name for _, name in imported("from .. import services\n", ("runtime", "sub"))}
    assert nested == {"runtime.services"}
