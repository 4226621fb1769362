"""Keeps the gateway's view of the registry's communities (``gateway.unit_views``) from
the registry's events: a process beside the gateway's web workers, on the gateway's own
database and config::

    fazhi-service --config gateway/config.yml gateway.view_keeper

Applying an event twice changes nothing (a row never takes a fact older than its own),
so no inbox is kept. Batches drain a province's registrations in hundreds per
transaction.
"""
from fazhi_common.db import Database
from fazhi_common.messaging import event_handler
from gateway import unit_views


class GatewayViewKeeper:
    name = "gateway"
    db = Database(relay_outbox=False)  # the gateway announces nothing

    def _apply(self, events):
        with self.db.transaction() as session:
            unit_views.apply_events(session, [envelope for envelope, _payload in events])

    @event_handler("registry", "community_registered", batch=True)
    def on_community_registered(self, events):
        self._apply(events)

    @event_handler("registry", "community_updated", batch=True)
    def on_community_updated(self, events):
        self._apply(events)

    @event_handler("registry", "community_reorganised", batch=True)
    def on_community_reorganised(self, events):
        self._apply(events)
