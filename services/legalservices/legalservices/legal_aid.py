"""Legal aid's rules (法律援助法 2021; 办理法律援助案件程序规定 2023) as plain functions: no
nameko, Flask or database.

An application is reviewed and decided within a time limit; missing materials are asked
for once, all together, and the time to supply them is not counted; materials not
supplied in time mean the application is deemed withdrawn. A grant is assigned to a
provider within its own limit; a refusal or a termination states its reasons and the
route to object (to the justice bureau that set up the legal-aid agency), whose review
has a limit too. The lifecycle is the table ``TRANSITIONS``; docs/rules.md cites each rule.
"""
from datetime import timedelta

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.messages import CHINESE, ENGLISH

from .domain import next_status

# action -> {status it may be taken from: status it leads to}
TRANSITIONS = {
    # the agency lists every missing material at once; the decision period stops
    "request_materials": {"received": "awaiting_materials"},
    "supply_materials": {"awaiting_materials": "received"},
    "grant": {"received": "granted"},
    "refuse": {"received": "refused"},
    "assign": {"granted": "assigned"},
    # legal aid ends early for a cause of 法律援助法 第四十八条; the aided person may object
    "terminate": {"assigned": "terminated"},
    # the applicant objects to a refusal or a termination; the justice bureau reviews it
    "object": {"refused": "objected", "terminated": "objected"},
    # the bureau orders the agency to correct its decision: legal aid is granted (after a
    # refusal) or goes on with its provider (after a termination; see plan_step)
    "uphold_objection": {"objected": "granted"},
    # the bureau maintains the decision: final here (administrative review or suit remain)
    "dismiss_objection": {"objected": "closed"},
    "close": {"assigned": "closed", "refused": "closed", "terminated": "closed"},
}
STATUSES = ("received", "awaiting_materials", "granted", "refused", "objected", "assigned",
            "terminated", "closed")
OUTCOMES = ("completed", "terminated", "refused", "withdrawn")
# the deadline running in each status: (name, column holding its due date)
RUNNING = {"received": ("decision", "decision_due_on"),
           "awaiting_materials": ("materials", "materials_due_on"),
           "granted": ("assignment", "assignment_due_on"),
           "objected": ("objection_review", "objection_due_on")}
DEADLINES = (("decision", "decision_due_on", "decision_due_rule"),
             ("materials", "materials_due_on", "materials_due_rule"),
             ("assignment", "assignment_due_on", "assignment_due_rule"),
             ("objection_review", "objection_due_on", "objection_due_rule"))
# how each deadline's rule text begins
# the stored rule texts below are what an official reads in the console: Chinese, each
# deadline named by its vocabulary label (审查决定, 补充材料, ...). Rows written before the
# texts were Chinese keep their English wording; the checks read both.
RULE_PREFIX = dict(vocabulary.LEGAL_AID_DEADLINES)
# a day to supply the materials the agency named itself (not counted again)
AGENCY_SET = "法律援助机构指定"
AGENCY_SET_MARKS = (AGENCY_SET, "as the agency set")

# the English for a caller that prefers it (NEXT_STEP); the stored route is Chinese
OBJECTION_ROUTE = ("The applicant may object to the justice bureau (司法行政部门) that set "
                   "up the legal-aid agency (法律援助法 第四十九条): by the portal with the "
                   "receipt number and secret, or in person.")
AFTER_OBJECTION = ("司法行政部门维持不予法律援助的决定；申请人可以依法申请行政复议或者提起"
                   "行政诉讼（法律援助法 第四十九条）。")
AFTER_TERMINATION_OBJECTION = ("司法行政部门维持终止法律援助的决定；受援人可以依法申请行政复议"
                               "或者提起行政诉讼（法律援助法 第四十九条）。")
WITHDRAWN = ("未在 {materials_due_on} 前补充材料，视为撤回申请（法律援助法 第四十三条）。")
NO_OBJECTION = "未提出异议。"
NOT_COUNTED = "补充材料所需时间不计入审查期限（法律援助法 第四十三条）"

OBJECTION_ROUTE_ZH = ("申请人对决定有异议的，可以向设立该法律援助机构的司法行政部门提出"
                      "（法律援助法 第四十九条）：凭受理编号和查询密码在网上提出，或者当面提出。")

# what a resident following the application is told comes next, by status and language
NEXT_STEP = {
    "received": ("法律援助机构正在审查申请，将于 {decision_due_on} 前作出决定。",
                 "The legal-aid agency reviews the application and decides by "
                 "{decision_due_on}."),
    "awaiting_materials": ("材料不齐：{missing_materials}。请于 {materials_due_on} 前补充；"
                           "补充前审查期限暂停计算。",
                           "Materials are missing: {missing_materials}. Supply them by "
                           "{materials_due_on}; until then the review waits."),
    "granted": ("已决定给予法律援助，将于 {assignment_due_on} 前指派承办人员。",
                "Legal aid is granted; a provider is assigned by {assignment_due_on}."),
    "assigned": ("承办人员（{provider}）正在办理。",
                 "A provider ({provider}) is handling the matter."),
    "refused": ("不予法律援助：{refusal_reason}。" + OBJECTION_ROUTE_ZH,
                "Legal aid was refused: {refusal_reason}. " + OBJECTION_ROUTE),
    "terminated": ("已终止法律援助：{termination_reason}。" + OBJECTION_ROUTE_ZH,
                   "Legal aid was terminated: {termination_reason}. " + OBJECTION_ROUTE),
    "objected": ("司法行政部门正在审查异议，将于 {objection_due_on} 前作出决定。",
                 "The justice bureau reviews the objection and decides by "
                 "{objection_due_on}."),
    "closed": ("已结案：{outcome}。", "Closed: {outcome}."),
}


