"""Division codes are handled by fazhi_common.division alone.

Reads every module of the platform and fails on the ways code strings get taken apart by
hand: slicing something named like a code (``code[:6]``, ``scope.prefix[:9]``), reading a
level off a prefix's length (``len(prefix)``), a 12-digit pattern, or zero-padding
(``"000"``, ``"0" * 6``). Ask a ``Division`` instead.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "common" / "fazhi_common" / "division.py"
# a name is about one division code if one of its words is one of these
CODE_WORDS = {"code", "area", "prefix", "county", "town", "community", "village",
              "division"}
TWELVE_DIGITS = re.compile(r"\{12\}")
ZEROS = re.compile(r"^0{3,11}$")


def modules():
    for top in ("common", "services", "gateway", "console", "bench", "scripts"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path != HOME and ".venv" not in path.parts:
                yield path


def _names(node):
    """Identifiers and string keys an expression reads: ``r["code"]`` gives r, code."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _names_a_code(node):
    def one_code(name):
        words = name.lower().split("_")
        # ``county_codes`` is a list of codes, ``ENV_PREFIX`` a constant: neither is one code
        return (not name.isupper() and not words[-1].endswith("s")
                and bool(CODE_WORDS & set(words)))

    return any(one_code(name) for name in _names(node))


def _short_zeros(side, other):
    """``"0" * n`` that pads part of a 12-digit code (not, say, a 64-character hash)."""
    return (isinstance(side, ast.Constant) and side.value == "0"
            and not (isinstance(other, ast.Constant) and isinstance(other.value, int)
                     and other.value >= 12))


def offences(source):
    """(line, what) for each place ``source`` takes a division code apart by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)
                and _names_a_code(node.value)):
            found.append((node.lineno, f"slices {ast.unparse(node)}"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "len" and node.args and _names_a_code(node.args[0])):
            found.append((node.lineno, f"reads a level off {ast.unparse(node)}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if TWELVE_DIGITS.search(node.value):
                found.append((node.lineno, f"matches 12 digits: {node.value!r}"))
            elif ZEROS.match(node.value):
                found.append((node.lineno, f"pads with zeros: {node.value!r}"))
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
              and (_short_zeros(node.left, node.right)
                   or _short_zeros(node.right, node.left))):
            found.append((node.lineno, f"pads with zeros: {ast.unparse(node)}"))
    return found


@pytest.mark.parametrize("snippet", [
    'county = code[:6] + "000000"',
    "q.where(c.startswith(scope.prefix[:9]))",
    'rows.sort(key=lambda r: r["code"][6:])',
    "if len(scope.prefix) > 4: pass",
    r'CODE = re.compile(r"^\d{12}$")',
    'zeros = "0" * 8',
    "parent = town_code[:6]",
    "if area_prefix[4:] == z: pass",
])
def test_the_check_catches_hand_made_code_handling(snippet):
    assert offences(snippet)


@pytest.mark.parametrize("snippet", [
    "short = uuid.uuid4().hex[:6]",
    'year = int(number[6:10])',
    "masked = phone[:3] + '*' * 4",
    "q.where(c.startswith(scope.prefix))",
    "batch = codes[start:start + chunk]",
    "n = len(county_codes)",
    "genesis = '0' * 64",
    "name = key[len(ENV_PREFIX):]",
])
def test_the_check_lets_other_slicing_be(snippet):
    assert not offences(snippet)


def test_no_module_outside_division_takes_codes_apart():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in modules()
             for line, what in offences(path.read_text(encoding="utf-8"))]
    assert not found, "use fazhi_common.division instead:\n" + "\n".join(found)
