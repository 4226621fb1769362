"""Titles: awarded on a passed result, re-evaluated (复评), revoked, cancelled."""
from datetime import timedelta

from sqlalchemy import func, select

from evaluation import titling
from evaluation.models import CommunityFact, Result, Title, TitleChange
from evaluation.operations.scoring import (
    community_to_read,
    community_to_write,
    current_period,
    vetoes_of,
)
from fazhi_common.clock import add_years
from fazhi_common.contracts.api.evaluation import AWARDED_TITLES
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import get_in_area, paginate
from fazhi_common.division import COUNTY, Division
from fazhi_common.outbox import record_event


def held_titles(session, code):
    return session.scalars(select(Title).where(Title.community_code == code,
                                               Title.status == "held")).all()


def _title_event(title, community):
    return {**area_of(community.code), "period": title.period, "title_id": title.id,
            "title": title.title, "level": title.level,
            "granting_department": title.granting_department}


def end_title(session, title, community, status, on, reason, actor):
    title.status, title.ended_on, title.end_reason = status, on, reason
    title.history.append(TitleChange(action=status, on=on, reason=reason, actor=actor))
    record_event(session, "title_revoked", {**_title_event(title, community),
                                            "reason": f"{status}: {reason}"})


def _result_facts(result):
    if result is None:
        return None
    return {"score": result.score, "passed": result.passed, "vetoed": result.vetoed,
            "stage": result.stage, "pass_threshold": result.pass_threshold}


def award_title(session, data, scope, policy, today):
    community = community_to_write(session, data["community_code"], scope)
    if data["awarded_on"] > today:
        raise field_error("awarded_on", "A title is recorded once awarded.")
    result = session.get(Result, (community.code, data["period"]))
    failure = titling.check_award(_result_facts(result))
    if failure:
        raise Conflict(f"{community.code} did not pass {data['period']}: {failure}.",
                       {"period": [failure]})
    for held in held_titles(session, community.code):
        if held.title == data["title"] and held.level == data["level"]:
            raise Conflict(f"{community.code} already holds this title at {held.level} level.",
                           {"level": ["already held"]})
    titling.check_granting_level(data["level"], scope.area)
    last_revoked = session.scalar(
        select(func.max(Title.ended_on)).where(Title.community_code == community.code,
                                               Title.title == data["title"],
                                               Title.status == "revoked"))
    if last_revoked is not None:
        may_reapply = titling.reapply_date(last_revoked, policy.reapply_wait_years)
        if data["awarded_on"] < may_reapply:
            raise Conflict(f"{community.code} lost this title on {last_revoked} and may "
                           f"apply again from {may_reapply}.", {"awarded_on": [
                               f"before {may_reapply}, when a revoked community may re-apply"]})
    title = Title(
        community_code=community.code, title=data["title"], level=data["level"],
        period=data["period"],
        granting_department=(data.get("granting_department") or scope.department
                             or data["level"]),
        awarded_on=data["awarded_on"],
        valid_until=add_years(data["awarded_on"], policy.validity_years),
        re_evaluation_due_on=add_years(data["awarded_on"],
                                       policy.re_evaluation_interval_years),
        status="held",
        history=[TitleChange(action="awarded", on=data["awarded_on"], actor=scope.subject,
                             reason=f"passed {data['period']} with {result.score}")])
    session.add(title)
    session.flush()
    record_event(session, "title_awarded", {**_title_event(title, community),
                                            "valid_until": title.valid_until})
    return title


def get_title(session, title_id, scope):
    return get_in_area(session, Title, title_id, "title", scope)


def _held(title):
    if title.status != "held":
        raise Conflict(f"Title {title.id} is {title.status}.", {"status": [title.status]})


def revoke_title(session, title_id, data, scope):
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    titling.check_authority(title.level, scope.area, act="revokes", field="title_id")
    _held(title)
    if data["revoked_on"] < title.awarded_on:
        raise field_error("revoked_on", "A revocation cannot precede the award.")
    end_title(session, title, session.get(CommunityFact, title.community_code), "revoked",
               data["revoked_on"], data["reason"], scope.subject)
    return title


def re_evaluate_title(session, title_id, data, scope, policy):
    """Re-evaluation (复评): keep the title on a passed result, revoke it otherwise."""
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    titling.check_authority(title.level, scope.area, act="re-evaluates", field="title_id")
    _held(title)
    if data["evaluated_on"] < title.awarded_on:
        raise field_error("evaluated_on", "A re-evaluation cannot precede the award.")
    result = session.get(Result, (title.community_code, data["period"]))
    failure = titling.check_award(_result_facts(result))
    community = session.get(CommunityFact, title.community_code)
    if failure:
        end_title(session, title, community, "revoked", data["evaluated_on"],
                   f"failed re-evaluation for {data['period']}: {failure}", scope.subject)
        return title
    day = data["evaluated_on"]
    title.re_evaluation_due_on = add_years(day, policy.re_evaluation_interval_years)
    title.valid_until = max(title.valid_until, add_years(day, policy.validity_years))
    title.re_evaluation_notified = False
    title.history.append(TitleChange(action="kept", on=day, actor=scope.subject,
                                     reason=f"passed {data['period']} with {result.score}"))
    return title


