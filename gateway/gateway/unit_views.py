"""The gateway's view of the registry's communities: ``GET /registry/communities/<code>``
answered from a table of the gateway's own, without the hop through the broker and the
registry.

Rows are kept by the registry's events (``gateway.view_keeper``, a process of its own)
and by the gateway's own writes, so whoever registers, changes or reorganises a unit
through the gateway reads the result at once. Each row is the registry's answer for one
community as JSON text with its ETag, and the instant of the newest registry fact it holds
(``as_of``, epoch seconds): a fact older than that never overwrites it, whichever queue
brings it first. A row without a body (``body`` NULL) says "ask the registry": a
reorganisation touched the unit, or an event of an earlier version could not fill it.

What is not served from here: a code the view does not hold, a unit outside the caller's
area (the registry's answer, a 404, is kept exactly), anything but a community. Roles are
checked before the view runs, as for every route. Units are not personal data; nothing
personal is kept here.

The instants of own writes are the gateway's clock, the events' the registry's: the two
are assumed in step (NTP), as the audit and outbox timestamps already are.
"""
import hashlib
import json
from datetime import datetime

from sqlalchemy import bindparam, select

from fazhi_common.bulk import insert_for
from fazhi_common.db import one_statement
from gateway.models import CommunityView

# the registry's Community answer, field by field, from a community_registered/_updated
# payload (which carries the whole record since the gateway keeps this view)
_FIELDS = ("town_code", "county_code", "name", "kind", "urban_rural_code", "status",
           "economic_tier", "reorganised_on", "deactivated_on", "federated_into")


def encode(answer):
    """``(body, etag)`` of a Community answer: the JSON text served and its strong ETag."""
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return body, etag_of(body.encode())


def etag_of(data):
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def from_event(data):
    """The registry's answer for the community a registered/updated payload describes, or
    None when the payload predates the full record (then the registry is asked)."""
    if "status" not in data:
        return None
    return {"code": data["community_code"], **{key: data.get(key) for key in _FIELDS}}


def instant(occurred_at):
    return datetime.fromisoformat(occurred_at).timestamp()


def _upsert(session, rows):
    """Store ``rows`` (code, body, etag, as_of); a row holding a newer fact stays."""
    if not rows:
        return
    table = CommunityView.__table__
    statement = insert_for(session, table)
    excluded = statement.excluded
    session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.code],
        set_={"body": excluded.body, "etag": excluded.etag, "as_of": excluded.as_of},
        where=table.c.as_of <= excluded.as_of), rows)


def apply_events(session, envelopes):
    """Apply community_registered/_updated/_reorganised envelopes (JSON as published)."""
    rows = {}
    for envelope in envelopes:
        at, data = instant(envelope["occurred_at"]), envelope["data"]
        if envelope["type"] == "community_reorganised":
            # what a reorganisation changed (status, successor, dates) is the registry's
            # to say: the units it touched are read from it from now on
            codes = {data["community_code"], *data["source_codes"]}
            updates = [(code, None, None) for code in codes]
        else:
            answer = from_event(data)
            updates = [(data["community_code"], *(encode(answer) if answer else (None, None)))]
        for code, body, etag in updates:
            held = rows.get(code)
            if held is None or held["as_of"] <= at:
                rows[code] = {"code": code, "body": body, "etag": etag, "as_of": at}
    _upsert(session, list(rows.values()))


def store_answer(session, answer, asked_at):
    """The gateway's own write: the registry's answer, as of just before it was asked (an
    event of a change the answer may not include is newer, and is applied)."""
    body, etag = encode(answer)
    _upsert(session, [{"code": answer["code"], "body": body, "etag": etag,
                       "as_of": asked_at}])


def forget(session, codes, asked_at):
    """The gateway's own reorganisation: these units are read from the registry."""
    _upsert(session, [{"code": code, "body": None, "etag": None, "as_of": asked_at}
                      for code in codes])


_LOOKUP = select(CommunityView.body, CommunityView.etag).where(
    CommunityView.code == bindparam("code"))


class CommunityViews:
    """Reads of the view on the gateway's engine: one statement, no ORM session."""

    def __init__(self, engine):
        self.engine = one_statement(engine)

    def lookup(self, code):
        """``(body, etag)`` held for ``code``, or None: ask the registry."""
        with self.engine.connect() as connection:
            row = connection.execute(_LOOKUP, {"code": code}).first()
        return row if row is not None and row[0] is not None else None

