"""A few thousand units, as a province sends them: the list is imported by a job, the
province-wide reads answer, and a scheme revision hands its recompute to a job that moves
every pinned result once.

Slow by nature (thousands of events through the real services), so it runs once, in the
PostgreSQL pass (marker ``once``). It checks answers, never time.
"""
import base64
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bench.province import province_units, with_quirks
from evaluation.models import Result, Scheme
from evaluation.service import EvaluationService
from fazhi_common.clock import utcnow
from fazhi_common.db import make_engine
from fazhi_common.division import COMMUNITY, Division
from fazhi_common.jobs import PARTS, Job
from tests.helpers import wait_until

pytestmark = [pytest.mark.once, pytest.mark.timeout(600)]
R = "/api/v1/registry"
E = "/api/v1/evaluation"
PERIOD = str(date.today().year)


@pytest.fixture
def evaluation(container_factory, service_config):
    """Two instances of evaluation, as deployed: a revision's recompute runs in parts of
    400 results, which both take up."""
    config = service_config("evaluation", RECOMPUTE_PART_SIZE=400)
    instances = [container_factory(EvaluationService, config) for _ in range(2)]
    for instance in instances:
        instance.start()
    return instances[0]


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def _csv(rows):
    lines = ["统计用区划代码,名称,城乡分类代码", *(",".join(row) for row in rows)]
    return base64.b64encode("\r\n".join(lines).encode("gbk")).decode()


def finished(gateway, job_url):
    """The job once it ended. While it runs, a poll on a saturated machine may wait out
    the gateway's RPC timeout (the job shares the service with it): that is retried; the
    reads the test is about are asked once the jobs are done, and must answer."""
    def ended():
        response = gateway.get(job_url)
        if response.status_code == 503:
            return None
        job = ok(response)
        return job if job["status"] in ("done", "failed") else None
    return wait_until(ended, timeout=300, interval=1)


def import_units(gateway, units):
    """The whole list in one request: accepted at once, imported by a job."""
    response = gateway.post(f"{R}/imports", json={
        "filename": "全省名单.csv", "content_base64": _csv(with_quirks(units))})
    assert response.status_code == 202, response.json
    job = finished(gateway, response.headers["Location"])
    assert job["status"] == "done", job
    assert job["result"]["created"] == job["done"] == len(units), job
    assert job["result"]["failed"] == 0


def all_rankings(gateway, **query):
    items, page = [], 1
    while True:
        body = ok(gateway.get(f"{E}/rankings", query_string={
            "period": PERIOD, "per_page": 500, "page": page, **query}))
        items += body["items"]
        if page * 500 >= body["total"]:
            return items, body["total"]
        page += 1


