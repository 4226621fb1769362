"""Evaluation's operations stay layered: each module imports only the layers below it.

Scoring is the bottom (everything that moves a score ends in its ``refresh``); the
sub-domains sit above it, and the read model and the Excel export at the edge. A module
that reached upwards would bring back the one tangled file this package replaced.
"""
import ast
from pathlib import Path

import pytest

import evaluation

PACKAGE = Path(evaluation.__file__).parent
OPERATIONS = PACKAGE / "operations"
# a module may import modules of a lower rank only
RANK = {"inputs": -1, "scoring": 0, "schemes": 1, "evidence": 2, "draws": 2, "inspections": 2,
        "titles": 2, "reports": 2, "vetoes": 3, "events": 4, "export": 4}


def _operations_imported(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[:2] == ["evaluation", "operations"]:
                imported.update(parts[2:3] or [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[:2] == ["evaluation", "operations"]:
                    imported.update(parts[2:3])
    return imported


def test_every_operations_module_has_a_layer():
    modules = {p.stem for p in OPERATIONS.glob("*.py")} - {"__init__"}
    assert modules == set(RANK)


@pytest.mark.parametrize("module", sorted(RANK))
def test_an_operations_module_imports_only_lower_layers(module):
    upward = {m for m in _operations_imported(OPERATIONS / f"{module}.py")
              if RANK[m] >= RANK[module]}
    assert not upward, f"operations.{module} imports {sorted(upward)} at or above its layer"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_evaluation_files_stay_small(path):
    assert len(path.read_text().splitlines()) <= 500, f"{path.name} outgrew ~500 lines"
