"""Fixtures for notifications: the running service, publisher-shaped outboxes of the
other services, and real local webhook and SMTP servers."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from fazhi_common.contracts import events
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent, OutboxRelay, record_event
from fazhi_common.tables import CommonBase
from notifications.service import NotificationsService
from tests.notifications.servers import SmtpServer, WebhookReceiver

# fast retries: the dispatcher runs every 0.1 s, backoff 0.2 s doubling to 0.8 s
FAST_DELIVERY = {"DELIVERY_POLL_SECONDS": 0.1, "DELIVERY_BACKOFF_SECONDS": 0.2,
                 "DELIVERY_BACKOFF_MAX_SECONDS": 0.8, "DELIVERY_MAX_ATTEMPTS": 3,
                 "WEBHOOK_TIMEOUT_SECONDS": 2, "SMTP_FROM": "alerts@fazhi.test"}


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def notifications(container_factory, service_config, smtp_server):
    """A running notifications container, e-mailing through the local SMTP server."""
    config = service_config("notifications", SMTP_HOST="127.0.0.1",
                            SMTP_PORT=smtp_server.port, **FAST_DELIVERY)
    container = container_factory(NotificationsService, config)
    container.start()
    return container


@pytest.fixture
def webhook_receiver():
    receivers = []

    def make(secret, started=True):
        receiver = WebhookReceiver(secret)
        receivers.append(receiver)
        return receiver.start() if started else receiver

    yield make
    for receiver in receivers:
        receiver.stop()


class Publisher:
    """Another service's side of the bus: its outbox table and a real ``OutboxRelay``.

    The registry, evaluation and mediation services are built elsewhere; this is the
    shape each of them has (``record_event`` in a transaction, then the relay publishes).
    """

    def __init__(self, source, url, rabbit_config):
        self.engine = make_engine(url)
        CommonBase.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(source, self.sessions, rabbit_config)

    def publish(self, event_type, data):
        typed = events.contract(event_type).schema().load(data)  # dates as a service has them
        with self.sessions() as session:
            envelope = record_event(session, event_type, typed)
            session.commit()
        assert self.relay.publish_pending() == 1
        return envelope

    def publish_again(self, envelope):
        """A redelivery: the relay sends the same envelope a second time."""
        with self.sessions() as session:
            session.scalars(select(OutboxEvent).where(
                OutboxEvent.event_id == envelope["id"])).one().sent_at = None
            session.commit()
        assert self.relay.publish_pending() == 1


@pytest.fixture
def publisher(rabbit_config, tmp_path):
    """``publisher('mediation')``: a publisher-shaped outbox of that service."""
    made = []

    def make(source):
        made.append(Publisher(source, f"sqlite:///{tmp_path / f'{source}-outbox.db'}",
                              rabbit_config))
        return made[-1]

    yield make
    for p in made:
        p.engine.dispose()
