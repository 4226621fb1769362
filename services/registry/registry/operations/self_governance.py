"""Community self-governance on a session: what a record of each kind is checked against
before it is kept (a meeting's quorum, a major matter's steps, a grid report's grid), the
``record_kept`` event that lets evaluation score from the record instead of asking for it
again, and a grid report's way to mediation and back."""
from datetime import date

from sqlalchemy import select

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.outbox import record_event
from registry import self_governance as rules
from registry.models import FundingLine, Grid, GridReport, Meeting, PurchasedService
from registry.operations.units import get_in_area, reference

# a grid report's case in mediation is referred under this reference (mediation's events
# name it back)
GRID_REFERENCE = "grid-report-"


def prepare(session, kind, data, scope):
    """The record's columns once its own rules hold; ValidationFailed naming the field."""
    if kind == "meetings":
        quorate, rule = rules.meeting_quorum(
            data["kind"], data["eligible"], data["attended"], data.get("households"),
            data.get("households_present"))
        passed = rules.decision_passed(data["attended"], data.get("votes_for"))
        return {**data, "quorate": quorate, "quorum_rule": rule, "passed": passed}
    if kind == "major_matters":
        meeting = None
        if data.get("meeting_id"):
            meeting = reference(session, Meeting, data["meeting_id"], "meeting_id", "meeting")
            if meeting.community_code != data["community_code"]:
                raise field_error("meeting_id", "该会议不属于本村。")
            meeting = {"kind": meeting.kind, "quorate": meeting.quorate}
        complete, missing = rules.four_deliberations(data, meeting)
        return {**data, "complete": complete, "missing": missing}
    if kind == "grid_reports":
        grid = get_in_area(session, Grid, data["grid_id"], "grid", scope,
                           code_of=lambda g: g.community_code)
        if grid.ended_on is not None and grid.ended_on <= data["found_on"]:
            raise Conflict("该网格已撤销。", {"grid_id": ["grid ended"]})
        if data["kind"] == "dispute" and not data.get("dispute_category"):
            raise field_error("dispute_category", "矛盾纠纷须注明纠纷类别，才能转人民调解。")
        return {**data, "community_code": grid.community_code, "status": "recorded"}
    if kind == "purchased_services":
        if data["ends_on"] < data["starts_on"]:
            raise field_error("ends_on", "服务期限的结束日期不能早于开始日期。")
        if data["paid"] > data["amount"]:
            raise field_error("paid", "已付金额超过合同金额。")
    if kind == "grids" and data.get("ended_on") and data["ended_on"] < data["established_on"]:
        raise field_error("ended_on", "撤销日期不能早于设立日期。")
    return data


def after_kept(session, kind, record):
    """Announce what a kept record means to the scores, and send a dispute to mediation."""
    fact = KEPT.get(kind)
    if fact is not None:
        announce(session, kind, record, *fact)
    if kind == "grid_reports" and record.kind == "dispute":
        record.status = "referred"
        record_event(session, "grid_report_filed", {
            **area_of(record.community_code), "grid_report_id": record.id,
            "reference": f"{GRID_REFERENCE}{record.id}", "found_on": record.found_on,
            "place": record.place, "dispute_category": record.dispute_category,
            "description": record.description})


def end_grid(session, grid_id, ended_on, scope):
    """A grid dissolved (its households taken into another): kept with its reports, and
    announced again so that evaluation stops counting it from that day."""
    grid = get_in_area(session, Grid, grid_id, "grid", scope,
                       code_of=lambda g: g.community_code)
    scope.require_area(grid.community_code, field="community_code")
    if grid.ended_on is not None:
        raise Conflict("该网格已撤销。", {"ended_on": ["already set"]})
    if ended_on < grid.established_on:
        raise field_error("ended_on", "撤销日期不能早于设立日期。")
    grid.ended_on = ended_on
    session.flush()
    announce(session, "grids", grid, *KEPT["grids"])
    return grid


def update_funding_line(session, line_id, changes, scope):
    """The year's money as it goes: the budget revised, the spending so far (beyond the
    budget if so it was). Announced again when the budget, which is what evaluation
    counts and names, changed."""
    line = get_in_area(session, FundingLine, line_id, "funding line", scope,
                       code_of=lambda f: f.community_code)
    scope.require_area(line.community_code, field="community_code")
    budgeted = line.budgeted
    for field, value in changes.items():
        setattr(line, field, value)
    session.flush()
    if line.budgeted != budgeted:
        announce(session, "funding_lines", line, *KEPT["funding_lines"])
    return line


