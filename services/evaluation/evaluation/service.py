"""The evaluation service's entrypoints: check the caller, validate, call operations, audit.

No rules live here. RPCs admit only calls the gateway signed, by the roles the shared
contract names; event handlers keep the read model of the registry's and mediation's
facts (each event claimed once) and rescore; a timer announces due re-evaluations.
Decisions that carry authority (inspection findings, vetoes, titles) are audited so.
"""
from datetime import date

import eventlet

from evaluation import operations as ops
from evaluation import senders
from evaluation.dependencies import DefaultSchemes, TitlePolicy
from fazhi_common import jobs
from fazhi_common import service as base
from fazhi_common.contracts.api import Job, page_of
from fazhi_common.contracts.api import evaluation as api
from fazhi_common.contracts.api import evaluation_reports as report_api
from fazhi_common.contracts.api import inspections as inspection_api
from fazhi_common.contracts.api import titles as title_api
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.division import COUNTY, TOWN
from fazhi_common.identity import rpc
from fazhi_common.messaging import event_handler
from fazhi_common.settings import Settings
from fazhi_common.timer import timer
from fazhi_common.units import RegistryReadThrough, reads_through
from fazhi_common.validation import load

SCHEME_PAGE = page_of(api.Scheme)()
EVIDENCE_PAGE = page_of(api.Evidence)()
DRAW_PAGE = page_of(inspection_api.SpotCheckDraw)()
INSPECTION_PAGE = page_of(inspection_api.Inspection)()
VETO_PAGE = page_of(api.Veto)()
TITLE_PAGE = page_of(title_api.Title)()
RANKING_PAGE = page_of(report_api.RankingItem)()
JOB = Job()
# communities a batch of registry events rescores before the service lets reads in
EVENT_CHUNK = 125


def _commitment(draw):
    """What a draw commits to, kept in the hash-chained audit trail before any reveal."""
    return {"period": draw.period, "area": draw.area, "method": draw.method,
            "seed_hash": draw.seed_hash, "eligible_digest": draw.eligible_digest,
            "per_county": draw.per_county, "share": draw.share,
            "redraw_of": draw.redraw_of_id}


