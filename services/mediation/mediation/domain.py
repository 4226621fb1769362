"""Mediation's rules as plain functions: no nameko, no Flask, no database.

The case lifecycle is the table ``TRANSITIONS``; ``plan_step`` checks one step against it
and the deadlines and says what changes. Also: resident ID numbers (GB 11643), masking of
personal data and who may see it unmasked, linkage coverage, and statistics arithmetic.
"""
import re

from fazhi_common.contracts import resident_id, vocabulary
from fazhi_common.contracts.errors import Conflict, ValidationFailed, field_error
from fazhi_common.division import COMMUNITY, TOWN, Division, InvalidDivision
from mediation.deadlines import UNIT_WORDS, LateStep, Period
from mediation.timelimits import (  # noqa: F401 (the case's deadlines, used as domain.*)
    ACCEPTANCE_RUNNING,
    CONFIRMATION_RUNNING,
    COURT_DECISION_RUNNING,
    MEDIATION_RUNNING,
    _segment,
    case_deadlines,
    deemed_not_settled,
    overdue_deadlines,
)

# -- the lifecycle ------------------------------------------------------------------------

# action -> {status it may be taken from: status it leads to}
TRANSITIONS = {
    "accept": {"received": "accepted"},
    # declined with a reason and returned to the referrer (or the applicant): final
    "decline": {"received": "declined"},
    "assign_mediator": {"accepted": "mediating", "mediating": "mediating"},
    "extend": {"accepted": "accepted", "mediating": "mediating"},
    # time for an expert appraisal is not counted (medical disputes): the clock stops
    "pause": {"mediating": "paused"},
    "resume": {"paused": "mediating"},
    "record_agreement": {"mediating": "agreement"},
    "record_failure": {"mediating": "failure"},
    "request_confirmation": {"agreement": "confirmation_requested"},
    # the court's 15 days, extended by 10 with its president's approval (法释〔2011〕5号)
    "extend_court_decision": {"confirmation_requested": "confirmation_requested"},
    "confirm": {"confirmation_requested": "confirmed"},
    "refuse_confirmation": {"confirmation_requested": "confirmation_refused"},
    # a refused agreement goes back to mediation, or to suit (return / close)
    "resume_mediation": {"confirmation_refused": "mediating"},
    # a failed referral goes back to its channel (a court referral back to trial): final
    "return_to_referrer": {"failure": "returned", "confirmation_refused": "returned"},
    "close": {"agreement": "closed", "confirmed": "closed", "failure": "closed",
              "confirmation_refused": "closed"},
}
FINAL_STATUSES = frozenset({"declined", "returned", "closed"})

# what a returned case goes back to, by the channel that referred it (residents read it
# when they follow the case; rows written before it was Chinese keep their English text)
RETURNED_TO = {
    "court": "人民法院，依法继续审理",
    "police_station": "派出所，由公安机关依法处理",
    "traffic_police": "公安交通管理部门，当事人可以依法向人民法院提起诉讼",
    "procuratorate": "人民检察院，由检察机关依法决定",
    "hospital": "医疗机构，当事人可以申请医疗损害鉴定或者依法提起诉讼",
    "health_authority": "卫生健康主管部门，当事人可以申请医疗损害鉴定或者依法提起诉讼",
}
# a mediation kind's name inside a rule text (人民调解, 医疗纠纷调解（医调）, ...); the
# traffic police's own mediation is named as such (交警调解)
KIND_NAMES = dict(vocabulary.MEDIATION_KINDS)
POLICE_MEDIATION = vocabulary.TRAFFIC_PROCEDURES["police_mediation"]


def _kind_name(case):
    if getattr(case, "traffic_procedure", None) == "police_mediation":
        return POLICE_MEDIATION
    return KIND_NAMES.get(case.mediation_kind, case.mediation_kind)


