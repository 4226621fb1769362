"""The Excel export through the gateway: every result of the area once, in rank order,
each with its indicators, however the pages fall and whatever is recomputed meanwhile.

The results sheet is the ranking as read when the export began; the indicators are read a
page of communities at a time afterwards, in that order (docs/evaluation.md, "The Excel
export").
"""
import io
from datetime import date

import pytest
from nameko.testing.services import entrypoint_hook
from openpyxl import load_workbook
from sqlalchemy import delete, select, update
from sqlalchemy.orm import sessionmaker

from evaluation import domain
from evaluation import operations as ops
from evaluation.models import CommunityFact, Evidence, Result, Scheme
from fazhi_common.contracts.api.evaluation_reports import EXPORT_INDICATOR_FIELDS
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.contracts.roles import Identity
from fazhi_common.db import make_engine, writer
from gateway.blueprints import evaluation as blueprint

E = "/api/v1/evaluation"
TODAY = date.today()
Y = ops.current_period(TODAY)
COUNTIES = ("330110000000", "330122000000")
# self-assessed yes/no indicators of the default village scheme: each one met adds points
YES_NO = ("election_procedure", "officials_reviewed", "supervision_committee_active",
          "disclosure_board")


def _code(county, n):
    return f"{county[:6]}001{201 + n:03d}"


@pytest.fixture
def evaluation_db(evaluation):
    engine = make_engine(evaluation.config["DATABASE_URL"])
    # as the service writes: on SQLite, behind the same per-file lock as its own writers
    yield sessionmaker(writer(engine), expire_on_commit=False)
    engine.dispose()


def _add_community(session, code, met):
    session.add(CommunityFact(code=code, town_code=code[:9] + "000",
                              county_code=code[:6] + "000000", name=f"村{code[-3:]}",
                              kind="village", status="active"))
    _assess(session, code, met)


def _assess(session, code, met):
    for indicator in met:
        session.add(Evidence(community_code=code, period=Y, indicator_code=indicator,
                             value=1.0, attachments=[], submitted_by="test"))
    session.flush()
    ops.refresh(session, code, Y, TODAY)


@pytest.fixture
def area(evaluation_db):
    """Seven villages in each of two counties, scored from 0 to 3 indicators met (ties
    share a rank); one vetoed, so it ranks last whatever its score."""
    codes = []
    with evaluation_db() as session:
        for county in COUNTIES:
            for n in range(7):
                codes.append(_code(county, n))
                _add_community(session, codes[-1], YES_NO[:n % 4])
        session.execute(update(Result).where(Result.community_code == codes[3])
                        .values(vetoed=True, passed=False))
        session.commit()
    return codes


def exported(client, **query):
    response = client.get(f"{E}/exports/results.xlsx", query_string={"period": Y, **query})
    assert response.status_code == 200, response.json
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    results, indicators = (list(sheet.values)[1:] for sheet in book.worksheets)
    return results, indicators


def ranking(client, **query):
    body = client.get(f"{E}/rankings", query_string={"period": Y, "per_page": 500, **query})
    assert body.status_code == 200, body.json
    return body.json["items"]


def explained(client, code):
    body = client.get(f"{E}/results/{code}", query_string={"period": Y})
    assert body.status_code == 200, body.json
    return [(code, i["category"], i["name"], i["kind"], i["points"], i["max_points"],
             i["value"], i["source"], i["note"]) for i in body.json["indicators"]]


def _codes_in_order(indicators):
    """The communities of the indicator sheet, each where its rows begin."""
    order = []
    for row in indicators:
        if not order or order[-1] != row[0]:
            order.append(row[0])
    return order


def test_the_export_lists_every_result_once_in_rank_order(area, gateway, monkeypatch):
    monkeypatch.setattr(blueprint, "EXPORT_PAGE_SIZE", 3)  # five pages for fourteen
    expected = ranking(gateway)
    results, indicators = exported(gateway)
    assert [r[:2] for r in results] == [(i["rank"], i["community_code"]) for i in expected]
    assert sorted(r[1] for r in results) == sorted(area)
    assert results[-1][1] == area[3] and results[-1][10] == "是"  # the vetoed one, last
    assert len({r[0] for r in results}) < len(results)  # ties share a rank
    first = next(i for i in expected if i["community_code"] == results[0][1])
    assert results[0][2:8] == (first["name"], first["town_code"], first["county_code"],
                               first["stage"], first["score"], 100.0)
    # each community's indicators, in the ranking's order, as its explanation gives them
    assert _codes_in_order(indicators) == [r[1] for r in results]
    assert indicators == [row for r in results for row in explained(gateway, r[1])]

    # one county's export is that county's ranking
    county = exported(gateway, county_code=COUNTIES[1])[0]
    assert [r[1] for r in county] == [i["community_code"] for i in
                                      ranking(gateway, county_code=COUNTIES[1])]
    assert {r[4] for r in county} == {COUNTIES[1]}


