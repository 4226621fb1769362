"""Enterprise legal health checks (法律体检) against yearly targets.

Progress counts enterprises, not visits: a second check of one enterprise (the same
unified social credit code) in a year adds nothing. Each county is measured against its
own target, which the city sets as data; the city as a whole against the policy's
yearly figure (configuration). A county without a target shows none rather than the
city's.
"""
from datetime import date

from sqlalchemy import distinct, func, select

from fazhi_common.contracts.errors import Forbidden, NotFound, field_error
from fazhi_common.division import Division, InvalidDivision
from registry import domain
from registry.models import County, EnterpriseHealthCheck, HealthCheckTarget


def set_target(session, data, scope):
    try:
        county = Division(data["county_code"])
    except InvalidDivision as exc:
        raise field_error("county_code", str(exc)) from None
    if not county.stands_as_county:
        raise field_error("county_code", f"{county} is a {county.level} code, not a county's.")
    scope.require_area(county, field="county_code")
    if scope.prefix == county.prefix:
        raise Forbidden("A county's target is set by the city above it.",
                        {"county_code": ["your own county"]})
    if session.get(County, county) is None:
        raise NotFound(f"No county {county} is registered.")
    row = session.get(HealthCheckTarget, (county, data["year"]))
    if row is None:
        row = HealthCheckTarget(county_code=county, year=data["year"])
        session.add(row)
    row.target = data["target"]
    session.flush()
    return row


def progress(session, year, county_code, area_target, scope):
    """Distinct enterprises checked in ``year``, per county and over the caller's area."""
    in_year = EnterpriseHealthCheck.checked_on.between(date(year, 1, 1), date(year, 12, 31))
    counties_q = scope.in_area(select(County.code).order_by(County.code), County.code)
    if county_code:
        counties_q = counties_q.where(County.code == county_code)
    codes = list(session.scalars(counties_q))
    per_county = {c: (n, d) for c, n, d in session.execute(
        select(EnterpriseHealthCheck.county_code, func.count(),
               func.count(distinct(EnterpriseHealthCheck.credit_code)))
        .where(in_year, EnterpriseHealthCheck.county_code.in_(codes))
        .group_by(EnterpriseHealthCheck.county_code))}
    targets = dict(session.execute(
        select(HealthCheckTarget.county_code, HealthCheckTarget.target)
        .where(HealthCheckTarget.year == year, HealthCheckTarget.county_code.in_(codes))).all())
    counties = []
    for code in codes:
        checks, enterprises = per_county.get(code, (0, 0))
        target = targets.get(code)
        counties.append({"county_code": code, "checks": checks, "checked": enterprises,
                         "target": target, "share_of_target": domain.share(enterprises,
                                                                           target)})
    # one enterprise checked in two counties is one enterprise for the area
    checked = session.scalar(
        select(func.count(distinct(EnterpriseHealthCheck.credit_code)))
        .where(in_year, EnterpriseHealthCheck.county_code.in_(codes))) or 0
    if county_code or _within_one_county(scope):
        target = targets.get(county_code or (codes[0] if codes else None))
    else:
        target = area_target
    return {"year": year, "county_code": county_code, "checked": checked,
            "checks": sum(c["checks"] for c in counties), "target": target,
            "share_of_target": domain.share(checked, target), "counties": counties}


def _within_one_county(scope):
    """A county's (or a town's) officer: the area's target is the county's own."""
    try:
        return bool(scope.area) and Division(scope.area).county is not None
    except InvalidDivision:
        return False
