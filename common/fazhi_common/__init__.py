"""Contracts and mechanisms shared by every fazhi service and the gateway.

Services never import each other; whatever two of them must agree on lives here:
event names and payload schemas, error types, config loading, the database session
dependency, the transactional outbox and the idempotent event handler.
"""
