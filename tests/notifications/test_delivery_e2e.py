"""Subscriptions deliver to a real local webhook receiver (signature checked) and a real
local SMTP server; retries with backoff, dead-letter and replay; the delivery log."""
from tests.helpers import wait_until
from tests.notifications import events as ev

N = "/api/v1/notifications"
SECRET = "s3cret-shared-with-the-court"


def _subscribe(client, **fields):
    body = {"event_types": ["mediation_case_closed"], "channel": "inbox", **fields}
    response = client.post(f"{N}/subscriptions", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _deliveries(client, **query):
    response = client.get(f"{N}/deliveries", query_string=query)
    assert response.status_code == 200, response.json
    return response.json["items"]


def _court(gateway):
    return gateway.as_role("linked_department_officer", ev.COUNTY, department="court-330110")


def test_webhook_and_email_subscribers_get_the_event(notifications, publisher, gateway,
                                                     webhook_receiver, smtp_server):
    court = _court(gateway)
    receiver = webhook_receiver(SECRET)
    hook = _subscribe(court, channel="webhook", webhook_url=receiver.url,
                      webhook_secret=SECRET, event_types=["mediation_case_closed",
                                                          "community_vetoed"])
    assert hook["department"] == "court-330110" and hook["area_code"] == ev.COUNTY
    assert "webhook_secret" not in hook
    _subscribe(court, channel="email", email="duty@court.example")

    envelope = publisher("mediation").publish("mediation_case_closed", ev.case_closed())
    publisher("evaluation").publish("community_vetoed", ev.vetoed())

    wait_until(lambda: len(receiver.received) == 2 and len(smtp_server.messages) == 1)
    assert all(valid for _h, _b, valid in receiver.received)
    kinds = sorted(e["type"] for e in receiver.events())
    assert kinds == ["community_vetoed", "mediation_case_closed"]
    headers, body, _ = next(r for r in receiver.received
                            if r[1]["event"]["id"] == envelope["id"])
    assert headers["X-Fazhi-Delivery"] == body["delivery_id"]
    assert headers["X-Fazhi-Event"] == "mediation_case_closed"
    assert body["event"]["data"]["outcome"] == "agreement"

    [mail] = smtp_server.messages
    assert mail["To"] == "duty@court.example" and mail["From"] == "alerts@fazhi.test"
    assert "案件 17" in mail["Subject"] and mail["X-Fazhi-Event"] == "mediation_case_closed"
    assert "agreement" in mail.get_content()

    delivered = wait_until(lambda: (d := _deliveries(court, status="delivered")) and
                           len(d) == 3 and d)
    assert {d["channel"] for d in delivered} == {"webhook", "email"}
    detail = court.get(f"{N}/deliveries/{delivered[0]['id']}").json
    [attempt] = detail["log"]
    assert attempt["result"] == "delivered" and attempt["status_code"] in (200, 250)
    # the court's outcome also reached its inbox by the default rule, once
    assert court.get(f"{N}/inbox/unread-count").json["unread"] == 1


def test_a_receiver_that_is_down_gets_the_alert_after_retries(notifications, publisher,
                                                              gateway, webhook_receiver):
    court = _court(gateway)
    receiver = webhook_receiver(SECRET, started=False)  # down: connection refused
    sub = _subscribe(court, channel="webhook", webhook_url=receiver.url, webhook_secret=SECRET)
    publisher("mediation").publish("mediation_case_closed", ev.case_closed())

    wait_until(lambda: (d := _deliveries(court)) and d[0]["failures"] >= 1)
    receiver.start()  # back up
    wait_until(lambda: receiver.events(), timeout=10)
    [delivery] = wait_until(lambda: _deliveries(court, status="delivered",
                                                subscription_id=sub["id"]))
    log = court.get(f"{N}/deliveries/{delivery['id']}").json["log"]
    assert [a["result"] for a in log][-1] == "delivered"
    assert all(a["result"] == "failed" and a["error"] for a in log[:-1]) and len(log) >= 2
    assert len(receiver.received) == 1


def test_a_receiver_that_stays_down_is_dead_lettered_and_replayed(notifications, publisher,
                                                                  gateway, webhook_receiver):
    court = _court(gateway)
    receiver = webhook_receiver(SECRET, started=False)
    _subscribe(court, channel="webhook", webhook_url=receiver.url, webhook_secret=SECRET)
    publisher("mediation").publish("mediation_case_closed", ev.case_closed())

    [dead] = wait_until(lambda: _deliveries(court, status="dead"), timeout=15)
    assert dead["attempts"] == 3 and dead["failures"] == 3  # DELIVERY_MAX_ATTEMPTS
    assert dead["next_attempt_at"] is None and dead["last_error"]
    assert receiver.received == []

    receiver.start()
    replayed = court.post(f"{N}/deliveries/{dead['id']}/replay")
    assert replayed.status_code == 200 and replayed.json["status"] == "pending"
    wait_until(lambda: receiver.events())
    detail = wait_until(lambda: (d := court.get(f"{N}/deliveries/{dead['id']}").json)
                        ["status"] == "delivered" and d)
    assert [a["result"] for a in detail["log"]] == ["failed"] * 3 + ["delivered"]
    headers, body, _ = receiver.received[0]
    assert headers["X-Fazhi-Delivery"] == dead["delivery_key"]  # the same id on replay
    # replaying what is not dead is refused
    assert court.post(f"{N}/deliveries/{dead['id']}/replay").status_code == 409


def test_a_bad_signature_is_refused_by_the_receiver(notifications, publisher, gateway,
                                                    webhook_receiver):
    court = _court(gateway)
    receiver = webhook_receiver("the-receivers-own-secret")
    _subscribe(court, channel="webhook", webhook_url=receiver.url,
               webhook_secret="a-different-secret-entirely")
    publisher("mediation").publish("mediation_case_closed", ev.case_closed())
    wait_until(lambda: (d := _deliveries(court)) and d[0]["last_status_code"] == 401)
    assert receiver.events() == []


def test_a_duplicated_event_is_delivered_once(notifications, publisher, gateway,
                                              webhook_receiver):
    court = _court(gateway)
    receiver = webhook_receiver(SECRET)
    _subscribe(court, channel="webhook", webhook_url=receiver.url, webhook_secret=SECRET)
    mediation = publisher("mediation")
    envelope = mediation.publish("mediation_case_closed", ev.case_closed())
    mediation.publish_again(envelope)
    mediation.publish("mediation_case_closed", ev.case_closed(case_id=99))
    wait_until(lambda: len(receiver.received) >= 2)
    assert sorted(e["data"]["case_id"] for e in receiver.events()) == [17, 99]
    assert len(_deliveries(court)) == 2


def test_events_outside_the_area_or_kind_are_not_delivered(notifications, publisher, gateway,
                                                           webhook_receiver):
    town_office = gateway.as_role("justice_officer", ev.TOWN, department="justice-330110001")
    receiver = webhook_receiver(SECRET)
    _subscribe(town_office, channel="webhook", webhook_url=receiver.url,
               webhook_secret=SECRET, event_types=["community_vetoed"])
    evaluation = publisher("evaluation")
    elsewhere = dict(ev.vetoed(), town_code="330110002000", community_code="330110002201")
    evaluation.publish("community_vetoed", elsewhere)
    evaluation.publish("title_revoked", ev.title_revoked())  # a kind not subscribed
    evaluation.publish("community_vetoed", ev.vetoed(veto_id=6))
    # all three are routed once the county's justice bureau has them (default rule)
    justice = gateway.as_role("justice_officer", ev.COUNTY, department="justice-330110")
    wait_until(lambda: justice.get(f"{N}/inbox").json["total"] == 3)
    [delivery] = _deliveries(town_office)
    assert delivery["event_type"] == "community_vetoed"
    wait_until(lambda: receiver.events())
    assert [e["data"]["veto_id"] for e in receiver.events()] == [6]
