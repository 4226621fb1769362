"""Community corrections' rules as plain functions: no nameko, Flask or database.

A person's file follows ``TRANSITIONS`` (a rule as data) and ``plan_step`` checks one step
against it and the law's time limits. Also: leave requests (who may approve, how far ahead),
penalties and their grounds, who sees personal data unmasked, and masking. The law and
article behind each rule are in docs/rules.md ("社区矫正与安置帮教").
"""
from dataclasses import dataclass
from datetime import date, timedelta

from fazhi_common.contracts.errors import Conflict, Forbidden, ValidationFailed, field_error
from fazhi_common.division import COUNTY, LEVELS, TOWN

# kinds of person: under community correction, or released and in resettlement help
CORRECTION, RESETTLEMENT = "correction", "resettlement"

# action -> {status it may be taken from: status it leads to}
TRANSITIONS = {
    # 报到 (社区矫正法 第二十一条、第二十二条): reception, file opened
    "report_in": {"awaiting_report": "under_correction"},
    # 脱管: lost from supervision (社区矫正法 第三十条: look for the person at once)
    "lose_contact": {"under_correction": "lost_contact"},
    "regain_contact": {"lost_contact": "under_correction"},
    # records that leave the status as it is
    "make_plan": {"under_correction": "under_correction"},
    "record_report": {"under_correction": "under_correction"},
    "record_visit": {"under_correction": "under_correction",
                     "in_resettlement": "in_resettlement"},
    "record_assessment": {"under_correction": "under_correction"},
    "reward": {"under_correction": "under_correction"},
    "penalise": {"under_correction": "under_correction", "lost_contact": "lost_contact"},
    "assign_officer": {"awaiting_report": "awaiting_report",
                       "under_correction": "under_correction", "lost_contact": "lost_contact",
                       "in_resettlement": "in_resettlement"},
    # 解除 (第四十四条): the term served
    "release": {"under_correction": "released"},
    # 终止 (第四十五条): probation or parole revoked, committed to prison, or death
    "terminate": {"awaiting_report": "terminated", "under_correction": "terminated",
                  "lost_contact": "terminated"},
    # 安置帮教 ends after five years, or earlier (a new offence, death, moved away)
    "end_help": {"in_resettlement": "help_ended"},
}
FINAL_STATUSES = frozenset({"released", "terminated", "help_ended"})
# statuses a person is counted as under supervision in
SUPERVISED = frozenset({"under_correction", "lost_contact"})

@dataclass(frozen=True)
class Rules:
    """The time limits and thresholds, from config.yml (``CORRECTIONS_RULES``)."""

    report_days: int = 10            # 社区矫正法 第二十一条
    reprimand_late_days: int = 10    # 实施办法 第三十五条 / 第三十六条
    revocation_late_days: int = 30   # 实施办法 第四十六条: more than a month
    leave_notice_days: int = 3       # 实施办法 第二十七条: normally three days ahead
    town_leave_days: int = 7         # 实施办法 第二十七条
    county_leave_days: int = 30      # 实施办法 第二十七条
    leave_window_days: int = 61      # "two months" for the cumulative 30 days
    warnings_for_revocation: int = 2  # 实施办法 第四十六条(四)
    resettlement_years: int = 5      # 安置帮教: five years after release

    @classmethod
    def from_config(cls, config):
        raw = config["CORRECTIONS_RULES"]
        return cls(**{name: int(value) for name, value in raw.items()})


def next_status(status, action):
    if action not in TRANSITIONS:
        raise field_error("action", f"Unknown action {action!r}.")
    allowed = TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(f"此人当前状态为 {status}，不能执行 {action}；仅可从以下状态执行："
                       f"{', '.join(sorted(allowed))}。",
                       {"status": [status], "allowed_from": sorted(allowed)})
    return allowed[status]


def next_actions(status):
    return [action for action, allowed in TRANSITIONS.items() if status in allowed]


def report_due(decided_on, rules, calendar):
    """``(due date, rule)``: report within 10 days of the judgement taking effect; a last day
    on a rest day moves to the next working day (民法典 第二百零三条)."""
    due = calendar.next_working_day(decided_on + timedelta(days=rules.report_days))
    unknown = calendar.provisional_between(decided_on, due)
    return due, (f"社区矫正法 第二十一条：自 {decided_on} 起 {rules.report_days} 日内报到"
                 f"（期满日遇节假日顺延）{calendar.provisional_note(unknown) if unknown else ''}")


def help_ends(released_on, rules):
    """安置帮教 runs five years from release."""
    try:
        return released_on.replace(year=released_on.year + rules.resettlement_years)
    except ValueError:  # 29 February
        return date(released_on.year + rules.resettlement_years, 3, 1)


def late_report_penalty(days_late, correction_type, rules):
    """What a late report calls for (实施办法 第三十五、三十六、四十六条)."""
    if days_late <= 0:
        return None
    if days_late > rules.revocation_late_days and correction_type in ("probation", "parole"):
        return "revocation_proposal"
    return "reprimand" if days_late <= rules.reprimand_late_days else "warning"


