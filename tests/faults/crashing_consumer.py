"""A consumer run as its own process by test_process_killed.py.

It stands in for the notifications service: it takes county_registered events, counts
every delivery in a file, and does its work (an audit entry) once per event. With
PAUSE_AFTER_COMMIT set it sleeps after committing, before nameko acks, so the test can
kill it in the middle of handling.
"""
import os
import time

from fazhi_common.audit import append_audit
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.db import Database
from fazhi_common.messaging import event_handler
from fazhi_common.outbox import claim_event


class CrashingConsumer:
    name = "notifications"
    db = Database(relay_outbox=False)

    @event_handler("registry", "county_registered")
    def on_county_registered(self, envelope, payload):
        with open(os.environ["DELIVERIES_FILE"], "a") as deliveries:
            deliveries.write(envelope["id"] + "\n")
        with self.db.transaction() as session:
            if claim_event(session, envelope, "on_county_registered"):
                append_audit(session, SYSTEM, "work", envelope["id"])
        if os.environ.get("PAUSE_AFTER_COMMIT"):
            time.sleep(float(os.environ["PAUSE_AFTER_COMMIT"]))
