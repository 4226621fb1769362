"""What the registry does, on a session: the rules of domain.py applied to the tables.

Each function takes a session inside the caller's transaction and already-validated
input, and writes the outbox events announcing its change in that same transaction.

The layers, each importing only those below it: ``units`` (counties, towns, communities,
reorganisation, lineage, stage, and the lookups every module uses) at the bottom;
``bodies`` (self-governance bodies and elections) and ``records`` (legal advisers and
their coverage, the records kept by kind) above it; ``figures`` (the self-governance
return's aggregates) reads them all. The service calls them through the names gathered
here, and ``figures`` as its module.
"""
from registry.operations.bodies import (
    body_view,
    create_body,
    end_body,
    get_body,
    list_bodies,
    list_elections,
    record_election,
    update_body,
)
from registry.operations.records import (
    add_record,
    assign_adviser,
    coverage,
    list_advisers,
    list_records,
    outreach_summary,
    remove_adviser,
)
from registry.operations.self_governance import (
    end_grid,
    on_case_closed,
    on_case_received,
    update_funding_line,
    update_purchased_service,
)
from registry.operations.units import (
    community_record,
    get_community,
    get_county,
    get_town,
    lineage,
    list_communities,
    list_counties,
    list_towns,
    register_community,
    register_county,
    register_town,
    reorganisation_view,
    reorganise,
    stage,
    update_community,
)

__all__ = [
    "add_record", "assign_adviser", "body_view", "community_record", "coverage", "create_body",
    "get_body", "get_community", "get_county", "get_town", "lineage",
    "list_advisers", "list_bodies", "list_communities", "list_counties", "list_records",
    "list_towns", "outreach_summary", "record_election", "register_community",
    "register_county", "register_town", "remove_adviser", "reorganisation_view", "reorganise",
    "stage", "update_community", "end_body", "list_elections", "update_body",
    "on_case_closed", "on_case_received", "end_grid", "update_funding_line",
    "update_purchased_service",
]
