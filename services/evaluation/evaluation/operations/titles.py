"""Titles: named jointly by the two departments of the level on a passed result,
re-examined (复核: kept, revoked or cancelled), revoked, cancelled after a reorganisation."""
from datetime import timedelta

from sqlalchemy import func, select

from evaluation import titling
from evaluation.models import CommunityFact, Result, Title, TitleChange, TitleDecision
from evaluation.operations.scoring import (
    community_to_read,
    community_to_write,
    current_period,
    vetoes_of,
)
from fazhi_common.clock import add_years
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api.titles import AWARDED_TITLES
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import get_in_area, paginate
from fazhi_common.division import COUNTY, PROVINCE, Division
from fazhi_common.outbox import record_event

# a title's history is read by people: each department by its name (司法行政部门, 民政部门);
# entries written before the history was Chinese keep their English
DEPARTMENT_NAMES = dict(vocabulary.TITLE_DEPARTMENTS)


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


def _open(title, act):
    return [d for d in title.decisions if d.act == act and not d.in_effect]


def _decide(title, act, outcome, on, reason, scope, department):
    """Record a department's decision on a joint act; True when it completes the act."""
    opened = _open(title, act)
    done = titling.joint_outcome([{"department": d.department, "outcome": d.outcome}
                                  for d in opened], department, act, outcome)
    decision = TitleDecision(act=act, outcome=outcome, department=department,
                             department_name=scope.department or department,
                             area=scope.area, decided_on=on, reason=reason,
                             actor=scope.subject, citation=titling.CITATIONS[act])
    # the decisions are the title's record of who decided what; its history shows
    # what took effect
    title.decisions.append(decision)
    if done:
        for d in [*opened, decision]:
            d.in_effect = True
    return done


def _held_levels(session, code, today):
    return {t.level for t in held_titles(session, code)
            if titling.title_current({"status": t.status, "valid_until": t.valid_until}, today)}


def award_title(session, data, scope, policy, today):
    """A department's decision to name a title: the first proposes it, the other's makes it."""
    department = titling.deciding_department(data["level"], scope.role, scope.area)
    community = community_to_write(session, data["community_code"], scope)
    if data["awarded_on"] > today:
        raise field_error("awarded_on", "A title is recorded once awarded.")
    result = session.get(Result, (community.code, data["period"]))
    failure = titling.check_award(_result_facts(result))
    if failure:
        raise Conflict(f"{community.code} did not pass {data['period']}: {failure}.",
                       {"period": [failure]})
    proposed = session.scalars(select(Title).where(
        Title.community_code == community.code, Title.title == data["title"],
        Title.level == data["level"], Title.status == "proposed")).first()
    if proposed is None:
        _check_new_title(session, community, data, policy, today)
        proposed = Title(
            community_code=community.code, title=data["title"], level=data["level"],
            period=data["period"], granting_department=scope.department or department,
            awarded_on=data["awarded_on"], re_evaluation_due_on=data["awarded_on"],
            status="proposed", history=[], decisions=[])
        session.add(proposed)
    if not _decide(proposed, "award", "award", data["awarded_on"], None, scope, department):
        session.flush()
        return proposed
    _name(proposed, [d for d in proposed.decisions if d.act == "award"], result, policy)
    session.flush()
    record_event(session, "title_awarded", {**_title_event(proposed, community),
                                            "valid_until": proposed.valid_until})
    return proposed


def _check_new_title(session, community, data, policy, today):
    """What a new proposal must meet: not already held; local policy's wait and prerequisite."""
    for held in held_titles(session, community.code):
        if held.title == data["title"] and held.level == data["level"]:
            raise Conflict(f"{community.code} already holds this title at {held.level} level.",
                           {"level": ["already held"]})
    last_revoked = session.scalar(
        select(func.max(Title.ended_on)).where(Title.community_code == community.code,
                                               Title.title == data["title"],
                                               Title.status == "revoked"))
    if last_revoked is not None and policy.reapply_wait_years:
        may_reapply = titling.reapply_date(last_revoked, policy.reapply_wait_years)
        if data["awarded_on"] < may_reapply:
            raise Conflict(f"{community.code} lost this title on {last_revoked} and may "
                           f"apply again from {may_reapply} ({policy.reapply_wait_source}).",
                           {"awarded_on": [f"before {may_reapply}: "
                                           f"{policy.reapply_wait_source}"]})
    province = Division(community.code).at(PROVINCE).prefix
    rule = titling.local_prerequisite(policy.prerequisites, province, data["level"])
    titling.check_local_prerequisite(rule, _held_levels(session, community.code, today))