def next_status(status, action, transitions=TRANSITIONS, subject="A case"):
    """The status ``action`` leads to from ``status`` in a lifecycle's ``transitions`` table;
    Conflict (409) naming what is allowed otherwise."""
    if action not in transitions:
        raise field_error("action", f"Unknown action {action!r}.")
    allowed = transitions[action]
    if status not in allowed:
        raise Conflict(
            f"{subject} that is {status} cannot take the step {action}; it is allowed only "
            f"from: {', '.join(sorted(allowed))}.",
            {"status": [status], "allowed_from": sorted(allowed)})
    return allowed[status]


def check_application_window(rules, kind, document, received_on, deadlines):
    """Mediation by the traffic police: the parties jointly apply within a window after
    receiving a document (``document``: ``{"kind", "received_on"}``). Returns the note of
    a late application accepted on a provisional date, else None; refuses (422) a late
    one otherwise."""
    window = rules.application_window
    if window is None:
        return None
    if not document or document.get("kind") not in rules.documents:
        raise field_error("basis_document", f"A {kind} application comes after one of "
                                            f"{', '.join(rules.documents)}: name it and when "
                                            "the parties received it.")
    received = document["received_on"]
    if received > received_on:
        raise field_error("document_received_on", "The document cannot be received after "
                                                  "the application.")
    closes_on, rule = deadlines.due(window, received)
    try:
        return deadlines.late(received, closes_on, received_on)
    except LateStep:
        raise ValidationFailed(
            f"The application window closed on {closes_on} ({rule}; {window.citation}); the "
            "parties may apply to the people's mediation committee or sue.",
            {"document_received_on": [f"window closed on {closes_on}"]}) from None


def _extend(case, data, rules, on, deadlines):
    if rules.extension is None:
        raise Conflict(f"A {case.mediation_kind} mediation period cannot be extended.",
                       {"mediation_kind": [case.mediation_kind]})
    if rules.extension_needs_consent and not data.get("parties_consent"):
        raise field_error("parties_consent", f"A {case.mediation_kind} mediation period is "
                                             "extended only with the parties' consent.")
    if rules.max_extensions is not None and (case.extensions or 0) >= rules.max_extensions:
        raise Conflict(f"The case is {case.status}; its mediation period was already "
                       f"extended {case.extensions} time(s), the most allowed.",
                       {"extended": ["already extended"]})
    length = data.get("days") or rules.extension.length
    due_on, rule = deadlines.due(Period(length, rules.extension.unit, rules.extension.basis),
                                 case.mediation_due_on)
    consent = "经当事人同意" if data.get("parties_consent") else ""
    return {"extended": True, "extensions": (case.extensions or 0) + 1,
            "extension_reason": data["reason"], "mediation_due_on": due_on,
            "mediation_due_rule": f"{case.mediation_due_rule}；{on} {consent}延长 "
                                  f"{length} {UNIT_WORDS[rules.extension.unit]}"}


def next_actions(status, referred, pausable):
    """The steps a case may take next, in the table's order: what a desk should offer.

    A failed referral goes back to its referrer and is not closed; a case that was not
    referred cannot be returned; only a kind whose period stops for an appraisal pauses
    (the same rules ``plan_step`` enforces).
    """
    actions = [action for action, allowed in TRANSITIONS.items() if status in allowed]
    if referred and status in ("failure", "confirmation_refused"):
        actions.remove("close")
    if not referred and "return_to_referrer" in actions:
        actions.remove("return_to_referrer")
    if not pausable and "pause" in actions:
        actions.remove("pause")
    return actions


