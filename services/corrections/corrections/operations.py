"""Corrections' rules applied to the tables, on a session: intake, steps, leave, views
(masked unless the caller may see the person), counts, and the count-only events."""
from datetime import timedelta

from sqlalchemy import and_, case, func, select

from corrections import domain
from corrections.models import KnownUnit, Leave, Person, Record
from fazhi_common import calendar_changes, masking
from fazhi_common.contracts.api import corrections as api
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.db import get_in_area, paginate
from fazhi_common.division import COMMUNITY, Division
from fazhi_common.outbox import record_event
from fazhi_common.units import UnitReadModel

UNITS = UnitReadModel(KnownUnit)
# encrypted fields and the context each is sealed with (a blob copied elsewhere fails)
PERSONAL = {"name": "person.name", "id_number": "person.id_number",
            "offence": "person.offence", "address": "person.address", "plan": "person.plan"}


def _seal(cipher, field, value):
    return cipher.encrypt(value, PERSONAL.get(field, field))


# -- intake -----------------------------------------------------------------------------------

def intake(session, data, cipher, scope, today, rules, calendar):
    community = data["community_code"]
    UNITS.require(session, community, COMMUNITY, "community_code")
    scope.require_area(community, "community_code")
    unit = Division(community)
    person = Person(kind=data["kind"], correction_type=data.get("correction_type"),
                    county_code=unit.county, town_code=unit.town, community_code=unit,
                    officer=data["officer"], decided_on=data["decided_on"],
                    received_on=data.get("received_on") or today,
                    term_ends_on=data.get("term_ends_on"), reoffended=False,
                    **{f"{f}_enc": _seal(cipher, f, data.get(f))
                       for f in ("name", "id_number", "offence", "address")})
    if person.received_on < person.decided_on:
        raise field_error("received_on", "不能早于判决、裁定或决定生效日。")
    if data["kind"] == domain.CORRECTION:
        person.status = "awaiting_report"
        person.report_due_on, person.report_due_rule = domain.report_due(
            data["decided_on"], rules, calendar)
    else:
        person.status = "in_resettlement"
        person.help_ends_on = domain.help_ends(data["decided_on"], rules)
    session.add(person)
    session.flush()
    announce(session, person.community_code, "intake", today)
    return person


# -- reads --------------------------------------------------------------------------------------

def get_person(session, person_id, scope):
    # another area's file is 404: its id says nothing
    return get_in_area(session, Person, person_id, "person", scope)


def list_persons(session, query, scope):
    rows = scope.in_area(select(Person), Person.community_code)
    for column in ("kind", "status", "community_code", "officer"):
        if query.get(column):
            rows = rows.where(getattr(Person, column) == str(query[column]))
    return paginate(session, rows.order_by(Person.id), query["page"], query["per_page"])


def may_reveal(person, scope, leaders):
    return domain.may_see_person(scope.role, scope.subject, scope.covers(person.community_code),
                                 person.officer, leaders)


def _warnings(person):
    return sum(1 for r in person.records if r.action == "penalise" and r.kind == "warning")


def person_view(person, cipher, reveal, with_file=False):
    view = {column: getattr(person, column) for column in api.Person().fields
            if hasattr(Person, column) and column not in PERSONAL}
    if reveal:
        view.update({f: cipher.decrypt(getattr(person, f"{f}_enc"), PERSONAL[f])
                     for f in PERSONAL})
    else:
        view.update(name=masking.mask_name(cipher.decrypt(person.name_enc, PERSONAL["name"])),
                    id_number=masking.mask_id_number(
                        cipher.decrypt(person.id_number_enc, PERSONAL["id_number"])),
                    offence=domain.HIDDEN, address=domain.HIDDEN if person.address_enc else None,
                    plan=domain.HIDDEN if person.plan_enc else None)
    view.update(personal_data_masked=not reveal, warnings=_warnings(person),
                next_actions=[] if person.status in domain.FINAL_STATUSES
                else domain.next_actions(person.status))
    if with_file:
        view["records"] = [{"id": r.id, "action": r.action, "on": r.on, "kind": r.kind,
                            "ground": r.ground, "recorded_by": r.recorded_by,
                            "notes": (cipher.decrypt(r.notes_enc, "record.notes") if reveal
                                      else domain.HIDDEN if r.notes_enc else None)}
                           for r in person.records]
        view["leaves"] = [leave_view(leave, cipher, reveal) for leave in person.leaves]
    return view


