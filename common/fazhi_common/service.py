"""What every fazhi service has: its database, its config, its caller, a health check.

A service class inherits ``ServiceBase`` (nameko finds inherited entrypoints) and adds
its own. Import the module, not the class (``from fazhi_common import service as base``;
``class RegistryService(base.ServiceBase)``): ``nameko run registry.service`` runs every
class with entrypoints it finds at the top of the module, and the base has no name.
"""
import logging
import os
import socket
import uuid

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from sqlalchemy import func, select, text

from fazhi_common.audit import append_audit, make_checkpoint, signing_key_from
from fazhi_common.config import check_secrets
from fazhi_common.contracts.events.audit import checkpoint_event
from fazhi_common.contracts.roles import EVERYONE
from fazhi_common.db import Database
from fazhi_common.identity import Caller, rpc
from fazhi_common.outbox import OutboxEvent, claim_event, claim_events, record_event
from fazhi_common.timer import timer

log = logging.getLogger(__name__)


class InstanceName(DependencyProvider):
    """Which running instance this is (host, process, container): health reports it, so an
    operator running several instances behind one queue can see who answered."""

    def setup(self):
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def get_dependency(self, worker_ctx):
        return self.name


class SecretsCheck(DependencyProvider):
    """At start: a production service with a development secret does not start."""

    def setup(self):
        check_secrets(self.container.config, log)


class ServiceBase:
    db = Database()
    config = Config()
    caller = Caller()
    instance = InstanceName()
    secrets = SecretsCheck()
    # request fields never written to the audit trail (a service with secrets names them)
    audit_omits = frozenset()

    def audit(self, session, action, subject, details=None, authority=False, caller=None):
        """Append ``<service>.<action>`` on ``subject`` to the audit trail, in ``session``'s
        transaction, as the caller (or ``caller``: SYSTEM for what the platform does)."""
        if details and self.audit_omits:
            details = {k: v for k, v in details.items() if k not in self.audit_omits}
        append_audit(session, caller or self.caller, f"{self.name}.{action}", subject,
                     details, authority=authority)

    def handle_once(self, envelope, handler, work):
        """Claim ``envelope`` for ``handler`` and do ``work(session)`` in the same
        transaction: the work is done once per event, however often the event arrives.
        Answers what ``work`` answers (None for an event handled before)."""
        with self.db.transaction() as session:
            if claim_event(session, envelope, handler):
                return work(session)
        return None

    def handle_batch_once(self, envelopes, handler, work):
        """Claim a batch of events in one statement and do ``work(session, fresh)`` with
        those not handled before, in the same transaction."""
        with self.db.transaction() as session:
            work(session, claim_events(session, envelopes, handler))

    @rpc(roles=EVERYONE)
    def health(self):
        """Reached over the bus, so the broker works; says whether the database does."""
        report = {"service": self.name, "instance": self.instance, "broker": "ok"}
        try:
            with self.db.read() as session:
                session.execute(text("SELECT 1"))
                report["outbox_pending"] = session.scalar(
                    select(func.count()).select_from(OutboxEvent)
                    .where(OutboxEvent.sent_at.is_(None)))
            report["database"] = "ok"
        except Exception as exc:  # report, do not raise: the caller wants the state
            report["database"] = f"unavailable: {type(exc).__name__}"
        report["status"] = "ok" if report["database"] == "ok" else "degraded"
        return report

    @timer("AUDIT_CHECKPOINT_SECONDS", 3600)
    def announce_audit_checkpoint(self):
        """Sign the audit chain's head and announce it (see fazhi_common.audit)."""
        key = signing_key_from(self.config)
        if key is None:
            log.warning("%s: no AUDIT_SIGNING_KEY, no audit checkpoint announced", self.name)
            return
        with self.db.transaction() as session:
            record_event(session, checkpoint_event(self.name),
                         make_checkpoint(session, self.name, key))
