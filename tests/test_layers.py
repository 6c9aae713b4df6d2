"""The package layers the README's map describes, checked on the source (every import,
function-level ones included): settings is a leaf, the CLI is the top, lower layers never
reach up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT = ("api", "eval", "ingest", "knowledge", "lantunan", "responder", "training")


def _imports(path: Path) -> list[str]:
    """Absolute module names a file imports (relative imports resolved to the package)."""
    names: list[str] = []
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.append(node.module)
    return names


def _project_imports(path: Path) -> set[str]:
    return {n for n in _imports(path) if n.split(".")[0] in PROJECT}


def _files(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def test_settings_is_a_leaf() -> None:
    assert _project_imports(REPO / "lantunan" / "settings.py") == set()


@pytest.mark.parametrize("package", ["knowledge", "ingest", "responder", "eval", "api"])
def test_nothing_below_the_cli_imports_it(package: str) -> None:
    offenders = [f"{f.relative_to(REPO)}: {name}" for f in _files(package)
                 for name in _project_imports(f) if name.startswith("lantunan.cli")]
    assert offenders == []


# Packages each layer must not import (the README's "what it may import", negated).
FORBIDDEN = {
    "knowledge": ("ingest", "responder", "api", "eval", "lantunan.cli"),
    "ingest": ("responder", "api", "eval", "lantunan.cli"),
    "responder": ("api", "lantunan.cli"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_do_not_reach_up(package: str) -> None:
    offenders = []
    for f in _files(package):
        # The judgements' training scripts score with eval's rules; serving code never does.
        if package == "responder" and f.name.startswith("train_"):
            continue
        for name in _project_imports(f):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offenders.append(f"{f.relative_to(REPO)}: {name}")
    assert offenders == []
