"""The evaluation results as an Excel workbook, written as the pages arrive.

A province's export is ~26,000 result rows and over half a million indicator rows, written
straight out as SpreadsheetML by ``fazhi_common.spreadsheet``; this module shapes the
indicator rows (a definition's cells made once a page). The results sheet (the ranking,
read at once) goes first; the indicator sheet streams into the package as its pages arrive,
so the gateway holds the ranking and a page of indicators at a time."""
from fazhi_common import spreadsheet

RESULT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]
INDICATOR_COLUMNS = ["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                     "满分 max", "数值 value", "来源 source", "说明 note"]


def workbook(results, pages, period):
    """A file object holding the workbook of ``results`` (rows of the contract's
    ``EXPORT_RESULT_FIELDS``) and the indicator ``pages`` (``export_indicators`` replies),
    both in rank order."""
    book = spreadsheet.Workbook()
    with book.sheet(f"results {period}") as sheet:
        sheet.row(RESULT_COLUMNS)
        sheet.rows(results)
    with book.sheet("indicators") as sheet:
        sheet.row(INDICATOR_COLUMNS)
        for page in pages:
            sheet.write_rows(*_indicator_rows(page, book.cells))
    return book.finish()


def _indicator_rows(page, cells):
    """A page's indicator rows as SpreadsheetML: the cells of a definition (category,
    name, kind; points at stake) are made once a page, not once a row."""
    heads = [cells.row((category, name, kind))[5:-6]
             for category, name, kind, _ in page["definitions"]]
    tops = [cells[type(top)][top] for *_, top in page["definitions"]]
    parts = []
    add = parts.extend
    for code, values in page["items"]:
        start = b"<row>" + cells[str][code]
        indicators = iter(values)  # flat: five values an indicator, one after another
        for definition, points, value, source, note in zip(*[indicators] * 5, strict=True):
            add((start, heads[definition], cells[type(points)][points], tops[definition],
                 cells[type(value)][value], cells[type(source)][source],
                 cells[type(note)][note], b"</row>"))
    return b"".join(parts), len(parts) // 8  # eight parts a row
