"""What feeds a score, read for a batch of communities at once: one query per input kind.

A refresh of one community (after an event or an edit) and a province's recompute (a
scheme revision) read through these same functions, a batch of one being a batch, so
the rules of domain.py see the same inputs either way. Each function returns a mapping
from community code to that community's share of the rows, in the order the rules
expect (the latest self-assessment or finding last).
"""
import json
from collections import defaultdict
from datetime import date

from sqlalchemy import (
    ARRAY,
    DateTime,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    or_,
    select,
    type_coerce,
    union,
)

from evaluation import domain, measures
from evaluation.models import (
    AdviserFact,
    CommunityFact,
    DisclosureFact,
    ElectionFact,
    Evidence,
    Finding,
    Inspection,
    MediationFact,
    RecordFact,
    SupervisionFact,
    SurveyAnswer,
    Veto,
)
from fazhi_common.contracts.vocabulary import BODY_KINDS, INSPECTION_KINDS
from fazhi_common.db import among


# every kind of row that can feed a score, by the community it is of (a finding is of an
# inspection); built once per dialect: the codes go in as one parameter (an array on
# PostgreSQL, ``fazhi_common.db.among``)
def _fed_union(one_of):
    return union(*(select(table.community_code).where(one_of(table.community_code))
                   for table in (Evidence, Inspection, SurveyAnswer, Veto, AdviserFact,
                                 ElectionFact, DisclosureFact, MediationFact, RecordFact,
                                 SupervisionFact)),
                 # busy collective finances change what is due (monthly): such a community
                 # is read
                 select(CommunityFact.code).where(
                     one_of(CommunityFact.code),
                     CommunityFact.collective_finances_busy.is_(True)))


_FED = {"postgresql": _fed_union(
            lambda column: column == any_(bindparam("codes", type_=ARRAY(String)))),
        "sqlite": _fed_union(lambda column: column.in_(bindparam("codes", expanding=True)))}


def fed(session, codes):
    """The communities of ``codes`` with any input at all, of any period: most of a drain
    of registrations (or of a province's recompute) have none, and their inputs need no
    reading."""
    if not codes:
        return set()
    return set(session.scalars(_FED[session.get_bind().dialect.name], {"codes": list(codes)}))


def evidence(session, codes, period):
    """Indicator code -> the latest self-assessment, per community."""
    # the attachments as their JSON text: most lists are empty, and a province's
    # recompute decoded ~150,000 of them
    rows = session.execute(
        select(Evidence.community_code, Evidence.indicator_code, Evidence.id, Evidence.value,
               Evidence.note, Evidence.submitted_by,
               # only its date is shown, the same aware or naive: read without the
               # column type's conversion of every row
               type_coerce(Evidence.submitted_at, DateTime(timezone=True)),
               cast(Evidence.attachments, Text).label("attachments"))
        .where(among(session, Evidence.community_code, codes), Evidence.period == period)
        .order_by(Evidence.id))
    found, days = defaultdict(dict), {}
    for code, indicator, id_, value, note, by, at, attachments in rows:
        day = at.date()
        if day not in days:  # a province's self-assessments share a few hundred days
            days[day] = day.isoformat()
        # the sources read in Simplified Chinese: a result keeps the text it was scored
        # with until it is recomputed
        attached = json.loads(attachments) if attachments not in _NONE_ATTACHED else ()
        source = (f"自评 #{id_}（{by}，{days[day]}；佐证材料：{'、'.join(attached)}）"
                  if attached else f"自评 #{id_}（{by}，{days[day]}）")
        found[code][indicator] = {"value": value, "note": note, "source": source}
    return found


_NONE_ATTACHED = (None, "[]", "null")


def findings(session, codes, period):
    """Indicator code -> the latest inspection's finding, per community."""
    rows = session.execute(
        select(Inspection.community_code, Inspection.id, Inspection.kind, Inspection.inspector,
               Inspection.held_on, Finding.indicator_code, Finding.value, Finding.note)
        .join(Inspection, Finding.inspection_id == Inspection.id)
        .where(among(session, Inspection.community_code, codes), Inspection.period == period)
        .order_by(Inspection.held_on, Inspection.id, Finding.id))
    found = defaultdict(dict)
    for f in rows:
        found[f.community_code][f.indicator_code] = {
            "value": f.value, "note": f.note,
            "source": f"{INSPECTION_KINDS.get(f.kind, f.kind)} #{f.id}（{f.inspector}，"
                      f"{f.held_on.isoformat()}）"}
    return found


