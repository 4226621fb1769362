"""Registrations and updates from the registry, a batch at once: every community's facts
kept as the latest event told them, and every one scored on what evaluation holds of it,
whether its facts arrived before its registration or it has none at all."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from evaluation import operations as ops
from evaluation.dependencies import install_default_schemes
from evaluation.models import AdviserFact, CommunityFact, Evidence, Result, Veto
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent

TODAY = date.today()
PERIOD = str(TODAY.year)
COUNTY, TOWN = "330110000000", "330110001000"


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url("evaluation"))
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        install_default_schemes(session)
        session.commit()
    yield factory
    engine.dispose()


def _code(n):
    return f"330110001{n:03d}"


def _registration(n, **extra):
    return {"county_code": COUNTY, "town_code": TOWN, "community_code": _code(n),
            "name": f"村{n}", "kind": "village", **extra}


def _register(sessions, payloads, handler=ops.on_communities_registered):
    with sessions.begin() as session:
        return handler(session, payloads, TODAY)


def _results(sessions):
    with sessions() as session:
        return {r.community_code: r for r in session.scalars(select(Result))}


def _indicator(result, code):
    return next(i for i in ops.breakdown_of(result)["indicators"] if i["code"] == code)


def _proposed_veto(session, n):
    # a veto not yet confirmed fails nothing: the community has an input, not a score
    session.add(Veto(community_code=_code(n), period=PERIOD, veto_item="crime", reason="案件",
                     origin="manual", recorded_by="county", status="proposed"))


def test_a_registration_after_its_facts_scores_them(sessions):
    with sessions.begin() as session:
        session.add(AdviserFact(assignment_id=7, community_code=_code(1), adviser_name="王律师",
                                assigned_on=date(TODAY.year - 1, 3, 1)))
        session.add(Evidence(community_code=_code(1), period=PERIOD,
                             indicator_code="disclosure_board", value=1.0,
                             submitted_by="community", attachments=[],
                             submitted_at=datetime.now(timezone.utc)))
    assert _register(sessions, [_registration(n) for n in (1, 2, 3)]) == 3
    results = _results(sessions)
    adviser = _indicator(results[_code(1)], "legal_adviser")
    assert adviser["points"] > 0 and "王律师" in adviser["source"]
    assert _indicator(results[_code(1)], "disclosure_board")["value"] == 1.0
    # the others of the batch have none of it
    for n in (2, 3):
        assert _indicator(results[_code(n)], "legal_adviser")["points"] == 0
        assert _indicator(results[_code(n)], "disclosure_board")["value"] is None
    assert results[_code(1)].score > results[_code(2)].score


@pytest.mark.parametrize("reorganised_on", [None, date(TODAY.year, 1, 1)])
def test_a_community_without_inputs_is_scored_as_one_whose_inputs_count_for_nothing(
        sessions, reorganised_on):
    # 2 and 12 have no input at all; 1 and 11 only a proposed veto, so they are scored
    # from what they hold (all of it empty once read): the same result either way
    with sessions.begin() as session:
        _proposed_veto(session, 1)
        _proposed_veto(session, 11)
    _register(sessions, [_registration(1), _registration(2),
                         _registration(11, reorganised_on=reorganised_on),
                         _registration(12, reorganised_on=reorganised_on)])
    results = _results(sessions)

    def stored(n):
        r = results[_code(n)]
        return (r.scheme_id, r.stage, r.score, r.max_score, r.pass_threshold, r.passed,
                r.vetoed, r.breakdown)

    assert stored(1) == stored(2)
    assert stored(11) == stored(12)
    # a community reorganised this year is held to its first stage, the others not
    assert (results[_code(11)].stage != results[_code(1)].stage) == bool(reorganised_on)


def test_a_batch_keeps_what_its_latest_event_of_a_community_says(sessions):
    with sessions.begin() as session:
        session.add(CommunityFact(code=_code(5), county_code=COUNTY, town_code=TOWN,
                                  name="旧名", kind="village", status="inactive",
                                  reorganised_on=date(TODAY.year - 1, 6, 1)))
    _register(sessions, [_registration(4, name="甲"), _registration(4, name="乙",
                                                                    kind="urban_community")])
    # an update does not bring a community no longer active back, nor forget when it
    # was reorganised when the event does not say
    _register(sessions, [_registration(5, name="新名"), _registration(6)],
              handler=ops.on_communities_updated)
    with sessions() as session:
        four, five, six = (session.get(CommunityFact, _code(n)) for n in (4, 5, 6))
        assert (four.name, four.kind, four.status) == ("乙", "urban_community", "active")
        assert (five.name, five.status) == ("新名", "inactive")
        assert five.reorganised_on == date(TODAY.year - 1, 6, 1)
        assert six.status == "active"
    results = _results(sessions)
    assert set(results) == {_code(4), _code(6)}  # one result each, none while inactive
    assert results[_code(4)].scheme.community_class == "urban_community"
    # a registration brings it back, and is scored
    _register(sessions, [_registration(5)])
    with sessions() as session:
        assert session.get(CommunityFact, _code(5)).status == "active"
    assert _code(5) in _results(sessions)


def test_registering_again_announces_no_change(sessions):
    with sessions.begin() as session:
        session.add(AdviserFact(assignment_id=1, community_code=_code(1), adviser_name="李律师",
                                assigned_on=date(TODAY.year - 1, 3, 1)))
    _register(sessions, [_registration(1), _registration(2)])
    with sessions() as session:
        announced = len(session.scalars(select(OutboxEvent)).all())
    assert announced == 1  # the community with an adviser scores more than 0
    _register(sessions, [_registration(1), _registration(2)])
    with sessions() as session:
        assert len(session.scalars(select(OutboxEvent)).all()) == announced


def test_a_result_the_session_holds_reads_as_stored_after_a_rescore(sessions):
    _register(sessions, [_registration(1), _registration(2)])
    with sessions.begin() as session:
        held = session.get(Result, (_code(1), PERIOD))
        other = session.get(Result, (_code(2), PERIOD))
        village = held.scheme_id
        ops.on_communities_updated(session, [_registration(1, kind="urban_community")], TODAY)
        assert held.scheme_id != village
        assert held.scheme.community_class == "urban_community"
        assert other.scheme_id == village


def test_finances_are_due_monthly_only_where_the_registry_says_they_are_busy(sessions):
    """村民委员会组织法 art. 30, as the registry tells evaluation of each community."""
    _register(sessions, [_registration(201, collective_finances_busy=True),
                         _registration(202)])
    results = _results(sessions)
    busy, ordinary = (_indicator(results[_code(n)], "disclosures_on_time")["source"]
                      for n in (201, 202))
    assert "财务公开按月" in busy and "集体财务往来较多" in busy
    assert "财务公开按季度" in ordinary and "村民委员会组织法第三十条" in ordinary
    assert "集体财务往来较多" not in ordinary


def test_a_county_or_town_record_counts_for_each_of_its_communities(sessions):
    _register(sessions, [_registration(n) for n in (1, 2, 3)])
    envelope = {"id": "e1"}

    def kept(record_id, kind, **area):
        with sessions.begin() as session:
            ops.on_record_kept(session, envelope, {
                "record_kind": kind, "record_id": record_id, "county_code": COUNTY, **area,
                "subkind": None, "dated_on": date(TODAY.year, 1, 1), "ended_on": None,
                "counts": True, "label": f"{kind} {record_id}"}, TODAY)
    kept(1, "culture_venues")  # the county's venue
    kept(2, "grids", town_code=TOWN, community_code=_code(1))  # community 1's own grid
    results = _results(sessions)
    for n in (1, 2, 3):
        venue = _indicator(results[_code(n)], "culture_venue")
        assert venue["points"] == 3 and "culture_venues 1（法治文化阵地 #1，" in venue["source"]
    assert _indicator(results[_code(1)], "grid_management")["points"] == 4
    assert _indicator(results[_code(2)], "grid_management")["points"] == 0
    # the venue ends: no community counts it any more
    with sessions.begin() as session:
        ops.on_record_kept(session, envelope, {
            "record_kind": "culture_venues", "record_id": 1, "county_code": COUNTY,
            "subkind": None, "dated_on": date(TODAY.year, 1, 1), "ended_on": TODAY,
            "counts": True, "label": "culture_venues 1"}, TODAY)
    assert all(_indicator(r, "culture_venue")["points"] == 0 for r in _results(sessions).values())
