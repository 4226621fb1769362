"""The legal services' entrypoints: check the caller, validate, call operations, audit,
dump. No rules live here. Every write is audited in the transaction that makes it; so is
every read that shows personal data unmasked ("who read unmasked personal data")."""
from datetime import date

from fazhi_common import calendar_changes  # the module: nameko runs classes in sight
from fazhi_common import service as base
from fazhi_common import units as known_units  # the module: nameko runs classes in sight
from fazhi_common.contracts.api import legalservices as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.errors import field_error
from fazhi_common.contracts.messages import CHINESE
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.identity import rpc
from fazhi_common.messaging import event_handler
from fazhi_common.timer import timer
from fazhi_common.units import RegistryReadThrough, reads_through
from fazhi_common.validation import load
from legalservices import advisers, domain, tracking
from legalservices import operations as ops
from legalservices.dependencies import (
    Cipher,
    DeadlineJobs,
    LegalAidSettings,
    ReceiptKeys,
    TransferCipher,
)
from legalservices.models import CalendarState

LEGAL_AID_PAGE = page_of(api.LegalAid)()
CONSULTATION_PAGE = page_of(api.Consultation)()
ADVISER_PAGE = page_of(api.GovernmentAdviser)()
OPINION_PAGE = page_of(api.Opinion)()
VISIT_PAGE = page_of(api.CommunityVisit)()