def test_an_export_stays_one_ranking_while_results_change(area, gateway, evaluation_db,
                                                          monkeypatch):
    monkeypatch.setattr(blueprint, "EXPORT_PAGE_SIZE", 3)
    before = [i["community_code"] for i in ranking(gateway)]
    top, bottom, later = before[0], before[-2], before[8]  # before[-1] is the vetoed one
    newcomer = _code(COUNTIES[0], 9)
    bottom_before = explained(gateway, bottom)
    real_caller, pages = blueprint.caller, []

    def changing_between_pages(service):
        call = real_caller(service)

        def between_pages(method, *args):
            answer = call(method, *args)
            pages.append(args[0]["codes"])
            if len(pages) == 1:  # the first page read: results move under the export
                with evaluation_db() as session:
                    _assess(session, bottom, YES_NO)  # from near the bottom to the top
                    session.execute(delete(Evidence).where(Evidence.community_code == top))
                    ops.refresh(session, top, Y, TODAY)  # from the top to the bottom
                    session.execute(delete(Result).where(Result.community_code == later))
                    _add_community(session, newcomer, YES_NO)  # a new community, top
                    session.commit()
            return answer
        return between_pages

    monkeypatch.setattr(blueprint, "caller", changing_between_pages)
    results, indicators = exported(gateway)
    assert len(pages) == 5 and pages[0] == before[:3]
    after = [i["community_code"] for i in ranking(gateway)]
    assert after[0] in (bottom, newcomer) and top in after[-3:] and later not in after

    # the results sheet is the ranking as it stood when the export began: every result
    # once, in its order, none added or lost
    assert [r[1] for r in results] == before
    # the indicators follow that order; a result gone meanwhile has none, and one
    # recomputed meanwhile shows what was read when its page was
    assert _codes_in_order(indicators) == [c for c in before if c != later]
    assert [r for r in indicators if r[0] == bottom] == explained(gateway, bottom) != (
        bottom_before)


def test_an_officer_exports_only_the_area(area, gateway):
    officer = gateway.as_role("justice_officer", COUNTIES[0], department="justice-330110")
    results, indicators = exported(officer)
    assert sorted(r[1] for r in results) == sorted(c for c in area if c[:6] == "330110")
    assert set(_codes_in_order(indicators)) == {r[1] for r in results}


def test_indicator_pages_answer_for_the_callers_area_and_the_codes_asked(area, evaluation,
                                                                        evaluation_db):
    officer = Identity(subject="officer", role="justice_officer", area=COUNTIES[0])
    inside, outside = area[1], area[8]
    with evaluation_db() as session:
        page = ops.export_indicators(session, {"period": Y, "codes": [
            outside, inside, inside, "330110001299"]}, officer)
    # outside the area and without a result: absent; asked twice: once
    assert [code for code, _ in page["items"]] == [inside]
    [(_, values)] = page["items"]
    assert [(page["definitions"][definition][1], points) for definition, points, *_ in
            _indicators(values)] == [(i[2], i[4]) for i in _explanation(evaluation_db, inside)]

    with entrypoint_hook(evaluation, "export_indicators") as export_indicators:
        for bad, field in (({"period": Y, "codes": []}, "codes"),
                           ({"period": Y, "codes": [inside] * 1001}, "codes"),
                           ({"period": Y, "codes": ["3301"]}, "codes"),
                           ({"codes": [inside]}, "period")):
            with pytest.raises(ValidationFailed) as refused:
                export_indicators(bad)
            assert field in refused.value.fields, bad
    with entrypoint_hook(evaluation, "export_ranking") as export_ranking:
        with pytest.raises(ValidationFailed) as refused:
            export_ranking({"period": "26"})
        assert "period" in refused.value.fields


def _explanation(evaluation_db, code):
    with evaluation_db() as session:
        explanation = ops.explain(session, code, Y, Identity(subject="t", role="platform_admin"))
    return [(code, i["category"], i["name"], i["kind"], i["points"]) for i in
            explanation["indicators"]]


def _indicators(values):
    """An exported community's indicators: its flat values, five an indicator."""
    return [values[at:at + len(EXPORT_INDICATOR_FIELDS)]
            for at in range(0, len(values), len(EXPORT_INDICATOR_FIELDS))]


def test_a_result_kept_whole_exports_its_indicators_as_one_stored_as_marks(area,
                                                                          evaluation_db):
    admin = Identity(subject="t", role="platform_admin")
    query = {"period": Y, "codes": area[1:3]}
    with evaluation_db() as session:
        from_marks = ops.export_indicators(session, query, admin)
        result = session.scalars(select(Result).where(Result.community_code == area[2],
                                                      Result.period == Y)).one()
        # as a result the migration could not match to its scheme keeps it
        result.breakdown = domain.decode_breakdown(
            session.get(Scheme, result.scheme_id).definition, result.breakdown)
        session.commit()
        assert "marks" not in result.breakdown
        assert ops.export_indicators(session, query, admin) == from_marks
    assert len(from_marks["items"]) == 2 and from_marks["items"][1][1]
