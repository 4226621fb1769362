"""One vocabulary: every code a contract admits has a Chinese label, the gateway serves it,
and the console writes no enumeration or label of its own."""
import importlib
import pkgutil
import re
from pathlib import Path

from marshmallow import Schema, fields, validate

import fazhi_common.contracts as contracts
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import CONTRACTS
from fazhi_common.contracts.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "gateway" / "gateway" / "console"
CJK = re.compile(r"[\u4e00-\u9fff]")
LABELLED = {code for words in vocabulary.VOCABULARY.values() for code in words}
# the codes of the contracts' enumerations (not the API's own words: its fields and operations)
ENUMERATED = {code for name, words in vocabulary.VOCABULARY.items()
              if name not in ("fields", "operations", "api_parts") for code in words}


def contract_schemas():
    for info in pkgutil.walk_packages(contracts.__path__, "fazhi_common.contracts."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value is not Schema:
                yield info.name, value


def choices_of(field):
    """Every OneOf choice a field (or the items of a list field) admits."""
    inner = field.inner if isinstance(field, fields.List) else field
    for rule in inner.validators:
        if isinstance(rule, validate.OneOf):
            yield from rule.choices


def test_every_choice_a_contract_admits_has_a_label():
    missing = {f"{module}.{schema.__name__}.{name}: {choice!r}"
               for module, schema in contract_schemas()
               for name, field in schema().fields.items()
               for choice in choices_of(field)
               if choice is not None and str(choice) not in LABELLED}
    assert not missing, "codes without a label in contracts/vocabulary.py:\n" + \
        "\n".join(sorted(missing))


def test_the_check_sees_a_choice_without_a_label():
    class Probe(Schema):
        kind = fields.String(validate=validate.OneOf(("village", "no_such_code")))

    found = [c for c in choices_of(Probe().fields["kind"]) if c not in LABELLED]
    assert found == ["no_such_code"]


def test_every_event_and_role_has_a_label():
    assert set(CONTRACTS) <= set(vocabulary.EVENT_TYPES), \
        set(CONTRACTS) - set(vocabulary.EVENT_TYPES)
    assert tuple(vocabulary.ROLES) == ROLES


def test_every_label_is_chinese():
    plain = [f"{name}.{code}: {word}" for name, words in vocabulary.VOCABULARY.items()
             for code, word in words.items() if not CJK.search(word)]
    assert not plain, plain


def test_the_gateway_serves_the_vocabulary_with_an_etag(gateway):
    client = gateway.anonymous()
    answer = client.get("/api/v1/vocabulary")
    assert answer.status_code == 200
    assert answer.get_json()["case_statuses"]["confirmed"] == "已司法确认"
    assert answer.get_json() == vocabulary.VOCABULARY
    assert "public" in answer.headers["Cache-Control"]
    again = client.get("/api/v1/vocabulary",
                       headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and not again.data


# an array of two or more quoted codes, or a code: '中文' pair, is a hand-written
# enumeration or label: the console takes both from the vocabulary
ARRAY = re.compile(r"\[\s*'[a-z_]+'(?:\s*,\s*'[a-z_]+')+\s*,?\s*\]")
PAIR = re.compile(r"(?:^|[{,\s])'?([a-z_]+)'?\s*:\s*'[^']*[\u4e00-\u9fff][^']*'")
# a code tested for, answered by a Chinese word of its own: x === 'town' ? '乡镇' : ...
TERNARY = re.compile(r"===\s*'([a-z_]+)'\s*\?\s*(?:h\('\w+',\s*(?:\{[^}]*\}|null),\s*)?"
                     r"'[^']*[\u4e00-\u9fff][^']*'")


def hand_written(text):
    found = []
    for match in ARRAY.finditer(text):
        words = re.findall(r"'([a-z_]+)'", match.group(0))
        if sum(word in ENUMERATED for word in words) >= 2:
            found.append(match.group(0))
    found += [m.group(0).strip() for pattern in (PAIR, TERNARY)
              for m in pattern.finditer(text) if m.group(1) in ENUMERATED]
    return found


def test_the_console_writes_no_enumeration_or_label_of_its_own():
    found = {f"{path.relative_to(ROOT)}: {snippet}"
             for path in (CONSOLE / "static").rglob("*.js") if "vendor" not in path.parts
             for snippet in hand_written(path.read_text(encoding="utf-8"))}
    found |= {f"{path.relative_to(ROOT)}: {snippet}" for path in CONSOLE.glob("*.py")
              for snippet in hand_written(path.read_text(encoding="utf-8").replace('"', "'"))}
    assert not found, "take these from the vocabulary:\n" + "\n".join(sorted(found))


def test_the_console_check_sees_what_it_looks_for():
    assert hand_written("const KINDS = ['people', 'medical'];")
    assert hand_written("const L = { village: '行政村' };")
    assert not hand_written("select('status', '状态', choices('case_statuses'))")
    assert hand_written("const word = level === 'town' ? '乡镇（街道）' : '县（市、区）';")
    assert hand_written("s === 'inactive' ? h('span', { class: 'tag' }, '已撤销') : null")
    assert not hand_written("mode === 'all' ? '收件箱是空的' : '没有未读提醒'")
