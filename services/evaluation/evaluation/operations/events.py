"""The read model: facts from the registry's and mediation's events, then a rescore.

Each handler takes the envelope as published and its payload, typed by the contract
(``fazhi_common.messaging``): dates are dates.
"""
from datetime import date

from sqlalchemy import func, select

from evaluation import domain
from evaluation.models import (
    AdviserFact,
    AreaFact,
    CommunityFact,
    DisclosureFact,
    ElectionFact,
    MediationFact,
    RecordFact,
    Result,
    SupervisionFact,
)
from evaluation.operations.scoring import current_period, refresh_from, refresh_many
from evaluation.operations.titles import on_reorganisation
from evaluation.operations.vetoes import vetoes_from_event
from fazhi_common.bulk import insert_for, upsert
from fazhi_common.division import COMMUNITY, COUNTY, TOWN


class CommunityFacts:
    """The communities evaluation knows, as ``fazhi_common.units.reads_through`` has one
    kept that the registry answered for (its registration still queued): kept as the
    registration's event keeps it, which applies over it when it comes."""

    def learn_answer(self, session, level, answer):
        if level != COMMUNITY or answer.get("status", "active") != "active":
            return  # only an active community takes evidence, inspections or titles
        on = answer.get("reorganised_on")
        _keep_communities(session, [{
            **answer, "community_code": answer["code"],
            "reorganised_on": date.fromisoformat(on) if isinstance(on, str) else on}],
            activate=True)


COMMUNITIES = CommunityFacts()


def on_communities_registered(session, payloads, today):
    """Registrations, a batch at once: keep the facts, then score them set-wise (facts may
    have arrived first: queues are not ordered with each other)."""
    return _rescore(session, _keep_communities(session, payloads, activate=True), today)


def on_communities_updated(session, payloads, today):
    """New names or economic tiers: a tier may choose another scheme, so rescore."""
    return _rescore(session, _keep_communities(session, payloads, activate=False), today)


def _rescore(session, codes, today):
    return refresh_many(session, codes, current_period(today), today)


_NAMED = ("town_code", "county_code", "name", "kind", "economic_tier",
          "collective_finances_busy")


def _keeping(session, activate):
    """The statement of ``_keep_communities``, built once per database kind."""
    key = (session.get_bind().dialect.name, activate)
    if key not in _KEEPING:
        table = CommunityFact.__table__
        statement = insert_for(session, table)
        kept = {**{k: statement.excluded[k] for k in _NAMED},
                "reorganised_on": func.coalesce(statement.excluded.reorganised_on,
                                                table.c.reorganised_on)}
        if activate:
            kept["status"] = statement.excluded.status
        # RETURNING: the rows go out as one INSERT of many VALUES (SQLAlchemy's
        # "insertmanyvalues"), not a statement each
        _KEEPING[key] = (statement.on_conflict_do_update(index_elements=["code"], set_=kept)
                         .returning(table.c.code))
    return _KEEPING[key]


_KEEPING = {}


def _keep_communities(session, payloads, activate):
    """Each payload's community fact, made where missing (active) or updated, in one
    statement; a later event of a batch wins, a reorganisation date once told stays.
    ``activate``: a known community is made active again (a registration). The codes."""
    facts = {}
    for data in payloads:
        code = data["community_code"]
        told = data.get("reorganised_on") or facts.get(code, {}).get("reorganised_on")
        facts[code] = {"code": code, **{k: data.get(k) for k in _NAMED},
                       "collective_finances_busy": bool(data.get("collective_finances_busy")),
                       "reorganised_on": told, "status": "active"}
    if not facts:
        return []
    session.execute(_keeping(session, activate),
                    list(facts.values())).all()
    return list(facts)


def on_area_registered(session, level, data):
    """A county's or town's name (a registration repeated, or renamed, keeps the last)."""
    code = data["town_code"] if level == TOWN else data["county_code"]
    keep_area_names(session, [{"code": str(code), "level": level, "name": data["name"]}])


def on_unit_snapshot(session, data):
    """The registry's replay: the names of the counties and towns it holds."""
    keep_area_names(session, [{"code": str(unit["code"]), "level": unit["level"],
                               "name": unit["name"]} for unit in data["units"]
                              if unit["level"] in (COUNTY, TOWN)])


def keep_area_names(session, rows):
    upsert(session, AreaFact.__table__, rows, key=("code",))


def on_community_reorganised(session, envelope, data, today):
    effective = data["effective_on"]
    result = session.get(CommunityFact, data["community_code"])
    if result is not None:
        result.reorganised_on = effective
    for code in data["deactivated_codes"]:
        unit = session.get(CommunityFact, code)
        if unit is not None:
            unit.status = "inactive"
    # a convert carries the titles to the renamed unit; a merge waits for a decision
    on_reorganisation(session, data, effective)
    if result is not None:
        refresh_from(session, result.code, effective.year, today)