def plan_step(case, action, data, on, today, last_on, deadlines):
    """Check ``action`` on ``case`` taken ``on`` a date; return the fields it changes.

    ``case`` is anything with the case's attributes; ``last_on`` is the date of its
    latest step, which a new step may not precede.
    """
    to_status = next_status(case.status, action)
    if on > today:
        raise field_error("on", "A step is recorded once it has happened, not in advance.")
    if last_on and on < last_on:
        raise field_error("on", f"The case's previous step was on {last_on}; a step cannot "
                                "precede it.")
    rules = deadlines.rules_for(case)
    changes = {"status": to_status}
    basis = dict(getattr(case, "deadline_basis", None) or {})
    if action == "accept":
        start = on
        if rules.start_events:
            # the traffic police's period runs from the event, not from acceptance
            if data.get("period_start_event") not in rules.start_events:
                raise field_error("period_start_event", "The period starts with one of "
                                                        f"{', '.join(rules.start_events)}.")
            start = data.get("period_start_on") or on
            if start > today:
                raise field_error("period_start_on", "The start event has not happened.")
            changes.update(period_start_event=data["period_start_event"],
                           period_start_on=start)
        due_on, rule = deadlines.due(rules.period, start)
        basis["mediation"] = [_segment(start, rules.period)]
        changes.update(accepted_on=on, mediation_due_on=due_on, deadline_basis=basis,
                       mediation_due_rule=f"{_kind_name(case)}：{rule}")
    elif action == "decline":
        changes.update(result="declined", declined_reason=data["reason"], closed_on=on,
                       returned_to=case.referrer_department or "申请人")
    elif action == "assign_mediator":
        changes.update(mediator=data["mediator"])
    elif action == "extend":
        changes.update(_extend(case, data, rules, on, deadlines))
        basis["mediation"] = basis.get("mediation", []) + [
            {"chain": True, "length": data.get("days") or rules.extension.length,
             "unit": rules.extension.unit}]
        changes["deadline_basis"] = basis
    elif action == "pause":
        if not rules.pausable:
            raise Conflict(f"A {case.mediation_kind} mediation period does not stop for an "
                           "appraisal.", {"mediation_kind": [case.mediation_kind]})
        changes.update(paused_on=on, mediation_due_on=None, paused_remaining=(
            rules.period.remaining(on, case.mediation_due_on, deadlines.calendar)))
    elif action == "resume":
        due_on = rules.period.resumed(on, case.paused_remaining, deadlines.calendar)
        # what was left is counted in working days, or else in calendar days
        basis["mediation"] = [{"from": on.isoformat(), "length": case.paused_remaining,
                               "unit": "working_days" if rules.period.unit == "working_days"
                               else "days"}]
        changes.update(deadline_basis=basis, paused_on=None, paused_remaining=None,
                       mediation_due_on=due_on,
                       mediation_due_rule=f"{case.mediation_due_rule}；{case.paused_on} 至 "
                                          f"{on} 鉴定期间中止计时（"
                                          f"{rules.period.citation or '鉴定时间不计入期限'}），"
                                          f"自 {on} 起尚余 {case.paused_remaining} "
                                          f"{UNIT_WORDS[basis['mediation'][0]['unit']]}")
    elif action in ("record_agreement", "record_failure"):
        changes.update(concluded_on=on, duration_days=(on - case.received_on).days)
        if action == "record_agreement":
            changes.update(result="agreement", agreement_terms=data["terms"],
                           confirmation_intended=bool(data.get("parties_will_apply")))
            if data.get("parties_will_apply"):
                due_on, rule = deadlines.due(deadlines.confirmation, on)
                basis["judicial_confirmation"] = [_segment(on, deadlines.confirmation)]
                changes.update(confirmation_due_on=due_on, deadline_basis=basis,
                               confirmation_due_rule=f"司法确认申请：{rule}")
        else:
            changes.update(result="failure", failure_reason=data["reason"],
                           outcome_note=rules.on_failure or None)
    elif action == "request_confirmation":
        # the parties may apply whether or not they said so at the agreement; the
        # statutory window runs from the agreement either way
        closes_on, rule = deadlines.due(deadlines.confirmation, case.concluded_on)
        try:
            flagged = deadlines.late(case.concluded_on, closes_on, on)
        except LateStep:
            raise Conflict(f"Judicial confirmation had to be applied for by {closes_on} "
                           f"({rule}).", {"on": [f"after {closes_on}"]}) from None
        if flagged:
            changes["officer_review"] = f"司法确认申请{flagged}"
        # the court's own 15 days run from its acceptance (the application, if not given)
        court_from = data.get("court_accepted_on") or on
        due_on, rule = deadlines.due(deadlines.court_decision, court_from)
        basis["court_decision"] = [_segment(court_from, deadlines.court_decision)]
        changes.update(confirmation_court=data["court"], confirmation_intended=True,
                       confirmation_due_on=None, court_decision_due_on=due_on,
                       court_decision_due_rule=f"法院审查：{rule}",
                       deadline_basis=basis)
    elif action == "extend_court_decision":
        if getattr(case, "court_extended", False):
            raise Conflict("The court's decision period was already extended once.",
                           {"court_extended": ["already extended"]})
        due_on, rule = deadlines.due(deadlines.court_extension, case.court_decision_due_on)
        basis["court_decision"] = basis.get("court_decision", []) + [
            {"chain": True, "length": deadlines.court_extension.length,
             "unit": deadlines.court_extension.unit}]
        changes.update(court_extended=True, court_decision_due_on=due_on, deadline_basis=basis,
                       court_decision_due_rule=f"{case.court_decision_due_rule}；经院长批准"
                                               f"延长（{data['reason']}）：{rule}")
    elif action in ("confirm", "refuse_confirmation"):
        changes.update(confirmed=action == "confirm")
    elif action == "resume_mediation":
        # the refused agreement no longer stands; mediation runs again
        changes.update(result=None, concluded_on=None, duration_days=None, confirmed=None,
                       agreement_terms=None, confirmation_due_on=None,
                       confirmation_due_rule=None, confirmation_intended=None)
    elif action == "return_to_referrer":
        if not case.referrer_department:
            raise Conflict(f"The case is {case.status} and was not referred: close it instead.",
                           {"channel": [case.channel]})
        changes.update(result="failure", closed_on=on,
                       returned_to=RETURNED_TO.get(case.referrer_kind,
                                                   case.referrer_department))
    elif action == "close":
        if case.status in ("failure", "confirmation_refused") and case.referrer_department:
            raise Conflict(f"The case is {case.status}: a failed referral goes back to its "
                           "referrer; return it instead.",
                           {"status": [case.status]})
        if case.status == "confirmation_refused":
            changes.update(result="failure")
        changes.update(closed_on=on)
    return changes


