"""The evaluation results as an Excel workbook, written as the pages arrive.

openpyxl's write-only mode keeps no cells in memory, and the file is spooled to disk
once it grows, so a province's export costs the gateway a page of rows at a time.
"""
import tempfile

from openpyxl import Workbook

RESULT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]
INDICATOR_COLUMNS = ["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                     "满分 max", "数值 value", "来源 source", "说明 note"]


def _yes(flag):
    return "是" if flag else "否"


def workbook(pages, period):
    """A file object holding the workbook of ``pages`` (lists of export rows)."""
    book = Workbook(write_only=True)
    results = book.create_sheet(f"results {period}")
    indicators = book.create_sheet("indicators")
    results.append(RESULT_COLUMNS)
    indicators.append(INDICATOR_COLUMNS)
    for rows in pages:
        for row in rows:
            results.append([row["rank"], row["community_code"], row["name"], row["town_code"],
                            row["county_code"], row["stage"], row["score"], row["max_score"],
                            row["pass_threshold"], _yes(row["passed"]), _yes(row["vetoed"])])
            for ind in row["indicators"]:
                indicators.append([row["community_code"], ind["category"], ind["name"],
                                   ind["kind"], ind["points"], ind["max_points"],
                                   ind["value"], ind["source"], ind["note"]])
    # closed by send_file once the response is sent
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out
