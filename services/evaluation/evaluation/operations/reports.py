"""Rankings and the area report, read from the stored results.

Both are computed by the database: a ranking is one windowed query that returns one page
(``RANK()`` for the rank, ``COUNT(*) OVER ()`` for the total), and the report is one
grouped query per area. Neither loads a result's breakdown, so a province-wide ranking
or report costs a page of rows or a row per town, not every result in memory.
"""
from sqlalchemy import and_, case, func, literal, select

from evaluation.models import CommunityFact, Result, Title

# a vetoed community ranks below every unvetoed one, then by score; ties share a rank
RANK_ORDER = (Result.vetoed, Result.score.desc())


def ranked(period, scope, county_code=None, town_code=None):
    """The ranking as a query (rank, total and the columns a row shows), in rank order."""
    q = (select(func.rank().over(order_by=RANK_ORDER).label("rank"),
                func.count().over().label("total"),
                Result.community_code, CommunityFact.name, CommunityFact.town_code,
                CommunityFact.county_code, Result.score, Result.max_score,
                Result.pass_threshold, Result.stage, Result.passed, Result.vetoed)
         .join(CommunityFact, CommunityFact.code == Result.community_code)
         .where(Result.period == period))
    q = scope.in_area(q, Result.community_code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    if town_code:
        q = q.where(CommunityFact.town_code == town_code)
    return q.order_by(*RANK_ORDER, Result.community_code)


ROW_FIELDS = ("rank", "community_code", "name", "town_code", "county_code", "score", "stage",
              "passed", "vetoed")


def rankings(session, query, scope):
    """One page of communities by score."""
    page, per_page = query["page"], query["per_page"]
    rows = session.execute(ranked(query["period"], scope, query.get("county_code"),
                                  query.get("town_code"))
                           .limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0].total
    else:  # past the last page: the total still answers
        total = session.scalar(
            select(func.count()).select_from(ranked(query["period"], scope,
                                                    query.get("county_code"),
                                                    query.get("town_code")).subquery()))
    items = [{name: getattr(row, name) for name in ROW_FIELDS} for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def _figures(row):
    return {"communities": row.communities, "evaluated": row.evaluated,
            "passed": int(row.passed or 0), "vetoed": int(row.vetoed or 0),
            "titles_held": int(row.titles_held or 0),
            "_sum": float(row.score_sum or 0), "_n": row.evaluated}


def _add(total, part):
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def _finish(figures):
    total, n = figures.pop("_sum"), figures.pop("_n")
    figures["average_score"] = round(total / n, 2) if n else None
    return figures


def report(session, period, county_code, scope):
    """Counts and average score by county and town, each area one row from the database."""
    held = (select(Title.community_code).where(Title.status == "held")
            .group_by(Title.community_code).subquery())
    one = literal(1)
    q = (select(CommunityFact.county_code, CommunityFact.town_code,
                func.count().label("communities"),
                func.count(Result.community_code).label("evaluated"),
                func.sum(case((Result.passed, one), else_=0)).label("passed"),
                func.sum(case((Result.vetoed, one), else_=0)).label("vetoed"),
                func.sum(case((held.c.community_code.is_not(None), one), else_=0))
                .label("titles_held"),
                func.sum(Result.score).label("score_sum"))
         .outerjoin(Result, and_(Result.community_code == CommunityFact.code,
                                 Result.period == period))
         .outerjoin(held, held.c.community_code == CommunityFact.code)
         .where(CommunityFact.status == "active"))
    q = scope.in_area(q, CommunityFact.code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    q = q.group_by(CommunityFact.county_code, CommunityFact.town_code).order_by(
        CommunityFact.county_code, CommunityFact.town_code)
    levels = _titles_by_level(session, county_code, scope)
    counties = {}
    for row in session.execute(q):
        county = counties.setdefault(row.county_code, {"county_code": row.county_code,
                                                       "towns": [], "titles_by_level": {}})
        town = _figures(row)
        _add(county, {k: v for k, v in town.items()})
        by_level = levels.get((row.county_code, row.town_code), {})
        _add(county["titles_by_level"], by_level)
        county["towns"].append(_finish({"town_code": row.town_code or "", **town,
                                        "titles_by_level": by_level}))
    return {"period": period, "counties": [_finish(c) for c in counties.values()]}


def _titles_by_level(session, county_code, scope):
    """{(county, town): {level: active communities holding a title of that level}}."""
    q = (select(CommunityFact.county_code, CommunityFact.town_code, Title.level,
                func.count(Title.community_code.distinct()))
         .join(CommunityFact, CommunityFact.code == Title.community_code)
         .where(Title.status == "held", CommunityFact.status == "active")
         .group_by(CommunityFact.county_code, CommunityFact.town_code, Title.level))
    q = scope.in_area(q, CommunityFact.code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    levels = {}
    for county, town, level, count in session.execute(q):
        levels.setdefault((county, town), {})[level] = count
    return levels
