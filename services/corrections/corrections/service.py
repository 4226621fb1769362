"""Corrections' entrypoints: check the caller, validate, call operations, audit, dump.

No rules live here. Every write is audited in the transaction that makes it, and so is
every read of a person's file, masked or not ("who looked at whom").
"""
from datetime import date

from corrections import dependencies
from corrections import operations as ops
from corrections.models import CalendarState
from fazhi_common import calendar_changes  # the module: nameko runs classes in sight
from fazhi_common import service as base
from fazhi_common import units as known_units  # the module: nameko runs classes in sight
from fazhi_common.contracts.api import corrections as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.errors import field_error
from fazhi_common.identity import rpc
from fazhi_common.timer import timer
from fazhi_common.units import RegistryReadThrough, reads_through
from fazhi_common.validation import load

PERSON_PAGE = page_of(api.Person)()


class CorrectionsService(calendar_changes.WatchesCalendar, base.ServiceBase,
                         known_units.KeepsUnits):
    name = "corrections"
    units = ops.UNITS  # the registry's units, kept from its events (KeepsUnits)
    # personal fields never reach the audit trail (it is hash-chained, not encrypted)
    audit_omits = frozenset({"name", "id_number", "offence", "address", "plan", "notes",
                             "destination", "late_reason", "urgent_reason"})
    cipher = dependencies.cipher()
    rules = dependencies.rules()
    calendar = dependencies.calendar()
    # the working calendar watched: a change recomputes report deadlines (WatchesCalendar)
    calendar_state = CalendarState
    job_runner = dependencies.DeadlineJobs()
    leaders = dependencies.leaders()
    # a unit registered a moment ago, its event still queued, is asked of the registry
    registry = RegistryReadThrough()

    def _audit_read(self, session, person_ids, revealed):
        if person_ids:
            self.audit(session, "read_person",
                       f"person {','.join(map(str, person_ids))}"[:100],
                       {"person_ids": person_ids, "unmasked": revealed})

    def _file(self, session, person, with_file=True):
        reveal = ops.may_reveal(person, self.caller, self.leaders)
        self._audit_read(session, [person.id], [person.id] if reveal else [])
        return api.PersonFile().dump(ops.person_view(person, self.cipher, reveal, with_file))

    # -- files ------------------------------------------------------------------------------

    @rpc(roles=api.CORRECTIONS_STAFF)
    @reads_through(ops.UNITS)
    def intake(self, payload):
        data = load(api.PersonIn(), payload)
        with self.db.transaction() as session:
            person = ops.intake(session, data, self.cipher, self.caller, date.today(),
                                self.rules, self.calendar)
            self.audit(session, "intake", person.id, payload)
            return self._file(session, person)

    @rpc(roles=api.CORRECTIONS_STAFF)
    def get_person(self, person_id):
        with self.db.transaction() as session:
            return self._file(session, ops.get_person(session, person_id, self.caller))

    @rpc(roles=api.CORRECTIONS_STAFF)
    def list_persons(self, query=None):
        query = load(api.PersonQuery(), query)
        with self.db.transaction() as session:
            page = ops.list_persons(session, query, self.caller)
            reveals = [ops.may_reveal(p, self.caller, self.leaders) for p in page["items"]]
            self._audit_read(session, [p.id for p in page["items"]],
                             [p.id for p, r in zip(page["items"], reveals, strict=True) if r])
            page["items"] = [ops.person_view(p, self.cipher, r)
                             for p, r in zip(page["items"], reveals, strict=True)]
            return PERSON_PAGE.dump(page)

    @rpc(roles=api.CORRECTIONS_STAFF)
    def export_persons(self, query=None):
        """Every file of the caller's area, always masked (an export leaves the office)."""
        query = load(api.PersonQuery(), query)
        with self.db.transaction() as session:
            page = ops.list_persons(session, {**query, "page": 1, "per_page": 10_000},
                                    self.caller)
            self.audit(session, "export_persons", len(page["items"]),
                       {"person_ids": [p.id for p in page["items"]], "unmasked": []})
            return [api.Person().dump(ops.person_view(p, self.cipher, False))
                    for p in page["items"]]

    @rpc(roles=api.CORRECTIONS_STAFF)
    def take_step(self, person_id, action, payload):
        """One step of a file: report_in, make_plan, penalise, release, terminate, ..."""
        if action not in api.ACTIONS:
            raise field_error("action", f"Unknown action {action!r}; one of "
                                        f"{sorted(api.ACTIONS)}.")
        data = load(api.ACTIONS[action](), payload)
        with self.db.transaction() as session:
            person = ops.take_step(session, person_id, action, data, self.cipher, self.caller,
                                   date.today(), self.rules)
            self.audit(session, action, person.id, {**payload, "status": person.status},
                       authority=action in ("penalise", "release", "terminate"))
            return self._file(session, person)

    # -- leave ------------------------------------------------------------------------------

    @rpc(roles=api.CORRECTIONS_STAFF)
    def request_leave(self, person_id, payload):
        data = load(api.LeaveIn(), payload)
        with self.db.transaction() as session:
            leave = ops.request_leave(session, person_id, data, self.cipher, self.caller,
                                      date.today(), self.rules)
            self.audit(session, "request_leave", leave.id, {**payload, "person_id": person_id})
            return self._leave_out(leave)

    def _leave_out(self, leave):
        reveal = ops.may_reveal(leave.person, self.caller, self.leaders)
        return api.Leave().dump(ops.leave_view(leave, self.cipher, reveal))

    @rpc(roles=api.CORRECTIONS_STAFF)
    def decide_leave(self, leave_id, payload):
        data = load(api.LeaveDecisionIn(), payload)
        with self.db.transaction() as session:
            leave = ops.decide_leave(session, leave_id, data, self.caller, date.today())
            self.audit(session, "decide_leave", leave.id, {**payload, "status": leave.status},
                       authority=True)
            return self._leave_out(leave)

    @rpc(roles=api.CORRECTIONS_STAFF)
    def return_from_leave(self, leave_id, payload):
        data = load(api.LeaveReturnIn(), payload)
        with self.db.transaction() as session:
            leave = ops.return_from_leave(session, leave_id, data, self.caller, date.today())
            self.audit(session, "return_from_leave", leave.id, payload)
            return self._leave_out(leave)

    # -- counts -----------------------------------------------------------------------------

    @rpc(roles=api.READERS)
    def statistics(self, query=None):
        """Counts by county, town or community: no person, no row of one."""
        query = load(api.CorrectionsStatisticsQuery(), query)
        with self.db.read() as session:
            return api.CorrectionsStatistics().dump(
                ops.statistics(session, query, self.caller, date.today()))

    @rpc(roles=api.CORRECTIONS_STAFF)
    def scan_unreported(self, payload=None):
        today = load(api.ScanIn(), payload).get("today") or date.today()
        with self.db.transaction() as session:
            return api.ScanResult().dump(ops.scan_unreported(session, today))

    @timer("UNREPORTED_SCAN_SECONDS", 86400)
    def scan_unreported_daily(self):
        with self.db.transaction() as session:
            ops.scan_unreported(session, date.today())

    # -- the registry's units (read model) ----------------------------------------------------