def announce_due_re_evaluations(session, today, notice_days):
    """Titles whose re-evaluation falls due within the notice: announce each once."""
    horizon = today + timedelta(days=notice_days)
    due = session.scalars(select(Title).where(
        Title.status == "held", Title.re_evaluation_notified.is_(False),
        Title.re_evaluation_due_on <= horizon).order_by(Title.id)).all()
    for title in due:
        title.re_evaluation_notified = True
        title.history.append(TitleChange(action="re_evaluation_due", on=today, actor="system",
                                         reason=f"due on {title.re_evaluation_due_on}"))
        community = session.get(CommunityFact, title.community_code)
        record_event(session, "re_evaluation_due", {
            **area_of(community.code), "period": title.period, "title_id": title.id,
            "title": title.title, "level": title.level, "due_on": title.re_evaluation_due_on})
    return [t.id for t in due]


def expire_titles(session, today, batch_size):
    """One batch of held titles whose validity ran out: expired, so no count holds them."""
    due = session.scalars(select(Title).where(Title.status == "held",
                                              Title.valid_until < today)
                          .order_by(Title.valid_until, Title.id).limit(batch_size)
                          .with_for_update(skip_locked=True)).all()
    for title in due:
        title.status, title.ended_on = "expired", title.valid_until
        title.end_reason = f"valid until {title.valid_until.isoformat()}, not renewed"
        title.history.append(TitleChange(action="expired", on=today, actor="system",
                                         reason=title.end_reason))
    session.flush()
    return [t.id for t in due]


# -- reorganisation: convert carries titles, merge waits for a decision ----------------------

def on_reorganisation(session, data, effective):
    """What a convert, merge or federation does to the titles of the villages involved."""
    kind, result_code = data["reorganisation_kind"], data["community_code"]
    what = titling.TITLES_ON_REORGANISATION[kind]
    for code in data["source_codes"]:
        for title in held_titles(session, code):
            title.reorganised_into = result_code
            if what == "carry":
                title.community_code = result_code
                title.history.append(TitleChange(
                    action="carried", on=effective, actor="system",
                    reason=f"convert: {code} became {result_code}, the same unit renamed"))
            elif what == "await_decision":
                title.status = "pending_decision"
                title.history.append(TitleChange(
                    action="pending_decision", on=effective, actor="system",
                    reason=f"merge of {code} into {result_code}: transfer or cancel by "
                           "decision"))
            else:
                title.history.append(TitleChange(
                    action="federated", on=effective, actor="system",
                    reason=f"{code} federated under {result_code}; it keeps its title "
                           "unless a decision transfers or cancels it"))
    session.flush()


def decide_on_reorganised_title(session, title_id, data, scope):
    """Transfer a reorganised village's title to the unit it became part of, or cancel it."""
    actor = scope.subject
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    titling.check_authority(title.level, scope.area, act="decides on", field="title_id")
    if title.reorganised_into is None or title.status not in ("held", "pending_decision"):
        raise Conflict(f"Title {title.id} ({title.status}) awaits no reorganisation decision.",
                       {"title_id": ["no reorganisation to decide on"]})
    if data["decided_on"] < title.awarded_on:
        raise field_error("decided_on", "A decision cannot precede the award.")
    if data["decision"] == "cancel":
        end_title(session, title, session.get(CommunityFact, title.community_code),
                  "cancelled", data["decided_on"],
                  f"reorganised into {title.reorganised_into}: {data['reason']}", actor)
        return title
    target = community_to_write(session, title.reorganised_into, scope, field="title_id")
    for held in held_titles(session, target.code):
        if held.title == title.title and held.level == title.level:
            raise Conflict(f"{target.code} already holds this title at {held.level} level; "
                           "cancel this one instead.", {"decision": ["already held there"]})
    origin = title.community_code
    title.community_code, title.status = target.code, "held"
    title.history.append(TitleChange(
        action="transferred", on=data["decided_on"], actor=actor,
        reason=f"from {origin} to {target.code}: {data['reason']}"))
    session.flush()
    return title


def list_titles(session, query, scope):
    q = scope.in_area(select(Title).order_by(Title.id), Title.community_code)
    for key in ("community_code", "status", "level"):
        if query.get(key):
            q = q.where(getattr(Title, key) == query[key])
    if query.get("county_code"):
        county = Division(query["county_code"]).widened_to(COUNTY)
        q = q.where(Title.community_code.startswith(county.prefix))
    return paginate(session, q, query["page"], query["per_page"])


def _title_facts(title):
    return {"id": title.id, "status": title.status, "valid_until": title.valid_until,
            "end_reason": title.end_reason}


def prerequisite(session, code, wanted, scope, today):
    community_to_read(session, code, scope)
    titles = session.scalars(select(Title).where(
        Title.community_code == code, Title.title == AWARDED_TITLES[0]).order_by(Title.id))
    vetoed = vetoes_of(session, code, current_period(today))
    eligible, reasons, qualifying = titling.prerequisite(
        [_title_facts(t) for t in titles], bool(vetoed), today)
    return {"community_code": code, "title": wanted, "eligible": eligible,
            "reasons": reasons, "qualifying_title_id": qualifying}
