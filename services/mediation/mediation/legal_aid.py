"""Legal aid's rules (法律援助法 2021) as plain functions: no nameko, Flask or database.

An application is reviewed and decided within a time limit; a grant is assigned to a
provider within its own limit; a refusal states its reasons and the route to object
(to the justice bureau that set up the legal-aid agency), whose review has a limit too;
an aided matter is closed with its outcome. The lifecycle is the table ``TRANSITIONS``.
"""
from fazhi_common.contracts.errors import field_error

from .domain import next_status

# action -> {status it may be taken from: status it leads to}
TRANSITIONS = {
    "grant": {"received": "granted"},
    "refuse": {"received": "refused"},
    "assign": {"granted": "assigned"},
    # the applicant objects to a refusal; the justice bureau reviews it
    "object": {"refused": "objected"},
    # the bureau orders the agency to correct its decision: legal aid is granted
    "uphold_objection": {"objected": "granted"},
    # the bureau maintains the refusal: final here (administrative review or suit remain)
    "dismiss_objection": {"objected": "closed"},
    "close": {"assigned": "closed", "refused": "closed"},
}
STATUSES = ("received", "granted", "refused", "objected", "assigned", "closed")
OUTCOMES = ("completed", "terminated", "refused")
# the deadline running in each status: (name, column holding its due date)
RUNNING = {"received": ("decision", "decision_due_on"),
           "granted": ("assignment", "assignment_due_on"),
           "objected": ("objection_review", "objection_due_on")}

OBJECTION_ROUTE = ("The applicant may object to the justice bureau (司法行政部门) that set "
                   "up the legal-aid agency (法律援助法 第四十九条): by the portal with the "
                   "receipt number and secret, or in person.")
AFTER_OBJECTION = ("The justice bureau maintained the refusal; the applicant may apply for "
                   "administrative review or sue (法律援助法 第四十九条).")

# what a resident following the application is told comes next
NEXT_STEP = {
    "received": "The legal-aid agency reviews the application and decides by {decision_due_on}.",
    "granted": "Legal aid is granted; a provider is assigned by {assignment_due_on}.",
    "assigned": "A provider ({provider}) is handling the matter.",
    "refused": "Legal aid was refused: {refusal_reason}. " + OBJECTION_ROUTE,
    "objected": "The justice bureau reviews the objection and decides by "
                "{objection_due_on}.",
    "closed": "Closed: {outcome}.",
}


def plan_step(application, action, data, on, today, rules):
    """Check ``action`` on ``application`` taken ``on`` a date; the fields it changes.

    ``rules`` maps decision / assignment / objection_review to a deadlines.Period and
    ``rules["due"](period, start)`` gives ``(due date, rule text)``.
    """
    to_status = next_status(application.status, action, TRANSITIONS,
                            "A legal-aid application")
    if on > today:
        raise field_error("on", "A step is recorded once it has happened, not in advance.")
    last_on = application.last_step_on or application.received_on
    if on < last_on:
        raise field_error("on", f"The application's previous step was on {last_on}; a "
                                "step cannot precede it.")
    due = rules["due"]
    changes = {"status": to_status, "last_step_on": on}
    if action in ("grant", "uphold_objection"):
        due_on, rule = due(rules["assignment"], on)
        changes.update(decided_on=on, assignment_due_on=due_on,
                       assignment_due_rule=f"assignment: {rule}")
        if action == "uphold_objection":
            changes.update(objection_decision="upheld", objection_decided_on=on)
    elif action == "refuse":
        changes.update(decided_on=on, refusal_reason=data["reason"],
                       objection_route=OBJECTION_ROUTE)
    elif action == "assign":
        changes.update(provider=data["provider"], provider_kind=data["provider_kind"],
                       assigned_on=on)
    elif action == "object":
        due_on, rule = due(rules["objection_review"], on)
        changes.update(objection_reason=data["reason"], objected_on=on,
                       objection_due_on=due_on,
                       objection_due_rule=f"review of the objection: {rule}")
    elif action == "dismiss_objection":
        changes.update(objection_decision="dismissed", objection_decided_on=on,
                       outcome="refused", closed_on=on, outcome_note=data["reason"],
                       objection_route=AFTER_OBJECTION)
    elif action == "close":
        if application.status == "refused":
            changes.update(outcome="refused", closed_on=on,
                           outcome_note=data.get("note") or "No objection was made.")
        else:
            if data.get("outcome") not in ("completed", "terminated"):
                raise field_error("outcome", "An aided matter closes as completed or "
                                             "terminated.")
            changes.update(outcome=data["outcome"], closed_on=on,
                           outcome_note=data.get("note"))
    return changes


def overdue_deadline(application, today):
    """``(deadline, due_on)`` of the deadline running and passed by ``today``, or None."""
    running = RUNNING.get(application.status)
    if running is None:
        return None
    due_on = getattr(application, running[1])
    return (running[0], due_on) if due_on and due_on < today else None


def application_deadlines(application):
    """Each deadline the application has had, with its rule and whether it runs now."""
    found = []
    for name, column, rule_column in (
            ("decision", "decision_due_on", "decision_due_rule"),
            ("assignment", "assignment_due_on", "assignment_due_rule"),
            ("objection_review", "objection_due_on", "objection_due_rule")):
        if getattr(application, column):
            found.append({"deadline": name, "due_on": getattr(application, column),
                          "rule": getattr(application, rule_column),
                          "running": RUNNING.get(application.status, (None,))[0] == name})
    return found


def next_step(application):
    values = {c: getattr(application, c, None) for c in
              ("decision_due_on", "assignment_due_on", "provider", "refusal_reason",
               "objection_due_on", "outcome")}
    return NEXT_STEP[application.status].format(**values)
