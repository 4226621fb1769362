"""Dependencies of the notifications service: the routing rules and the senders."""
import json
import logging
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage

import requests
from nameko.extensions import DependencyProvider

from notifications import domain, targets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How webhook and e-mail deliveries are taken, retried and given up (config.yml)."""

    lease_seconds: float
    batch_size: int
    concurrency: int
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    allowed_hosts: str | None
    environment: str

    @classmethod
    def from_config(cls, config):
        return cls(lease_seconds=float(config["DELIVERY_LEASE_SECONDS"]),
                   batch_size=int(config["DELIVERY_BATCH_SIZE"]),
                   concurrency=int(config["DELIVERY_CONCURRENCY"]),
                   max_attempts=int(config["DELIVERY_MAX_ATTEMPTS"]),
                   backoff_seconds=float(config["DELIVERY_BACKOFF_SECONDS"]),
                   backoff_max_seconds=float(config["DELIVERY_BACKOFF_MAX_SECONDS"]),
                   allowed_hosts=config["WEBHOOK_ALLOWED_HOSTS"] or None,
                   environment=str(config.get("ENVIRONMENT", "development")))


class RoutingRules(DependencyProvider):
    """``self.rules``: the default routing rules, read once when the service starts."""

    def setup(self):
        config = self.container.config
        self.rules = domain.load_rules(config.get("ROUTING_RULES_FILE") or None,
                                       config.get("DEPARTMENT_PATTERNS") or {})

    def get_dependency(self, worker_ctx):
        return self.rules


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0
    final: bool = False  # no point retrying (the subscription is gone)


def _elapsed_ms(started):
    return int((time.monotonic() - started) * 1000)


class Sender:
    """Sends one webhook POST or one e-mail and says how it went; never raises."""

    def __init__(self, config, http, policy=None):
        self.config = config
        self.http = http
        self.policy = policy or DeliveryPolicy.from_config(config)

    def send(self, order):
        if order["channel"] == "webhook":
            return self.webhook(order)
        return self.email(order)

    def webhook(self, order):
        body = domain.webhook_body(order["delivery_key"], order["subscription_id"],
                                   order["title"], order["envelope"])
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "fazhi-notifications",
            domain.SIGNATURE_HEADER: domain.signature_header(order["secret"], time.time(),
                                                             body),
            domain.DELIVERY_HEADER: order["delivery_key"],
            domain.EVENT_HEADER: order["event_type"],
        }
        started = time.monotonic()
        # checked again now, on what the name resolves to at this moment
        problem = targets.target_problem(order["target"], self.policy.allowed_hosts,
                                         self.policy.environment)
        if problem:
            return SendResult(False, error=problem, final=True)
        try:
            response = self.http.post(order["target"], data=body, headers=headers,
                                      timeout=float(self.config["WEBHOOK_TIMEOUT_SECONDS"]),
                                      allow_redirects=False)
        except requests.RequestException as exc:
            log.info("webhook delivery %s failed: %r", order["delivery_key"], exc)
            return SendResult(False, error=targets.public_error(exc),
                              duration_ms=_elapsed_ms(started))
        ok = 200 <= response.status_code < 300
        return SendResult(ok, status_code=response.status_code,
                          error=None if ok else f"HTTP {response.status_code}",
                          duration_ms=_elapsed_ms(started))

    def email(self, order):
        config = self.config
        message = EmailMessage()
        message["Subject"] = order["title"]
        message["From"] = config["SMTP_FROM"]
        message["To"] = order["target"]
        message[domain.DELIVERY_HEADER] = order["delivery_key"]
        message[domain.EVENT_HEADER] = order["event_type"]
        envelope = order["envelope"]
        message.set_content(
            f"{order['title']}\n\nEvent: {envelope['type']} from {envelope.get('source')}\n"
            f"Occurred at: {envelope.get('occurred_at')}\n\n"
            + json.dumps(envelope["data"], ensure_ascii=False, indent=2, sort_keys=True))
        started = time.monotonic()
        try:
            with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]),
                              timeout=float(config["SMTP_TIMEOUT_SECONDS"])) as smtp:
                if _truthy(config.get("SMTP_STARTTLS")):
                    smtp.starttls()
                if config.get("SMTP_USERNAME"):
                    smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            code = getattr(exc, "smtp_code", None)
            log.info("e-mail delivery %s failed: %r", order["delivery_key"], exc)
            # the SMTP server's own words stay in the operator's log, not the subscriber's
            return SendResult(False, status_code=code, error="邮件发送失败",
                              duration_ms=_elapsed_ms(started))
        return SendResult(True, status_code=250, duration_ms=_elapsed_ms(started))


def _truthy(value):
    return str(value).lower() in ("1", "true", "yes", "on")


class Senders(DependencyProvider):
    """``self.sender``: webhook and e-mail sending, sharing one HTTP connection pool."""

    def setup(self):
        policy = DeliveryPolicy.from_config(self.container.config)
        # each connection checked where it landed, as well as the name before it
        self.http = targets.public_session(policy.allowed_hosts)
        self.sender = Sender(self.container.config, self.http, policy)

    def stop(self):
        self.http.close()

    def get_dependency(self, worker_ctx):
        return self.sender