def survey_counts(session, codes, period):
    """Answers counted (verified, and not in a flagged burst) and answers flagged; an
    answer whose code never came back is kept but not counted."""
    counted = and_(SurveyAnswer.flagged.is_(False), SurveyAnswer.verified_at.is_not(None))
    rows = session.execute(
        select(SurveyAnswer.community_code, func.count().filter(counted),
               func.count().filter(counted, SurveyAnswer.satisfied.is_(True)),
               func.count().filter(SurveyAnswer.flagged.is_(True)))
        .where(among(session, SurveyAnswer.community_code, codes), SurveyAnswer.period == period)
        .group_by(SurveyAnswer.community_code))
    counts = {code: {"sample": sample, "satisfied": satisfied, "flagged": flagged}
              for code, sample, satisfied, flagged in rows}
    return defaultdict(_no_answers, counts)


def _no_answers():
    return {"sample": 0, "satisfied": 0, "flagged": 0}


def vetoes(session, codes, period):
    """The confirmed vetoes of a period: a proposed one fails nothing until decided."""
    found = defaultdict(list)
    for veto in session.scalars(select(Veto).where(among(session, Veto.community_code, codes),
                                                   Veto.period == period,
                                                   Veto.status == "confirmed")
                                .order_by(Veto.id)):
        found[veto.community_code].append(veto)
    return found


# -- the facts other services announced, as figures for derived indicators -------------------

def _grouped(rows):
    found = defaultdict(list)
    for row in rows:
        found[row[0]].append(tuple(row[1:]))
    return found


def _advisers(session, codes, period, day):
    # the one in post on the day; the latest assigned if the registry sent overlapping ones
    return _grouped(session.execute(
        select(AdviserFact.community_code, AdviserFact.adviser_name,
               AdviserFact.assignment_id, AdviserFact.assigned_on)
        .where(among(session, AdviserFact.community_code, codes), AdviserFact.assigned_on <= day,
               or_(AdviserFact.removed_on.is_(None), AdviserFact.removed_on > day))
        .order_by(AdviserFact.assigned_on.desc(), AdviserFact.assignment_id.desc())))


def _adviser(rows, period, day, indicator):
    if rows:
        name, assignment, assigned_on = rows[0]
        return {"value": 1.0, "source": f"登记：法律顾问 {name}（聘任 #{assignment}），"
                                        f"{assigned_on.isoformat()} 起"}
    return {"value": 0.0, "source": f"登记：{day.isoformat()} 无法律顾问"}


def _elections(session, codes, period, day):
    # an election counts for the term it opens: the latest held by law in the last term
    return _grouped(session.execute(
        select(ElectionFact.community_code, ElectionFact.body_kind, ElectionFact.held_on,
               ElectionFact.election_id)
        .where(among(session, ElectionFact.community_code, codes), ElectionFact.result == "elected",
               ElectionFact.held_on <= day,
               ElectionFact.held_on > domain.term_began_after(day))
        .order_by(ElectionFact.held_on.desc(), ElectionFact.election_id.desc())))


def _election(rows, period, day, indicator):
    # only elections of the body kinds the indicator names count
    kinds = indicator.get("body_kinds")
    held = [r for r in rows if not kinds or r[0] in kinds]
    if held:
        body_kind, held_on, election_id = held[0]
        return {"value": 1.0, "source": f"登记：{BODY_KINDS.get(body_kind, body_kind)} "
                                        f"{held_on.isoformat()} 依法选举产生（选举 "
                                        f"#{election_id}）"}
    named = "、".join(BODY_KINDS.get(kind, kind) for kind in kinds) if kinds else ""
    return {"value": 0.0, "source": f"登记：近一届任期内无{named}依法选举记录"}


def _disclosure_rows(session, codes, period, day):
    rows = _grouped(session.execute(
        select(DisclosureFact.community_code, DisclosureFact.kind, DisclosureFact.period,
               DisclosureFact.on_time)
        .where(among(session, DisclosureFact.community_code, codes),
               DisclosureFact.period.startswith(period))
        .order_by(DisclosureFact.disclosure_id)))
    # a community whose collective finances are busy discloses them monthly: its rows
    # carry a marker the measure reads (the few such communities, by the registry's word)
    for code in session.scalars(select(CommunityFact.code).where(
            among(session, CommunityFact.code, codes),
            CommunityFact.collective_finances_busy.is_(True))):
        rows[code].append(measures.BUSY)
    return rows


def _disclosures(rows, period, day, indicator):
    value, applicable, source = measures.disclosures(
        indicator.get("schedule"), int(period), day,
        indicator.get("grace_days", measures.DEFAULT_GRACE_DAYS), rows)
    return {"value": value, "applicable": applicable, "source": source}