# -- where a case belongs --------------------------------------------------------------------

def _division(code, field_name, level, what):
    try:
        division = Division(code)
    except InvalidDivision as exc:
        raise field_error(field_name, f"{code}: {exc}") from None
    if division.level != level:
        raise field_error(field_name, f"{code} is not {what}.")
    return division


def community_area(community_code, field_name="community_code"):
    """County-level unit and town of a community code (it must name a community)."""
    community = _division(community_code, field_name, COMMUNITY, "a community or village code")
    return str(community.county), str(community.town)


def check_serves(organisation, community_code):
    """A case goes to an organisation of the community's county (and town, if it has one)."""
    county, town = community_area(community_code)
    if organisation.county_code != county or (organisation.town_code
                                              and organisation.town_code != town) or (
            organisation.community_code and organisation.community_code != community_code):
        raise field_error("organisation_id", f"Organisation {organisation.id} does not serve "
                                             f"community {community_code}.")


def check_organisation_area(county_code, town_code):
    """A county-level unit (or a city without counties) and, if named, a town of it."""
    try:
        county = Division(county_code)
    except InvalidDivision as exc:
        raise field_error("county_code", f"{county_code}: {exc}") from None
    if not county.stands_as_county:
        raise field_error("county_code", f"{county_code} is not a county-level code.")
    if town_code:
        town = _division(town_code, "town_code", TOWN, f"a town of {county_code}")
        if town.county != county:
            raise field_error("town_code", f"{town_code} is not a town of {county_code}.")


