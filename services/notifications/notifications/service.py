"""The notifications service's entrypoints: every notifiable event in, alerts and
deliveries out; subscriptions, inbox and the delivery log over RPC.

Events arrive on one reliable handler per contract that names notifications as a
subscriber (generated below the class); each routes the event once (``handle_batch_once``)
into inbox alerts and pending deliveries. A timer sends due webhook and e-mail
deliveries, with backoff, until they succeed or are dead-lettered.
"""
from eventlet.greenpool import GreenPool

from fazhi_common import service as base
from fazhi_common.clock import utcnow
from fazhi_common.contracts.api import notifications as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.errors import field_error
from fazhi_common.contracts.events import CONTRACTS
from fazhi_common.identity import rpc
from fazhi_common.messaging import event_handler
from fazhi_common.settings import Settings
from fazhi_common.timer import timer
from fazhi_common.validation import load
from notifications import domain
from notifications import operations as ops
from notifications.dependencies import DeliveryPolicy, RoutingRules, Senders, SendResult

SUBSCRIPTION_PAGE = page_of(api.Subscription)()
ALERT_PAGE = page_of(api.Alert)()
DELIVERY_PAGE = page_of(api.Delivery)()
SUBSCRIBED = [c for c in CONTRACTS.values() if "notifications" in c.subscribers]
ROUTE_HANDLER = "notifications.route"


class NotificationsService(base.ServiceBase):
    name = "notifications"
    audit_omits = frozenset({"webhook_secret"})
    delivery = Settings(DeliveryPolicy.from_config)
    rules = RoutingRules()
    sender = Senders()


    # -- events in ---------------------------------------------------------------------------

    def route(self, envelopes):
        """Route events to inboxes and deliveries, each once however often it arrives."""
        self.handle_batch_once(envelopes, ROUTE_HANDLER, lambda session, fresh:
                               ops.route_events(session, fresh, self.rules))

    # -- webhook and e-mail deliveries -----------------------------------------------------------

    @timer("DELIVERY_POLL_SECONDS", default=1.0)
    def dispatch_due_deliveries(self):
        """Send every due delivery (first attempts and retries), a few at a time."""
        policy = self.delivery
        with self.db.transaction() as session:
            due = ops.take_due_deliveries(session, utcnow(), policy.lease_seconds,
                                          policy.batch_size)
        pool = GreenPool(policy.concurrency)
        for delivery_id in due:
            pool.spawn_n(self._deliver, delivery_id)
        pool.waitall()

    def _deliver(self, delivery_id):
        with self.db.read() as session:
            order = ops.delivery_order(session, delivery_id)
        if order is None:
            outcome = SendResult(False, error="the subscription was deleted or paused",
                                 final=True)
        else:
            outcome = self.sender.send(order)
        with self.db.transaction() as session:
            ops.record_attempt(session, delivery_id, outcome, self.delivery)

    # -- subscriptions ---------------------------------------------------------------------------

    def _check_webhook_host(self, data):
        url = data.get("webhook_url")
        if url and not domain.webhook_host_allowed(url, self.delivery.allowed_hosts):
            raise field_error("webhook_url", "This host is not among the webhook hosts this "
                                             "deployment allows (WEBHOOK_ALLOWED_HOSTS).")

    @rpc(roles=api.SUBSCRIBERS)
    def create_subscription(self, payload):
        data = load(api.SubscriptionIn(), payload)
        self._check_webhook_host(data)
        with self.db.transaction() as session:
            sub = ops.create_subscription(session, data, self.caller)
            self.audit(session, "create_subscription", sub.id, payload)
            return api.Subscription().dump(sub)

    @rpc(roles=api.READERS)
    def get_subscription(self, subscription_id):
        with self.db.read() as session:
            return api.Subscription().dump(
                ops.get_subscription(session, subscription_id, self.caller))

    @rpc(roles=api.READERS)
    def list_subscriptions(self, query=None):
        query = load(api.SubscriptionQuery(), query)
        with self.db.read() as session:
            return SUBSCRIPTION_PAGE.dump(ops.list_subscriptions(session, query, self.caller))

    @rpc(roles=api.SUBSCRIBERS)
    def update_subscription(self, subscription_id, payload):
        changes = load(api.SubscriptionChange(), payload)
        self._check_webhook_host(changes)
        with self.db.transaction() as session:
            sub = ops.update_subscription(session, subscription_id, changes, self.caller)
            self.audit(session, "update_subscription", subscription_id, payload)
            return api.Subscription().dump(sub)

    @rpc(roles=api.SUBSCRIBERS)
    def delete_subscription(self, subscription_id):
        with self.db.transaction() as session:
            ops.delete_subscription(session, subscription_id, self.caller)
            self.audit(session, "delete_subscription", subscription_id)

    @rpc(roles=api.READERS)
    def event_kinds(self):
        items = [{"type": t, "source": CONTRACTS[t].source,
                  "title": self.rules.titles.get(t, t)} for t in api.EVENT_KINDS]
        return api.EventKinds().dump({"items": items})

    # -- inbox -----------------------------------------------------------------------------------

    @rpc(roles=api.READERS)
    def list_inbox(self, query=None):
        query = load(api.InboxQuery(), query)
        with self.db.read() as session:
            return ALERT_PAGE.dump(ops.list_inbox(session, query, self.caller))

    @rpc(roles=api.READERS)
    def unread_count(self, query=None):
        query = load(api.DepartmentQuery(), query)
        with self.db.read() as session:
            return api.UnreadCount().dump(ops.unread_count(session, query, self.caller))

    @rpc(roles=api.READERS)
    def acknowledge_alert(self, alert_id):
        with self.db.transaction() as session:
            alert = ops.acknowledge(session, alert_id, self.caller)
            self.audit(session, "acknowledge_alert", alert_id)
            return api.Alert().dump(alert)

    # -- the delivery log --------------------------------------------------------------------------

    @rpc(roles=api.READERS)
    def list_deliveries(self, query=None):
        query = load(api.DeliveryQuery(), query)
        with self.db.read() as session:
            return DELIVERY_PAGE.dump(ops.list_deliveries(session, query, self.caller))

    @rpc(roles=api.READERS)
    def get_delivery(self, delivery_id):
        with self.db.read() as session:
            return api.DeliveryDetail().dump(
                ops.get_delivery(session, delivery_id, self.caller))

    @rpc(roles=api.SUBSCRIBERS)
    def replay_delivery(self, delivery_id):
        with self.db.transaction() as session:
            delivery = ops.replay(session, delivery_id, self.caller)
            self.audit(session, "replay_delivery", delivery_id)
            return api.DeliveryDetail().dump(delivery)


def _route_on(contract):
    """The reliable handler of one event kind: it routes the envelopes, a batch at once
    when a backlog drains."""
    @event_handler(contract.source, contract.type, batch=True)
    def handler(self, events):
        # alerts and deliveries keep the envelope as published
        self.route([envelope for envelope, _payload in events])

    handler.__name__ = handler.__qualname__ = f"on_{contract.type}"
    return handler


# one handler (and so one durable queue) per event kind notifications subscribes to
for _contract in SUBSCRIBED:
    setattr(NotificationsService, f"on_{_contract.type}", _route_on(_contract))
