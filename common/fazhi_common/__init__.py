"""Contracts and mechanisms shared by every fazhi service and the gateway.

Services never import each other; whatever two of them must agree on lives here:
event names and payload schemas, error types, config loading, the database session
dependency, the transactional outbox and the idempotent event handler.
"""
import warnings

# eventlet (through nameko) announces its own deprecation on import, at a level Python
# always shows: operators running a command-line tool or a service cannot act on it, so
# it is not shown to them (moving off eventlet is the project's business, not theirs).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
