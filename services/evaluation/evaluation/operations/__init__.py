"""What evaluation does, on a session: the rules of domain.py applied to the tables.

Each function takes a session inside the caller's transaction and already-validated
input, and writes the outbox events announcing its change in that same transaction.
Anything that can move a score ends by calling ``scoring.refresh``, which stores the
current result and announces it when the score or the pass decision changed.

The layers, each importing only those below it: ``scoring`` (the community named in a
call, the scheme that scores it, the derived facts, the current result) at the bottom;
``schemes``, ``evidence`` (self-assessment and the residents' survey), ``draws``
(spot-check draws, committed then revealed), ``inspections``, ``titles``, ``vetoes``
(which end titles) and ``reports`` above it; ``events`` (the read model of other
services' facts) and ``export`` (the Excel export's pages) at the edge. The service calls
them through the names gathered here.
"""
from evaluation.operations.draws import (
    commit_draw,
    draw_view,
    get_draw,
    list_draws,
    public_draw,
    redraw,
    reveal_draw,
)
from evaluation.operations.events import (
    COMMUNITIES,
    on_adviser_assigned,
    on_adviser_removed,
    on_affairs_disclosed,
    on_area_registered,
    on_communities_registered,
    on_communities_updated,
    on_community_reorganised,
    on_election_held,
    on_mediation_case_closed,
    on_record_kept,
    on_supervision_counts,
    on_unit_snapshot,
)
from evaluation.operations.evidence import (
    answer_survey,
    list_evidence,
    record_paper_answer,
    submit_evidence,
    survey_summary,
    verify_survey_answer,
)
from evaluation.operations.export import export_indicators, export_ranking
from evaluation.operations.inspections import (
    get_inspection,
    list_inspections,
    record_inspection,
)
from evaluation.operations.reports import overview, rankings, report
from evaluation.operations.schemes import (
    RECOMPUTE_PART_SIZE,
    RECOMPUTE_PINNED,
    create_scheme,
    edit_scheme,
    get_scheme,
    list_schemes,
    recompute_pinned_step,
    scheme_view,
    start_recompute,
)
from evaluation.operations.scoring import (
    breakdown_of,
    community_to_read,
    community_to_write,
    current_period,
    derived_facts,
    explain,
    refresh,
    refresh_from,
    refresh_many,
    result_view,
    scheme_for,
)
from evaluation.operations.titles import (
    announce_due_re_evaluations,
    award_title,
    decide_on_reorganised_title,
    expire_titles,
    get_title,
    list_titles,
    prerequisite,
    re_examine_title,
    revoke_title,
)
from evaluation.operations.vetoes import (
    decide_veto,
    get_veto,
    list_vetoes,
    record_veto,
    vetoes_from_event,
)

__all__ = [
    "COMMUNITIES", "RECOMPUTE_PART_SIZE", "RECOMPUTE_PINNED", "recompute_pinned_step",
    "start_recompute",
    "announce_due_re_evaluations", "answer_survey", "award_title", "breakdown_of",
    "community_to_read",
    "community_to_write", "create_scheme", "decide_on_reorganised_title", "decide_veto",
    "expire_titles", "get_veto", "current_period", "derived_facts", "commit_draw",
    "draw_view", "edit_scheme", "explain", "export_indicators", "export_ranking",
    "get_draw", "get_inspection",
    "get_scheme", "get_title", "list_draws", "list_evidence", "list_inspections",
    "list_schemes", "list_titles", "list_vetoes", "on_adviser_assigned", "on_adviser_removed",
    "on_affairs_disclosed", "on_area_registered", "on_unit_snapshot", "overview",
    "on_communities_registered", "on_communities_updated",
    "on_community_reorganised", "on_election_held", "on_mediation_case_closed",
    "on_record_kept", "on_supervision_counts", "prerequisite",
    "public_draw", "rankings", "redraw", "reveal_draw", "re_examine_title",
    "record_inspection", "record_veto", "refresh", "refresh_from", "refresh_many", "report",
    "result_view", "revoke_title", "scheme_for", "scheme_view", "submit_evidence",
    "survey_summary", "vetoes_from_event", "record_paper_answer", "verify_survey_answer",
]