def test_province_wide_reads_and_a_revision_at_scale(registry, evaluation, gateway):
    units = province_units(counties=4, towns=36, communities=2000, prefectures=2, seed=7)
    communities = {u[0] for u in units if Division(u[0]).level == COMMUNITY}
    import_units(gateway, units)
    # every registration reaches evaluation, which scores the community for the period
    # (watched in its database: draining a backlog while answering is another test's job)
    engine = make_engine(evaluation.config["DATABASE_URL"])

    def scored():
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Result).where(
                Result.period == PERIOD)) == len(communities)
    wait_until(scored, timeout=300, interval=1)

    # -- rankings: every community once, in rank order, ranks consistent with the scores
    items, total = all_rankings(gateway)
    assert total == len(communities) == len(items)
    assert {i["community_code"] for i in items} == communities
    keys = [(i["vetoed"], -i["score"]) for i in items]
    assert keys == sorted(keys)
    for position, (before, after) in enumerate(zip(items, items[1:], strict=False), 2):
        same = (before["vetoed"], before["score"]) == (after["vetoed"], after["score"])
        assert after["rank"] == (before["rank"] if same else position)
    past_the_end = ok(gateway.get(f"{E}/rankings", query_string={
        "period": PERIOD, "per_page": 500, "page": 99}))
    assert past_the_end["items"] == [] and past_the_end["total"] == len(communities)

    # -- one county's ranking and report count that county's communities only
    county = sorted(Division(c).county for c in communities)[0]
    in_county = {c for c in communities if Division(c).county == county}
    county_items, county_total = all_rankings(gateway, county_code=county)
    assert county_total == len(in_county) == len({i["community_code"] for i in county_items})
    report = ok(gateway.get(f"{E}/reports", query_string={"period": PERIOD,
                                                          "county_code": county}))
    [county_figures] = report["counties"]
    assert county_figures["county_code"] == county
    assert county_figures["communities"] == county_figures["evaluated"] == len(in_county)
    per_town = Counter(Division(c).town for c in in_county)
    assert {t["town_code"]: t["communities"] for t in county_figures["towns"]} == per_town
    scores = [i["score"] for i in county_items]
    assert county_figures["average_score"] == round(sum(scores) / len(scores), 2)
    assert county_figures["passed"] == sum(i["passed"] for i in county_items)

    # -- the whole province's report and export
    province = ok(gateway.get(f"{E}/reports", query_string={"period": PERIOD}))
    assert sum(c["communities"] for c in province["counties"]) == len(communities)
    assert len(province["counties"]) == 4
    export = gateway.get(f"{E}/exports/results.xlsx", query_string={"period": PERIOD})
    assert export.status_code == 200, export.json
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    rows = list(book.worksheets[0].values)
    assert len(rows) == len(communities) + 1
    assert [r[1] for r in rows[1:]] == [i["community_code"] for i in items]
    assert len({r[0] for r in book.worksheets[1].values} - {"代码 code"}) == len(communities)

    # -- a revision of the scheme every village is pinned to: 202 and a job at once
    [scheme] = ok(gateway.get(f"{E}/schemes", query_string={"key": "default-village"}))["items"]
    with engine.connect() as conn:
        pinned = set(conn.scalars(select(Result.community_code).where(
            Result.scheme_id == scheme["id"], Result.period == PERIOD)))
    assert len(pinned) > 1000
    edited = {k: scheme[k] for k in ("key", "name", "community_class", "economic_tier",
                                     "pass_thresholds", "parameters", "categories",
                                     "veto_items")}
    edited["parameters"] = {**edited["parameters"], "satisfaction_min_sample": 7}
    revised_at = utcnow()
    revision = gateway.post(f"{E}/schemes/{scheme['id']}/revisions", json=edited)
    assert revision.status_code == 202, revision.json
    job_url = revision.headers["Location"]
    assert job_url.endswith(revision.json["job"]["id"])
    assert revision.json["job"]["status"] in ("queued", "running")

    job = finished(gateway, job_url)
    assert job["status"] == "done", job
    # every pinned result recomputed exactly once: the job counted each one once, and each
    # now carries the new version, computed after the revision
    assert job["done"] == job["total"] == len(pinned) == job["result"]["recomputed"]
    with engine.connect() as conn:  # in parts, the sum of which the job shows
        parts = conn.scalar(select(Job.state).where(Job.id == job["id"]))[PARTS]
    assert len(parts) == -(-len(pinned) // 400) > 1
    with engine.connect() as conn:
        new_id = conn.scalar(select(Scheme.id).where(Scheme.supersedes_id == scheme["id"]))
        assert conn.scalar(select(func.count()).where(
            Result.scheme_id == scheme["id"], Result.period == PERIOD)) == 0
        moved = conn.execute(select(Result.community_code, Result.computed_at).where(
            Result.scheme_id == new_id, Result.period == PERIOD)).all()
    engine.dispose()
    assert {code for code, _ in moved} == pinned
    assert all(at >= revised_at for _, at in moved)
    # whoever cannot see the area that started the job does not see the job
    assert gateway.as_role("viewer", county).get(job_url).status_code == 404
    assert gateway.get(f"{E}/jobs/00000000-0000-0000-0000-000000000000").status_code == 404

    # -- with the province loaded, a community scored from its records alone: points for
    # its party organisation, a quorate assembly, its convention and its legal adviser,
    # no evidence entered, and its explanation names each record
    code = min(u[0] for u in units
               if Division(u[0]).level == COMMUNITY and u[2].startswith("1"))  # urban
    home = Division(code).county
    civil = gateway.as_role("civil_affairs_officer", home)
    justice = gateway.as_role("justice_officer", home)
    day = date.today().replace(day=1).isoformat()
    party = ok(civil.post(f"{R}/governance-bodies", json={
        "community_code": code, "kind": "party_organisation", "term_started_on": day,
        "secretary_name": "李书记", "secretary_chairs_committee": True}), 201)
    meeting = ok(civil.post(f"{R}/meetings", json={
        "community_code": code, "kind": "residents_meeting", "held_on": day, "eligible": 100,
        "attended": 60, "agenda": "修订居民公约", "votes_for": 45}), 201)
    assert meeting["quorate"] is True
    convention = ok(civil.post(f"{R}/conventions", json={
        "community_code": code, "title": "居民公约", "adopted_on": day}), 201)
    ok(justice.post(f"{R}/legal-advisers", json={
        "community_code": code, "adviser_name": "王律师", "adviser_kind": "lawyer",
        "assigned_on": day}), 201)

    def from_records():
        answer = gateway.get(f"{E}/results/{code}", query_string={"period": PERIOD})
        found = {i["code"]: i for i in answer.json["indicators"]} \
            if answer.status_code == 200 else {}
        wanted = ("party_organisation", "representative_assembly_meetings",
                  "residents_convention", "legal_adviser")
        return found if all(found.get(c, {}).get("points") for c in wanted) else None

    found = wait_until(from_records, timeout=60, interval=0.5)
    assert f"#{party['id']}" in found["party_organisation"]["source"]
    assert f"#{meeting['id']}" in found["representative_assembly_meetings"]["source"]
    assert f"#{convention['id']}" in found["residents_convention"]["source"]
    assert "王律师" in found["legal_adviser"]["source"]
    assert ok(gateway.get(f"{E}/evidence", query_string={
        "community_code": code, "period": PERIOD}))["total"] == 0
