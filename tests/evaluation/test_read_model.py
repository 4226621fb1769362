"""Facts from other services' events, written to their outboxes and relayed over the real
broker into evaluation's own read model; and what a reorganisation does to titles."""
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from evaluation import operations as ops
from evaluation.models import (
    AreaFact,
    CommunityFact,
    ElectionFact,
    MediationFact,
    Result,
    Title,
    TitleChange,
)
from fazhi_common.clock import utcnow
from fazhi_common.contracts.events import load_payload
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent, OutboxRelay, record_event
from tests.helpers import queued_events, wait_until

CODE = "330110001201"
AREA = {"county_code": "330110000000", "town_code": "330110001000", "community_code": CODE}
TODAY = date.today()
Y = str(TODAY.year)


@pytest.fixture
def outbox(database_url):
    """A database shaped like any service's, standing in for the publishers' outboxes."""
    engine = make_engine(database_url("registry"))
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def evaluation_db(evaluation):
    engine = make_engine(evaluation.config["DATABASE_URL"])
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def publish(outbox, rabbit_config, source, events, again=None):
    """Write events to a ``source``-shaped outbox and relay them; ``again`` redelivers one."""
    with outbox() as session:
        envelopes = [record_event(session, t, d) for t, d in events]
        session.commit()
    relay = OutboxRelay(source, outbox, rabbit_config)
    relay.publish_pending()
    if again is not None:
        with outbox() as session:
            session.scalars(select(OutboxEvent).where(
                OutboxEvent.event_id == envelopes[again]["id"])).one().sent_at = None
            session.commit()
        relay.publish_pending()
    return envelopes


def _case(case_id, outcome, channel="people"):
    return ("mediation_case_closed", {
        **AREA, "case_id": case_id, "mediation_kind": channel, "dispute_category": "邻里",
        "organisation_id": 1, "receiving_department": "justice-330110001",
        "outcome": outcome, "closed_on": TODAY})


def _mediation_points(evaluation_db):
    with evaluation_db() as session:
        result = session.get(Result, (CODE, Y))
        if result is None:
            return None
        return next(i for i in ops.breakdown_of(result)["indicators"]
                    if i["code"] == "mediation_success")


def test_mediation_outcomes_score_once_each(evaluation, evaluation_db, outbox, rabbit_config):
    publish(outbox, rabbit_config, "registry", [("community_registered", {
        **AREA, "name": "大陆村", "kind": "village"})])
    wait_until(lambda: _mediation_points(evaluation_db) is not None)
    assert not _mediation_points(evaluation_db)["applicable"]  # no dispute: nothing expected
    # the first closing is delivered twice: it must count once; the people's-mediation
    # indicator counts people's mediation only, not a medical or traffic case
    publish(outbox, rabbit_config, "mediation",
            [_case(1, "agreement"), _case(2, "agreement"), _case(3, "agreement"),
             _case(4, "failure"), _case(5, "declined"), _case(6, "failure", "medical"),
             _case(7, "failure", "traffic")], again=0)
    def kept():
        with evaluation_db() as session:
            return len(session.scalars(select(MediationFact)).all()) == 7
    wait_until(kept)
    wait_until(lambda: "结案 4 件" in _mediation_points(evaluation_db)["source"])
    indicator = _mediation_points(evaluation_db)
    assert indicator["value"] == 0.75 and indicator["points"] == 5.0  # 6 * 0.75 / 0.9
    assert indicator["source"] == f"调解：{Y} 年调解结案 4 件（人民调解），达成协议 3 件"
    # the score stored above is announced: read until that announcement, not for a while
    changes = queued_events(rabbit_config["AMQP_URI"], "evaluation",
                            "evaluation_score_changed", "notifications", timeout=30,
                            until=lambda found: found and found[-1]["data"]["score"] == 5.21)
    # 5 of the 96 points that apply (no major matter: 四议两公开 not applicable), of 100
    assert changes and changes[-1]["data"]["score"] == 5.21


