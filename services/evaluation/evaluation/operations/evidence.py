"""What a community reports of itself: self-assessed evidence and residents' survey answers."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from evaluation import domain, senders
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


CODE_MINUTES = 15  # how long a one-time code holds
MAX_ATTEMPTS = 5  # wrong codes before the answer must be given again
# residents' answers one phone confirms per community and period: made-up ID numbers
# confirmed by the one phone would otherwise count as many residents (a household sharing
# a phone gives its other answers on paper, through the community's officials)
ANSWERS_PER_PHONE = 1


def _phone_used(session, code, period, phone_key, but=None):
    """Whether answers already confirmed by this phone fill its allowance."""
    q = select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.community_code == code, SurveyAnswer.period == period,
        SurveyAnswer.phone_key == phone_key, SurveyAnswer.verified_at.is_not(None))
    if but is not None:
        q = q.where(SurveyAnswer.id != but)
    return session.scalar(q) >= ANSWERS_PER_PHONE


def _refuse_used_phone():
    raise Conflict("This phone has already confirmed an answer for this community and "
                   "period; other residents sharing it answer on paper.",
                   {"phone": ["already confirmed an answer"]})


def answer_survey(session, code, data, secret, today, source=None, burst=(10, 10),
                  send=senders.log_sender):
    """One answer per resident per community and period, for the running period only;
    it counts once the one-time code sent to ``data["phone"]`` comes back
    (``verify_survey_answer``): a made-up ID number alone no longer sets a score.

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
    phone = domain.phone_key(secret, code, data["period"], data["phone"])
    if _phone_used(session, code, data["period"], phone):
        _refuse_used_phone()
    one_time = f"{secrets.randbelow(10 ** 6):06d}"
    answer = SurveyAnswer(community_code=code, period=data["period"], respondent_key=key,
                          phone_key=phone,
                          satisfied=data["satisfied"], comment=data.get("comment"),
                          answered_at=utcnow(), flagged=False, channel="portal",
                          receipt=secrets.token_urlsafe(16)[:22], attempts=0,
                          code_expires_at=utcnow() + timedelta(minutes=CODE_MINUTES))
    answer.code_hash = _code_hash(secret, answer.receipt, one_time)
    if source:
        answer.source_key = domain.source_key(secret, code, data["period"], source)
        _flag_burst(session, answer, *burst)
    session.add(answer)
    session.flush()
    send(data["phone"], f"您对社区满意度评价的验证码：{one_time}，{CODE_MINUTES}分钟内有效。",
         one_time)
    return {"community_code": code, "period": data["period"], "accepted": True,
            "verified": False, "receipt": answer.receipt,
            "code_sent_to": senders.masked(data["phone"])}


def _code_hash(secret, receipt, code):
    return hmac.new(secret.encode(), f"{receipt}:{code}".encode(), hashlib.sha256).hexdigest()


def verify_survey_answer(session, code, data, secret, today):
    """The code sent to the resident's phone comes back: the answer counts from now on."""
    answer = session.scalar(select(SurveyAnswer).where(
        SurveyAnswer.receipt == data["receipt"], SurveyAnswer.community_code == code))
    if answer is None:
        raise NotFound("No answer with this receipt is waiting for its code.")
    if answer.verified_at is not None:
        return _receipt(answer)
    if answer.attempts >= MAX_ATTEMPTS or answer.code_expires_at < utcnow():
        raise field_error("code", "The code has expired; answer again for a new one.",
                          Conflict)
    answer.attempts += 1
    if not hmac.compare_digest(answer.code_hash, _code_hash(secret, answer.receipt,
                                                            data["code"])):
        raise field_error("code", "The code does not match.")
    # two answers waiting on one phone: the first confirmed takes its allowance
    if answer.phone_key and _phone_used(session, code, answer.period, answer.phone_key,
                                        but=answer.id):
        _refuse_used_phone()
    answer.verified_at, answer.code_hash = utcnow(), None
    session.flush()
    refresh(session, code, answer.period, today)
    return _receipt(answer)


def _receipt(answer):
    return {"community_code": answer.community_code, "period": answer.period,
            "accepted": True, "verified": answer.verified_at is not None,
            "receipt": answer.receipt, "code_sent_to": None}


def record_paper_answer(session, code, data, secret, scope, today):
    """An answer on paper, entered by an official of the community's area: verified by the
    official who entered it (and who is named)."""
    community = community_to_read(session, code, scope)  # another area's: 404
    if community.status != "active":
        raise NotFound(f"No community {code} takes survey answers.")
    key = domain.respondent_key(secret, code, data["period"], data["respondent_id"])
    if session.scalar(select(SurveyAnswer.id).where(
            SurveyAnswer.community_code == code, SurveyAnswer.period == data["period"],
            SurveyAnswer.respondent_key == key)):
        raise Conflict("This resident has already answered for this community and period.",
                       {"respondent_id": ["already answered"]})
    answer = SurveyAnswer(community_code=code, period=data["period"], respondent_key=key,
                          satisfied=data["satisfied"], comment=data.get("comment"),
                          answered_at=utcnow(), flagged=False, channel="paper",
                          verified_at=utcnow(), entered_by=scope.subject, attempts=0)
    session.add(answer)
    session.flush()
    refresh(session, code, data["period"], today)
    return _receipt(answer)


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
    by_channel = dict(session.execute(
        select(SurveyAnswer.channel, func.count())
        .where(SurveyAnswer.community_code == code, SurveyAnswer.period == period,
               SurveyAnswer.verified_at.is_not(None), SurveyAnswer.flagged.is_(False))
        .group_by(SurveyAnswer.channel)).all())
    unverified = session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.community_code == code, SurveyAnswer.period == period,
        SurveyAnswer.verified_at.is_(None)))
    return {"community_code": code, "period": period, **summary, "unverified": unverified,
            "by_channel": {"portal": by_channel.get("portal", 0),
                           "paper": by_channel.get("paper", 0)}}