def default_supervising_department(county_code):
    """The county justice bureau, in the department naming the platform uses."""
    return f"justice-{Division(county_code).prefix}"


# -- resident ID numbers (GB 11643-1999) --------------------------------------------------------

# the check itself lives once, in fazhi_common.contracts.resident_id
id_check_character = resident_id.check_character


def valid_resident_id(number):
    """True if ``number`` is a well-formed 18-character ID with a valid birth date and
    check character (as typed: no surrounding space)."""
    return (isinstance(number, str) and re.fullmatch(r"\d{17}[\dXx]", number) is not None
            and resident_id.problem(number) is None)


def check_parties(parties, prefix="parties"):
    """ValidationFailed naming every party whose ID number fails the GB 11643 check."""
    errors = {}
    for i, party in enumerate(parties):
        if party.get("id_number") and not valid_resident_id(party["id_number"]):
            errors[f"{prefix}.{i}.id_number"] = [
                "Not a valid resident ID number (birth date or check character is wrong)."]
    if errors:
        raise ValidationFailed("A party's ID number is not valid.", errors)
    return [{**p, "id_number": p["id_number"].upper() if p.get("id_number") else None}
            for p in parties]


# -- personal data: masking and who may see it ----------------------------------------------------









def may_see_case_parties(role, subject, covers_case, case_mediator):
    """Personal data of a case's parties is shown unmasked only to: a platform
    administrator, a justice officer whose area holds the case, and the mediator
    assigned to it. Everyone else (viewers, linked departments, other mediators) sees
    it masked."""
    if role == "platform_admin":
        return True
    if role == "justice_officer":
        return covers_case
    if role == "mediator":
        return case_mediator is not None and case_mediator == subject
    return False


# -- coverage and statistics --------------------------------------------------------------------

def county_coverage(counts_by_kind, linkage_kinds):
    """What one county lacks of the linkage kinds, given its organisations by kind."""
    lacking = [k for k in linkage_kinds if not counts_by_kind.get(k)]
    return {"organisations": dict(counts_by_kind), "lacking": lacking,
            "complete": not lacking}


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def median_of_counts(counts):
    """The median (the mean of the middle two for an even number) of values given as
    ``{value: how many}``; None for none."""
    n = sum(counts.values())
    if not n:
        return None
    wanted = {(n - 1) // 2, n // 2}  # 0-based positions of the middle value(s)
    found, seen = [], 0
    for value in sorted(counts):
        for position in sorted(wanted):
            if seen <= position < seen + counts[value]:
                found.append(value)
                wanted.discard(position)
        seen += counts[value]
        if not wanted:
            break
    return sum(found) / len(found)


def statistics_row(kind, county, figures, median_duration):
    """One row of statistics from the counts of ``operations.statistics`` (in order)."""
    (volume, accepted, declined, agreements, failures, overdue, not_applied, pending,
     confirmed, refused) = figures
    return {"confirmation_not_applied": not_applied, "confirmation_pending": pending,
            "confirmation_confirmed": confirmed, "confirmation_refused": refused,
            "mediation_kind": kind, "county_code": county, "volume": volume,
            "accepted": accepted, "declined": declined,
            "acceptance_rate": rate(accepted, accepted + declined),
            "agreements": agreements, "failures": failures,
            "success_rate": rate(agreements, agreements + failures),
            "median_duration_days": (float(median_duration) if median_duration is not None
                                     else None),
            "overdue": overdue}


# the upper bounds (yuan, exclusive) of vocabulary.AMOUNT_BANDS, lowest first; a claim at
# or over the last bound is "over_1m", a case claiming no amount is "none"
AMOUNT_BAND_BOUNDS = (("under_10k", 10_000), ("10k_100k", 100_000), ("100k_1m", 1_000_000))