def leave_view(leave, cipher, reveal):
    view = {column: getattr(leave, column) for column in api.Leave().fields
            if hasattr(Leave, column) and column != "destination"}
    view["destination"] = (cipher.decrypt(leave.destination_enc, "leave.destination")
                           if reveal else domain.HIDDEN)
    return view


# -- steps --------------------------------------------------------------------------------------

def take_step(session, person_id, action, data, cipher, scope, today, rules):
    person = get_person(session, person_id, scope)
    scope.require_area(person.community_code, "community_code")
    on = data.get("on") or today
    changes = domain.plan_step(person, action, data, on, today, rules,
                               warnings=_warnings(person))
    suggested = changes.pop("suggested_penalty", None)
    before = person.status
    for column, value in changes.items():
        setattr(person, column, value)
    if action == "make_plan":
        person.plan_enc = _seal(cipher, "plan", data["plan"])
    kind = data.get("kind") or data.get("grade") or data.get("reason")
    session.add(Record(person_id=person.id, action=action, on=on, kind=kind,
                       ground=data.get("ground"), recorded_by=scope.subject,
                       notes_enc=cipher.encrypt(data.get("notes") or data.get("late_reason"),
                                                "record.notes")))
    if suggested:
        # a late report is itself a breach: the step it calls for is on file for the officer
        session.add(Record(person_id=person.id, action="penalty_due", on=on, kind=suggested,
                           ground="late_report", recorded_by=scope.subject))
    session.flush()
    session.expire(person, ["records"])
    if person.status != before or changes.get("reoffended"):
        announce(session, person.community_code, action, today)
    return person


# -- leave --------------------------------------------------------------------------------------

def _leave_days_since(session, person_id, since):
    return session.scalar(select(func.coalesce(func.sum(Leave.days), 0)).where(
        Leave.person_id == person_id, Leave.status.in_(("approved", "returned")),
        Leave.leaves_on >= since)) or 0


def request_leave(session, person_id, data, cipher, scope, today, rules):
    person = get_person(session, person_id, scope)
    scope.require_area(person.community_code, "community_code")
    if person.status != "under_correction":
        raise Conflict(f"只有在矫人员可以申请外出；此人状态为 {person.status}。",
                       {"status": [person.status]})
    recent = _leave_days_since(session, person.id,
                               data["leaves_on"] - timedelta(days=rules.leave_window_days))
    plan = domain.plan_leave(data, today, rules, recent)
    leave = Leave(person_id=person.id, reason=data["reason"], status="requested",
                  destination_enc=cipher.encrypt(data["destination"], "leave.destination"),
                  leaves_on=data["leaves_on"], returns_on=data["returns_on"], **plan)
    session.add(leave)
    session.flush()
    return leave


def _leave(session, leave_id, scope):
    leave = get_in_area(session, Leave, leave_id, "leave request", scope,
                        code_of=lambda row: row.person.community_code)
    scope.require_area(leave.person.community_code, "community_code")
    return leave


def decide_leave(session, leave_id, data, scope, today):
    leave = _leave(session, leave_id, scope)
    if leave.status != "requested":
        raise Conflict(f"此外出申请已 {leave.status}。", {"status": [leave.status]})
    domain.require_leave_approver(leave.approval_level, scope.area)
    leave.status = "approved" if data["approve"] else "refused"
    leave.decided_by, leave.decided_on = scope.subject, today
    return leave


def return_from_leave(session, leave_id, data, scope, today):
    leave = _leave(session, leave_id, scope)
    if leave.status != "approved":
        raise Conflict(f"此外出申请状态为 {leave.status}，不能登记返回。",
                       {"status": [leave.status]})
    if data["returned_on"] > today or data["returned_on"] < leave.leaves_on:
        raise field_error("returned_on", "返回日期须在外出日期与今天之间。")
    leave.status, leave.returned_on = "returned", data["returned_on"]
    # 实施办法 第二十八条: back before the leave ends; a late return is a breach on file
    leave.returned_late = data["returned_on"] > leave.returns_on
    if leave.returned_late:
        session.add(Record(person_id=leave.person_id, action="penalty_due",
                           on=data["returned_on"], kind="reprimand", ground="leave_rules",
                           recorded_by=scope.subject))
    return leave