def on_adviser_assigned(session, envelope, data, today):
    if session.get(AdviserFact, data["assignment_id"]) is None:
        session.add(AdviserFact(assignment_id=data["assignment_id"],
                                community_code=data["community_code"],
                                adviser_name=data["adviser_name"],
                                assigned_on=data["assigned_on"]))
        session.flush()
    refresh_from(session, data["community_code"], data["assigned_on"].year, today)


def on_adviser_removed(session, envelope, data, today):
    fact = session.get(AdviserFact, data["assignment_id"])
    if fact is None:
        return  # the assignment never reached us; nothing scored on it
    fact.removed_on = data["removed_on"]
    session.flush()
    refresh_from(session, fact.community_code, fact.removed_on.year, today)


def on_election_held(session, envelope, data, today):
    held_on = data["held_on"]
    if session.get(ElectionFact, data["election_id"]) is None:
        session.add(ElectionFact(election_id=data["election_id"],
                                 community_code=data["community_code"],
                                 body_kind=data["body_kind"], held_on=held_on,
                                 result=data["result"]))
        session.flush()
    vetoes = vetoes_from_event(session, envelope, data, data["community_code"], held_on,
                               today)
    refresh_from(session, data["community_code"], held_on.year, today)
    return vetoes


def on_affairs_disclosed(session, envelope, data, today):
    if session.get(DisclosureFact, data["disclosure_id"]) is None:
        session.add(DisclosureFact(disclosure_id=data["disclosure_id"],
                                   community_code=data["community_code"],
                                   kind=data["disclosure_kind"], period=data["period"],
                                   disclosed_on=data["disclosed_on"],
                                   on_time=data["on_time"]))
        session.flush()
    refresh_from(session, data["community_code"], int(data["period"][:4]), today)


def on_mediation_case_closed(session, envelope, data, today):
    code = data.get("community_code")
    if not code:
        return []  # a case of a town or county organisation: no community to score
    closed_on = data["closed_on"]
    if session.get(MediationFact, data["case_id"]) is None:
        session.add(MediationFact(case_id=data["case_id"], community_code=code,
                                  mediation_kind=data.get("mediation_kind"),
                                  outcome=data["outcome"], closed_on=closed_on))
        session.flush()
    vetoes = vetoes_from_event(session, envelope, data, code, closed_on, today)
    refresh_from(session, code, closed_on.year, today)
    return vetoes


def on_supervision_counts(session, envelope, data, today):
    """A community's corrections counts (counts only: the event names no person), kept
    once per announcement; the community is scored again for the year they are of."""
    if session.get(SupervisionFact, envelope["id"]) is None:
        session.add(SupervisionFact(
            event_id=envelope["id"], community_code=data["community_code"], on=data["on"],
            under_correction=data["under_correction"], unreported=data["unreported"],
            lost_contact=data["lost_contact"], announced_at=envelope["occurred_at"]))
        session.flush()
    refresh_from(session, data["community_code"], data["on"].year, today)


_RECORD_FIELDS = ("subkind", "dated_on", "ended_on", "counts", "label")


def on_record_kept(session, envelope, data, today):
    """A registry record that answers indicators: kept as its latest state (the event
    carries the whole record), then the communities it counts for are scored again."""
    kind = data["record_kind"]
    if kind not in domain.RECORD_KINDS:
        return  # a kind no indicator counts yet (a newer registry): nothing to score
    row = {"record_kind": kind, "record_id": data["record_id"],
           "community_code": data.get("community_code"), "town_code": data.get("town_code"),
           "county_code": data["county_code"],
           "standing": domain.RECORD_KINDS[kind] == domain.STANDING,
           **{field: data.get(field) for field in _RECORD_FIELDS}}
    upsert(session, RecordFact.__table__, [row], ("record_kind", "record_id"))
    session.flush()
    year = (data.get("dated_on") or today).year
    code = data.get("community_code")
    if code:
        refresh_from(session, code, year, today)
        return
    # a town's or county's record counts for each of its communities
    column = CommunityFact.town_code if data.get("town_code") else CommunityFact.county_code
    codes = list(session.scalars(select(CommunityFact.code).where(
        column == (data.get("town_code") or data["county_code"]),
        CommunityFact.status == "active")))
    periods = set(session.scalars(select(Result.period).distinct().where(
        Result.community_code.in_(codes), Result.period >= str(year)))) if codes else set()
    periods.add(current_period(today))
    for period in sorted(periods):
        refresh_many(session, codes, period, today)
