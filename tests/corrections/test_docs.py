"""docs/corrections.md draws the file's steps as domain.TRANSITIONS holds them, and every
corrections operation that links to its rules links to a section that exists."""
import re
from pathlib import Path

from corrections import domain

DOCS = Path(__file__).resolve().parents[2] / "docs"


def anchors(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_the_diagram_is_the_table_and_links_resolve():
    text = (DOCS / "corrections.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    drawn = {(a, s, t) for s, t, a in re.findall(r"^\s*(\w+) --> (\w+) : (\w+)$", block, re.M)}
    assert drawn == {(a, s, t) for a, moves in domain.TRANSITIONS.items()
                     for s, t in moves.items()}
    from gateway.blueprints import corrections as blueprint

    for _title, url in (blueprint.RULES, blueprint.PERSONAL_DATA):
        page, _hash, anchor = url.removeprefix("docs/").partition("#")
        assert anchor in anchors(page), url
