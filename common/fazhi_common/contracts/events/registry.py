"""Events the registry service (civil affairs) announces."""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import AreaPayload, EventContract, JobFinished, code_field


class CountyRegistered(Schema):
    county_code = code_field()
    name = fields.String(required=True)
    kind = fields.String(required=True)


class TownRegistered(AreaPayload):
    name = fields.String(required=True)
    kind = fields.String(required=True)


class CommunityRegistered(AreaPayload):
    name = fields.String(required=True)
    kind = fields.String(required=True)
    # evaluation picks a scheme by tier and a stage by the reorganisation date
    economic_tier = fields.String(allow_none=True, load_default=None)
    # finances disclosed monthly (集体财务往来较多), else quarterly: 村民委员会组织法 art. 30
    collective_finances_busy = fields.Boolean(load_default=False)
    reorganised_on = fields.Date(allow_none=True, load_default=None)
    # the rest of the unit as the registry answers for it, which the gateway's view of
    # communities serves (events of earlier versions lack them: the gateway then asks)
    urban_rural_code = fields.String(allow_none=True, load_default=None)
    status = fields.String(allow_none=True, load_default=None)
    deactivated_on = fields.Date(allow_none=True, load_default=None)
    federated_into = code_field(required=False)


class CommunityUpdated(CommunityRegistered):
    """A community's name or economic tier changed (the full current record)."""


class CommunityReorganised(AreaPayload):
    """``community_code`` is the resulting unit; ``source_codes`` the villages it came from."""

    reorganisation_id = fields.Integer(required=True)
    reorganisation_kind = fields.String(required=True,
                                        validate=validate.OneOf(tuple(vocabulary.REORGANISATION_KINDS)))
    effective_on = fields.Date(required=True)
    source_codes = fields.List(code_field(), required=True)
    deactivated_codes = fields.List(code_field(), required=True)


class SnapshotUnit(Schema):
    """One unit as the registry holds it: a county, town or community, and for a community
    a reorganisation made inactive, what it became."""

    code = code_field()
    level = fields.String(required=True, validate=validate.OneOf(
        ["county", "town", "community"]))
    name = fields.String(required=True)
    kind = fields.String(required=True)
    county_code = code_field()
    town_code = code_field(required=False)
    active = fields.Boolean(required=True)
    successor_code = code_field(required=False)
    reorganisation_kind = fields.String(allow_none=True, load_default=None)
    reorganised_on = fields.Date(allow_none=True, load_default=None)


class UnitSnapshot(Schema):
    """A chunk of the registry's units replayed to the read models of units
    (``fazhi-registry announce-units``), each unit's whole state as of ``taken_at``.
    Not a registration: nothing counts it as a new unit."""

    taken_at = fields.AwareDateTime(required=True)
    units = fields.List(fields.Nested(SnapshotUnit), required=True)


class LegalAdviserAssigned(AreaPayload):
    assignment_id = fields.Integer(required=True)
    adviser_name = fields.String(required=True)
    adviser_kind = fields.String(required=True)
    assigned_on = fields.Date(required=True)


class LegalAdviserRemoved(AreaPayload):
    assignment_id = fields.Integer(required=True)
    removed_on = fields.Date(required=True)


class ElectionHeld(AreaPayload):
    election_id = fields.Integer(required=True)
    body_kind = fields.String(required=True)
    held_on = fields.Date(required=True)
    turnout_rate = fields.Float(required=True, allow_none=True)
    result = fields.String(required=True)


class ElectionDue(AreaPayload):
    """A body's term ends within the notice (or has ended without a new election)."""

    body_id = fields.Integer(required=True)
    body_kind = fields.String(required=True)
    term_ends_on = fields.Date(required=True)
    overdue = fields.Boolean(required=True)
    notice_days = fields.Integer(required=True)


class AffairsDisclosed(AreaPayload):
    disclosure_id = fields.Integer(required=True)
    disclosure_kind = fields.String(required=True)
    period = fields.String(required=True)
    disclosed_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


class RecordKept(AreaPayload):
    """A registry record that can answer an evaluation indicator was kept or changed (the
    whole current state: a later event of the same record replaces an earlier one).

    ``dated_on`` is the day it holds from (or was held), ``ended_on`` when it stopped;
    ``counts`` whether it counts at all (a meeting below its quorum does not); ``label`` names it in
    a score's explanation."""

    record_kind = fields.String(required=True)
    record_id = fields.Integer(required=True)
    subkind = fields.String(allow_none=True, load_default=None)
    dated_on = fields.Date(allow_none=True, load_default=None)
    ended_on = fields.Date(allow_none=True, load_default=None)
    counts = fields.Boolean(required=True)
    label = fields.String(required=True)


class GridReportFiled(AreaPayload):
    """A dispute a grid worker found, for mediation's intake (the community's people's
    mediation committee, else its town's); the case's events name ``reference`` back."""

    grid_report_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    found_on = fields.Date(required=True)
    place = fields.String(required=True)
    dispute_category = fields.String(required=True)
    description = fields.String(required=True)


# Notifications hears everything; evaluation keeps a read model of registry facts, and
# mediation one of the units (fazhi_common.units) to check the codes it takes.
_REGISTRY_LISTENERS = ("evaluation", "notifications")
# the services keeping a read model of units (fazhi_common.units)
UNIT_READ_MODELS = ("mediation", "legalservices", "corrections")
_UNIT_LISTENERS = ("evaluation", "notifications", *UNIT_READ_MODELS)
# and the gateway, which serves a community from its own view of it (gateway.unit_views)
_COMMUNITY_LISTENERS = (*_UNIT_LISTENERS, "gateway")
# legal services keeps the communities' advisers (lawyers in communities link to them)
_ADVISER_LISTENERS = _REGISTRY_LISTENERS + ("legalservices",)

CONTRACTS = [
    # evaluation names counties and towns in its reports (its area facts)
    EventContract("county_registered", "registry", CountyRegistered, _UNIT_LISTENERS),
    EventContract("town_registered", "registry", TownRegistered, _UNIT_LISTENERS),
    EventContract("community_registered", "registry", CommunityRegistered,
                  _COMMUNITY_LISTENERS),
    EventContract("community_updated", "registry", CommunityUpdated,
                  _COMMUNITY_LISTENERS),
    EventContract("community_reorganised", "registry", CommunityReorganised,
                  _COMMUNITY_LISTENERS),
    EventContract("unit_snapshot", "registry", UnitSnapshot, ("evaluation", *UNIT_READ_MODELS)),
    EventContract("legal_adviser_assigned", "registry", LegalAdviserAssigned,
                  _ADVISER_LISTENERS),
    EventContract("legal_adviser_removed", "registry", LegalAdviserRemoved,
                  _ADVISER_LISTENERS),
    EventContract("election_held", "registry", ElectionHeld, _REGISTRY_LISTENERS),
    EventContract("election_due", "registry", ElectionDue, ("notifications",)),
    EventContract("affairs_disclosed", "registry", AffairsDisclosed, _REGISTRY_LISTENERS),
    EventContract("record_kept", "registry", RecordKept, ("evaluation",)),
    EventContract("grid_report_filed", "registry", GridReportFiled, ("mediation",)),
    # a long import's end; whoever started it can poll the job instead
    EventContract("registry_job_finished", "registry", JobFinished, ("notifications",)),
]


