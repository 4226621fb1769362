"""A village registered a moment ago is usable in mediation at once, even while its
registration waits behind a province's backlog in mediation's queue: the read model's
miss asks the registry (fazhi_common.units.reads_through). A code the registry does not
hold is refused as not yet announced, in Chinese."""
import uuid

from kombu import Connection, Producer
from sqlalchemy import text

from fazhi_common.clock import utcnow
from fazhi_common.db import make_engine
from fazhi_common.messaging import event_queue
from registry.service import RegistryService
from tests.mediation.factories import COUNTY, TOWN, M, referral, register_organisations

R = "/api/v1/registry"
BACKLOG = 20_000


def _queue(amqp_uri):
    return event_queue("registry", "community_registered", "mediation",
                       {"AMQP_URI": amqp_uri})


def _waiting(amqp_uri):
    """Registrations queued for mediation and not yet delivered to it."""
    with Connection(amqp_uri) as connection:
        return _queue(amqp_uri)(connection.channel()).queue_declare(passive=True).message_count


def _backlog(amqp_uri):
    """Registrations of another county's villages, queued for mediation ahead of ours."""
    queue = _queue(amqp_uri)
    with Connection(amqp_uri) as connection:
        producer = Producer(connection.channel())
        queue(producer.channel).declare()
        for n in range(BACKLOG):
            code = f"330122001{200 + n % 200:03d}"
            producer.publish({
                "id": str(uuid.uuid4()), "type": "community_registered",
                "source": "registry", "occurred_at": utcnow().isoformat(),
                "data": {"county_code": "330122000000", "town_code": "330122001000",
                         "community_code": code, "name": "村", "kind": "village"}},
                exchange="", routing_key=queue.name, serializer="json")


def test_a_village_just_registered_takes_a_case_behind_a_backlog(
        mediation, gateway, container_factory, service_config, rabbit_config):
    registry = container_factory(RegistryService, service_config("registry"))
    registry.start()
    for path, body in (("counties", {"code": COUNTY, "name": "余杭区", "kind": "district"}),
                       ("towns", {"code": TOWN, "county_code": COUNTY, "name": "镇",
                                  "kind": "town"})):
        assert gateway.post(f"{R}/{path}", json=body).status_code == 201
    orgs = register_organisations(gateway)
    _backlog(rabbit_config["AMQP_URI"])

    village = TOWN[:9] + "777"
    assert gateway.post(f"{R}/communities", json={
        "code": village, "town_code": TOWN, "name": "新村", "kind": "village"}
    ).status_code == 201
    case = gateway.post(f"{M}/referrals", json=referral(
        orgs["litigation"], "court", "(2026)浙0110民诉前调1号", community_code=village,
        referrer_department="余杭区人民法院"))
    assert case.status_code == 201, case.json  # the first try
    # ... while the village's own registration still waited at the end of the queue
    assert _waiting(rabbit_config["AMQP_URI"]) > 0

    engine = make_engine(mediation.config["DATABASE_URL"])
    with engine.connect() as connection:
        as_of = connection.execute(text("SELECT as_of FROM known_unit WHERE code = :c"),
                                   {"c": village}).one()[0]
    engine.dispose()
    assert as_of is None  # it came from the registry's answer, not from its event

    # a code the registry does not hold: refused, as not announced (yet), in Chinese
    unknown = gateway.post(f"{M}/referrals", json=referral(
        orgs["litigation"], "court", "(2026)浙0110民诉前调2号",
        community_code=TOWN[:9] + "888", referrer_department="余杭区人民法院"))
    assert unknown.status_code == 422
    assert "登记机关尚未通告" in unknown.json["detail"]
    assert "community_code" in unknown.json["fields"]