def _name(title, decisions, result, policy):
    """Both departments decided: the title exists from the later decision."""
    day = max(d.decided_on for d in decisions)
    title.status, title.awarded_on = "held", day
    title.granting_department = " / ".join(d.department_name for d in decisions)[:100]
    title.re_evaluation_due_on = add_years(day, policy.re_evaluation_interval_years)
    if policy.validity_years:
        title.valid_until = add_years(day, policy.validity_years)
        title.validity_source = policy.validity_source
    title.history.append(TitleChange(
        action="awarded", on=day, actor=decisions[-1].actor,
        reason=f"{'、'.join(DEPARTMENT_NAMES.get(d.department, d.department) for d in decisions)}"
               f"命名，依据 {title.period} 年度考评得分 {result.score}"))


def get_title(session, title_id, scope):
    return get_in_area(session, Title, title_id, "title", scope)


def _held(title):
    if title.status != "held":
        raise Conflict(f"Title {title.id} is {title.status}.", {"status": [title.status]})


def _deciding(session, title_id, scope, field_on, on):
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    department = titling.deciding_department(title.level, scope.role, scope.area,
                                             field="title_id")
    _held(title)
    if on < title.awarded_on:
        raise field_error(field_on, "A decision cannot precede the award.")
    return title, department


def revoke_title(session, title_id, data, scope):
    """A department's decision to revoke (撤销); the title ends when both have decided."""
    title, department = _deciding(session, title_id, scope, "revoked_on", data["revoked_on"])
    if _decide(title, "revoke", "revoke", data["revoked_on"], data["reason"], scope,
               department):
        reasons = "; ".join(dict.fromkeys(d.reason for d in title.decisions
                                          if d.act == "revoke" and d.in_effect and d.reason))
        end_title(session, title, session.get(CommunityFact, title.community_code),
                  "revoked", data["revoked_on"], reasons, scope.subject)
    session.flush()
    return title


RE_EXAMINATION_ENDS = {"revoke": "revoked", "cancel": "cancelled"}


def re_examine_title(session, title_id, data, scope, policy):
    """Re-examination (复核): each department's outcome, kept (保留), revoked (撤销) or
    cancelled (注销) when both decided the same."""
    day = data["examined_on"]
    title, department = _deciding(session, title_id, scope, "examined_on", day)
    outcome = data["outcome"]
    if not _decide(title, "re_examine", outcome, day, data["reason"], scope, department):
        session.flush()
        return title
    if outcome in RE_EXAMINATION_ENDS:
        end_title(session, title, session.get(CommunityFact, title.community_code),
                  RE_EXAMINATION_ENDS[outcome], day, f"复核：{data['reason']}",
                  scope.subject)
        return title
    title.re_evaluation_due_on = add_years(day, policy.re_evaluation_interval_years)
    if policy.validity_years:
        title.valid_until = max(title.valid_until or day, add_years(day, policy.validity_years))
        title.validity_source = policy.validity_source
    title.re_evaluation_notified = False
    title.history.append(TitleChange(action="kept", on=day, actor=scope.subject,
                                     reason=f"复核：{data['reason']}"))
    session.flush()
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
                                         reason=f"应于 {title.re_evaluation_due_on} 复核"))
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
        title.end_reason = f"有效期至 {title.valid_until.isoformat()}，未重新命名"
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
                    reason=f"村改居：{code} 改为 {result_code}，同一单位更名，称号随之承继"))
            elif what == "await_decision":
                title.status = "pending_decision"
                title.history.append(TitleChange(
                    action="pending_decision", on=effective, actor="system",
                    reason=f"{code} 并入 {result_code}：待决定由合并后单位承继或者注销"))
            else:
                title.history.append(TitleChange(
                    action="federated", on=effective, actor="system",
                    reason=f"{code} 与 {result_code} 联建：保留称号，另有决定承继或者注销的除外"))
    session.flush()


def decide_on_reorganised_title(session, title_id, data, scope):
    """Transfer a reorganised village's title to the unit it became part of, or cancel it."""
    actor = scope.subject
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    titling.deciding_department(title.level, scope.role, scope.area, field="title_id")
    if title.reorganised_into is None or title.status not in ("held", "pending_decision"):
        raise Conflict(f"Title {title.id} ({title.status}) awaits no reorganisation decision.",
                       {"title_id": ["no reorganisation to decide on"]})
    if data["decided_on"] < title.awarded_on:
        raise field_error("decided_on", "A decision cannot precede the award.")
    if data["decision"] == "cancel":
        end_title(session, title, session.get(CommunityFact, title.community_code),
                  "cancelled", data["decided_on"],
                  f"已调整并入 {title.reorganised_into}：{data['reason']}", actor)
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
        reason=f"由 {origin} 转至 {target.code}：{data['reason']}"))
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