class EvaluationService(base.ServiceBase):
    name = "evaluation"
    default_schemes = DefaultSchemes()
    titles = Settings(TitlePolicy.from_config)
    job_runner = jobs.JobRunner({ops.RECOMPUTE_PINNED: ops.recompute_pinned_step})
    # a community registered a moment ago, its event still queued, is asked of the registry
    registry = RegistryReadThrough()


    # -- schemes -------------------------------------------------------------------------

    @rpc(roles=api.SCHEME_WRITERS)
    def create_scheme(self, payload):
        data = load(api.SchemeIn(), payload)
        with self.db.transaction() as session:
            scheme = ops.create_scheme(session, data, self.caller)
            self.audit(session, "create_scheme", f"scheme {scheme.id}",
                       {"key": scheme.key, "version": scheme.version})
            return api.Scheme().dump(ops.scheme_view(session, scheme))

    @rpc(roles=api.SCHEME_WRITERS)
    def edit_scheme(self, scheme_id, payload):
        data = load(api.SchemeIn(), payload)
        with self.db.transaction() as session:
            scheme, new_version = ops.edit_scheme(session, scheme_id, data, self.caller,
                                                  date.today())
            job = (ops.start_recompute(
                session, ops.get_scheme(session, scheme_id), self.caller, date.today(),
                int(self.config.get("RECOMPUTE_PART_SIZE", ops.RECOMPUTE_PART_SIZE)))
                if new_version else None)
            self.audit(session, "edit_scheme", f"scheme {scheme_id}",
                       {"key": scheme.key, "version": scheme.version,
                        "new_version": new_version, "job": job.id if job else None})
            view = ops.scheme_view(session, scheme)
            return api.Scheme().dump({**view, "job": jobs.job_view(job) if job else None})

    @rpc(roles=api.READERS)
    def get_job(self, job_id):
        with self.db.read() as session:
            return JOB.dump(jobs.job_view(jobs.get_job(session, job_id, self.caller)))

    @rpc(roles=api.READERS)
    def get_scheme(self, scheme_id):
        with self.db.read() as session:
            return api.Scheme().dump(ops.scheme_view(session, ops.get_scheme(session,
                                                                             scheme_id)))

    @rpc(roles=api.READERS)
    def list_schemes(self, query=None):
        query = load(api.SchemeQuery(), query)
        with self.db.read() as session:
            page = ops.list_schemes(session, query)
            page["items"] = [ops.scheme_view(session, s) for s in page["items"]]
            return SCHEME_PAGE.dump(page)

    # -- evidence and results -----------------------------------------------------------------

    @rpc(roles=api.EVIDENCE_WRITERS)
    @reads_through(ops.COMMUNITIES)
    def submit_evidence(self, payload):
        data = load(api.EvidenceIn(), payload)
        with self.db.transaction() as session:
            evidence = ops.submit_evidence(session, data, self.caller, date.today())
            self.audit(session, "submit_evidence", evidence.community_code, payload)
            return api.Evidence().dump(evidence)

    @rpc(roles=api.READERS)
    def list_evidence(self, query=None):
        query = load(api.EvidenceQuery(), query)
        with self.db.read() as session:
            return EVIDENCE_PAGE.dump(ops.list_evidence(session, query, self.caller))

    @rpc(roles=api.READERS)
    def explain_result(self, code, query):
        period = load(api.PeriodQuery(), query)["period"]
        with self.db.read() as session:
            return api.Explanation().dump(ops.explain(session, code, period, self.caller))

    # -- residents' satisfaction ---------------------------------------------------------------

    @property
    def code_sender(self):
        return senders.sender_from(self.config.get("SURVEY_CODE_SENDER", "log"))

    @rpc(roles=api.SURVEY_RESPONDENTS)
    def answer_survey(self, code, payload, source=None):
        data = load(api.SurveyAnswerIn(), payload)
        source = load(api.AnswerSource(), {"source": source}).get("source")
        burst = (int(self.config.get("SURVEY_BURST_MAX", 10)),
                 int(self.config.get("SURVEY_BURST_MINUTES", 10)))
        with self.db.transaction() as session:
            receipt = ops.answer_survey(session, code, data, self.config["SURVEY_SECRET"],
                                        date.today(), source, burst, self.code_sender)
            # the answer itself is anonymous: the audit keeps only that one was given
            self.audit(session, "answer_survey", code, {"period": data["period"]})
            return api.SurveyReceipt().dump(receipt)

    @rpc(roles=api.SURVEY_RESPONDENTS)
    def verify_survey_answer(self, code, payload):
        data = load(api.SurveyVerifyIn(), payload)
        with self.db.transaction() as session:
            receipt = ops.verify_survey_answer(session, code, data,
                                               self.config["SURVEY_SECRET"], date.today())
            self.audit(session, "verify_survey_answer", code, {"period": receipt["period"]})
            return api.SurveyReceipt().dump(receipt)

    @rpc(roles=api.EVIDENCE_WRITERS)
    def record_paper_survey_answer(self, code, payload):
        data = load(api.PaperSurveyIn(), payload)
        with self.db.transaction() as session:
            receipt = ops.record_paper_answer(session, code, data, self.config["SURVEY_SECRET"],
                                              self.caller, date.today())
            self.audit(session, "record_paper_survey_answer", code,
                       {"period": data["period"], "collected_on": str(data["collected_on"])})
            return api.SurveyReceipt().dump(receipt)

    @rpc(roles=api.READERS)
    def survey_summary(self, code, query):
        period = load(api.SurveyQuery(), query)["period"]
        with self.db.read() as session:
            return api.SurveySummary().dump(ops.survey_summary(session, code, period,
                                                               self.caller, date.today()))

    # -- spot checks and inspections ---------------------------------------------------------------

    @rpc(roles=api.DRAWERS)
    def draw_spot_check(self, payload):
        """Commit a draw: its seed's hash and eligible list's digest are public at once."""
        data = load(inspection_api.SpotCheckDrawIn(), payload)
        with self.db.transaction() as session:
            draw = ops.commit_draw(session, data, self.caller)
            self.audit(session, "commit_draw", f"draw {draw.id}", _commitment(draw),
                       authority=True)
            return inspection_api.SpotCheckDraw().dump(ops.draw_view(session, draw))

    @rpc(roles=api.DRAWERS)
    def reveal_draw(self, draw_id):
        with self.db.transaction() as session:
            draw = ops.reveal_draw(session, draw_id, self.caller)
            self.audit(session, "reveal_draw", f"draw {draw.id}",
                       {"seed": draw.seed, "sample": draw.sample}, authority=True)
            return inspection_api.SpotCheckDraw().dump(ops.draw_view(session, draw))

    @rpc(roles=api.DRAWERS)
    def redraw(self, draw_id, payload):
        data = load(inspection_api.RedrawIn(), payload)
        with self.db.transaction() as session:
            draw = ops.redraw(session, draw_id, data, self.caller)
            self.audit(session, "redraw", f"draw {draw_id}",
                       {"reason": data["reason"], "redrawn_as": draw.id}, authority=True)
            self.audit(session, "commit_draw", f"draw {draw.id}", _commitment(draw),
                       authority=True)
            return inspection_api.SpotCheckDraw().dump(ops.draw_view(session, draw))

    @rpc(roles=api.READERS)
    def get_draw(self, draw_id):
        with self.db.read() as session:
            return inspection_api.SpotCheckDraw().dump(
                ops.draw_view(session, ops.get_draw(session, draw_id, self.caller)))

    @rpc(roles=api.DRAW_CHECKERS)
    def public_draw(self, draw_id):
        with self.db.read() as session:
            return inspection_api.SpotCheckDraw().dump(
                ops.draw_view(session, ops.public_draw(session, draw_id)))

    @rpc(roles=api.READERS)
    def list_draws(self, query=None):
        query = load(inspection_api.SpotCheckQuery(), query)
        with self.db.read() as session:
            page = ops.list_draws(session, query, self.caller)
            page["items"] = [ops.draw_view(session, d) for d in page["items"]]
            return DRAW_PAGE.dump(page)

    @rpc(roles=api.INSPECTORS)
    @reads_through(ops.COMMUNITIES)
    def record_inspection(self, payload):
        data = load(inspection_api.InspectionIn(), payload)
        with self.db.transaction() as session:
            inspection = ops.record_inspection(session, data, self.caller, date.today())
            # an inspector's finding overrides the community's own assessment
            self.audit(session, "record_inspection", inspection.community_code, payload,
                       authority=True)
            return inspection_api.Inspection().dump(inspection)

    @rpc(roles=api.READERS)
    def get_inspection(self, inspection_id):
        with self.db.read() as session:
            return inspection_api.Inspection().dump(
                ops.get_inspection(session, inspection_id, self.caller))

    @rpc(roles=api.READERS)
    def list_inspections(self, query=None):
        query = load(inspection_api.InspectionQuery(), query)
        with self.db.read() as session:
            return INSPECTION_PAGE.dump(ops.list_inspections(session, query, self.caller))

    # -- vetoes ----------------------------------------------------------------------------

    @rpc(roles=api.VETO_WRITERS)
    def record_veto(self, payload):
        data = load(api.VetoIn(), payload)
        with self.db.transaction() as session:
            veto = ops.record_veto(session, data, self.caller, date.today())
            self.audit(session, "record_veto", veto.community_code, payload, authority=True)
            return api.Veto().dump(veto)

    @rpc(roles=api.VETO_WRITERS)
    def decide_veto(self, veto_id, payload):
        data = load(api.VetoDecisionIn(), payload)
        with self.db.transaction() as session:
            veto = ops.decide_veto(session, veto_id, data, self.caller, date.today())
            self.audit(session, f"{data['decision']}_veto", veto.community_code,
                       {**payload, "veto_id": veto_id}, authority=True)
            return api.Veto().dump(veto)

    @rpc(roles=api.READERS)
    def get_veto(self, veto_id):
        with self.db.read() as session:
            return api.Veto().dump(ops.get_veto(session, veto_id, self.caller))

    @rpc(roles=api.READERS)
    def list_vetoes(self, query=None):
        query = load(api.VetoQuery(), query)
        with self.db.read() as session:
            return VETO_PAGE.dump(ops.list_vetoes(session, query, self.caller))

    # -- titles ----------------------------------------------------------------------------

    @rpc(roles=api.TITLE_WRITERS)
    @reads_through(ops.COMMUNITIES)
    def award_title(self, payload):
        data = load(title_api.AwardIn(), payload)
        with self.db.transaction() as session:
            title = ops.award_title(session, data, self.caller, self.titles, date.today())
            self.audit(session, "award_title", title.community_code,
                       {**payload, "title_id": title.id}, authority=True)
            return title_api.Title().dump(title)

    @rpc(roles=api.TITLE_WRITERS)
    def revoke_title(self, title_id, payload):
        data = load(title_api.RevocationIn(), payload)
        with self.db.transaction() as session:
            title = ops.revoke_title(session, title_id, data, self.caller)
            self.audit(session, "revoke_title", title.community_code,
                       {**payload, "title_id": title_id}, authority=True)
            return title_api.Title().dump(title)

    @rpc(roles=api.TITLE_WRITERS)
    def re_examine_title(self, title_id, payload):
        data = load(title_api.ReExaminationIn(), payload)
        with self.db.transaction() as session:
            title = ops.re_examine_title(session, title_id, data, self.caller, self.titles)
            self.audit(session, "re_examine_title", title.community_code,
                       {**payload, "title_id": title_id, "status": title.status},
                       authority=True)
            return title_api.Title().dump(title)

    @rpc(roles=api.TITLE_WRITERS)
    def decide_on_reorganised_title(self, title_id, payload):
        data = load(title_api.TitleDecisionIn(), payload)
        with self.db.transaction() as session:
            title = ops.decide_on_reorganised_title(session, title_id, data, self.caller)
            self.audit(session, f"{data['decision']}_reorganised_title",
                       title.community_code, {**payload, "title_id": title_id},
                       authority=True)
            return title_api.Title().dump(title)

    @rpc(roles=api.READERS)
    def get_title(self, title_id):
        with self.db.read() as session:
            return title_api.Title().dump(ops.get_title(session, title_id, self.caller))

    @rpc(roles=api.READERS)
    def list_titles(self, query=None):
        query = load(title_api.TitleQuery(), query)
        with self.db.read() as session:
            return TITLE_PAGE.dump(ops.list_titles(session, query, self.caller))

    @rpc(roles=api.READERS)
    def prerequisite(self, code, query):
        wanted = load(title_api.PrerequisiteQuery(), query)["title"]
        with self.db.read() as session:
            return title_api.Prerequisite().dump(ops.prerequisite(session, code, wanted,
                                                                  self.caller, date.today()))

    @rpc(roles=api.SCHEDULE_RUNNERS)
    def run_re_evaluation_schedule(self, payload=None):
        today = load(api.ScheduleRunIn(), payload).get("today") or date.today()
        return title_api.ScheduleRun().dump({"notified": self._announce_due(today),
                                             "expired": self._expire(today)})

    @timer("RE_EVALUATION_CHECK_SECONDS", 3600)
    def re_evaluation_schedule(self):
        self._announce_due(date.today())
        self._expire(date.today())

    def _announce_due(self, today):
        with self.db.transaction() as session:
            notified = ops.announce_due_re_evaluations(
                session, today, self.titles.re_evaluation_notice_days)
            if notified:
                self.audit(session, "re_evaluation_due", f"{len(notified)} titles",
                           {"title_ids": notified})
            return notified

    def _expire(self, today, batch_size=500):
        """Batch after batch, each its own transaction, yielding between them."""
        expired = []
        while True:
            with self.db.transaction() as session:
                batch = ops.expire_titles(session, today, batch_size)
                if batch:
                    self.audit(session, "titles_expired", f"{len(batch)} titles",
                               {"title_ids": batch})
            expired += batch
            if len(batch) < batch_size:
                return expired
            eventlet.sleep(0)

    # -- rankings, reports, export -------------------------------------------------------------

    @rpc(roles=api.READERS)
    def rankings(self, query):
        query = load(report_api.RankingQuery(), query)
        with self.db.read() as session:
            return RANKING_PAGE.dump(ops.rankings(session, query, self.caller))

    @rpc(roles=api.READERS)
    def report(self, query):
        query = load(report_api.ReportQuery(), query)
        with self.db.read() as session:
            return report_api.Report().dump(ops.report(session, query["period"],
                                                       query.get("county_code"), self.caller))

    @rpc(roles=api.READERS)
    def overview(self, query):
        query = load(report_api.OverviewQuery(), query)
        with self.db.read() as session:
            return report_api.Overview().dump(ops.overview(session, query, self.caller,
                                                           date.today()))

    @rpc(roles=api.READERS)
    def export_ranking(self, query):
        """The Excel export's results sheet: the area's ranking, read once per export."""
        query = load(report_api.ReportQuery(), query)
        with self.db.read() as session:
            return ops.export_ranking(session, query, self.caller)

    @rpc(roles=api.READERS)
    def export_indicators(self, query):
        """The indicators of a page of the export's communities (rows already shaped for
        the workbook: a schema's dump of half a million of them would cost seconds)."""
        query = load(report_api.ExportIndicatorsQuery(), query)
        with self.db.read() as session:
            return ops.export_indicators(session, query, self.caller)

    # -- facts from the registry and mediation (this service's own read model) ----------------

    def _handle(self, envelope, handler, work):
        """Do the work once per event, and audit the vetoes it made for the platform."""
        def work_and_audit(session):
            for veto in work(session) or []:
                self.audit(session, "record_veto", veto.community_code,
                           {"veto_item": veto.veto_item, "origin": veto.origin,
                            "event_id": envelope["id"]}, authority=True, caller=SYSTEM)
        self.handle_once(envelope, handler, work_and_audit)

    def _handle_batch(self, events, handler, work):
        """Do the work of a batch's new events once each, a chunk at a time, yielding
        between chunks so that reads answer meanwhile."""
        payloads = {envelope["id"]: payload for envelope, payload in events}

        def in_chunks(session, fresh):
            fresh = [payloads[envelope["id"]] for envelope in fresh]
            for start in range(0, len(fresh), EVENT_CHUNK):
                if start:
                    eventlet.sleep(0)
                work(session, fresh[start:start + EVENT_CHUNK], date.today())
        self.handle_batch_once([envelope for envelope, _p in events], handler, in_chunks)

    @event_handler("registry", "county_registered")
    def on_county_registered(self, envelope, payload):
        self.handle_once(envelope, "on_county_registered", lambda session:
                         ops.on_area_registered(session, COUNTY, payload))

    @event_handler("registry", "town_registered")
    def on_town_registered(self, envelope, payload):
        self.handle_once(envelope, "on_town_registered", lambda session:
                         ops.on_area_registered(session, TOWN, payload))

    @event_handler("registry", "unit_snapshot")
    def on_unit_snapshot(self, envelope, payload):
        # the registry's replay (announce-units): the names of areas known before this
        self.handle_once(envelope, "on_unit_snapshot", lambda session:
                         ops.on_unit_snapshot(session, payload))

    @event_handler("registry", "community_registered", batch=True)
    def on_community_registered(self, events):
        self._handle_batch(events, "on_community_registered", ops.on_communities_registered)

    @event_handler("registry", "community_updated", batch=True)
    def on_community_updated(self, events):
        self._handle_batch(events, "on_community_updated", ops.on_communities_updated)

    @event_handler("registry", "community_reorganised")
    def on_community_reorganised(self, envelope, payload):
        self._handle(envelope, "on_community_reorganised", lambda session:
                     ops.on_community_reorganised(session, envelope, payload, date.today()))

    @event_handler("registry", "legal_adviser_assigned")
    def on_legal_adviser_assigned(self, envelope, payload):
        self._handle(envelope, "on_legal_adviser_assigned", lambda session:
                     ops.on_adviser_assigned(session, envelope, payload, date.today()))

    @event_handler("registry", "legal_adviser_removed")
    def on_legal_adviser_removed(self, envelope, payload):
        self._handle(envelope, "on_legal_adviser_removed", lambda session:
                     ops.on_adviser_removed(session, envelope, payload, date.today()))

    @event_handler("registry", "election_held")
    def on_election_held(self, envelope, payload):
        self._handle(envelope, "on_election_held", lambda session:
                     ops.on_election_held(session, envelope, payload, date.today()))

    @event_handler("registry", "affairs_disclosed")
    def on_affairs_disclosed(self, envelope, payload):
        self._handle(envelope, "on_affairs_disclosed", lambda session:
                     ops.on_affairs_disclosed(session, envelope, payload, date.today()))

    @event_handler("registry", "record_kept")
    def on_record_kept(self, envelope, payload):
        self._handle(envelope, "on_record_kept", lambda session:
                     ops.on_record_kept(session, envelope, payload, date.today()))

    @event_handler("mediation", "mediation_case_closed")
    def on_mediation_case_closed(self, envelope, payload):
        self._handle(envelope, "on_mediation_case_closed", lambda session:
                     ops.on_mediation_case_closed(session, envelope, payload, date.today()))

    @event_handler("corrections", "corrections_counts_changed")
    def on_supervision_counts(self, envelope, payload):
        # counts only: the corrections service never sends evaluation a person
        self.handle_once(envelope, "on_supervision_counts", lambda session:
                         ops.on_supervision_counts(session, envelope, payload, date.today()))
