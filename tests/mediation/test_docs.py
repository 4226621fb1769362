"""docs/mediation.md says what the code does: its diagrams are the lifecycle tables, and
the OpenAPI operations link to sections that exist."""
import re
from pathlib import Path

from mediation import domain

DOC = Path(__file__).resolve().parents[2] / "docs" / "mediation.md"
TEXT = DOC.read_text(encoding="utf-8")


def diagram_moves(index):
    block = re.findall(r"```mermaid\n(.*?)```", TEXT, re.S)[index]
    return {(action, source, target) for source, target, action in
            re.findall(r"^\s*(\w+) --> (\w+) : (\w+)$", block, re.M)}


def table_moves(transitions):
    return {(action, source, target) for action, moves in transitions.items()
            for source, target in moves.items()}


def test_the_diagrams_are_the_lifecycle_tables():
    assert diagram_moves(0) == table_moves(domain.TRANSITIONS)


def anchors():
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", TEXT, re.M)}


def test_operations_link_to_sections_that_exist(gateway_app):
    from gateway.openapi import build_spec

    spec = build_spec(gateway_app)
    linked = {op["operationId"]: op["externalDocs"]["url"]
              for path in spec["paths"].values() for op in path.values()
              if isinstance(op, dict) and "externalDocs" in op}
    steps = [f"mediation.step_{action}_post" for action in domain.TRANSITIONS]
    others = ["mediation.track_post", "mediation.get_case_get", "mediation.apply_post",
              "mediation.refer_post"]
    assert set(steps + others) <= set(linked), (
        "lifecycle operations without a link to their rules")
    for url in {u for op, u in linked.items() if op.startswith("mediation.")}:
        page, _hash, anchor = url.partition("#")
        assert page == "docs/mediation.md" and anchor in anchors(), url