def _check_dates(application, on, today):
    if on > today:
        raise field_error("on", "A step is recorded once it has happened, not in advance.")
    last_on = application.last_step_on or application.received_on
    if on < last_on:
        raise field_error("on", f"The application's previous step was on {last_on}; a "
                                "step cannot precede it.")


def plan_step(application, action, data, on, today, rules):
    """Check ``action`` on ``application`` taken ``on`` a date; the fields it changes.

    ``rules`` is a deadlines.LegalAidRules: ``rules[name]`` a period, ``rules.due``.
    """
    to_status = next_status(application.status, action, TRANSITIONS,
                            "A legal-aid application")
    _check_dates(application, on, today)
    changes = {"status": to_status, "last_step_on": on}
    planner = _PLANNERS.get(action)
    if planner:
        planner(application, data, on, rules, changes)
    return changes


def _request_materials(application, data, on, rules, changes):
    if getattr(application, "materials_requested_on", None):
        # 一次性告知: everything missing is asked for once, not piece by piece
        raise Conflict("Missing materials were already requested on "
                       f"{application.materials_requested_on}; they are asked for once, "
                       "all together (法律援助法 第四十三条).", {"action": ["once"]})
    supply_by = data.get("supply_by")
    if supply_by:
        if supply_by < on:
            raise field_error("supply_by", "The day to supply by cannot precede the request.")
        rule = f"{RULE_PREFIX['materials']}：{AGENCY_SET}于 {supply_by} 前补齐"
    else:
        supply_by, rule = rules.due(rules["materials"], on)
        rule = f"{RULE_PREFIX['materials']}：{rule}"
    # what is left of the period itself (its end moved past a holiday is no extra time)
    left = max(rules["decision"].length - (on - application.received_on).days, 0)
    changes.update(missing_materials=data["missing"], materials_requested_on=on,
                   materials_due_on=supply_by, materials_due_rule=rule,
                   decision_days_left=left)


def _supply_materials(application, data, on, rules, changes):
    late_but_provisional = rules.within_provisional_margin(
        application.materials_due_on, application.materials_due_rule, on)
    if on > application.materials_due_on and not late_but_provisional:
        raise Conflict(f"The materials were due by {application.materials_due_on}: the "
                       "application is deemed withdrawn (法律援助法 第四十三条).",
                       {"on": ["late"], "materials_due_on": [str(application.materials_due_on)]})
    left = application.decision_days_left or 0
    due_on = rules.calendar.next_working_day(on + timedelta(days=left))
    note = (f"；材料晚于暂定日期 {application.materials_due_on} "
            f"{(on - application.materials_due_on).days} 日补齐，先予接收，待人工审定"
            if late_but_provisional else "")
    changes.update(decision_due_on=due_on, decision_days_left=None,
                   decision_due_rule=(f"{RULE_PREFIX['decision']}："
                                      f"{application.materials_requested_on} 通知补充材料时"
                                      f"尚余 {left} 日，自 {on} 材料补齐起接续计算；"
                                      f"{NOT_COUNTED}{note}"))


def _grant(application, data, on, rules, changes):
    due_on, rule = rules.due(rules["assignment"], on)
    changes.update(decided_on=on, assignment_due_on=due_on,
                   assignment_due_rule=f"{RULE_PREFIX['assignment']}：{rule}")


def _uphold(application, data, on, rules, changes):
    changes.update(objection_decision="upheld", objection_decided_on=on)
    if getattr(application, "objection_to", None) == "termination":
        # the termination is corrected: the aid goes on with its provider
        changes.update(status="assigned", termination_reason=None, terminated_on=None)
    else:
        _grant(application, data, on, rules, changes)


def _refuse(application, data, on, rules, changes):
    changes.update(decided_on=on, refusal_reason=data["reason"],
                   objection_route=OBJECTION_ROUTE_ZH)


def _assign(application, data, on, rules, changes):
    changes.update(provider=data["provider"], provider_kind=data["provider_kind"],
                   assigned_on=on)


def _terminate(application, data, on, rules, changes):
    changes.update(termination_reason=data["reason"], terminated_on=on,
                   objection_route=OBJECTION_ROUTE_ZH)


def _object(application, data, on, rules, changes):
    due_on, rule = rules.due(rules["objection_review"], on)
    changes.update(objection_reason=data["reason"], objected_on=on,
                   objection_to="termination" if application.status == "terminated"
                   else "refusal", objection_decision=None,
                   objection_due_on=due_on,
                   objection_due_rule=f"{RULE_PREFIX['objection_review']}：{rule}")


