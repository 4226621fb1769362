"""The registry's entrypoints: check the caller, validate, call operations, audit, dump.

No rules live here. Every ``@rpc`` admits only calls the gateway signed, by the roles the
shared contract names; every write is audited in the transaction that makes it.
"""
from datetime import date

import eventlet

from fazhi_common import jobs
from fazhi_common import service as base
from fazhi_common.contracts.api import Job, PageQuery, page_of
from fazhi_common.contracts.api import registry as api
from fazhi_common.contracts.api import self_governance as sg
from fazhi_common.contracts.errors import Forbidden, ValidationFailed
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.identity import rpc
from fazhi_common.messaging import event_handler
from fazhi_common.settings import Settings
from fazhi_common.timer import timer
from fazhi_common.validation import load
from registry import exporting, health_checks, importing, office_files, schedule
from registry import operations as ops
from registry.dependencies import RegistryPolicy
from registry.operations import figures

JOB = Job()
# made once: a schema's construction cost more than its dump of a unit
COUNTY, TOWN, COMMUNITY = api.County(), api.Town(), api.Community()
COUNTY_PAGE = page_of(api.County)()
TOWN_PAGE = page_of(api.Town)()
COMMUNITY_PAGE = page_of(api.Community)()
BODY_PAGE = page_of(sg.GovernanceBody)()
ELECTION_PAGE = page_of(sg.Election)()
ADVISER_PAGE = page_of(api.AdviserAssignment)()
RECORD_KINDS_OUT = {kind: out() for kind, (_in, out) in api.RECORD_KINDS.items()}
RECORD_PAGES = {kind: page_of(out)() for kind, (_in, out) in api.RECORD_KINDS.items()}


def _record_kind(kind):
    if kind not in api.RECORD_KINDS:
        raise ValidationFailed(f"Unknown record kind {kind!r}.",
                               {"kind": [f"one of {sorted(api.RECORD_KINDS)}"]})
    return api.RECORD_KINDS[kind]


