"""The one workbook and CSV writer: what openpyxl reads back, and no cell a spreadsheet
would run as a formula."""
import csv
import io

from openpyxl import load_workbook

from fazhi_common import spreadsheet
from gateway.console.excel import table_workbook
from gateway.console.reports import mediation_workbook

PLANTED = ["=HYPERLINK(\"http://evil\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\tTAB", "\rCR"]


def read(content):
    return load_workbook(io.BytesIO(content))


def test_a_workbook_reads_back_with_its_values_styles_and_merges():
    book = spreadsheet.Workbook()
    with book.sheet("余杭区: 统计/汇总?", widths=[18, 12]) as sheet:
        sheet.row(["标题"], spreadsheet.TITLE)
        sheet.merge_last_row(1, 3)
        sheet.row(["类别", "件数", "比率"], spreadsheet.BOXED_BOLD)
        sheet.row(["人民调解", 3, 0.5], styles=[spreadsheet.BOXED, spreadsheet.BOXED,
                                              spreadsheet.BOXED_PERCENT])
        sheet.row()
        sheet.row([None, True, 2.5])
    with book.sheet("余杭区: 统计/汇总?") as sheet:  # a second sheet of the same name
        sheet.rows([["a", 1]] * 3)
    wb = read(book.content())
    first, second = wb.worksheets
    assert first.title == "余杭区_ 统计_汇总_" and second.title == "余杭区_ 统计_汇总__2"
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["标题", None, None], ["类别", "件数", "比率"], ["人民调解", 3, 0.5],
        [None, None, None], [None, "是", 2.5]]
    assert first["A1"].font.b and first["A1"].font.sz == 14
    assert "A1:C1" in {str(r) for r in first.merged_cells.ranges}
    assert first["B2"].border.left.style == "thin" and first["C3"].number_format == "0.0%"
    assert first.column_dimensions["A"].width == 18
    assert second.max_row == 3


def test_no_planted_formula_becomes_a_formula_in_a_workbook():
    content = table_workbook("=名单", ["名称"], [[text] for text in PLANTED])
    sheet = read(content).active
    cells = [row[0] for row in sheet.iter_rows(min_row=3)]
    # (XML reads a carriage return as a line feed)
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in PLANTED]
    assert all(c.data_type == "s" for c in cells)  # text, never "f"
    assert all(c.quotePrefix for c in cells)  # stays text when an official edits it


def test_the_mediation_report_takes_any_county_name():
    rows = [{"county_code": "330110000000", "mediation_kind": "people", "volume": 2,
             "accepted": 2, "declined": 0, "agreements": 1, "failures": 1, "overdue": 0,
             "median_duration_days": 3}]
    content = mediation_workbook("杭州市", "2026年", [("330110000000", "=余杭:区[1]"),
                                                    ("330106000000", "西湖区")],
                                 rows, {"330110000000": 1})
    book = read(content)
    assert [s.title for s in book.worksheets] == ["汇总", "=余杭_区_1_", "西湖区"]
    county = book.worksheets[1]
    assert county["A1"].value == "=余杭:区[1]调解工作统计表"
    assert county["A1"].data_type == "s"


def test_csv_cells_that_would_run_are_quoted():
    out = io.StringIO()
    spreadsheet.write_csv(out, ["名称"] * (len(PLANTED) + 2), [[*PLANTED, None, 7]], bom=True)
    assert out.getvalue().startswith("\ufeff名称,")
    heading, back = csv.reader(io.StringIO(out.getvalue()[1:]))
    assert all(cell.startswith("'") for cell in back[:len(PLANTED)])
    assert back[len(PLANTED):] == ["", "7"]


# Every file a person opens in a spreadsheet program, as written today: the gateway's
# CSV and Excel routes and the registry's command-line export. A new one is added here
# once it writes through ``fazhi_common.spreadsheet`` (write_csv or Workbook).
EXPORTS = {
    "/api/v1/registry/exports/units.csv", "/api/v1/corrections/persons/export.csv",
    "/api/v1/evaluation/exports/results.xlsx", "/console/tables.xlsx",
    "/console/reports/mediation.xlsx", "/console/returns/<key>.xlsx",
}
SOURCES = ("services", "gateway", "common")


def test_every_export_and_report_writes_through_the_one_writer(gateway_config):
    """No CSV or workbook is written but by ``fazhi_common.spreadsheet``, whose cells never
    run (the tests above); and every export route of the gateway is one this test knows."""
    import re

    from gateway.app import create_app
    from tests.conftest import ROOT

    written_elsewhere = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            if path.name == "spreadsheet.py" or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\(|openpyxl\s+import\s+Workbook|"
                         r"import\s+xlsxwriter|\.to_csv\(|\.to_excel\(", text):
                written_elsewhere.append(str(path.relative_to(ROOT)))
    assert written_elsewhere == []
    app = create_app(gateway_config)
    try:
        routes = {re.sub(r"/returns/[^/]+\.xlsx$", "/returns/<key>.xlsx", r.rule)
                  for r in app.url_map.iter_rules() if r.rule.endswith((".csv", ".xlsx"))}
    finally:
        app.extensions["rpc"].close()
    assert routes == EXPORTS
