"""docs/legalservices.md says what the code does: its diagram is the legal-aid lifecycle
table, the OpenAPI operations link to sections that exist, and docs/rules.md cites a law
for each legal-aid step the lifecycle adds."""
import re
from pathlib import Path

from legalservices import legal_aid
from tests.mediation.test_docs import table_moves

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEXT = (DOCS / "legalservices.md").read_text(encoding="utf-8")


def test_the_diagram_is_the_lifecycle_table():
    block = re.findall(r"```mermaid\n(.*?)```", TEXT, re.S)[0]
    moves = {(action, source, target) for source, target, action in
             re.findall(r"^\s*(\w+) --> (\w+) : (\w+)$", block, re.M)}
    assert moves == table_moves(legal_aid.TRANSITIONS)


def test_operations_link_to_sections_that_exist(gateway_app):
    from gateway.openapi import build_spec

    spec = build_spec(gateway_app)
    linked = {op["operationId"]: op["externalDocs"]["url"]
              for path in spec["paths"].values() for op in path.values()
              if isinstance(op, dict) and "externalDocs" in op}
    steps = [f"legalservices.legal_aid_{action}_post" for action in legal_aid.TRANSITIONS]
    assert set(steps + ["legalservices.apply_legal_aid_public_post"]) <= set(linked)
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", TEXT, re.M)}
    for url in {u for op, u in linked.items() if op.startswith("legalservices.")}:
        page, _hash, anchor = url.partition("#")
        assert page == "docs/legalservices.md" and anchor in anchors, url


def test_rules_cite_the_law_of_each_legal_aid_rule():
    rules = (DOCS / "rules.md").read_text(encoding="utf-8")
    section = rules.split("## 法律援助与公共法律服务", 1)[1].split("\n## ", 1)[0]
    for article in ("第四十三条", "第四十八条", "第四十九条", "第十三条"):
        assert article in section