def _cases(session, codes, period, day):
    return _grouped(session.execute(
        select(MediationFact.community_code, MediationFact.mediation_kind,
               MediationFact.outcome)
        .where(among(session, MediationFact.community_code, codes),
               MediationFact.outcome.in_(("agreement", "failure")),
               MediationFact.closed_on.between(date(int(period), 1, 1),
                                               date(int(period), 12, 31)))
        .order_by(MediationFact.case_id)))


def _mediation(rows, period, day, indicator):
    value, applicable, source = measures.mediation(rows, indicator.get("channels"), period)
    return {"value": value, "applicable": applicable, "source": source}


def _supervision_rows(session, codes, period, day):
    """Each community's counts announced in the period up to ``day``, after the last one
    before the period (how it began), oldest first."""
    f = SupervisionFact
    start = date(int(period), 1, 1)
    columns = (f.community_code, f.on, f.under_correction, f.unreported, f.lost_contact)
    order = (f.on, f.announced_at, f.event_id)
    latest = select(f.community_code, func.max(f.on).label("on")).where(
        among(session, f.community_code, codes), f.on < start
    ).group_by(f.community_code).subquery()
    before = {}
    for row in session.execute(select(*columns).join(latest, and_(
            latest.c.community_code == f.community_code, latest.c.on == f.on))
            .order_by(*order)):
        before[row[0]] = tuple(row[1:])  # the last announced that day
    rows = _grouped(session.execute(select(*columns).where(
        among(session, f.community_code, codes), f.on.between(start, day)).order_by(*order)))
    for code, row in before.items():
        rows[code] = [row, *rows.get(code, [])]
    return rows


def _supervision(rows, period, day, indicator):
    value, applicable, source = measures.supervision(rows, period)
    return {"value": value, "applicable": applicable, "source": source}


def _record(rows, period, day, indicator):
    value, applicable, source = measures.records(
        rows, indicator["fact"], indicator["records"], indicator.get("kinds"), period)
    return {"value": value, "applicable": applicable, "source": source}


# fact -> (its rows for a batch of communities, the figure one indicator makes of them);
# the record facts' rows are read once for all three (``RecordRows``)
_FACTS = {"has_legal_adviser": (_advisers, _adviser),
          "election_held": (_elections, _election),
          "disclosures_on_time": (_disclosure_rows, _disclosures),
          "mediation_success_rate": (_cases, _mediation),
          "no_one_lost_from_supervision": (_supervision_rows, _supervision),
          **{fact: (None, _record) for fact in domain.RECORD_FACTS}}

_RECORD_SET = frozenset(domain.RECORD_FACTS)
_RECORD_COLUMNS = (RecordFact.record_kind, RecordFact.subkind, RecordFact.record_id,
                   RecordFact.dated_on, RecordFact.counts, RecordFact.label)


class RecordRows:
    """The registry's records in force in a period for a batch of communities: their own
    (``by_code``), and those kept for their towns and counties, each read in one query.

    A standing record holds from its date (if any) until it ends; a dated one counts in
    the year of its date, up to the day the period is read on.
    """

    def __init__(self, session, codes, areas, period, day):
        in_force = and_(or_(RecordFact.dated_on.is_(None), RecordFact.dated_on <= day),
                        or_(RecordFact.ended_on.is_(None), RecordFact.ended_on > day),
                        or_(RecordFact.standing.is_(True),
                            RecordFact.dated_on >= date(int(period), 1, 1)))
        order = (RecordFact.dated_on, RecordFact.record_id)
        self.areas = areas
        towns = sorted({town for town, _county in areas.values() if town})
        counties = sorted({county for _town, county in areas.values() if county})
        self.by_code = _grouped(session.execute(
            select(RecordFact.community_code, *_RECORD_COLUMNS)
            .where(among(session, RecordFact.community_code, codes), in_force).order_by(*order))
        ) if codes else {}
        self.by_town = _grouped(session.execute(
            select(RecordFact.town_code, *_RECORD_COLUMNS)
            .where(RecordFact.community_code.is_(None), among(session, RecordFact.town_code, towns),
                   in_force).order_by(*order))) if towns else {}
        self.by_county = _grouped(session.execute(
            select(RecordFact.county_code, *_RECORD_COLUMNS)
            .where(RecordFact.town_code.is_(None), among(session, RecordFact.county_code, counties),
                   in_force).order_by(*order))) if counties else {}

    def above(self, code):
        """``(town, county)`` of a community where they keep records (else None each):
        communities without records of their own share a score by these."""
        town, county = self.areas.get(code, (None, None))
        return (town if town in self.by_town else None,
                county if county in self.by_county else None)

    def get(self, code):
        town, county = self.above(code)
        rows = (self.by_code.get(code, []) + self.by_town.get(town, [])
                + self.by_county.get(county, []))
        return rows or None


