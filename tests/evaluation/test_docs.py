"""The evaluation operations link to the sections of docs/evaluation.md that state their
rules, and every link names a section that exists."""
import re
from pathlib import Path

TEXT = (Path(__file__).parents[2] / "docs" / "evaluation.md").read_text(encoding="utf-8")


def anchors():
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", TEXT, re.M)}


def test_title_veto_and_score_operations_link_to_sections_that_exist(gateway_app):
    from gateway.openapi import build_spec

    spec = build_spec(gateway_app)
    linked = {op["operationId"]: op["externalDocs"]["url"]
              for path in spec["paths"].values() for op in path.values()
              if isinstance(op, dict) and "externalDocs" in op
              and op["operationId"].startswith("evaluation.")}
    wanted = {"evaluation.award_title_post", "evaluation.revoke_title_post",
              "evaluation.re_examine_title_post", "evaluation.record_veto_post",
              "evaluation.decide_veto_post", "evaluation.decide_on_reorganised_title_post",
              "evaluation.explain_result_get", "evaluation.answer_survey_post",
              "evaluation.draw_spot_check_post", "evaluation.reveal_draw_post",
              "evaluation.redraw_post", "evaluation.public_draw_get",
              "evaluation.export_results_get"}
    assert wanted <= set(linked), sorted(wanted - set(linked))
    for url in set(linked.values()):
        page, _hash, anchor = url.partition("#")
        assert page == "docs/evaluation.md" and anchor in anchors(), url