class RegistryService(base.ServiceBase):
    name = "registry"
    policy = Settings(RegistryPolicy.from_config)
    job_runner = jobs.JobRunner({importing.IMPORT_JOB: importing.import_step})


    # -- units ---------------------------------------------------------------------------

    @rpc(roles=api.UNIT_WRITERS)
    def register_county(self, payload):
        data = load(api.CountyIn(), payload)
        with self.db.transaction() as session:
            county = ops.register_county(session, data, self.caller)
            self.audit(session, "register_county", county.code, payload)
            return COUNTY.dump(county)

    @rpc(roles=api.UNIT_WRITERS)
    def register_town(self, payload):
        data = load(api.TownIn(), payload)
        with self.db.transaction() as session:
            town = ops.register_town(session, data, self.caller)
            self.audit(session, "register_town", town.code, payload)
            return TOWN.dump(town)

    @rpc(roles=api.UNIT_WRITERS)
    def register_community(self, payload):
        data = load(api.CommunityIn(), payload)
        with self.db.transaction() as session:
            community = ops.register_community(session, data, self.caller)
            self.audit(session, "register_community", community.code, payload)
            return COMMUNITY.dump(community)

    @rpc(roles=api.UNIT_WRITERS)
    def update_community(self, code, payload):
        changes = load(api.CommunityChange(), payload)
        with self.db.transaction() as session:
            community = ops.update_community(session, code, changes, self.caller)
            self.audit(session, "update_community", code, payload)
            return COMMUNITY.dump(community)

    @rpc(roles=api.READERS)
    def get_county(self, code):
        return COUNTY.dump(ops.get_county(self.db, code, self.caller))

    @rpc(roles=api.READERS)
    def get_town(self, code):
        return TOWN.dump(ops.get_town(self.db, code, self.caller))

    @rpc(roles=api.READERS)
    def get_community(self, code):
        return COMMUNITY.dump(ops.get_community(self.db, code, self.caller))

    @rpc(roles=api.READERS)
    def list_counties(self, query=None):
        query = load(api.CountyQuery(), query)
        with self.db.read() as session:
            return COUNTY_PAGE.dump(ops.list_counties(session, query, self.caller))

    @rpc(roles=api.READERS)
    def list_towns(self, query=None):
        query = load(api.TownQuery(), query)
        with self.db.read() as session:
            return TOWN_PAGE.dump(ops.list_towns(session, query, self.caller))

    @rpc(roles=api.READERS)
    def list_communities(self, query=None):
        query = load(api.UnitQuery(), query)
        with self.db.read() as session:
            return COMMUNITY_PAGE.dump(ops.list_communities(session, query, self.caller))

    # -- reorganisation, lineage, stage ------------------------------------------------------

    @rpc(roles=api.UNIT_WRITERS)
    def reorganise(self, payload):
        data = load(api.ReorganisationIn(), payload)
        with self.db.transaction() as session:
            reorganisation = ops.reorganise(session, data, self.caller)
            self.audit(session, "reorganise", reorganisation.result_code, payload)
            return api.Reorganisation().dump(ops.reorganisation_view(reorganisation))

    @rpc(roles=api.READERS)
    def lineage(self, code):
        with self.db.read() as session:
            return api.Lineage().dump(ops.lineage(session, code, self.caller))

    @rpc(roles=api.READERS)
    def stage(self, code, query):
        year = load(api.StageQuery(), query)["year"]
        with self.db.read() as session:
            return api.Stage().dump(ops.stage(session, code, year, self.caller))

    # -- self-governance -------------------------------------------------------------------

    @rpc(roles=api.UNIT_WRITERS)
    def create_body(self, payload):
        data = load(sg.GovernanceBodyIn(), payload)
        with self.db.transaction() as session:
            body = ops.create_body(session, data, self.caller)
            self.audit(session, "create_body", body.id, payload)
            return sg.GovernanceBody().dump(ops.body_view(body, date.today()))

    @rpc(roles=api.READERS)
    def get_body(self, body_id):
        with self.db.read() as session:
            body = ops.get_body(session, body_id, self.caller)
            return sg.GovernanceBody().dump(ops.body_view(body, date.today()))

    @rpc(roles=api.READERS)
    def list_bodies(self, query=None):
        query = load(sg.BodyQuery(), query)
        today = date.today()
        with self.db.read() as session:
            page = ops.list_bodies(session, query, today, self.caller)
            page["items"] = [ops.body_view(b, today) for b in page["items"]]
            return BODY_PAGE.dump(page)

    @rpc(roles=api.UNIT_WRITERS)
    def record_election(self, body_id, payload):
        data = load(sg.ElectionIn(), payload)
        with self.db.transaction() as session:
            election = ops.record_election(session, body_id, data, self.caller)
            self.audit(session, "record_election", body_id, payload)
            return sg.Election().dump(election)

    @rpc(roles=api.UNIT_WRITERS)
    def update_body(self, body_id, payload):
        changes = load(sg.GovernanceBodyChange(), payload)
        with self.db.transaction() as session:
            body = ops.update_body(session, body_id, changes, self.caller)
            self.audit(session, "update_body", body.id, payload)
            return sg.GovernanceBody().dump(ops.body_view(body, date.today()))

    @rpc(roles=api.UNIT_WRITERS)
    def end_body(self, body_id, payload):
        ended_on = load(sg.BodyEndIn(), payload)["ended_on"]
        with self.db.transaction() as session:
            body = ops.end_body(session, body_id, ended_on, self.caller)
            self.audit(session, "end_body", body.id, payload)
            return sg.GovernanceBody().dump(ops.body_view(body, date.today()))

    @rpc(roles=api.READERS)
    def list_elections(self, body_id, query=None):
        query = load(PageQuery(), query)
        with self.db.read() as session:
            return ELECTION_PAGE.dump(ops.list_elections(session, body_id, query, self.caller))

    @rpc(roles=api.SCHEDULE_RUNNERS)
    def run_election_due_schedule(self, payload=None):
        today = load(api.ScheduleRunIn(), payload).get("today") or date.today()
        return sg.ElectionDueRun().dump({"announced": self._announce_due(today)})

    @timer("ELECTION_DUE_CHECK_SECONDS", 3600)
    def election_due_schedule(self):
        self._announce_due(date.today(), caller=SYSTEM)

    def _announce_due(self, today, caller=None):
        """Batch after batch, each its own transaction, yielding between them."""
        notice = self.policy.election_notice_days
        size = self.policy.election_due_batch
        announced = []
        while True:
            with self.db.transaction() as session:
                batch = schedule.announce_due_elections(session, today, notice, size)
                if batch:
                    self.audit(session, "election_due", f"{len(batch)} bodies",
                               {"body_ids": batch}, caller=caller)
            announced += batch
            if len(batch) < size:
                return announced
            eventlet.sleep(0)

    # -- legal advisers and coverage ---------------------------------------------------------

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    def assign_adviser(self, payload):
        data = load(api.AdviserAssignmentIn(), payload)
        with self.db.transaction() as session:
            assignment = ops.assign_adviser(session, data, self.caller)
            self.audit(session, "assign_adviser", assignment.community_code, payload)
            return api.AdviserAssignment().dump(assignment)

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    def remove_adviser(self, assignment_id, payload):
        removed_on = load(api.AdviserRemovalIn(), payload)["removed_on"]
        with self.db.transaction() as session:
            assignment = ops.remove_adviser(session, assignment_id, removed_on, self.caller)
            self.audit(session, "remove_adviser", assignment.community_code, payload)
            return api.AdviserAssignment().dump(assignment)

    @rpc(roles=api.READERS)
    def list_advisers(self, query=None):
        query = load(api.AdviserQuery(), query)
        with self.db.read() as session:
            return ADVISER_PAGE.dump(ops.list_advisers(session, query, self.caller))

    @rpc(roles=api.READERS)
    def coverage(self, query=None):
        county_code = load(api.CoverageQuery(), query).get("county_code")
        with self.db.read() as session:
            return api.Coverage().dump(ops.coverage(session, county_code, self.caller))

    @rpc(roles=api.READERS)
    def governance_figures(self, query):
        """The civil-affairs return's self-governance figures, by county and town."""
        query = load(sg.GovernanceFiguresQuery(), query)
        with self.db.read() as session:
            return sg.GovernanceFiguresReport().dump(figures.figures(session, query,
                                                                     self.caller))

    # -- records kept by kind ------------------------------------------------------------------

    @rpc(roles=api.READERS)
    def add_record(self, kind, payload):
        schema_in, schema_out = _record_kind(kind)
        self.caller.require_role(api.RECORD_WRITERS[kind])
        data = load(schema_in(), payload)
        with self.db.transaction() as session:
            record = ops.add_record(session, kind, data,
                                    self.policy.disclosure_grace_days,
                                    self.caller)
            self.audit(session, f"add_record.{kind}", record.id, payload)
            return schema_out().dump(record)

    @rpc(roles=api.UNIT_WRITERS)
    def end_grid(self, grid_id, payload):
        ended_on = load(sg.BodyEndIn(), payload)["ended_on"]
        with self.db.transaction() as session:
            grid = ops.end_grid(session, grid_id, ended_on, self.caller)
            self.audit(session, "end_grid", grid.id, payload)
            return RECORD_KINDS_OUT["grids"].dump(grid)

    @rpc(roles=api.RECORD_WRITERS["funding_lines"])
    def update_funding_line(self, line_id, payload):
        changes = load(sg.FundingLineChange(), payload)
        with self.db.transaction() as session:
            line = ops.update_funding_line(session, line_id, changes, self.caller)
            self.audit(session, "update_funding_line", line.id, payload)
            return RECORD_KINDS_OUT["funding_lines"].dump(line)

    @rpc(roles=api.RECORD_WRITERS["purchased_services"])
    def update_purchased_service(self, service_id, payload):
        changes = load(sg.PurchasedServiceChange(), payload)
        with self.db.transaction() as session:
            service = ops.update_purchased_service(session, service_id, changes, self.caller)
            self.audit(session, "update_purchased_service", service.id, payload)
            return RECORD_KINDS_OUT["purchased_services"].dump(service)

    @rpc(roles=api.READERS)
    def list_records(self, kind, query=None):
        _record_kind(kind)
        query = load(api.RecordQuery(), query)
        with self.db.read() as session:
            return RECORD_PAGES[kind].dump(ops.list_records(session, kind, query, self.caller))

    @rpc(roles=api.READERS)
    def health_check_progress(self, query):
        query = load(api.RecordQuery(), query)
        year = query.get("year") or date.today().year
        target = self.policy.health_check_yearly_target
        with self.db.read() as session:
            return api.HealthCheckProgress().dump(health_checks.progress(
                session, year, query.get("county_code"), target, self.caller))

    @rpc(roles=api.LEGAL_SERVICE_WRITERS)
    def set_health_check_target(self, payload):
        data = load(api.HealthCheckTargetIn(), payload)
        with self.db.transaction() as session:
            row = health_checks.set_target(session, data, self.caller)
            self.audit(session, "set_health_check_target", row.county_code, payload)
            return api.HealthCheckTarget().dump(row)

    @rpc(roles=api.READERS)
    def outreach_summary(self, query):
        query = load(api.RecordQuery(), query)
        year = query.get("year") or date.today().year
        with self.db.read() as session:
            rows = ops.outreach_summary(session, year, query.get("county_code"), self.caller)
            return api.OutreachSummary(many=True).dump(rows)

    # -- bulk import and export --------------------------------------------------------------

    def _rows_in_area(self, rows):
        """``rows`` (a list, or an upload read afresh each time) if all lie in the area."""
        outside = {f"line {r['line']}": ["outside your area"]
                   for r in rows if not self.caller.covers(r["code"])}
        if outside:
            raise Forbidden(f"{len(outside)} rows lie outside your area {self.caller.area}.",
                            outside)
        return rows

    @rpc(roles=api.UNIT_WRITERS)
    def check_units(self, rows):
        """Dry run of an import: the per-row error report, nothing written."""
        rows = self._rows_in_area(load(api.ImportRow(many=True), rows))
        with self.db.read() as session:
            return api.ImportResult().dump(importing.import_rows(session, rows, dry_run=True))

    @rpc(roles=api.UNIT_WRITERS)
    def import_units(self, rows):
        rows = self._rows_in_area(load(api.ImportRow(many=True), rows))
        return self._import(rows, "import_units")

    @rpc(roles=api.UNIT_WRITERS)
    def import_file(self, payload):
        data = load(api.ImportFileIn(), payload)
        rows = office_files.read_upload(data["filename"], data["content_base64"])
        if rows.lines_at_most() > int(self.config.get("IMPORT_INLINE_ROWS", 200)):
            # a province's list takes minutes: checked (area too) and written by a job,
            # in one transaction, polled; the upload waits in the job's parameters (a dry
            # run of it too: no RPC works for minutes)
            with self.db.transaction() as session:
                job = jobs.start_job(session, importing.IMPORT_JOB, data, self.caller)
                self.audit(session, "import_file", data["filename"], {"job": job.id})
                return api.ImportResult().dump({"job": jobs.job_view(job)})
        if data["dry_run"]:
            with self.db.read() as session:
                return api.ImportResult().dump(importing.import_rows(
                    session, rows, dry_run=True, scope=self.caller))
        return self._import(self._rows_in_area(rows), "import_file")

    @rpc(roles=api.READERS)
    def get_job(self, job_id):
        with self.db.read() as session:
            return JOB.dump(jobs.job_view(jobs.get_job(session, job_id, self.caller)))

    def _import(self, rows, action):
        with self.db.transaction() as session:
            result = importing.import_all_or_nothing(session, rows)
            self.audit(session, action, f"{result['rows']} rows",
                       {k: result[k] for k in ("created", "updated", "unchanged")})
            return api.ImportResult().dump(result)

    @rpc(roles=api.READERS)
    def export_units(self, query=None):
        query = load(api.CoverageQuery(), query)
        with self.db.read() as session:
            rows = exporting.export_rows(session, query.get("county_code"))
            return [row for row in rows if self.caller.covers(row["code"])]

    # -- a grid report's case in mediation: its intake and its outcome come back ----------------

    def _on_case(self, envelope, payload, handler, apply):
        self.handle_once(envelope, handler, lambda session: apply(session, payload))

    @event_handler("mediation", "mediation_case_received")
    def on_mediation_case_received(self, envelope, payload):
        self._on_case(envelope, payload, "on_mediation_case_received", ops.on_case_received)

    @event_handler("mediation", "mediation_case_closed")
    def on_mediation_case_closed(self, envelope, payload):
        self._on_case(envelope, payload, "on_mediation_case_closed", ops.on_case_closed)
