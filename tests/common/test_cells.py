"""Every CSV file and workbook the platform writes keeps a formula-looking text as text
(OWASP CSV injection), and a name with sheet-title characters makes a sheet, not a 500.
The exports run through the gateway's real views, their services answered by a stub."""
import csv
import io

import pytest
from openpyxl import load_workbook

from fazhi_common.cells import FORMULA_STARTS, safe_cell, safe_sheet_title
from tests.conftest import AuthedClient

PLANTED = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A2)", "\tlead", "\r=1"]
COUNTY = "330110000000"


class StubRpc:
    """The services' answers, every name in them a planted formula."""

    def call(self, service, method, *args, context=None, **kwargs):
        name = PLANTED[0]
        answers = {
            "export_units": [{"code": COUNTY, "name": p, "level": "county", "kind": "district",
                              "parent_code": None, "status": "active"} for p in PLANTED],
            "list_counties": {"items": [{"code": COUNTY, "name": "=1+1:区"},
                                        {"code": "330122000000", "name": "a:b[c]?*/\\"}]},
            "statistics": {"rows": []},
            "list_legal_aid": {"total": 0},
            "export_ranking": {"period": "2026", "rows": [
                [1, "330110001301", name, "330110001000", COUNTY, "framework", 90.0, 100.0,
                 60.0, True, False]]},
            "export_indicators": {"definitions": [["=cat", "+ind", "@kind", 10.0]],
                                  "items": [["330110001301", [0, 5.0, "-1", "=src", "=note"]]]},
        }
        return answers[method]

    def close(self):
        pass


def _cells_of_workbook(content):
    book = load_workbook(io.BytesIO(content))
    return book.sheetnames, [c.value for s in book for r in s.iter_rows() for c in r]


def _cells_of_csv(text):
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def _assert_safe(cells, must_hold=True):
    texts = [c for c in cells if isinstance(c, str)]
    assert not [c for c in texts if c.startswith(FORMULA_STARTS)], texts
    if must_hold:  # the planted text is there, escaped, not dropped
        assert any(c.startswith("'=") for c in texts), texts


def test_every_export_and_report_writes_formulas_as_text(gateway_app, tmp_path):
    from registry import exporting

    gateway_app.extensions["rpc"] = StubRpc()
    admin = AuthedClient(gateway_app).as_role("platform_admin")
    units = admin.get("/api/v1/registry/exports/units.csv")
    assert units.status_code == 200, units.data
    _assert_safe(_cells_of_csv(units.get_data(as_text=True)))

    results = admin.get("/api/v1/evaluation/exports/results.xlsx?period=2026")
    assert results.status_code == 200, results.data
    _assert_safe(_cells_of_workbook(results.data)[1])

    report = admin.get("/console/reports/mediation.xlsx?period=2026")
    assert report.status_code == 200, report.data  # a county name with ':' made this 500
    titles, cells = _cells_of_workbook(report.data)
    assert titles == ["汇总", "=1+1_区", "a_b_c_____"]
    _assert_safe(cells)

    table = admin.post("/console/tables.xlsx", json={
        "title": "=a:b", "columns": ["@col"], "rows": [[p] for p in PLANTED]})
    assert table.status_code == 200, table.data
    _assert_safe(_cells_of_workbook(table.data)[1])

    # the registry's own command-line export and its import error report
    rows = StubRpc().call("registry", "export_units")
    stream = io.StringIO()
    exporting.write_csv(rows, stream)
    _assert_safe(_cells_of_csv(stream.getvalue()))
    exporting.write_xlsx(rows, tmp_path / "units.xlsx")
    _assert_safe(_cells_of_workbook((tmp_path / "units.xlsx").read_bytes())[1])
    stream = io.StringIO()
    exporting.write_error_report([{"line": 2, "code": "=1+1", "fields": {"name": ["x"]}}],
                                 stream)
    _assert_safe(_cells_of_csv(stream.getvalue()))


@pytest.mark.parametrize("value, cell", [
    ("=1", "'=1"), ("名称", "名称"), (-1, -1), (None, None), ("a=b", "a=b")])
def test_the_one_rule(value, cell):
    assert safe_cell(value) == cell
    assert safe_sheet_title("'x:y'") == "x_y" and len(safe_sheet_title("长" * 40)) == 31