def plan_step(person, action, data, on, today, rules, warnings=0):
    """Check ``action`` on ``person`` taken ``on`` a date; return the fields it changes.

    ``person`` is anything with the file's attributes; ``warnings`` how many warnings the
    person has had (a revocation proposal on that ground needs two).
    """
    to_status = next_status(person.status, action)
    if on > today:
        raise field_error("on", "步骤发生后才能登记，不能预先登记。")
    start = person.reported_on or person.decided_on
    if on < person.decided_on:
        raise field_error("on", f"不能早于判决、裁定或决定生效日 {person.decided_on}。")
    changes = {"status": to_status}
    if action == "report_in":
        days_late = (on - person.report_due_on).days
        if days_late > 0 and not data.get("late_reason"):
            raise ValidationFailed(
                f"报到期限已于 {person.report_due_on} 届满（{person.report_due_rule}）；"
                f"逾期 {days_late} 日报到须说明原因。",
                {"late_reason": [f"报到期限 {person.report_due_on} 已过"]})
        changes.update(reported_on=on, days_late=max(days_late, 0),
                       suggested_penalty=late_report_penalty(days_late,
                                                             person.correction_type, rules))
    elif action == "release":
        if person.term_ends_on and on < person.term_ends_on:
            raise Conflict(f"矫正期至 {person.term_ends_on} 届满，届满前不能解除"
                           "（社区矫正法 第四十四条）。",
                           {"on": [f"before {person.term_ends_on}"]})
        changes.update(ended_on=on, end_reason="term_served")
    elif action == "terminate":
        reason = data["reason"]
        expected = {"probation_revoked": "probation", "parole_revoked": "parole"}.get(reason)
        if expected and person.correction_type != expected:
            raise field_error("reason", f"{reason} 只适用于 {expected} 类社区矫正对象。")
        changes.update(ended_on=on, end_reason=reason,
                       reoffended=bool(data.get("new_offence")))
    elif action == "end_help":
        reason = data["reason"]
        if reason == "completed" and on < person.help_ends_on:
            raise Conflict(f"安置帮教期至 {person.help_ends_on} 届满。",
                           {"on": [f"before {person.help_ends_on}"]})
        changes.update(ended_on=on, end_reason=reason, reoffended=reason == "reoffended")
    elif action == "penalise":
        check_penalty(person, data, warnings, rules)
    elif action == "assign_officer":
        changes.update(officer=data["officer"])
    if start and on < start and action not in ("report_in",):
        raise field_error("on", f"不能早于报到日 {start}。")
    return changes


def check_penalty(person, data, warnings, rules):
    kind = data["kind"]
    if kind == "revocation_proposal":
        if person.correction_type not in ("probation", "parole"):
            raise field_error("kind", "提请撤销缓刑、假释只适用于缓刑、假释对象；暂予监外执行"
                                      "的提请收监执行（实施办法 第四十六、四十七、四十九条）。")
        if data.get("ground") == "two_warnings" and warnings < rules.warnings_for_revocation:
            raise Conflict(f"此人受到警告 {warnings} 次；以“两次警告仍不改正”为由提请撤销须"
                           f"先有 {rules.warnings_for_revocation} 次警告（实施办法 第四十六条）。",
                           {"ground": ["not enough warnings"]})
    if kind == "committal_proposal" and person.correction_type != "temporary_outside":
        raise field_error("kind", "提请收监执行只适用于暂予监外执行对象（实施办法 第四十九条）。")


# -- leave (外出请假) ---------------------------------------------------------------------

def leave_days(leaves_on, returns_on):
    return (returns_on - leaves_on).days + 1


def plan_leave(data, today, rules, recent_days=0):
    """Check a leave request; answer its length and the level that approves it.

    ``recent_days``: days of leave already approved within the preceding two months.
    """
    leaves_on, returns_on = data["leaves_on"], data["returns_on"]
    if returns_on < leaves_on:
        raise field_error("returns_on", "返回日期不能早于外出日期。")
    applied_on = data.get("applied_on") or today
    if applied_on > today:
        raise field_error("applied_on", "申请日期不能晚于今天。")
    notice = (leaves_on - applied_on).days
    if notice < rules.leave_notice_days and not data.get("urgent_reason"):
        raise ValidationFailed(
            f"外出一般应当提前 {rules.leave_notice_days} 日申请（实施办法 第二十七条）；"
            f"此申请仅提前 {max(notice, 0)} 日，紧急情况须说明原因。",
            {"leaves_on": [f"less than {rules.leave_notice_days} days' notice"]})
    days = leave_days(leaves_on, returns_on)
    if days <= rules.town_leave_days:
        level = "town"
    elif days <= rules.county_leave_days and days + recent_days <= rules.county_leave_days:
        level = "county"
    else:
        level = "higher"
    return {"days": days, "approval_level": level, "applied_on": applied_on}


def may_approve_leave(level, area):
    """Whether an officer of ``area`` (a Division; None: platform-wide) may decide a leave
    of ``level``: a town justice office up to 7 days (on the county office's commission),
    the county office up to 30, the office above it beyond."""
    if area is None:
        return True
    needed = {"town": TOWN, "county": COUNTY}.get(level)
    depth = LEVELS.index(area.level)
    if needed is None:  # higher: above the county
        return depth < LEVELS.index(COUNTY) and not area.stands_as_county
    return depth <= LEVELS.index(needed) or (needed == COUNTY and area.stands_as_county)


def require_leave_approver(level, area):
    if not may_approve_leave(level, area):
        raise Forbidden(f"{level} 级外出审批不由本级作出（实施办法 第二十七条）。",
                        {"approval_level": [level]})


# -- who sees personal data ---------------------------------------------------------------

def may_see_person(role, subject, covers, officer, leaders):
    """Unmasked only for the person's own correction officer and the office's leaders
    (both justice officers whose area holds the person). Everyone else, the platform
    administrator too, sees the file masked; other roles do not see files at all."""
    return role == "justice_officer" and covers and (subject == officer or subject in leaders)






HIDDEN = "***"
