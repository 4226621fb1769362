"""Events from registry, evaluation and mediation reach department inboxes through the
real broker, the real notifications container and the real gateway."""
from tests.helpers import wait_until
from tests.notifications import events as ev

N = "/api/v1/notifications"


def _inbox(client, **query):
    response = client.get(f"{N}/inbox", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def _wait_for_inbox(client, count, **query):
    return wait_until(lambda: (page := _inbox(client, **query))["total"] >= count and page,
                      timeout=10)


def test_default_rules_route_each_event_to_its_departments(notifications, publisher,
                                                           gateway):
    mediation, evaluation = publisher("mediation"), publisher("evaluation")
    registry = publisher("registry")
    mediation.publish("mediation_case_received", ev.case_received())
    mediation.publish("mediation_case_closed", ev.case_closed())
    mediation.publish("mediation_case_overdue", ev.case_overdue())
    evaluation.publish("community_vetoed", ev.vetoed())
    evaluation.publish("title_revoked", ev.title_revoked())
    registry.publish("community_reorganised", ev.reorganised())

    receiving = gateway.as_role("mediator", ev.TOWN, department="justice-330110001")
    court = gateway.as_role("linked_department_officer", ev.COUNTY, department="court-330110")
    justice = gateway.as_role("justice_officer", ev.COUNTY, department="justice-330110")
    civil = gateway.as_role("civil_affairs_officer", ev.COUNTY,
                            department="civil_affairs-330110")
    granting = gateway.as_role("evaluator", "330100000000", department="justice-3301")

    [referral] = _wait_for_inbox(receiving, 1)["items"]
    assert referral["event_type"] == "mediation_case_received"
    assert "案件 17" in referral["title"] and referral["read_at"] is None
    assert referral["data"]["referrer_reference"] == "(2026)浙0110民诉前1号"
    [outcome] = _wait_for_inbox(court, 1)["items"]
    assert outcome["event_type"] == "mediation_case_closed"

    expected = {"mediation_case_overdue", "community_vetoed", "title_revoked",
                "community_reorganised"}
    kinds = {a["event_type"] for a in _wait_for_inbox(justice, 4)["items"]}
    assert kinds == expected
    kinds = {a["event_type"] for a in _wait_for_inbox(civil, 3)["items"]}
    assert kinds == expected - {"mediation_case_overdue"}
    kinds = {a["event_type"] for a in _wait_for_inbox(granting, 1)["items"]}
    assert kinds == {"title_revoked"}


def test_inbox_filters_counts_and_acknowledges(notifications, publisher, gateway):
    mediation = publisher("mediation")
    for case_id in (1, 2, 3):
        mediation.publish("mediation_case_received", ev.case_received(case_id=case_id))
    mediation.publish("mediation_case_overdue",
                      ev.case_overdue(supervising_department="justice-330110001"))
    office = gateway.as_role("justice_officer", ev.TOWN, department="justice-330110001")
    _wait_for_inbox(office, 4)

    assert office.get(f"{N}/inbox/unread-count").json == {
        "department": "justice-330110001", "unread": 4}
    page = _inbox(office, per_page=2, page=1)
    assert page["total"] == 4 and len(page["items"]) == 2
    received = _inbox(office, event_type="mediation_case_received")
    assert received["total"] == 3

    first = received["items"][0]["id"]
    acked = office.post(f"{N}/inbox/{first}/acknowledge")
    assert acked.status_code == 200 and acked.json["read_at"]
    again = office.post(f"{N}/inbox/{first}/acknowledge")
    assert again.json["read_at"] == acked.json["read_at"]  # idempotent
    assert office.get(f"{N}/inbox/unread-count").json["unread"] == 3
    assert [a["id"] for a in _inbox(office, read="true")["items"]] == [first]
    assert _inbox(office, read="false")["total"] == 3


def test_a_department_sees_only_its_own_inbox(notifications, publisher, gateway):
    publisher("mediation").publish("mediation_case_received", ev.case_received())
    owner = gateway.as_role("mediator", ev.TOWN, department="justice-330110001")
    [alert] = _wait_for_inbox(owner, 1)["items"]

    stranger = gateway.as_role("mediator", ev.TOWN, department="justice-330110002")
    assert _inbox(stranger)["total"] == 0
    assert stranger.post(f"{N}/inbox/{alert['id']}/acknowledge").status_code == 404
    peeking = stranger.get(f"{N}/inbox", query_string={"department": "justice-330110001"})
    assert peeking.status_code == 403
    # a platform administrator may look into any department's inbox
    assert _inbox(gateway, department="justice-330110001")["total"] == 1
    assert gateway.anonymous().get(f"{N}/inbox").status_code == 401


def test_a_duplicated_event_makes_one_alert(notifications, publisher, gateway):
    mediation = publisher("mediation")
    envelope = mediation.publish("mediation_case_received", ev.case_received())
    mediation.publish_again(envelope)
    mediation.publish("mediation_case_received", ev.case_received(case_id=99))  # a marker
    office = gateway.as_role("mediator", ev.TOWN, department="justice-330110001")
    _wait_for_inbox(office, 2)
    # the marker came after the duplicate on the same queue: the duplicate was handled
    page = _inbox(office, event_type="mediation_case_received")
    assert sorted(a["data"]["case_id"] for a in page["items"]) == [17, 99]
    assert [a["event_id"] for a in page["items"]].count(envelope["id"]) == 1


def test_a_batch_holding_an_event_twice_routes_it_once(notifications, gateway):
    from nameko.testing.services import entrypoint_hook

    from fazhi_common.contracts.events import load_payload, serialise_payload

    def received(case_id):
        data = serialise_payload("mediation_case_received", load_payload(
            "mediation_case_received", ev.case_received(case_id=case_id)))
        envelope = {"id": f"00000000-0000-0000-0000-{case_id:012d}",
                    "type": "mediation_case_received", "source": "mediation",
                    "occurred_at": "2026-03-01T08:00:00+00:00", "data": data}
        return envelope, load_payload("mediation_case_received", data)

    first, second = received(17), received(18)
    with entrypoint_hook(notifications, "on_mediation_case_received") as handle:
        handle([first, second, first])  # a redelivery in the same batch as the first
        handle([second])  # and once more in a later one
    office = gateway.as_role("mediator", ev.TOWN, department="justice-330110001")
    page = _inbox(office, event_type="mediation_case_received")
    assert sorted(a["data"]["case_id"] for a in page["items"]) == [17, 18]
