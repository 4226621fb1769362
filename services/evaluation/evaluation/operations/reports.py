"""Rankings and the area report, read from the stored results.

Both are computed by the database: a ranking is one windowed query that returns one page
(``RANK()`` for the rank, ``COUNT(*) OVER ()`` for the total), and the report is one
grouped query per area. Neither loads a result's breakdown, so a province-wide ranking
or report costs a page of rows or a row per town, not every result in memory.
"""
from datetime import timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from evaluation.models import AreaFact, CommunityFact, Result, Title
from fazhi_common.contracts.errors import NotFound, ValidationFailed
from fazhi_common.division import COUNTY, Division

# the names a person reads beside the codes (the registry's county/town events)
COUNTY_NAME = aliased(AreaFact, name="county_name_fact")
TOWN_NAME = aliased(AreaFact, name="town_name_fact")
# held titles due for re-evaluation within this many days count as "due soon"
DUE_SOON_DAYS = 90

# a vetoed community ranks below every unvetoed one, then by score; ties share a rank
RANK_ORDER = (Result.vetoed, Result.score.desc())


def ranked(period, scope, county_code=None, town_code=None):
    """The ranking as a query (rank, total and the columns a row shows), in rank order."""
    q = (select(func.rank().over(order_by=RANK_ORDER).label("rank"),
                func.count().over().label("total"),
                Result.community_code, CommunityFact.name, CommunityFact.town_code,
                TOWN_NAME.name.label("town_name"), CommunityFact.county_code,
                COUNTY_NAME.name.label("county_name"), Result.score, Result.max_score,
                Result.pass_threshold, Result.stage, Result.passed, Result.vetoed)
         .join(CommunityFact, CommunityFact.code == Result.community_code)
         .outerjoin(TOWN_NAME, TOWN_NAME.code == CommunityFact.town_code)
         .outerjoin(COUNTY_NAME, COUNTY_NAME.code == CommunityFact.county_code)
         .where(Result.period == period))
    q = scope.in_area(q, Result.community_code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    if town_code:
        q = q.where(CommunityFact.town_code == town_code)
    return q.order_by(*RANK_ORDER, Result.community_code)


ROW_FIELDS = ("rank", "community_code", "name", "town_code", "town_name", "county_code",
              "county_name", "score", "stage", "passed", "vetoed")


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
    counties, names = {}, _names(session, scope, county_code)
    for row in session.execute(q):
        county = counties.setdefault(row.county_code, {
            "county_code": row.county_code, "county_name": names.get(row.county_code),
            "towns": [], "titles_by_level": {}})
        town = _figures(row)
        _add(county, {k: v for k, v in town.items()})
        by_level = levels.get((row.county_code, row.town_code), {})
        _add(county["titles_by_level"], by_level)
        county["towns"].append(_finish({"town_code": row.town_code or "",
                                        "town_name": names.get(row.town_code), **town,
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


def _names(session, scope, county_code=None):
    """Code -> name of the counties and towns the registry announced, in the area."""
    q = select(AreaFact.code, AreaFact.name)
    q = scope.in_area(q, AreaFact.code, level=COUNTY)
    if county_code:
        q = q.where(AreaFact.code.startswith(Division(county_code).prefix))
    return dict(session.execute(q).all())


def _share(part, whole):
    return round(part / whole, 4) if whole else None


FIGURES = ("communities", "evaluated", "passed", "vetoed", "score_sum")


def _overview_figures(row):
    """The figures of an area's grouped row (a mapping of ``FIGURES``), rates added."""
    communities, evaluated, passed, vetoed = (int(row[k] or 0) for k in FIGURES[:4])
    return {"communities": communities, "evaluated": evaluated, "passed": passed,
            "vetoed": vetoed, "pass_rate": _share(passed, evaluated),
            "coverage": _share(evaluated, communities),
            "average_score": (round(float(row["score_sum"]) / evaluated, 2)
                              if evaluated else None)}


def _bands(bins):
    width = 100 / bins
    return [(round(i * width, 2), round((i + 1) * width, 2)) for i in range(bins)]


def overview(session, query, scope, today):
    """The campaign in the area, every figure one aggregate over all its communities: the
    score distribution (one row of sums, a band each), the totals, and the counties (or a
    county's towns) each a grouped row. Nothing is paged, nothing listed."""
    period, county_code, bins = query["period"], query.get("county_code"), query["bins"]
    if county_code:
        county = Division(county_code)
        if not county.stands_as_county:
            raise ValidationFailed(f"{county_code} is not a county.",
                                   {"county_code": ["not a county"]})
        # a town officer may name its own county: the area still narrows the figures
        if not (scope.covers(county) or (scope.area is not None and county.covers(scope.area))):
            raise NotFound(f"No county {county_code} in your area.",
                           {"county_code": ["outside your area"]})
    one = literal(1)
    group = CommunityFact.town_code if county_code else CommunityFact.county_code
    base = (select(group.label("code"), func.count().label("communities"),
                   func.count(Result.community_code).label("evaluated"),
                   func.sum(case((Result.passed, one), else_=0)).label("passed"),
                   func.sum(case((Result.vetoed, one), else_=0)).label("vetoed"),
                   func.sum(Result.score).label("score_sum"))
            .outerjoin(Result, and_(Result.community_code == CommunityFact.code,
                                    Result.period == period))
            .where(CommunityFact.status == "active"))
    base = scope.in_area(base, CommunityFact.code)
    if county_code:
        base = base.where(CommunityFact.county_code == county_code)
    areas = session.execute(base.group_by(group).order_by(group)).all()
    names = _names(session, scope, county_code)
    # the area's totals: the sums of its (at most a few hundred) grouped rows
    totals = {key: sum(float(row._mapping[key] or 0) for row in areas) for key in FIGURES}
    return {**_overview_figures(totals), "period": period, "county_code": county_code,
            "area_level": "town" if county_code else "county",
            "distribution": _distribution(session, period, scope, county_code, bins),
            "areas": [{"code": row.code or "", "name": names.get(row.code),
                       **_overview_figures(row._mapping)} for row in areas],
            "titles": _title_counts(session, scope, county_code, today)}


def _distribution(session, period, scope, county_code, bins):
    """Evaluated active communities by score as a share of the maximum, one band each;
    the last band holds the full score."""
    share = Result.score * 100.0 / func.nullif(Result.max_score, 0)
    bands = _bands(bins)
    sums = [func.sum(case((and_(share >= low, share < high) if i < bins - 1 else share >= low,
                           literal(1)), else_=0)) for i, (low, high) in enumerate(bands)]
    q = (select(*sums).select_from(Result)
         .join(CommunityFact, CommunityFact.code == Result.community_code)
         .where(Result.period == period, CommunityFact.status == "active"))
    q = scope.in_area(q, CommunityFact.code)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    counts = session.execute(q).one()
    return [{"low": low, "high": high, "count": int(count or 0)}
            for (low, high), count in zip(bands, counts, strict=True)]


def _title_counts(session, scope, county_code, today):
    soon = today + timedelta(days=DUE_SOON_DAYS)
    one = literal(1)
    q = select(func.sum(case((Title.status == "held", one), else_=0)),
               func.sum(case((Title.status == "revoked", one), else_=0)),
               func.sum(case((and_(Title.status == "held",
                                   Title.re_evaluation_due_on <= soon), one), else_=0)))
    q = scope.in_area(q, Title.community_code)
    if county_code:
        q = q.where(Title.community_code.startswith(Division(county_code).prefix))
    held, revoked, due = session.execute(q).one()
    return {"held": int(held or 0), "revoked": int(revoked or 0), "due_soon": int(due or 0)}