def _dismiss(application, data, on, rules, changes):
    termination = getattr(application, "objection_to", None) == "termination"
    changes.update(objection_decision="dismissed", objection_decided_on=on,
                   outcome="terminated" if termination else "refused", closed_on=on,
                   outcome_note=data["reason"],
                   objection_route=AFTER_TERMINATION_OBJECTION if termination
                   else AFTER_OBJECTION)


def _close(application, data, on, rules, changes):
    if application.status in ("refused", "terminated"):
        outcome = "refused" if application.status == "refused" else "terminated"
        changes.update(outcome=outcome, closed_on=on,
                       outcome_note=data.get("note") or NO_OBJECTION)
        return
    if data.get("outcome") not in ("completed", "terminated"):
        raise field_error("outcome", "An aided matter closes as completed or terminated.")
    changes.update(outcome=data["outcome"], closed_on=on, outcome_note=data.get("note"))


_PLANNERS = {"request_materials": _request_materials, "supply_materials": _supply_materials,
             "grant": _grant, "uphold_objection": _uphold, "refuse": _refuse,
             "assign": _assign, "terminate": _terminate, "object": _object,
             "dismiss_objection": _dismiss, "close": _close}


def withdrawal(application, today, rules):
    """The changes that close an application whose materials did not come by their day
    (deemed withdrawn, 法律援助法 第四十三条); None while the day has not passed, or while
    only a provisional day has (the margin of ``rules`` waits for the materials)."""
    if application.status != "awaiting_materials" or application.materials_due_on >= today:
        return None
    if rules.within_provisional_margin(application.materials_due_on,
                                       application.materials_due_rule, today):
        return None
    return {"status": "closed", "outcome": "withdrawn", "closed_on": today,
            "last_step_on": today,
            "outcome_note": WITHDRAWN.format(materials_due_on=application.materials_due_on)}


def recount(application, rules):
    """The running deadline counted again on ``rules``' calendar (the working calendar
    changed): ``(deadline, was, now)`` when its date moved, else None. Its rule text is
    brought up to date either way. A day the agency set for the materials stays."""
    running = RUNNING.get(application.status)
    if running is None or getattr(application, running[1]) is None:
        return None
    deadline, column = running
    rule_column = next(rule for name, _due, rule in DEADLINES if name == deadline)
    rule = getattr(application, rule_column) or ""
    if deadline == "decision" and application.materials_requested_on:
        # counted again from the day the materials came, with what was left of the period
        # (法律援助法 第四十三条): a ``days`` period, its end moved off a rest day
        left = max(rules["decision"].length
                   - (application.materials_requested_on - application.received_on).days, 0)
        now = rules.calendar.next_working_day(application.last_step_on + timedelta(days=left))
    elif deadline == "materials" and any(mark in rule for mark in AGENCY_SET_MARKS):
        return None
    else:
        start = {"decision": application.received_on,
                 "materials": application.materials_requested_on,
                 "assignment": application.decided_on,
                 "objection_review": application.objected_on}[deadline]
        now, counted = rules.due(rules[deadline], start)
        setattr(application, rule_column, f"{RULE_PREFIX[deadline]}：{counted}")
    was = getattr(application, column)
    if now == was:
        return None
    setattr(application, column, now)
    return deadline, was, now


def overdue_deadline(application, today):
    """``(deadline, due_on)`` of the deadline running and passed by ``today``, or None.
    Materials not supplied in time are not an overdue of the agency: see ``withdrawal``."""
    running = RUNNING.get(application.status)
    if running is None or running[0] == "materials":
        return None
    due_on = getattr(application, running[1])
    return (running[0], due_on) if due_on and due_on < today else None


def application_deadlines(application):
    """Each deadline the application has had, with its rule and whether it runs now."""
    running = RUNNING.get(application.status, (None,))[0]
    return [{"deadline": name, "due_on": getattr(application, column, None),
             "rule": getattr(application, rule_column, None), "running": running == name}
            for name, column, rule_column in DEADLINES if getattr(application, column, None)]


def next_actions(status):
    """The steps an application in ``status`` may take next (POST /legal-aid/{id}/<step>)."""
    return [action for action, moves in TRANSITIONS.items() if status in moves]


def next_step(application, language=CHINESE):
    """What comes next for the application, in ``language`` (``messages.LANGUAGES``)."""
    values = {c: getattr(application, c, None) for c in (
        "decision_due_on", "assignment_due_on", "provider", "refusal_reason",
        "objection_due_on", "outcome", "missing_materials", "materials_due_on",
        "termination_reason")}
    chinese, english = NEXT_STEP[application.status]
    if language == ENGLISH:
        return english.format(**values)
    # a reason written with its own full stop is not given a second one
    said = {c: values[c].rstrip("。.") for c in ("refusal_reason", "termination_reason",
                                                 "missing_materials") if values[c]}
    outcome = vocabulary.label("legal_aid_results", values["outcome"])
    return chinese.format(**{**values, **said, "outcome": outcome})
