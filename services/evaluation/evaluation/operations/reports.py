"""Rankings and the area report, read from the stored results."""
from sqlalchemy import select

from evaluation.models import CommunityFact, Result, Title


def results_in_area(session, period, scope, county_code=None, town_code=None):
    q = (select(Result, CommunityFact).join(CommunityFact,
                                           CommunityFact.code == Result.community_code)
         .where(Result.period == period))
    q = scope.in_area(q, Result.community_code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    if town_code:
        q = q.where(CommunityFact.town_code == town_code)
    return session.execute(q.order_by(Result.score.desc(), Result.community_code)).all()


def rankings(session, query, scope):
    """Communities by score; a vetoed community ranks below every unvetoed one."""
    rows = results_in_area(session, query["period"], scope, query.get("county_code"),
                            query.get("town_code"))
    rows.sort(key=lambda rc: (rc[0].vetoed, -rc[0].score, rc[0].community_code))
    items, rank, previous = [], 0, None
    for position, (result, community) in enumerate(rows, start=1):
        key = (result.vetoed, result.score)
        if key != previous:
            rank, previous = position, key
        items.append({"rank": rank, "community_code": result.community_code,
                      "name": community.name, "town_code": community.town_code,
                      "county_code": community.county_code, "score": result.score,
                      "stage": result.stage, "passed": result.passed,
                      "vetoed": result.vetoed})
    start = (query["page"] - 1) * query["per_page"]
    return {"items": items[start:start + query["per_page"]], "page": query["page"],
            "per_page": query["per_page"], "total": len(items)}


def _figures():
    return {"communities": 0, "evaluated": 0, "passed": 0, "vetoed": 0, "titles_held": 0,
            "_scores": []}


def _finish(figures):
    scores = figures.pop("_scores")
    figures["average_score"] = round(sum(scores) / len(scores), 2) if scores else None
    return figures


def report(session, period, county_code, scope):
    q = scope.in_area(select(CommunityFact).where(CommunityFact.status == "active"),
                      CommunityFact.code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    communities = session.scalars(q.order_by(CommunityFact.code)).all()
    results = {r.community_code: r for r in session.scalars(
        select(Result).where(Result.period == period))}
    held = set(session.scalars(select(Title.community_code).where(Title.status == "held")))
    counties = {}
    for c in communities:
        county = counties.setdefault(c.county_code, {"county_code": c.county_code,
                                                     "towns": {}, **_figures()})
        town = county["towns"].setdefault(c.town_code, {"town_code": c.town_code or "",
                                                        **_figures()})
        for figures in (county, town):
            figures["communities"] += 1
            figures["titles_held"] += c.code in held
            result = results.get(c.code)
            if result is not None:
                figures["evaluated"] += 1
                figures["passed"] += result.passed
                figures["vetoed"] += result.vetoed
                figures["_scores"].append(result.score)
    out = []
    for county in counties.values():
        county["towns"] = [_finish(t) for t in county["towns"].values()]
        out.append(_finish(county))
    return {"period": period, "counties": out}
