"""Mediation by dispute category and by amount claimed, and the mediators at work, per
county over a period: what a bureau's returns count beside the figures by kind.

Each is one GROUP BY over the period's cases in the database (the period picked by
``ix_case_statistics``), answering a row per county and category or band, never a case.
"""
from sqlalchemy import case, func, literal, select

from mediation import domain
from mediation.models import MediationCase
from mediation.statistics import cases_where


def _band(c):
    """The amount band of a case, in SQL."""
    return case((c.amount_claimed.is_(None), literal("none")),
                *((c.amount_claimed < bound, literal(band))
                  for band, bound in domain.AMOUNT_BAND_BOUNDS),
                else_=literal("over_1m"))


def breakdown(session, query, scope):
    """``{"by_category", "by_amount", "mediators"}`` of ``query``'s period for ``scope``."""
    c = MediationCase
    where = cases_where(query, scope, query["date_from"], query["date_to"])
    counted = (func.count().label("volume"),
               func.count().filter(c.result == "agreement").label("agreements"),
               func.count().filter(c.result == "failure").label("failures"))

    def grouped(key, name):
        q = (select(c.county_code, key.label(name), *counted).where(*where)
             .group_by(c.county_code, key).order_by(c.county_code, key))
        return [dict(row._mapping) for row in session.execute(q)]

    band = _band(c)
    mediators = (select(c.county_code, func.count(c.mediator.distinct()).label("mediators"))
                 .where(*where).group_by(c.county_code).order_by(c.county_code))
    return {"date_from": query["date_from"], "date_to": query["date_to"],
            "by_category": grouped(c.dispute_category, "dispute_category"),
            "by_amount": grouped(band, "amount_band"),
            "mediators": [dict(row._mapping) for row in session.execute(mediators)]}