def update_purchased_service(session, service_id, changes, scope):
    """A purchased service evaluated at its end and paid: never more than its contract.
    A payment after a failing evaluation is recorded as made (the contract, not the
    register, decides what is owed)."""
    service = get_in_area(session, PurchasedService, service_id, "purchased service", scope,
                          code_of=lambda s: s.community_code)
    scope.require_area(service.community_code, field="community_code")
    if changes.get("paid", service.paid) > service.amount:
        raise field_error("paid", f"已付金额超过合同金额（{service.amount:.2f}元）。")
    for field, value in changes.items():
        setattr(service, field, value)
    session.flush()
    return service


def announce(session, kind, record, unit, subkind, on, counts, label, ended_on=None):
    record_event(session, "record_kept", {
        **area_of(unit(record)), "record_kind": kind, "record_id": record.id,
        "subkind": subkind(record), "dated_on": on(record),
        "ended_on": ended_on and ended_on(record),
        "counts": counts(record), "label": label(record)[:200]})


def _community(r):
    return r.community_code


def _none(r):
    return None


def _yes(r):
    return True


# names as people read them, from the one vocabulary
MEETING_NAMES, BODY_NAMES = vocabulary.MEETING_KINDS, vocabulary.BODY_KINDS

# record kind -> (its unit, subkind, date, whether it counts, its label[, its end]):
# what evaluation needs to score from it and to name it in an explanation
KEPT = {
    "conventions": (_community, _none, lambda r: r.adopted_on, _yes,
                    lambda r: f"居民公约（村规民约）《{r.title}》"),
    "legal_reviews": (_community, _none, lambda r: r.reviewed_on, _yes,
                      lambda r: f"重大事项法律论证：{r.decision}"),
    "education_places": (lambda r: r.community_code or r.town_code, lambda r: r.kind, _none,
                         _yes, lambda r: r.name),
    "culture_venues": (lambda r: r.county_code, lambda r: r.kind, lambda r: r.opened_on, _yes,
                       lambda r: r.name),
    "outreach_activities": (_community, lambda r: r.target_group, lambda r: r.held_on, _yes,
                            lambda r: f"法律志愿服务：{r.topic}"),
    "health_checks": (lambda r: r.county_code, _none, lambda r: r.checked_on, _yes,
                      lambda r: f"法律体检：{r.enterprise_name}"),
    "meetings": (_community, lambda r: r.kind, lambda r: r.held_on, lambda r: r.quorate,
                 lambda r: f"{MEETING_NAMES[r.kind]}（到会{r.attended}/{r.eligible}"
                           f"{'，达到法定人数' if r.quorate else '，未达法定人数'}）"),
    "major_matters": (_community, _none, lambda r: r.proposed_on, lambda r: r.complete,
                      lambda r: f"四议两公开：{r.title}"),
    "grids": (_community, _none, lambda r: r.established_on, _yes,
              lambda r: f"网格“{r.name}”（{r.households}户，网格员{r.worker_name}）",
              lambda r: r.ended_on),
    "funding_lines": (_community, lambda r: r.source, lambda r: _first_of_year(r.year),
                      lambda r: r.budgeted > 0,
                      lambda r: f"{r.year}年工作经费预算{r.budgeted:.2f}元"),
    "culture_performances": (_community, lambda r: r.work_kind, lambda r: r.performed_on, _yes,
                             lambda r: f"法治文艺巡演《{r.work_title}》（{r.troupe}）"),
}


def _first_of_year(year):
    return date(year, 1, 1)


def announce_body(session, body):
    """A body as evaluation scores it: present from its term's start until it ends."""
    announce(session, "bodies", body, _community, lambda b: b.kind,
             lambda b: b.term_started_on, _yes,
             lambda b: BODY_NAMES.get(b.kind, b.kind) + (
                 f"（书记{b.secretary_name}{'，一肩挑' if b.secretary_chairs_committee else ''}）"
                 if b.secretary_name else ""),
             ended_on=lambda b: b.ended_on)


# -- a grid report's case: mediation's events name it back by its reference ---------------------

def _report_of(session, reference):
    if not (reference or "").startswith(GRID_REFERENCE):
        return None
    try:
        report_id = int(reference[len(GRID_REFERENCE):])
    except ValueError:
        return None
    return session.scalar(select(GridReport).where(GridReport.id == report_id))


def on_case_received(session, data):
    report = _report_of(session, data.get("referrer_reference"))
    if report is None:
        return None
    report.case_id = data["case_id"]
    report.organisation_id = data["organisation_id"]
    if report.status != "closed":  # the outcome may have come first: queues are not ordered
        report.status = "with_mediation"
    return report


def on_case_closed(session, data):
    report = _report_of(session, data.get("referrer_reference"))
    if report is None:
        return None
    report.case_id = data["case_id"]
    report.organisation_id = data["organisation_id"]
    report.status = "closed"
    report.outcome = data["outcome"]
    report.closed_on = data["closed_on"]
    return report