@pytest.mark.parametrize("kind, status, holder, action", [
    ("merge", "pending_decision", CODE, "pending_decision"),
    ("convert", "held", "330110001301", "carried"),
])
def test_a_reorganised_villages_titles_and_the_result_communitys_stage(
        evaluation_db, kind, status, holder, action):
    with evaluation_db() as session:
        for code in (CODE, "330110001301"):
            session.add(CommunityFact(code=code, town_code=AREA["town_code"],
                                      county_code=AREA["county_code"], name=code,
                                      kind="village" if code == CODE else "rural_community"))
        session.add(Title(community_code=CODE, title="rule_of_law_community", level="county",
                          period=Y, granting_department="justice-330110",
                          awarded_on=date(2024, 1, 1), valid_until=date(2028, 1, 1),
                          re_evaluation_due_on=date(2026, 1, 1), status="held",
                          history=[TitleChange(action="awarded", on=date(2024, 1, 1),
                                               actor="t")]))
        session.commit()
        data = {**AREA, "community_code": "330110001301", "reorganisation_id": 1,
                "reorganisation_kind": kind, "effective_on": TODAY.isoformat(),
                "source_codes": [CODE], "deactivated_codes": [CODE]}
        envelope = {"id": "e1", "type": "community_reorganised", "source": "registry",
                    "data": data}
        ops.on_community_reorganised(
            session, envelope, load_payload("community_reorganised", data), TODAY)
        session.commit()
        # a convert is the same unit renamed: its title goes with it; a merge waits for a
        # person's decision, and nothing is cancelled (or announced) by the system
        title = session.scalars(select(Title)).one()
        assert (title.status, title.community_code) == (status, holder)
        assert title.reorganised_into == "330110001301" and title.ended_on is None
        assert [h.action for h in title.history] == ["awarded", action]
        assert session.get(CommunityFact, CODE).status == "inactive"
        assert session.get(Result, ("330110001301", Y)).stage == "framework"
        kinds = [e.event_type for e in session.scalars(select(OutboxEvent))]
        assert "title_revoked" not in kinds


def test_a_communitys_tier_and_reorganisation_date_follow_the_registry(
        evaluation, evaluation_db, outbox, rabbit_config):
    def fact():
        with evaluation_db() as session:
            return session.get(CommunityFact, CODE)

    publish(outbox, rabbit_config, "registry", [("community_registered", {
        **AREA, "name": "大陆村", "kind": "village", "economic_tier": "tier_2",
        "reorganised_on": date(2025, 6, 1)})])
    wait_until(lambda: fact() is not None)
    assert (fact().economic_tier, fact().reorganised_on) == ("tier_2", date(2025, 6, 1))

    publish(outbox, rabbit_config, "registry", [("community_updated", {
        **AREA, "name": "大陆社区", "kind": "village", "economic_tier": "tier_1",
        "reorganised_on": date(2025, 6, 1)})], again=0)
    wait_until(lambda: fact().economic_tier == "tier_1")
    assert (fact().name, fact().status) == ("大陆社区", "active")


def test_counties_and_towns_are_named_from_registrations_and_the_registrys_replay(
        evaluation, evaluation_db, outbox, rabbit_config):
    def names():
        with evaluation_db() as session:
            return {a.code: (a.level, a.name) for a in session.scalars(select(AreaFact))}

    publish(outbox, rabbit_config, "registry", [
        ("county_registered", {"county_code": AREA["county_code"], "name": "余杭区",
                               "kind": "district"}),
        ("town_registered", {"county_code": AREA["county_code"],
                             "town_code": AREA["town_code"], "name": "良渚街道",
                             "kind": "street"})], again=1)
    wait_until(lambda: len(names()) == 2)
    assert names() == {AREA["county_code"]: ("county", "余杭区"),
                       AREA["town_code"]: ("town", "良渚街道")}
    # a replay renames what it holds and adds what was not announced; communities are not
    # areas
    publish(outbox, rabbit_config, "registry", [("unit_snapshot", {
        "taken_at": utcnow(), "units": [
            {"code": AREA["town_code"], "level": "town", "name": "良渚街道（新）",
             "kind": "street", "county_code": AREA["county_code"],
             "town_code": AREA["town_code"], "active": True},
            {"code": "330110002000", "level": "town", "name": "仁和街道", "kind": "street",
             "county_code": AREA["county_code"], "town_code": "330110002000",
             "active": True},
            {"code": CODE, "level": "community", "name": "大陆村", "kind": "village",
             "county_code": AREA["county_code"], "town_code": AREA["town_code"],
             "active": True}]})])
    wait_until(lambda: len(names()) == 3)
    assert names()[AREA["town_code"]] == ("town", "良渚街道（新）")
    assert names()["330110002000"] == ("town", "仁和街道") and CODE not in names()