# -- counts ---------------------------------------------------------------------------------------

def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _columns(on):
    unreported = and_(Person.status == "awaiting_report", Person.report_due_on < on)
    on_leave = select(func.count()).where(
        Leave.person_id == Person.id, Leave.status == "approved", Leave.leaves_on <= on,
        Leave.returns_on >= on).correlate(Person).scalar_subquery() > 0
    return [_count(Person.status == "under_correction").label("under_correction"),
            _count(Person.status == "awaiting_report").label("awaiting_report"),
            _count(unreported).label("unreported"),
            _count(Person.status == "lost_contact").label("lost_contact"),
            _count(Person.reoffended.is_(True)).label("reoffended"),
            _count(Person.status == "released").label("released"),
            _count(Person.status == "terminated").label("terminated"),
            _count(Person.status == "in_resettlement").label("in_resettlement"),
            _count(and_(Person.status == "under_correction", on_leave)).label("on_leave")]


def statistics(session, query, scope, today):
    on = query.get("on") or today
    group = {"county": Person.county_code, "town": Person.town_code,
             "community": Person.community_code}[query["group_by"]]
    base = scope.in_area(select(group.label("area_code"), *_columns(on)), Person.community_code)
    if query.get("county_code"):
        base = base.where(Person.county_code == str(query["county_code"]))
    rows = [dict(r._mapping) for r in session.execute(base.group_by(group).order_by(group))]
    total = {key: sum(r[key] for r in rows) for key in api.Counts().fields if key != "area_code"}
    return {"on": on, "group_by": query["group_by"], "rows": rows,
            "total": {"area_code": None, **total}}


def community_counts(session, community_code, on):
    row = session.execute(select(*_columns(on)).where(
        Person.community_code == str(community_code))).one()
    return dict(row._mapping)


def announce(session, community_code, change, today):
    """A community's counts after a change: the count-only event."""
    counts = community_counts(session, community_code, today)
    unit = Division(community_code)
    record_event(session, "corrections_counts_changed", {
        "county_code": unit.county, "town_code": unit.town, "community_code": unit,
        "on": today, "change": change,
        **{k: counts[k] for k in ("under_correction", "unreported", "lost_contact",
                                  "reoffended", "in_resettlement")}})


def scan_unreported(session, today):
    """Each community with someone past the report limit (漏管) announces its counts: the
    timer runs this once a day (``UNREPORTED_SCAN_SECONDS``)."""
    codes = session.scalars(select(Person.community_code).where(
        Person.status == "awaiting_report", Person.report_due_on < today).distinct()).all()
    for code in codes:
        announce(session, code, "unreported", today)
    unreported = session.scalar(select(func.count()).where(
        Person.status == "awaiting_report", Person.report_due_on < today))
    return {"unreported": unreported, "communities": len(codes)}



# -- the working calendar changed ---------------------------------------------------------------

def open_files(after):
    """Files whose report deadline runs (awaiting the report), by id, after ``after``."""
    return (select(Person).where(Person.id > after, Person.status == "awaiting_report")
            .order_by(Person.id))


def recompute_report_deadline(session, person, calendar, today, rules, cipher):
    """Count the report deadline again on ``calendar``; a moved date goes to the file's
    records and is announced (no person named). How many moved (0 or 1)."""
    due, rule = domain.report_due(person.decided_on, rules, calendar)
    was = person.report_due_on
    person.report_due_rule = rule
    if due == was:
        return 0
    person.report_due_on = due
    note = calendar_changes.moved_note("报到期限", was, due)
    session.add(Record(person_id=person.id, action="recompute_deadline", on=today,
                       kind="report", recorded_by=SYSTEM.subject,
                       notes_enc=cipher.encrypt(note, "record.notes")))
    unit = Division(person.community_code)
    record_event(session, "corrections_deadline_recomputed", {
        "county_code": unit.county, "town_code": unit.town, "community_code": unit,
        "on": today, "deadline": "report", "previous_due_on": was, "due_on": due})
    return 1