def areas_of(session, codes):
    """community code -> (town, county), as the registry announced them."""
    return {code: (town, county) for code, town, county in session.execute(
        select(CommunityFact.code, CommunityFact.town_code, CommunityFact.county_code)
        .where(among(session, CommunityFact.code, codes)))} if codes else {}


def derived_indicators(definition=None):
    """The derived indicators of a scheme (what each counts is named on it); without a
    scheme, one per fact."""
    if definition is None:
        return [{"code": fact, "fact": fact} for fact in domain.FACT_MEASURES]
    return [ind for _path, ind in domain.indicators_of(definition) if ind["kind"] == "derived"]


class DerivedFacts:
    """The facts of a batch of communities for a period, read once per fact kind; then
    measured per community for each derived indicator of its scheme."""

    def __init__(self, session, codes, period, today, facts, areas=None):
        """``areas``: code -> (town, county) of every community that may be asked for,
        fed or not (read for ``codes`` when not given)."""
        self.period = period
        self.day = domain.reference_day(period, today)
        facts = set(facts)
        self.rows = {fact: _FACTS[fact][0](session, codes, period, self.day) if codes else {}
                     for fact in sorted(facts - set(domain.RECORD_FACTS))}
        self.records = None
        if facts & set(domain.RECORD_FACTS):
            if areas is None:
                areas = areas_of(session, codes)
            self.records = RecordRows(session, codes, areas, period, self.day)
            for fact in domain.RECORD_FACTS:
                self.rows[fact] = self.records
        # indicator id -> (the indicator, its figure without rows): most communities of a
        # province have no row of a fact, and measuring nothing gives one figure for all
        self._without_rows = {}
        self._above = {}  # (indicator id, town and county with records) -> the same

    def above(self, code):
        """What a community without inputs of its own shares its score with (the records
        of its town and county), or None."""
        return self.records.above(code) if self.records is not None else None

    def of(self, code, indicators):
        records = self.records
        if records is not None and code not in records.by_code:
            # no record of its own: it sees only its town's and county's, as every such
            # community of the town does, measured once per town
            return {ind["code"]: self._shared(code, ind) if ind["fact"] in _RECORD_SET
                    else self._figure(self.rows[ind["fact"]].get(code), ind)
                    for ind in indicators}
        own = records.get(code) if records is not None else None  # gathered once
        return {ind["code"]: self._figure(own if ind["fact"] in _RECORD_SET
                                          else self.rows[ind["fact"]].get(code), ind)
                for ind in indicators}

    def _shared(self, code, indicator):
        key = (id(indicator), self.records.above(code))
        known = self._above.get(key)
        if known is None:  # the indicator is kept with it, so its id is not reused
            known = self._above[key] = (
                indicator, self._figure(self.records.get(code), indicator))
        return dict(known[1])

    def _figure(self, rows, indicator):
        measure = _FACTS[indicator["fact"]][1]
        if rows:
            return measure(rows, self.period, self.day, indicator)
        known = self._without_rows.get(id(indicator))
        if known is None:  # the indicator is kept with it, so its id is not reused
            known = self._without_rows[id(indicator)] = (
                indicator, measure([], self.period, self.day, indicator))
        return dict(known[1])


class Inputs:
    """Everything that feeds the scores of a batch of communities for a period, read once
    per input kind (not at all for an empty batch); ``of`` gives one community's share as
    ``domain.mark`` takes it, all empty for a community not in the batch."""

    def __init__(self, session, codes, period, today, facts, areas=None):
        codes = list(codes)
        self.evidence = evidence(session, codes, period) if codes else {}
        self.findings = findings(session, codes, period) if codes else {}
        self.surveys = survey_counts(session, codes, period) if codes else {}
        self.vetoes = vetoes(session, codes, period) if codes else {}
        self.facts = DerivedFacts(session, codes, period, today, facts, areas)

    def of(self, code, indicators, parameters):
        """``indicators``: the derived indicators of the community's scheme."""
        return {"evidence": self.evidence.get(code, {}), "findings": self.findings.get(code, {}),
                "facts": self.facts.of(code, indicators),
                "satisfaction": self.surveys.get(code) or _no_answers(),
                "parameters": parameters,
                "vetoes": [{"id": v.id, "veto_item": v.veto_item, "reason": v.reason,
                            "origin": v.origin} for v in self.vetoes.get(code, ())]}
