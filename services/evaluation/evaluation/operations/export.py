"""The edge: the ranking and every indicator's source as an Excel workbook.

Rows stream from the ranking query in batches into a write-only workbook (openpyxl
keeps no cells in memory), and the worker yields to the others between batches, so a
province-wide export neither holds every result nor stalls the service meanwhile.
"""
import base64
import io

import eventlet
from openpyxl import Workbook

from evaluation.models import Result
from evaluation.operations.reports import ranked

EXPORT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]
INDICATOR_COLUMNS = ["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                     "满分 max", "数值 value", "来源 source", "说明 note"]
BATCH = 500


def export_results(session, period, county_code, scope):
    """An Excel workbook: the ranking, and every indicator with where its figure came from."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"results {period}")
    details = book.create_sheet("indicators")
    sheet.append(EXPORT_COLUMNS)
    details.append(INDICATOR_COLUMNS)
    query = ranked(period, scope, county_code).add_columns(Result.breakdown)
    for n, row in enumerate(session.execute(query.execution_options(yield_per=BATCH)), 1):
        sheet.append([row.rank, row.community_code, row.name, row.town_code, row.county_code,
                      row.stage, row.score, row.max_score, row.pass_threshold,
                      "是" if row.passed else "否", "是" if row.vetoed else "否"])
        for ind in row.breakdown["indicators"]:
            details.append([row.community_code, ind["category"], ind["name"], ind["kind"],
                            ind["points"], ind["max_points"], ind["value"], ind["source"],
                            ind["note"]])
        if n % BATCH == 0:
            eventlet.sleep(0)
    out = io.BytesIO()
    book.save(out)
    suffix = f"-{county_code}" if county_code else ""
    return {"filename": f"evaluation-{period}{suffix}.xlsx",
            "content_base64": base64.b64encode(out.getvalue()).decode()}