def _indicator(evaluation_db, code):
    with evaluation_db() as session:
        result = session.get(Result, (CODE, Y))
        return next(i for i in ops.breakdown_of(result)["indicators"] if i["code"] == code)


def test_only_elections_of_the_committees_count_for_the_election_indicator(
        evaluation, evaluation_db, outbox, rabbit_config):
    publish(outbox, rabbit_config, "registry", [("community_registered", {
        **AREA, "name": "大陆村", "kind": "village"})])
    wait_until(lambda: _mediation_points(evaluation_db) is not None)

    def election(election_id, body_kind):
        return ("election_held", {**AREA, "election_id": election_id, "body_kind": body_kind,
                                  "held_on": TODAY, "turnout_rate": 0.9,
                                  "result": "elected"})
    publish(outbox, rabbit_config, "registry",
            [election(1, "deliberation_supervision_committee")])

    def facts():
        with evaluation_db() as session:
            return len(session.scalars(select(ElectionFact)).all())
    wait_until(lambda: facts() == 1)
    held = _indicator(evaluation_db, "election_held")
    # the village scheme counts the village's own committee
    assert held["points"] == 0 and "无村民委员会依法选举记录" in held["source"]
    publish(outbox, rabbit_config, "registry", [election(2, "villagers_committee")])
    wait_until(lambda: _indicator(evaluation_db, "election_held")["points"] == 5)
    assert "登记：村民委员会 " in _indicator(evaluation_db, "election_held")["source"]


def test_a_backlog_of_registrations_is_scored_in_batches_each_once_a_poison_one_alone(
        container_factory, service_config, outbox, rabbit_config, monkeypatch):
    from evaluation import service as evaluation_service
    from evaluation.service import EvaluationService
    from fazhi_common.messaging import DELIVERY_LIMIT
    from fazhi_common.outbox import ProcessedEvent

    calls, real = [], evaluation_service.ops.on_communities_registered

    def watched(session, payloads, today):
        names = [p["name"] for p in payloads]
        calls.append(names)
        if "poison" in names:
            raise RuntimeError("this registration always fails")
        return real(session, payloads, today)

    monkeypatch.setattr(evaluation_service.ops, "on_communities_registered", watched)
    monkeypatch.setattr(evaluation_service, "EVENT_CHUNK", 3)  # a batch in several chunks
    names = [f"村{n}" for n in range(20)]
    names[7] = "poison"
    # queued before evaluation starts, so that it takes them in batches; one sent twice
    envelopes = publish(outbox, rabbit_config, "registry", [("community_registered", {
        **AREA, "community_code": f"330110001{n + 1:03d}", "name": name, "kind": "village"})
        for n, name in enumerate(names)], again=3)
    container = container_factory(EvaluationService, service_config(
        "evaluation"))
    container.start()
    engine = make_engine(container.config["DATABASE_URL"])
    sessions = sessionmaker(engine)

    def stored():
        with sessions() as session:
            return (len(session.scalars(select(CommunityFact)).all()),
                    len(session.scalars(select(Result)).all()))
    wait_until(lambda: stored() == (19, 19), timeout=30)
    wait_until(lambda: calls.count(["poison"]) == DELIVERY_LIMIT, timeout=30)
    with sessions() as session:
        marks = session.scalars(select(ProcessedEvent.event_id).where(
            ProcessedEvent.handler == "on_community_registered")).all()
    engine.dispose()
    good = {e["id"] for e in envelopes} - {envelopes[7]["id"]}
    assert sorted(marks) == sorted(good)  # each once, the one sent twice too
    assert any(len(c) == 3 for c in calls)  # a backlog goes in batches, in chunks...
    # ...and the batch with the poison registration went again one event at a time
    assert any("poison" in c and len(c) > 1 for c in calls)
    assert calls.count(["poison"]) == DELIVERY_LIMIT  # then dead-lettered, not retried
