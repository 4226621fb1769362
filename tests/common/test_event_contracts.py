"""The event contracts match the consumers: a contract names a service as subscriber
exactly when that service has a handler for the event.

A subscriber without a handler gets a durable queue declared for it by the publisher's
relay that nobody ever reads (an unbounded backlog in the broker); a handler for an event
whose contract does not name its service gets no queue declared ahead, so events sent
before it first starts are dropped.
"""
import inspect

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from fazhi_common.contracts.events import CONTRACTS
from fazhi_common.messaging import ReliableEventHandler
from tests.helpers import SERVICES, service_class


def handled_events():
    """(source, event type, consuming service) for every event handler of every service,
    and of the gateway's keeper of its view of communities."""
    from gateway.view_keeper import GatewayViewKeeper

    found = set()
    consumers = [(name, service_class(name)) for name in SERVICES]
    for name, cls in [*consumers, ("gateway", GatewayViewKeeper)]:
        for _, method in inspect.getmembers(cls, inspect.isfunction):
            for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, ReliableEventHandler):
                    found.add((entrypoint.source_service, entrypoint.event_type, name))
    return found


def declared_subscriptions():
    return {(c.source, c.type, subscriber)
            for c in CONTRACTS.values() for subscriber in c.subscribers}


def test_every_subscriber_named_in_a_contract_has_a_handler():
    handled = handled_events()
    assert handled, "no event handlers found: the check would pass vacuously"
    orphans = sorted(declared_subscriptions() - handled)
    assert not orphans, f"contracts name subscribers that never handle the event: {orphans}"


def test_every_handler_listens_to_an_event_whose_contract_names_it():
    unannounced = sorted(handled_events() - declared_subscriptions())
    assert not unannounced, f"handlers for events whose contract omits them: {unannounced}"


def test_the_check_sees_a_planted_mismatch(monkeypatch):
    """The comparison above can fail: a contract naming one more subscriber shows."""
    from dataclasses import replace

    import fazhi_common.contracts.events as events

    contract = CONTRACTS["election_due"]
    monkeypatch.setitem(events.CONTRACTS, "election_due",
                        replace(contract, subscribers=(*contract.subscribers, "mediation")))
    assert sorted(declared_subscriptions() - handled_events()) == [
        ("registry", "election_due", "mediation")]
