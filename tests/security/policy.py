"""docs/access-policy.md read as data: the reviewed policy the role matrix holds the code to.

Only this page's tables count (never the code's role constants), so a role added to a
constant in the code is a difference the tests name, not a new expectation.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from fazhi_common.contracts.roles import ROLES

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "access-policy.md"
PUBLIC = "public"
_CELL = re.compile(r"^`([^`]+)`$")


@dataclass(frozen=True)
class Row:
    roles: frozenset  # the roles admitted; every role for a public request
    public: bool  # no login needed
    area: str


@dataclass(frozen=True)
class Policy:
    operations: dict  # "GET /api/v1/..." or "service.method" -> Row
    area_rules: frozenset

    def http(self):
        return {op: row for op, row in self.operations.items() if " " in op}

    def bus(self):
        return {op: row for op, row in self.operations.items() if " " not in op}


def _tables(text):
    """``(section, [cells])`` of every table row whose first cell is a code span."""
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("|") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            match = _CELL.match(cells[0])
            if match:
                yield section, [match.group(1), *cells[1:]]


def load(text=None):
    text = DOCUMENT.read_text(encoding="utf-8") if text is None else text
    groups, rules, operations, problems = {}, set(), {}, []
    for section, cells in _tables(text):
        if section == "Role groups" and cells[0] != PUBLIC:
            groups[cells[0]] = [name.strip() for name in cells[1].split(",")]
        elif section == "Area rules":
            rules.add(cells[0])
        elif section == "Operations":
            operation, roles, area = cells
            if operation in operations:
                problems.append(f"{operation}: two rows")
            operations[operation] = (roles, area)

    def expand(name):
        if name in ROLES:
            return {name}
        if name in groups:
            return set().union(*(expand(member) for member in groups[name]))
        problems.append(f"{name!r} is neither a role nor a group")
        return set()

    rows = {}
    for operation, (roles, area) in operations.items():
        public = roles == PUBLIC
        names = ROLES if public else [name.strip() for name in roles.split(",")]
        if area not in rules:
            problems.append(f"{operation}: area rule {area!r} is not in the Area rules table")
        rows[operation] = Row(frozenset().union(*(expand(n) for n in names)), public, area)
    assert not problems, f"{DOCUMENT.name} is malformed:\n" + "\n".join(problems)
    return Policy(rows, frozenset(rules))


def differences(policy_rows, code_rows, where):
    """Lines naming each operation missing from the document, absent from the code, or
    whose roles differ; ``code_rows`` maps an operation to ``(roles, public)``."""
    lines = [f"{op}: in {where} but not in {DOCUMENT.name}; add a row for it"
             for op in sorted(set(code_rows) - set(policy_rows))]
    lines += [f"{op}: a row of {DOCUMENT.name} but not in {where}"
              for op in sorted(set(policy_rows) - set(code_rows))]
    for op in sorted(set(code_rows) & set(policy_rows)):
        roles, public = code_rows[op]
        row = policy_rows[op]
        if public != row.public or (not public and roles != row.roles):
            extra, missing = sorted(roles - row.roles), sorted(row.roles - roles)
            lines.append(f"{op}: {where} admits {'public' if public else sorted(roles)}; "
                         f"the document {'public' if row.public else sorted(row.roles)} "
                         f"(extra in code: {extra}, missing in code: {missing})")
    return lines