class LegalServicesService(calendar_changes.WatchesCalendar, base.ServiceBase,
                           known_units.KeepsUnits):
    name = "legalservices"
    units = ops.UNITS  # the registry's units, kept from its events (KeepsUnits)
    cipher = Cipher()
    receipts = ReceiptKeys()
    transfer = TransferCipher()
    deadlines = LegalAidSettings()
    # the working calendar watched: a change recomputes running deadlines (WatchesCalendar)
    calendar_state = CalendarState
    job_runner = DeadlineJobs()
    # a unit registered a moment ago, its event still queued, is asked of the registry
    registry = RegistryReadThrough()

    def _audit_reveal(self, session, what, ids):
        if ids:
            self.audit(session, "read_personal_data", f"{what} {','.join(map(str, ids))}"[:100],
                       {what: ids})

    # -- legal aid ------------------------------------------------------------------------

    def _legal_aid_out(self, session, application, secret=None):
        reveal = domain.may_see_personal_data(
            self.caller.role, self.caller.covers(application.community_code))
        if reveal:
            self._audit_reveal(session, "legal_aid", [application.id])
        return api.LegalAid().dump(ops.legal_aid_view(application, self.cipher, reveal,
                                                      secret))

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    @reads_through(ops.UNITS)
    def apply_legal_aid(self, payload):
        data = load(api.LegalAidIn(), payload)
        with self.db.transaction() as session:
            application, secret = ops.apply_legal_aid(
                session, data, self.cipher, self.caller, date.today(), self.deadlines)
            self.audit(session, "apply_legal_aid", application.id,
                       {"community_code": application.community_code})
            return self._legal_aid_out(session, application, secret)

    @rpc(roles=api.APPLICANTS)
    @reads_through(ops.UNITS)
    def apply_legal_aid_public(self, payload):
        """A resident's own legal-aid application from a portal: a receipt only."""
        data = load(api.PublicLegalAidIn(), payload)
        with self.db.transaction() as session:
            application, secret = ops.apply_legal_aid(
                session, data, self.cipher, self.caller, date.today(), self.deadlines,
                channel="portal")
            self.audit(session, "apply_legal_aid", application.id,
                       {"community_code": application.community_code, "channel": "portal"})
            return {**api.LegalAidReceipt().dump(application), "secret": secret}

    @rpc(roles=api.TRACKERS)
    def track(self, payload, language=CHINESE):
        """A resident follows its own application: receipt number and secret, no account;
        the next step in ``language`` (the gateway's pick by Accept-Language)."""
        data = load(api.TrackIn(), payload)
        with self.db.read() as session:
            return api.Tracked().dump(tracking.tracked_view(
                tracking.find(session, data, self.receipts), language))

    @rpc(roles=api.TRACKERS)
    def object_to_legal_aid_refusal(self, payload, language=CHINESE):
        """The applicant objects to a refusal or a termination, with receipt and secret."""
        data = load(api.ObjectionIn(), payload)
        with self.db.transaction() as session:
            application = ops.object_by_applicant(session, data, self.receipts,
                                                  self.deadlines, date.today())
            self.audit(session, "object", application.id, {"channel": "portal"})
            return api.Tracked().dump(tracking.tracked_view(application, language))

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def get_legal_aid(self, application_id):
        with self.db.transaction() as session:
            return self._legal_aid_out(session, ops.get_legal_aid(session, application_id,
                                                                  self.caller))

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def legal_aid_for_case(self, case_id):
        """The application a failed mediation case became (made from mediation's event)."""
        with self.db.transaction() as session:
            return self._legal_aid_out(session, ops.legal_aid_for_case(session, case_id,
                                                                       self.caller))

    @rpc(roles=api.LEGAL_AID_DECIDERS)
    def take_legal_aid_step(self, application_id, action, payload):
        """request_materials, supply_materials, grant, refuse, assign, terminate, object,
        uphold_objection, dismiss_objection, close."""
        if action not in api.LEGAL_AID_ACTIONS:
            raise field_error("action", f"Unknown action {action!r}; one of "
                                        f"{sorted(api.LEGAL_AID_ACTIONS)}.")
        data = load(api.LEGAL_AID_ACTIONS[action](), payload)
        with self.db.transaction() as session:
            application = ops.take_legal_aid_step(session, application_id, action, data,
                                                  self.deadlines, self.caller, date.today())
            self.audit(session, f"legal_aid_{action}", application.id,
                       {**payload, "status": application.status}, authority=True)
            return self._legal_aid_out(session, application)

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def list_legal_aid(self, query=None):
        query = load(api.LegalServiceQuery(), query)
        with self.db.transaction() as session:
            page = ops.list_legal_aid(session, query, self.caller)
            # each item is dumped once, by _legal_aid_out (it masks and audits)
            items = [self._legal_aid_out(session, a) for a in page["items"]]
            return {**LEGAL_AID_PAGE.dump({**page, "items": []}), "items": items}

    @rpc(roles=api.READERS)
    def legal_aid_statistics(self, query):
        query = load(api.LegalServiceStatisticsQuery(), query)
        with self.db.read() as session:
            return api.LegalAidStatistics().dump(
                ops.legal_aid_statistics(session, query, self.caller))

    @rpc(roles=api.LEGAL_AID_DECIDERS)
    def scan_overdue(self, payload):
        """Overdue events for deadlines passed by ``today``, and applications deemed
        withdrawn; idempotent."""
        today = load(api.OverdueScanIn(), payload)["today"]
        with self.db.transaction() as session:
            return api.LegalAidScanResult().dump(self._scan(session, today))

    def _scan(self, session, today, caller=None):
        ids = ops.scan_legal_aid_overdue(session, today)
        withdrawn = ops.scan_withdrawals(session, today, self.deadlines)
        result = {"today": today, "legal_aid_ids": ids, "legal_aid_raised": len(ids),
                  "withdrawn_ids": withdrawn}
        if ids or withdrawn:
            self.audit(session, "scan_overdue", today, api.LegalAidScanResult().dump(result),
                       caller=caller)
        return result

    @timer("OVERDUE_SCAN_SECONDS", 3600)
    def scan_overdue_daily(self):
        """The timer acts as the platform itself (SYSTEM) and scans as of today."""
        with self.db.transaction() as session:
            self._scan(session, date.today(), caller=SYSTEM)

    @event_handler("mediation", "mediation_legal_aid_requested")
    def on_legal_aid_requested(self, envelope, payload):
        """A failed mediation's applicant, sent on by mediation: once per case."""
        def work(session):
            application, _secret = ops.legal_aid_from_referral(
                session, payload, self.deadlines, self.cipher, self.transfer)
            self.audit(session, "legal_aid_from_case", application.id,
                       {"case_id": payload["case_id"]}, caller=SYSTEM)
        self.handle_once(envelope, "on_legal_aid_requested", work)

    # -- the 12348 hotline ----------------------------------------------------------------

    def _consultation_out(self, session, consultation):
        reveal = domain.may_see_personal_data(
            self.caller.role, self.caller.covers(consultation.community_code))
        if reveal and consultation.caller_phone_enc is not None:
            self._audit_reveal(session, "consultation", [consultation.id])
        return api.Consultation().dump(ops.consultation_view(consultation, self.cipher,
                                                             reveal))

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    @reads_through(ops.UNITS)
    def record_consultation(self, payload):
        data = load(api.ConsultationIn(), payload)
        with self.db.transaction() as session:
            consultation = ops.record_consultation(session, data, self.cipher, self.caller)
            self.audit(session, "record_consultation", consultation.id,
                       {"community_code": consultation.community_code})
            return self._consultation_out(session, consultation)

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def list_consultations(self, query=None):
        query = load(api.LegalServiceQuery(), query)
        with self.db.transaction() as session:
            page = ops.list_consultations(session, query, self.caller)
            items = [self._consultation_out(session, c) for c in page["items"]]
            return {**CONSULTATION_PAGE.dump({**page, "items": []}), "items": items}

    @rpc(roles=api.READERS)
    def hotline_statistics(self, query):
        query = load(api.LegalServiceStatisticsQuery(), query)
        with self.db.read() as session:
            return api.HotlineStatistics().dump(
                ops.hotline_statistics(session, query, self.caller))

    # -- government legal advisers ------------------------------------------------------------

    @rpc(roles=api.ADVISER_WRITERS)
    @reads_through(ops.UNITS)
    def register_adviser(self, payload):
        data = load(api.GovernmentAdviserIn(), payload)
        with self.db.transaction() as session:
            adviser = advisers.register_adviser(session, data, self.caller)
            self.audit(session, "register_adviser", adviser.id,
                       {"government_code": adviser.government_code})
            return api.GovernmentAdviser().dump(advisers.adviser_view(session, adviser))

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def list_advisers(self, query=None):
        query = load(api.GovernmentAdviserQuery(), query)
        with self.db.read() as session:
            return ADVISER_PAGE.dump(advisers.list_advisers(session, query, self.caller))

    @rpc(roles=api.ADVISER_WRITERS)
    def record_opinion(self, adviser_id, payload):
        data = load(api.OpinionIn(), payload)
        with self.db.transaction() as session:
            opinion = advisers.record_opinion(session, adviser_id, data, self.caller)
            self.audit(session, "record_opinion", opinion.id, {"adviser_id": adviser_id,
                                                                "kind": opinion.kind})
            return api.Opinion().dump(opinion)

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def list_opinions(self, query=None):
        query = load(api.OpinionQuery(), query)
        with self.db.read() as session:
            return OPINION_PAGE.dump(advisers.list_opinions(session, query, self.caller))

    @rpc(roles=api.READERS)
    def adviser_coverage(self, query=None):
        on = load(api.AdviserCoverageQuery(), query).get("on") or date.today()
        with self.db.read() as session:
            return api.AdviserCoverage().dump(advisers.adviser_coverage(session, on,
                                                                        self.caller))

    # -- lawyers in communities ---------------------------------------------------------------

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    @reads_through(ops.UNITS)
    def record_visit(self, payload):
        data = load(api.CommunityVisitIn(), payload)
        with self.db.transaction() as session:
            visit = advisers.record_visit(session, data, self.caller)
            self.audit(session, "record_visit", visit.id,
                       {"community_code": visit.community_code})
            return api.CommunityVisit().dump(visit)

    @rpc(roles=api.LEGAL_SERVICE_READERS)
    def list_visits(self, query=None):
        query = load(api.VisitQuery(), query)
        with self.db.read() as session:
            return VISIT_PAGE.dump(advisers.list_visits(session, query, self.caller))

    @rpc(roles=api.READERS)
    def visit_totals(self, query):
        query = load(api.VisitTotalsQuery(), query)
        with self.db.read() as session:
            return api.VisitTotals().dump(advisers.visit_totals(session, query, self.caller))

    # -- the registry's units and community advisers (read models) -----------------------








    def _on_adviser(self, envelope, payload, handler):
        self.handle_once(envelope, handler, lambda session: advisers.apply_adviser_event(
            session, envelope["type"], payload))

    @event_handler("registry", "legal_adviser_assigned")
    def on_legal_adviser_assigned(self, envelope, payload):
        self._on_adviser(envelope, payload, "on_legal_adviser_assigned")

    @event_handler("registry", "legal_adviser_removed")
    def on_legal_adviser_removed(self, envelope, payload):
        self._on_adviser(envelope, payload, "on_legal_adviser_removed")
