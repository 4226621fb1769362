"""Results stored with their whole explanation keep only its marks after the upgrade and
read exactly as before; one that does not match its scheme is kept whole and still reads;
the downgrade gives every result its whole explanation back."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from evaluation import domain
from evaluation.dependencies import install_default_schemes
from evaluation.models import Scheme
from fazhi_common.db import make_engine
from fazhi_common.migrate import downgrade, upgrade
from tests.conftest import SERVICE_DIRS

RESULT = sa.table("result", *(sa.column(c) for c in (
    "community_code", "period", "scheme_id", "stage", "score", "max_score", "pass_threshold",
    "passed", "vetoed")), sa.column("breakdown", sa.JSON),
    sa.column("computed_at", sa.DateTime(timezone=True)))
AT = datetime(2025, 4, 12, 9, 30, tzinfo=timezone.utc)
VETO = {"id": 3, "veto_item": "organised_crime", "reason": "a ruling", "origin": "officer"}


def _whole(definition, inputs, vetoes=()):
    """A breakdown as results stored it before 0007, and its outcome."""
    outcome = domain.evaluate(definition, {**inputs, "vetoes": list(vetoes)}, "framework")
    return outcome, {"categories": outcome["categories"], "indicators": outcome["indicators"],
                     "vetoes": list(vetoes), "normalisation": outcome["normalisation"]}


def _breakdowns(engine):
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(RESULT.c.community_code,
                                                 RESULT.c.breakdown)).all())


def test_stored_explanations_become_marks_and_come_back_whole(database_url):
    url = database_url("evaluation")
    downgrade(SERVICE_DIRS["evaluation"], url, "0006")
    engine = make_engine(url)
    with Session(engine) as session:
        install_default_schemes(session)
        session.commit()
        scheme = session.scalars(select_village()).one()
        scheme_id, definition = scheme.id, scheme.definition
    kinds = [ind["kind"] for _p, ind in domain.indicators_of(definition)]
    first = kinds.index("yes_no")
    code = next(ind["code"] for _p, ind in domain.indicators_of(definition)
                if ind["kind"] == "yes_no")
    empty = {"evidence": {}, "findings": {}, "facts": {},
             "satisfaction": {"sample": 0, "satisfied": 0},
             "parameters": definition["parameters"]}
    assessed = {**empty, "evidence": {code: {"value": 1.0, "note": "minutes",
                                                 "source": "自评 #1"}},
                "facts": {"has_legal_adviser": {"value": None, "applicable": False,
                                                "source": "登记：无应有事项"}}}
    whole = {"330110001201": _whole(definition, empty),
             "330110001202": _whole(definition, assessed, [VETO])}
    # indicators of another version of the scheme: cannot be matched, kept as it is
    foreign = {**whole["330110001201"][1],
               "indicators": whole["330110001201"][1]["indicators"][1:]}
    with engine.begin() as connection:
        connection.execute(RESULT.insert(), [
            {"community_code": code, "period": "2025", "scheme_id": scheme_id,
             "stage": "framework", "score": outcome["score"],
             "max_score": outcome["max_score"], "pass_threshold": outcome["pass_threshold"],
             "passed": outcome["passed"], "vetoed": outcome["vetoed"], "breakdown": stored,
             "computed_at": AT}
            for code, (outcome, stored) in [*whole.items(),
                                            ("330110001203", (whole["330110001201"][0],
                                                              foreign))]])

    upgrade(SERVICE_DIRS["evaluation"], url, "0007")
    stored = _breakdowns(engine)
    for code, (outcome, before) in whole.items():
        assert set(stored[code]) == {"marks", "vetoes"}
        assert stored[code]["marks"] == outcome["marks"]
        assert domain.decode_breakdown(definition, stored[code]) == before
    assert stored["330110001202"]["vetoes"] == [VETO]
    assert None in [mark[0] for mark in stored["330110001202"]["marks"]]  # not applicable
    assert stored["330110001202"]["marks"][first][1:] == [1.0, "自评 #1", "minutes"]
    assert stored["330110001203"] == foreign
    assert domain.decode_breakdown(definition, stored["330110001203"]) == foreign

    downgrade(SERVICE_DIRS["evaluation"], url, "0006")
    stored = _breakdowns(engine)
    assert {code: stored[code] for code in whole} == {
        code: before for code, (_o, before) in whole.items()}
    assert stored["330110001203"] == foreign
    upgrade(SERVICE_DIRS["evaluation"], url)
    engine.dispose()


def select_village():
    return sa.select(Scheme).where(Scheme.key == "default-village")
