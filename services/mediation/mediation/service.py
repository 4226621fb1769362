"""Mediation's entrypoints: check the caller, validate, call operations, audit, dump.

No rules live here. Every write is audited in the transaction that makes it; so is every
read that shows parties' personal data unmasked ("who read unmasked personal data").
"""
from datetime import date

from fazhi_common import calendar_changes  # the module: nameko runs classes in sight
from fazhi_common import service as base
from fazhi_common import units as known_units  # the module: nameko runs classes in sight
from fazhi_common.contracts.api import mediation as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.errors import field_error
from fazhi_common.contracts.messages import CHINESE
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.identity import rpc
from fazhi_common.messaging import event_handler
from fazhi_common.timer import timer
from fazhi_common.units import RegistryReadThrough, reads_through
from fazhi_common.validation import load
from mediation import breakdown, referrals, statistics, tracking
from mediation import operations as ops
from mediation.dependencies import Cipher, DeadlineJobs, DeadlineSettings, TransferCipher
from mediation.models import CalendarState

ORGANISATION_PAGE = page_of(api.Organisation)()
CASE_PAGE = page_of(api.Case)()


class MediationService(calendar_changes.WatchesCalendar, base.ServiceBase,
                       known_units.KeepsUnits):
    name = "mediation"
    units = ops.UNITS  # the registry's units, kept from its events (KeepsUnits)
    cipher = Cipher()
    deadlines = DeadlineSettings()
    # the working calendar watched: a change recomputes open deadlines (WatchesCalendar)
    calendar_state = CalendarState
    job_runner = DeadlineJobs()
    transfer = TransferCipher()
    # a unit registered a moment ago, its event still queued, is asked of the registry
    registry = RegistryReadThrough()

    def _audit_reveal(self, session, what, ids):
        if ids:
            self.audit(session, "read_personal_data", f"{what} {','.join(map(str, ids))}"[:100],
                       {what: ids})

    # -- organisations and coverage -----------------------------------------------------------

    @rpc(roles=api.ORGANISATION_WRITERS)
    @reads_through(ops.UNITS)
    def register_organisation(self, payload):
        data = load(api.OrganisationIn(), payload)
        with self.db.transaction() as session:
            organisation = ops.register_organisation(session, data, self.caller)
            self.audit(session, "register_organisation", organisation.id, payload)
            return api.Organisation().dump(organisation)

    @rpc(roles=api.READERS)
    def get_organisation(self, organisation_id):
        with self.db.read() as session:
            return api.Organisation().dump(
                ops.get_organisation(session, organisation_id, self.caller))

    @rpc(roles=api.READERS)
    def list_organisations(self, query=None):
        query = load(api.OrganisationQuery(), query)
        with self.db.read() as session:
            return ORGANISATION_PAGE.dump(ops.list_organisations(session, query, self.caller))

    @rpc(roles=api.READERS)
    def coverage(self, query=None):
        county_code = load(api.CoverageQuery(), query).get("county_code")
        with self.db.read() as session:
            return api.MediationCoverage().dump(ops.coverage(session, county_code, self.caller))

    # -- cases ------------------------------------------------------------------------------

    @rpc(roles=api.APPLICANTS)
    @reads_through(ops.UNITS)
    def apply(self, payload):
        """A resident's application from a portal: answers with a receipt only."""
        data = load(api.ApplicationIn(), payload)
        with self.db.transaction() as session:
            case, secret = ops.apply_for_mediation(session, data, self.cipher, self.caller,
                                                   date.today(), self.deadlines)
            self.audit(session, "apply", case.id, {"organisation_id": case.organisation_id,
                                                    "receipt_number": case.receipt_number})
            return {**api.CaseReceipt().dump(case), "secret": secret}

    @rpc(roles=api.TRACKERS)
    def track(self, payload, language=CHINESE):
        """A resident follows its own application: receipt number and secret, no account;
        the next step in ``language`` (the gateway's pick by Accept-Language)."""
        data = load(api.TrackIn(), payload)
        with self.db.read() as session:
            return api.Tracked().dump(tracking.tracked_view(
                *tracking.find(session, data, self.cipher), language))

    @rpc(roles=api.REFERRERS)
    @reads_through(ops.UNITS)
    def refer(self, payload):
        data = load(api.ReferralIn(), payload)
        with self.db.transaction() as session:
            case = ops.receive_case(session, data, "referral", self.cipher, self.caller,
                                    date.today(), self.deadlines)
            self.audit(session, "refer", case.id, {
                "organisation_id": case.organisation_id,
                "referrer_department": case.referrer_department,
                "referrer_reference": case.referrer_reference})
            return self._case_out(session, case)

    def _case_out(self, session, case):
        reveal = ops.may_reveal(case, self.caller)
        if reveal:
            self._audit_reveal(session, "case", [case.id])
        return api.Case().dump(ops.case_view(case, self.cipher, reveal, self._pausable(case),
                                             self.deadlines))

    def _pausable(self, case):
        return self.deadlines.rules_for(case).pausable

    @rpc(roles=api.CASE_READERS)
    def get_case(self, case_id):
        with self.db.transaction() as session:
            return self._case_out(session, ops.get_case(session, case_id, self.caller))

    @rpc(roles=api.CASE_READERS)
    def list_cases(self, query=None):
        query = load(api.CaseQuery(), query)
        with self.db.transaction() as session:
            page = ops.list_cases(session, query, self.caller)
            reveals = [ops.may_reveal(case, self.caller) for case in page["items"]]
            self._audit_reveal(session, "cases",
                               [c.id for c, r in zip(page["items"], reveals, strict=True) if r])
            page["items"] = [ops.case_view(c, self.cipher, r, self._pausable(c), self.deadlines)
                             for c, r in zip(page["items"], reveals, strict=True)]
            return CASE_PAGE.dump(page)

    @rpc(roles=api.CASE_READERS)
    def timeline(self, case_id):
        with self.db.read() as session:
            return api.Timeline().dump(ops.timeline(ops.get_case(session, case_id,
                                                                  self.caller)))

    @rpc(roles=api.CASE_WRITERS)
    def take_step(self, case_id, action, payload):
        """One step of the lifecycle: accept, decline, assign_mediator, extend, ..."""
        if action not in api.ACTIONS:
            raise field_error("action", f"Unknown action {action!r}; one of "
                                        f"{sorted(api.ACTIONS)}.")
        data = load(api.ACTIONS[action](), payload)
        with self.db.transaction() as session:
            case = ops.take_step(session, case_id, action, data, self.deadlines, self.caller,
                                 date.today())
            self.audit(session, action, case.id, {**payload, "status": case.status},
                       authority=action in ("decline", "confirm", "refuse_confirmation"))
            return self._case_out(session, case)

    # -- deadlines ----------------------------------------------------------------------------

    @rpc(roles=api.ORGANISATION_WRITERS)
    def scan_overdue(self, payload):
        """Raise overdue events for deadlines passed by ``today``; idempotent."""
        today = load(api.OverdueScanIn(), payload)["today"]
        with self.db.transaction() as session:
            result = self._scan(session, today)
            return api.OverdueScanResult().dump(result)

    def _scan(self, session, today):
        result = ops.scan_overdue(session, today, self.deadlines)
        if result["raised"]:
            self.audit(session, "scan_overdue", today, api.OverdueScanResult().dump(result))
        return result

    @timer("OVERDUE_SCAN_SECONDS", 3600)
    def scan_overdue_daily(self):
        """The timer acts as the platform itself (SYSTEM) and scans as of today."""
        with self.db.transaction() as session:
            self._scan(session, date.today())

    # -- statistics ---------------------------------------------------------------------------

    @rpc(roles=api.READERS)
    def statistics(self, query):
        query = load(api.StatisticsQuery(), query)
        with self.db.read() as session:
            return api.Statistics().dump(statistics.statistics(session, query, self.caller))

    @rpc(roles=api.READERS)
    def dispute_statistics(self, query):
        """The period's cases by dispute category and amount band, and the mediators."""
        query = load(api.StatisticsQuery(), query)
        with self.db.read() as session:
            return api.Breakdown().dump(breakdown.breakdown(session, query, self.caller))

    # -- a failed case sent on to legal aid ---------------------------------------------------

    @rpc(roles=api.CASE_WRITERS)
    def refer_to_legal_aid(self, case_id, payload=None):
        """Announce a failed case's applicant to legal aid (the event makes the
        application in the legal services service)."""
        data = load(api.CaseLegalAidIn(), payload)
        with self.db.transaction() as session:
            referral = referrals.refer_to_legal_aid(session, case_id, data, self.caller,
                                                    date.today(), self.cipher, self.transfer)
            self.audit(session, "refer_to_legal_aid", case_id, {"case_id": case_id})
            return api.LegalAidReferral().dump({**vars(referral), "status": "referred"})

    # -- the registry's units (read model) ----------------------------------------------------


    @event_handler("registry", "grid_report_filed")
    def on_grid_report_filed(self, envelope, payload):
        """A grid worker's dispute becomes a case of the committee serving its community."""
        def intake(session):
            case = ops.receive_grid_report(session, payload, self.cipher, SYSTEM,
                                           date.today(), self.deadlines)
            self.audit(session, "grid_intake", case.id,
                       {"referrer_reference": payload["reference"]}, caller=SYSTEM)

        self.handle_once(envelope, "on_grid_report_filed", intake)






