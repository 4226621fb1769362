"""A province's evaluation, written straight into the evaluation service's database: the
read model of its units (bench.province's list: 90 counties, 1,387 towns, 25,546
communities) and a result for most communities.

Sending 25,000 registrations through the registry and the bus takes many minutes (the
``once`` test does 2,000 that way); the reads under test here are the ones that must count
a province, so the province is laid down as the service's own tables hold it, with the
same bulk writer the service uses, and every figure the test expects is computed here in
Python from the same rows.
"""
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.province import province_units
from evaluation.models import AreaFact, CommunityFact, Result, Scheme, Title
from fazhi_common.bulk import insert_rows
from fazhi_common.db import make_engine
from fazhi_common.division import COMMUNITY, COUNTY, TOWN, Division


@dataclass
class Province:
    communities: dict  # code -> (county, town, name)
    names: dict  # county/town code -> name
    results: dict  # community code -> (score, max_score, passed, vetoed)
    titles_held: int


def lay_province(database_url, period, seed=5, evaluated_share=0.93, **sizes):
    """The province in evaluation's tables; ``Province`` says what was written."""
    rng = random.Random(seed)
    units = province_units(**sizes)
    names, communities = {}, {}
    for code, name, _urban_rural in units:
        unit = Division(code)
        if unit.level in (COUNTY, TOWN):
            names[str(code)] = name
        elif unit.level == COMMUNITY:
            communities[str(code)] = (str(unit.county), str(unit.town), name)
    results = {}
    for code in communities:
        if rng.random() < evaluated_share:
            score = round(rng.uniform(20, 100), 1)
            vetoed = rng.random() < 0.02
            results[code] = (score, 100.0, score >= 60 and not vetoed, vetoed)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            scheme_id = session.scalar(select(Scheme.id).limit(1))
            insert_rows(session, AreaFact.__table__, [
                {"code": code, "level": Division(code).level, "name": name}
                for code, name in names.items()])
            insert_rows(session, CommunityFact.__table__, [
                {"code": code, "county_code": county, "town_code": town, "name": name,
                 "kind": "village", "status": "active"}
                for code, (county, town, name) in communities.items()])
            insert_rows(session, Result.__table__, [
                {"community_code": code, "period": period, "scheme_id": scheme_id,
                 "stage": "framework", "score": score, "max_score": top,
                 "pass_threshold": 60.0, "passed": passed, "vetoed": vetoed, "breakdown": {}}
                for code, (score, top, passed, vetoed) in results.items()])
            held = [code for code in list(results)[:40]]
            insert_rows(session, Title.__table__, [
                {"community_code": code, "title": "democracy_rule_of_law", "level": "county",
                 "period": period, "granting_department": "测试", "awarded_on": date.today(),
                 "re_evaluation_due_on": date(date.today().year + 2, 12, 31),
                 "re_evaluation_notified": False, "status": "held"} for code in held])
    finally:
        engine.dispose()
    return Province(communities, names, results, len(held))


def expected_bands(province, bins=10):
    """Evaluated communities by score share, as the overview must count them."""
    counts = [0] * bins
    for score, top, _passed, _vetoed in province.results.values():
        share = score * 100 / top
        counts[min(bins - 1, int(share // (100 / bins)))] += 1
    return counts
