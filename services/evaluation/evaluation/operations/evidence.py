"""What a community reports of itself: self-assessed evidence and residents' survey answers."""
from datetime import timedelta

from sqlalchemy import func, select, update

from evaluation import domain
from evaluation.models import CommunityFact, Evidence, SurveyAnswer
from evaluation.operations.schemes import scheme_indicator
from evaluation.operations.scoring import (
    community_to_read,
    community_to_write,
    current_period,
    refresh,
    require_scheme,
    scheme_for,
    survey_counts,
)
from fazhi_common.clock import utcnow
from fazhi_common.contracts.errors import Conflict, NotFound, field_error
from fazhi_common.db import paginate


def submit_evidence(session, data, scope, today):
    community = community_to_write(session, data["community_code"], scope)
    scheme = require_scheme(session, community, data["period"], today)
    domain.check_figure(scheme_indicator(scheme, data["indicator_code"], "indicator_code"),
                        data["value"])
    evidence = Evidence(**data, submitted_by=scope.subject)
    session.add(evidence)
    session.flush()
    refresh(session, community.code, data["period"], today)
    return evidence


def list_evidence(session, query, scope):
    q = scope.in_area(select(Evidence).order_by(Evidence.id), Evidence.community_code)
    for key in ("community_code", "period", "indicator_code"):
        if query.get(key):
            q = q.where(getattr(Evidence, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


def answer_survey(session, code, data, secret, today, source=None, burst=(10, 10)):
    """One answer per resident per community and period, for the running period only.

    ``source`` is where the answer came from (the client's address, as the gateway saw
    it); more than ``burst[0]`` answers from one source within ``burst[1]`` minutes are
    flagged, all of them, and stop counting until someone looks.
    """
    community = session.get(CommunityFact, code)
    if community is None or community.status != "active":
        raise NotFound(f"No community {code} takes survey answers.")
    if data["period"] != current_period(today):
        raise field_error("period", f"Answers are taken for the running period "
                                    f"{current_period(today)} only.")
    key = domain.respondent_key(secret, code, data["period"], data["respondent_id"])
    exists = session.scalar(select(SurveyAnswer.id).where(
        SurveyAnswer.community_code == code, SurveyAnswer.period == data["period"],
        SurveyAnswer.respondent_key == key))
    if exists:
        raise Conflict("This resident has already answered for this community and period.",
                       {"respondent_id": ["already answered"]})
    answer = SurveyAnswer(community_code=code, period=data["period"], respondent_key=key,
                          satisfied=data["satisfied"], comment=data.get("comment"),
                          answered_at=utcnow(), flagged=False)
    if source:
        answer.source_key = domain.source_key(secret, code, data["period"], source)
        _flag_burst(session, answer, *burst)
    session.add(answer)
    session.flush()
    refresh(session, code, data["period"], today)
    return {"community_code": code, "period": data["period"], "accepted": True}


def _flag_burst(session, answer, maximum, minutes):
    window = (SurveyAnswer.community_code == answer.community_code,
              SurveyAnswer.period == answer.period,
              SurveyAnswer.source_key == answer.source_key,
              SurveyAnswer.answered_at >= answer.answered_at - timedelta(minutes=minutes))
    earlier = session.scalar(select(func.count()).select_from(SurveyAnswer).where(*window))
    if domain.is_burst(earlier + 1, maximum):
        answer.flagged = True
        session.execute(update(SurveyAnswer).where(*window, SurveyAnswer.flagged.is_(False))
                        .values(flagged=True).execution_options(synchronize_session=False))


def survey_summary(session, code, period, scope, today):
    community = community_to_read(session, code, scope)
    scheme = scheme_for(session, community, period, today)
    counts = survey_counts(session, code, period)
    summary = domain.survey_summary(counts["sample"], counts["satisfied"],
                                    scheme.definition["parameters"] if scheme else None,
                                    counts["flagged"])
    return {"community_code": code, "period": period, **summary}
