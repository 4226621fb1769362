"""Webhook targets: no internal address unless the operator names the host, https outside
development, checked at subscribe time and again at delivery; the delivery log tells the
kind of failure only, never another host's error text."""
import pytest
import requests

from notifications import targets
from notifications.dependencies import Sender

N = "/api/v1/notifications"
DEV, PROD = "development", "production"


@pytest.mark.parametrize("url, allowed, environment, refused", [
    ("http://127.0.0.1:15672/api/", None, DEV, "内网"),  # the broker's management port
    ("http://localhost/x", None, DEV, "内网"),
    ("http://169.254.169.254/latest/meta-data", None, DEV, "内网"),
    ("https://10.0.0.5/x", None, PROD, "内网"),
    ("https://[::1]/x", None, PROD, "内网"),
    ("https://[::ffff:192.168.1.1]/x", None, PROD, "内网"),
    ("http://203.0.113.9/x", None, PROD, "https"),
    ("https://hooks.court.example/x", "other.example", PROD, "WEBHOOK_ALLOWED_HOSTS"),
    ("https://8.8.8.8/x", None, PROD, None),
    ("https://10.0.0.5/x", "10.0.0.5", PROD, None),  # named by the operator
    ("http://127.0.0.1:9000/x", ".example,127.0.0.1", DEV, None),
])
def test_the_target_rule(url, allowed, environment, refused):
    problem = targets.target_problem(url, allowed, environment)
    assert (problem is None) if refused is None else (refused in problem), problem


def test_delivery_checks_the_address_the_name_has_now(monkeypatch):
    posted = []
    http = type("Http", (), {"post": lambda self, *a, **k: posted.append(a)})()
    sender = Sender({"DELIVERY_LEASE_SECONDS": 1, "DELIVERY_BATCH_SIZE": 1,
                     "DELIVERY_CONCURRENCY": 1, "DELIVERY_MAX_ATTEMPTS": 1,
                     "DELIVERY_BACKOFF_SECONDS": 1, "DELIVERY_BACKOFF_MAX_SECONDS": 1,
                     "WEBHOOK_ALLOWED_HOSTS": "", "WEBHOOK_TIMEOUT_SECONDS": 1,
                     "ENVIRONMENT": PROD}, http)
    # public when subscribed, pointed at the internal network since
    monkeypatch.setattr(targets, "resolve", lambda host: {"10.1.2.3"})
    order = {"channel": "webhook", "target": "https://hooks.court.example/x", "secret": "s",
             "delivery_key": "k", "subscription_id": 1, "event_type": "t", "title": "t",
             "envelope": {"type": "t"}}
    outcome = sender.send(order)
    assert not outcome.ok and outcome.final and "内网" in outcome.error and posted == []


def test_the_log_never_shows_another_hosts_error_text():
    exc = requests.ConnectionError("HTTPConnectionPool(host='10.9.9.9', port=5432): "
                                   "Max retries exceeded ... Connection refused")
    assert targets.public_error(exc) == "无法连接回调地址"
    assert targets.public_error(requests.ReadTimeout("read timed out: 10.9.9.9")) == "投递超时"


def test_subscribing_to_an_internal_address_is_refused(notifications, gateway):
    court = gateway.as_role("linked_department_officer", "330110000000", department="court")
    # the test service allows 127.0.0.1 by name: ask for another loopback spelling
    for url in ("http://localhost:15672/api/", "http://127.0.0.2:15672/"):
        refused = court.post(f"{N}/subscriptions", json={
            "event_types": ["title_revoked"], "channel": "webhook", "webhook_url": url,
            "webhook_secret": "0123456789abcdef"})
        assert refused.status_code == 422, refused.json
        assert "webhook_url" in refused.json["fields"]


def test_a_name_that_answers_the_check_public_and_the_connection_internal_is_refused(
        monkeypatch):
    """DNS rebinding: the check sees a public address, the connection lands on loopback. The
    service's own session refuses the connection before a byte is sent."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (the standard library's name)
            received.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = {"DELIVERY_LEASE_SECONDS": 1, "DELIVERY_BATCH_SIZE": 1,
              "DELIVERY_CONCURRENCY": 1, "DELIVERY_MAX_ATTEMPTS": 1,
              "DELIVERY_BACKOFF_SECONDS": 1, "DELIVERY_BACKOFF_MAX_SECONDS": 1,
              "WEBHOOK_ALLOWED_HOSTS": "", "WEBHOOK_TIMEOUT_SECONDS": 5,
              "ENVIRONMENT": DEV}
    order = {"channel": "webhook", "target": f"http://localhost:{server.server_port}/x",
             "secret": "s", "delivery_key": "k", "subscription_id": 1, "event_type": "t",
             "title": "t", "envelope": {"type": "t"}}
    try:
        monkeypatch.setattr(targets, "resolve", lambda host: {"8.8.8.8"})  # what the check sees
        http = targets.public_session("")
        outcome = Sender(config, http).send(order)
        assert not outcome.ok and outcome.error == "无法连接回调地址", outcome
        assert received == []
        # the operator names the host: its own system is reached
        named = Sender(dict(config, WEBHOOK_ALLOWED_HOSTS="localhost"),
                       targets.public_session("localhost")).send(order)
        assert named.ok and received == ["/x"], named
    finally:
        server.shutdown()
        server.server_close()
