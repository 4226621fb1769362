"""The export's workbook, written row by row as SpreadsheetML, reads back in a spreadsheet
library as the rows it was given: two sheets, numbers as numbers, text as text, empty
cells empty, and text that XML would choke on made safe."""
import random
from io import BytesIO

from openpyxl import load_workbook

from fazhi_common.contracts.api.evaluation_reports import EXPORT_RESULT_FIELDS
from gateway import xlsx

PERIOD = "2025"


def _row(n, rng):
    code = f"330110001{n:03d}"
    return {"rank": n, "community_code": code, "name": rng.choice(["大陆村", "A & <B>", "x"]),
            "town_code": rng.choice(["330110001000", None]), "county_code": "330110000000",
            "stage": "deepening", "score": round(rng.uniform(0, 100), 2), "max_score": 100.0,
            "pass_threshold": rng.choice([75.0, None]), "passed": rng.random() < 0.5,
            "vetoed": rng.random() < 0.2,
            "indicators": [{"category": "基层民主规范有序 / 民主选举", "name": f"指标{i}",
                            "kind": rng.choice(["yes_no", "count", "derived"]),
                            "points": rng.choice([0.0, 4.0, 2.5, 4]), "max_points": 4.0,
                            "value": rng.choice([None, 1.0, 3, 0.85, 1, 3.0]),
                            "source": f"自评 #{n * 10 + i}（town）",
                            "note": rng.choice([None, "  leading and trailing  ", "a\x01b]]>"])}
                           for i in range(rng.randint(0, 4))]}


def _as_sent(pages):
    """The rows as the service sends them: the results sheet's rows, then pages of
    indicators naming their definitions by place, each community's in one flat list."""
    results = [[row[f] for f in EXPORT_RESULT_FIELDS] for page in pages for row in page]
    sent = []
    for page in pages:
        definitions = {}
        items = [(row["community_code"], [
            value for i in row["indicators"] for value in (
                definitions.setdefault((i["category"], i["name"], i["kind"], i["max_points"]),
                                       len(definitions)),
                i["points"], i["value"], i["source"], i["note"])])
            for row in page]
        sent.append({"definitions": list(definitions), "items": items})
    return results, iter(sent)


def test_the_workbook_holds_every_row_as_given():
    rng = random.Random(3)
    pages = [[_row(n, rng) for n in range(start, start + 7)] for start in (1, 8, 15)]
    book = load_workbook(BytesIO(xlsx.workbook(*_as_sent(pages), PERIOD).read()))
    assert book.sheetnames == [f"results {PERIOD}", "indicators"]
    results = list(book.worksheets[0].values)
    indicators = list(book.worksheets[1].values)
    assert results[0] == tuple(xlsx.RESULT_COLUMNS)
    assert indicators[0] == tuple(xlsx.INDICATOR_COLUMNS)
    rows = [row for page in pages for row in page]
    assert _typed(results[1:]) == _typed(
        (r["rank"], r["community_code"], r["name"], r["town_code"], r["county_code"],
         r["stage"], r["score"], r["max_score"], r["pass_threshold"],
         "是" if r["passed"] else "否", "是" if r["vetoed"] else "否") for r in rows)
    note = {"a\x01b]]>": "ab]]>"}  # a control character has no place in XML
    assert _typed(indicators[1:]) == _typed(
        (r["community_code"], i["category"], i["name"], i["kind"], i["points"],
         i["max_points"], i["value"], i["source"], note.get(i["note"], i["note"]))
        for r in rows for i in r["indicators"])


def _typed(rows):
    """Rows with each value's type: 1, 1.0 and True are equal in Python, not in a sheet."""
    return [[(type(value), value) for value in row] for row in rows]


def test_an_empty_area_gives_the_headings_only():
    book = load_workbook(BytesIO(xlsx.workbook([], iter([]), PERIOD).read()), read_only=True)
    assert [list(sheet.values) for sheet in book.worksheets] == [
        [tuple(xlsx.RESULT_COLUMNS)], [tuple(xlsx.INDICATOR_COLUMNS)]]
