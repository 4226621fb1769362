"""The audit trail: who did what, when, chained by hash so tampering shows.

Every write a service makes appends an entry in the same transaction as the write; so do
reads of unmasked personal data. Each entry's hash covers its content and the previous
entry's hash, so changing, inserting or deleting a stored entry breaks the chain from
that point on. ``fazhi-audit verify`` walks the chain.
"""
import argparse
import hashlib
import json
import sys

from sqlalchemy import JSON, Boolean, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.tables import CommonBase

GENESIS = "0" * 64


class AuditEntry(CommonBase):
    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO text: hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)
    details: Mapped[dict] = mapped_column(JSON)
    authority: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at = mapped_column(UtcDateTime, default=utcnow)


def entry_hash(prev_hash, at, actor, role, department, action, subject, details, authority):
    content = json.dumps([prev_hash, at, actor, role, department, action, subject, details,
                          bool(authority)], ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode()).hexdigest()


def _lock_chain(session):
    """Serialise appends so two transactions cannot both extend the same tail."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    else:  # SQLite: any write statement takes the database's write lock for the transaction
        session.execute(text("UPDATE audit_entry SET seq = seq WHERE 0 = 1"))


def append_audit(session, identity, action, subject, details=None, authority=False):
    """Record ``identity`` doing ``action`` to ``subject`` in the caller's transaction."""
    _lock_chain(session)
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    fields = {"at": utcnow().isoformat(), "actor": identity.subject, "role": identity.role,
              "department": identity.department or "", "action": action,
              "subject": str(subject), "details": json.loads(json.dumps(details or {},
                                                                       default=str)),
              "authority": bool(authority)}
    prev = prev or GENESIS
    entry = AuditEntry(prev_hash=prev, hash=entry_hash(prev, **fields), **fields)
    session.add(entry)
    return entry


def verify_chain(session):
    """``(entries checked, seq of the first bad entry or None)``."""
    prev, checked = GENESIS, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        expected = entry_hash(prev, entry.at, entry.actor, entry.role, entry.department,
                              entry.action, entry.subject, entry.details, entry.authority)
        if entry.prev_hash != prev or entry.hash != expected:
            return checked, entry.seq
        prev, checked = entry.hash, checked + 1
    return checked, None


def main(argv=None):
    """``fazhi-audit verify --database-url URL`` (or ``--config service/config.yml``)."""
    from fazhi_common.config import load_config
    from fazhi_common.db import make_engine

    parser = argparse.ArgumentParser(prog="fazhi-audit", description=main.__doc__)
    parser.add_argument("command", choices=["verify"])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--database-url")
    source.add_argument("--config", help="a service's config.yml")
    args = parser.parse_args(argv)
    url = args.database_url or load_config(args.config)["DATABASE_URL"]
    engine = make_engine(url)
    with sessionmaker(engine)() as session:
        checked, broken = verify_chain(session)
    engine.dispose()
    if broken is None:
        print(f"audit chain intact: {checked} entries verified")
        return 0
    print(f"AUDIT CHAIN BROKEN at entry {broken}: {checked} entries before it verify; "
          "that entry or its predecessor was altered, inserted or deleted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
