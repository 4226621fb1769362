"""A case's deadlines as data: which run in which status, which are overdue, their
citations, and the medical rule that ends a mediation past its period. Plain functions."""
from datetime import timedelta

from mediation.deadlines import UNIT_WORDS, provisional_rule

# statuses in which each deadline runs
ACCEPTANCE_RUNNING = frozenset({"received"})
MEDIATION_RUNNING = frozenset({"accepted", "mediating"})
# only for an agreement whose parties said they will apply for judicial confirmation
CONFIRMATION_RUNNING = frozenset({"agreement"})
COURT_DECISION_RUNNING = frozenset({"confirmation_requested"})


def _segment(start, period):
    """How a deadline was counted, kept so that a calendar change can count it again."""
    return {"from": start.isoformat(), "length": period.length, "unit": period.unit}


# deadline -> (its due-date column, its rule column, the statuses in which it runs)
DEADLINES = {
    "acceptance": ("acceptance_due_on", "acceptance_due_rule", ACCEPTANCE_RUNNING),
    "mediation": ("mediation_due_on", "mediation_due_rule", MEDIATION_RUNNING),
    "judicial_confirmation": ("confirmation_due_on", "confirmation_due_rule",
                              CONFIRMATION_RUNNING),
    "court_decision": ("court_decision_due_on", "court_decision_due_rule",
                       COURT_DECISION_RUNNING),
}


def running(case, deadline):
    if case.status not in DEADLINES[deadline][2]:
        return False
    # the confirmation window is watched only when the parties said they will apply
    return deadline != "judicial_confirmation" or bool(case.confirmation_intended)


def overdue_deadlines(case, today):
    """``(deadline, due_on)`` pairs of ``case`` that have passed by ``today``."""
    found = []
    for deadline, (due_column, _rule, _statuses) in DEADLINES.items():
        due_on = getattr(case, due_column, None)
        if due_on and due_on < today and running(case, deadline):
            found.append((deadline, due_on))
    return found


def citation(deadline, case, deadlines):
    """The law and article behind one of a case's deadlines."""
    if deadlines is None:
        return None
    period = {"acceptance": deadlines.acceptance,
              "judicial_confirmation": deadlines.confirmation,
              "court_decision": deadlines.court_decision}.get(deadline)
    return (period or deadlines.rules_for(case).period).citation or None


def _remaining_unit(case, deadlines):
    """What a paused period has left is counted in working days or in calendar days."""
    working = deadlines is not None and deadlines.rules_for(case).period.unit == "working_days"
    return UNIT_WORDS["working_days" if working else "days"]


def case_deadlines(case, deadlines=None):
    """The deadlines a case has had, each with the rule that produced it, its citation,
    whether it is running now and whether its date is provisional (and why)."""
    found = []
    for deadline, (due_column, rule_column, _statuses) in DEADLINES.items():
        due_on = getattr(case, due_column, None)
        paused = deadline == "mediation" and getattr(case, "paused_on", None)
        if not (due_on or paused):
            continue
        rule = getattr(case, rule_column) or ""
        if paused:
            rule += (f"；自 {case.paused_on} 起中止计时，尚余 {case.paused_remaining} "
                     f"{_remaining_unit(case, deadlines)}")
        found.append({"deadline": deadline, "due_on": due_on, "rule": rule,
                      "citation": citation(deadline, case, deadlines),
                      "provisional": provisional_rule(rule),
                      "running": running(case, deadline) if deadline != "mediation"
                      else case.status in MEDIATION_RUNNING})
    return found


def deemed_not_settled(case, rules, due_on, today):
    """Past a medical period the mediation is deemed not settled (第三十八条): the changes
    that end it, or None when the rule does not apply (or only a provisional date says so,
    which an officer decides instead)."""
    if not rules.deemed_failure or case.status not in MEDIATION_RUNNING or due_on >= today:
        return None
    if provisional_rule(case.mediation_due_rule):
        return {"officer_review": f"调解期限于 {due_on} 届满，但该日期为暂定日期：请审定是否"
                                  f"视为调解不成（{rules.period.citation}）"}
    concluded = due_on + timedelta(days=1)
    return {"status": "failure", "result": "failure", "concluded_on": concluded,
            "duration_days": (concluded - case.received_on).days,
            "failure_reason": f"视为调解不成：调解期限于 {due_on} 届满（{rules.period.citation}）"}
