"""The edge: the ranking and every indicator's source as an Excel workbook."""
import base64
import io

from openpyxl import Workbook

from evaluation.operations.reports import rankings, results_in_area

EXPORT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]


def export_results(session, period, county_code, scope):
    """An Excel workbook: the ranking, and every indicator with where its figure came from."""
    rows = rankings(session, {"period": period, "county_code": county_code,
                              "page": 1, "per_page": 1_000_000}, scope)["items"]
    results = {r.community_code: r for r, _c in results_in_area(session, period, scope,
                                                                  county_code)}
    book = Workbook()
    sheet = book.active
    sheet.title = f"results {period}"
    sheet.append(EXPORT_COLUMNS)
    details = book.create_sheet("indicators")
    details.append(["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                    "满分 max", "数值 value", "来源 source", "说明 note"])
    for row in rows:
        result = results[row["community_code"]]
        sheet.append([row["rank"], row["community_code"], row["name"], row["town_code"],
                      row["county_code"], row["stage"], row["score"], result.max_score,
                      result.pass_threshold, "是" if row["passed"] else "否",
                      "是" if row["vetoed"] else "否"])
        for ind in result.breakdown["indicators"]:
            details.append([row["community_code"], ind["category"], ind["name"], ind["kind"],
                            ind["points"], ind["max_points"], ind["value"], ind["source"],
                            ind["note"]])
    out = io.BytesIO()
    book.save(out)
    suffix = f"-{county_code}" if county_code else ""
    return {"filename": f"evaluation-{period}{suffix}.xlsx",
            "content_base64": base64.b64encode(out.getvalue()).decode()}
