"""The corrections service's RPC contract (the county community corrections office,
社区矫正机构, working through the town justice offices): people under community
correction and people in resettlement help, their files, leave requests, and counts.

Personal fields (name, ID number, offence, address, plan and notes) appear only in the
person's file, masked unless the caller is the person's correction officer or one of
the office's leaders (docs/corrections.md). Statistics carry counts only.
"""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fazhi_common.contracts import resident_id, vocabulary
from fazhi_common.contracts.api import PageQuery, code_field, count_field
from fazhi_common.contracts.roles import JUSTICE_OFFICER, PLATFORM_ADMIN, STAFF

PERSON_KINDS = tuple(vocabulary.PERSON_KINDS)
CORRECTION_TYPES = tuple(vocabulary.CORRECTION_TYPES)
STATUSES = tuple(vocabulary.CORRECTION_STATUSES)
TERMINATION_REASONS = tuple(vocabulary.TERMINATION_REASONS)
HELP_END_REASONS = tuple(vocabulary.HELP_END_REASONS)
REWARDS = tuple(vocabulary.CORRECTION_REWARDS)
PENALTIES = tuple(vocabulary.CORRECTION_PENALTIES)
PENALTY_GROUNDS = tuple(vocabulary.PENALTY_GROUNDS)
ASSESSMENT_GRADES = tuple(vocabulary.ASSESSMENT_GRADES)
LEAVE_REASONS = tuple(vocabulary.LEAVE_REASONS)
LEAVE_LEVELS = tuple(vocabulary.LEAVE_LEVELS)
LEAVE_STATUSES = tuple(vocabulary.LEAVE_STATUSES)
GROUP_BY = ("county", "town", "community")

Text = fields.String(validate=validate.Length(max=2000), allow_none=True)
Name = fields.String(validate=validate.Length(min=1, max=100))
Username = fields.String(validate=validate.Length(min=1, max=100), metadata={
    "description": "The correction officer's user name (a justice officer)."})


# a date within the years the platform holds records for: 0001-01-01 is a slip, and the
# limits' arithmetic (10 days on, five years on) would run off the calendar at its ends
IN_RANGE = validate.Range(min=date(1950, 1, 1), max=date(2199, 12, 31),
                          error="must lie between {min} and {max}")


def day_field(**kwargs):
    return fields.Date(validate=IN_RANGE, **kwargs)


def _resident_id(number):
    why = resident_id.problem(number)
    if why:
        raise ValidationError(why)


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# -- intake -----------------------------------------------------------------------------

class PersonIn(Schema):
    """A judgement or decision received (社区矫正), or a release notified (安置帮教)."""

    kind = one_of(PERSON_KINDS, required=True)
    correction_type = one_of(CORRECTION_TYPES, allow_none=True, metadata={
        "description": "For community correction: 管制/缓刑/假释/暂予监外执行."})
    community_code = code_field(required=True)
    officer = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    id_number = fields.String(allow_none=True, validate=_resident_id, metadata={
        "description": "18-character resident ID number (GB 11643)."})
    offence = fields.String(required=True, validate=validate.Length(min=1, max=500))
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    decided_on = day_field(required=True, metadata={
        "description": "The judgement or decision took effect (correction) or the person "
                       "was released (resettlement)."})
    term_ends_on = day_field(allow_none=True, metadata={
        "description": "The correction term's last day."})
    received_on = day_field(allow_none=True, metadata={"description": "defaults to today"})

    @validates_schema
    def _kind_fields(self, data, **_kwargs):
        if data["kind"] == "correction":
            if not data.get("correction_type"):
                raise ValidationError("required for a person under correction",
                                      "correction_type")
            if not data.get("term_ends_on"):
                raise ValidationError("required for a person under correction",
                                      "term_ends_on")
            if data["term_ends_on"] <= data["decided_on"]:
                raise ValidationError("must come after decided_on", "term_ends_on")


class Person(Schema):
    id = fields.Integer()
    kind = fields.String()
    correction_type = fields.String(allow_none=True)
    county_code = fields.String()
    town_code = fields.String()
    community_code = fields.String()
    officer = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    name = fields.String()
    id_number = fields.String(allow_none=True)
    offence = fields.String()
    address = fields.String(allow_none=True)
    plan = fields.String(allow_none=True)
    personal_data_masked = fields.Boolean()
    decided_on = fields.Date()
    received_on = fields.Date()
    report_due_on = fields.Date(allow_none=True)
    report_due_rule = fields.String(allow_none=True)
    reported_on = fields.Date(allow_none=True)
    days_late = fields.Integer(allow_none=True)
    term_ends_on = fields.Date(allow_none=True)
    help_ends_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    reoffended = fields.Boolean()
    warnings = fields.Integer()
    next_actions = fields.List(fields.String())


