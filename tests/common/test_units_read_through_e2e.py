"""A village registered a moment ago is usable in evaluation, legal services and corrections
at once: their read models have not heard of it (its registration is held back from them, as a
backlog would hold it), and the miss asks the registry (fazhi_common.units.reads_through),
as mediation does behind a real backlog (tests/mediation/test_unit_read_through_e2e.py)."""
from datetime import date, timedelta

from kombu import Connection
from sqlalchemy import text

from corrections.service import CorrectionsService
from evaluation.service import EvaluationService
from fazhi_common.crypto import new_key
from fazhi_common.db import make_engine
from fazhi_common.messaging import event_queue
from legalservices.service import LegalServicesService
from registry.service import RegistryService
from tests.helpers import wait_until
from tests.mediation.factories import COUNTY, TOWN, M, party, resident_id

R = "/api/v1/registry"
C = "/api/v1/corrections"
E = "/api/v1/evaluation"
TODAY = date.today()


def _as_of(config, code):
    """The read model's row for ``code``: None from the registry's answer, else its event."""
    engine = make_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(text("SELECT as_of FROM known_unit WHERE code = :c"),
                                 {"c": code}).one_or_none()
    engine.dispose()
    return row


def _community(config, code):
    engine = make_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT name, kind, status FROM community_fact WHERE code = :c"),
            {"c": code}).one_or_none()
    engine.dispose()
    return row and tuple(row)


def _all_sent(config):
    engine = make_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        waiting = connection.execute(text(
            "SELECT count(*) FROM outbox_event WHERE sent_at IS NULL")).scalar_one()
    engine.dispose()
    return waiting == 0


def test_a_village_just_registered_is_usable_in_evaluation_legal_services_and_corrections(
        gateway, container_factory, service_config, rabbit_config):
    registry = container_factory(RegistryService, service_config("registry"))
    registry.start()
    village = TOWN[:9] + "777"
    for path, body in (("counties", {"code": COUNTY, "name": "余杭区", "kind": "district"}),
                       ("towns", {"code": TOWN, "county_code": COUNTY, "name": "镇",
                                  "kind": "town"}),
                       ("communities", {"code": village, "town_code": TOWN, "name": "新村",
                                        "kind": "village"})):
        assert gateway.post(f"{R}/{path}", json=body).status_code == 201
    wait_until(lambda: _all_sent(registry.config))
    with Connection(rabbit_config["AMQP_URI"]) as connection:  # held back from both
        for service in ("evaluation", "legalservices", "corrections"):
            event_queue("registry", "community_registered", service, rabbit_config)(
                connection.channel()).purge()
    legal = container_factory(LegalServicesService, service_config(
        "legalservices", LEGALSERVICES_DATA_KEY=new_key()))
    corrections = container_factory(CorrectionsService, service_config(
        "corrections", CORRECTIONS_DATA_KEY=new_key()))
    evaluation = container_factory(EvaluationService, service_config("evaluation"))
    for container in (legal, corrections, evaluation):
        container.start()
    assert _as_of(legal.config, village) is None and _as_of(corrections.config, village) is None

    justice = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    aid = justice.post(f"{M}/legal-aid", json={
        "community_code": village, "matter": "劳动报酬纠纷", "applicant": party(),
        "received_on": str(TODAY)})
    assert aid.status_code == 201, aid.json
    assert _as_of(legal.config, village) == (None,)  # kept from the registry's answer

    decided = TODAY - timedelta(days=2)
    person = justice.post(f"{C}/persons", json={
        "kind": "correction", "correction_type": "probation", "community_code": village,
        "officer": "justice_officer-330110000000-justice-330110", "name": "欧阳锋",
        "id_number": resident_id("19800101"), "offence": "盗窃罪", "address": "新村一号",
        "decided_on": decided.isoformat(),
        "term_ends_on": (decided + timedelta(days=365)).isoformat()})
    assert person.status_code == 201, person.json
    assert _as_of(corrections.config, village) == (None,)

    assert _community(evaluation.config, village) is None
    civil = gateway.as_role("civil_affairs_officer", COUNTY, department="civil-330110")
    evidence = civil.post(f"{E}/evidence", json={
        "community_code": village, "period": str(TODAY.year),
        "indicator_code": "disclosure_board", "value": 1})
    assert evidence.status_code == 201, evidence.json
    assert _community(evaluation.config, village) == ("新村", "village", "active")
    result = civil.get(f"{E}/results/{village}?period={TODAY.year}")
    assert result.status_code == 200, result.json  # scored at once, with the evidence

    # a code the registry does not hold: refused as not announced (yet), in Chinese
    unknown = justice.post(f"{M}/legal-aid", json={
        "community_code": TOWN[:9] + "888", "matter": "x", "applicant": party(),
        "received_on": str(TODAY)})
    assert unknown.status_code == 422
    assert "登记机关尚未通告" in unknown.json["detail"]
    assert "community_code" in unknown.json["fields"]
    unknown = civil.post(f"{E}/evidence", json={
        "community_code": TOWN[:9] + "888", "period": str(TODAY.year),
        "indicator_code": "disclosure_board", "value": 1})
    assert unknown.status_code == 422 and "登记机关尚未通告" in unknown.json["detail"]