class Record(Schema):
    id = fields.Integer()
    action = fields.String()
    on = fields.Date()
    kind = fields.String(allow_none=True)
    ground = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.String()


class PersonFile(Person):
    records = fields.List(fields.Nested(Record))
    leaves = fields.List(fields.Nested(lambda: Leave()))


class PersonQuery(PageQuery):
    kind = one_of(PERSON_KINDS)
    status = one_of(STATUSES)
    community_code = code_field()
    officer = fields.String(validate=validate.Length(min=1, max=100))


# -- steps ------------------------------------------------------------------------------

class FileStepIn(Schema):
    on = day_field(allow_none=True, metadata={"description": "defaults to today"})
    notes = Text


class ReportInIn(FileStepIn):
    late_reason = fields.String(validate=validate.Length(min=1, max=500), allow_none=True)


class PlanIn(FileStepIn):
    plan = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class AssessmentIn(FileStepIn):
    grade = one_of(ASSESSMENT_GRADES, required=True)


class RewardIn(FileStepIn):
    kind = one_of(REWARDS, load_default="commendation")


class PenaltyIn(FileStepIn):
    kind = one_of(PENALTIES, required=True)
    ground = one_of(PENALTY_GROUNDS, required=True)


class TerminateIn(FileStepIn):
    reason = one_of(TERMINATION_REASONS, required=True)
    new_offence = fields.Boolean(load_default=False, metadata={
        "description": "Ended by a new offence (counted as re-offending)."})


class EndHelpIn(FileStepIn):
    reason = one_of(HELP_END_REASONS, required=True)


class AssignOfficerIn(FileStepIn):
    officer = fields.String(required=True, validate=validate.Length(min=1, max=100))


ACTIONS = {
    "report_in": ReportInIn, "lose_contact": FileStepIn, "regain_contact": FileStepIn,
    "make_plan": PlanIn, "record_report": FileStepIn, "record_visit": FileStepIn,
    "record_assessment": AssessmentIn, "reward": RewardIn, "penalise": PenaltyIn,
    "assign_officer": AssignOfficerIn, "release": FileStepIn, "terminate": TerminateIn,
    "end_help": EndHelpIn,
}


# -- leave --------------------------------------------------------------------------------

class LeaveIn(Schema):
    reason = one_of(LEAVE_REASONS, required=True)
    destination = fields.String(required=True, validate=validate.Length(min=1, max=200))
    leaves_on = day_field(required=True)
    returns_on = day_field(required=True)
    applied_on = day_field(allow_none=True, metadata={"description": "defaults to today"})
    urgent_reason = fields.String(allow_none=True, validate=validate.Length(max=500),
                                  metadata={"description": "Why less than 3 days' notice."})


class LeaveDecisionIn(Schema):
    approve = fields.Boolean(required=True)
    notes = Text


class LeaveReturnIn(Schema):
    returned_on = day_field(required=True)


class Leave(Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    reason = fields.String()
    destination = fields.String()
    leaves_on = fields.Date()
    returns_on = fields.Date()
    applied_on = fields.Date()
    days = fields.Integer()
    approval_level = fields.String(metadata={"enum": list(LEAVE_LEVELS)})
    status = fields.String(metadata={"enum": list(LEAVE_STATUSES)})
    decided_by = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    returned_on = fields.Date(allow_none=True)
    returned_late = fields.Boolean(allow_none=True)


# -- counts ---------------------------------------------------------------------------------

class CorrectionsStatisticsQuery(Schema):
    group_by = one_of(GROUP_BY, load_default="county")
    county_code = code_field()
    on = day_field(allow_none=True, metadata={"description": "as of; defaults to today"})


class Counts(Schema):
    """Counts only: no person is named, and no person's row leaves the service."""

    area_code = fields.String(allow_none=True)
    under_correction = count_field()
    awaiting_report = count_field()
    unreported = count_field(metadata={"description": "漏管: past the report limit, not "
                                                      "reported"})
    lost_contact = count_field(metadata={"description": "脱管: lost from supervision"})
    reoffended = count_field(metadata={"description": "ended by a new offence"})
    released = count_field()
    terminated = count_field()
    in_resettlement = count_field()
    on_leave = count_field()


class CorrectionsStatistics(Schema):
    on = fields.Date()
    group_by = fields.String()
    rows = fields.List(fields.Nested(Counts))
    total = fields.Nested(Counts)


class ScanIn(Schema):
    today = day_field(allow_none=True, metadata={"description": "defaults to today"})


class ScanResult(Schema):
    unreported = count_field()
    communities = count_field()


# the county office and its town justice offices keep the files; every staff role may see
# the counts (an evaluator scores them), none but these see a file at all
CORRECTIONS_STAFF = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER})
READERS = STAFF
