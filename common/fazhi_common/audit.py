"""The audit trail: who did what, when, chained by hash so tampering shows.

Every write a service makes appends an entry in the same transaction as the write; so do
reads of unmasked personal data. Each entry's hash covers its content and the previous
entry's hash, so changing, inserting or deleting a stored entry breaks the chain from
that point on. ``fazhi-audit verify`` walks the chain.

A chain that lives only in the database cannot show its own truncation (cut off the
newest entries and what remains still verifies) nor a rewrite (change an entry and
re-hash everything after it). So each service regularly signs a **checkpoint** — its
head entry's hash, the number of entries up to it, the time — with its Ed25519 audit key
and announces it as an event (``<service>_audit_checkpoint``) that subscribers keep
outside the service's reach; ``fazhi-audit checkpoint`` exports one on demand. Verifying
against a checkpoint (``fazhi-audit verify --checkpoint FILE --public-key=KEY``) fails
if the entry it names is gone (truncation) or hashes differently (a rewritten chain).
"""
import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import JSON, Boolean, Integer, String, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.config import load_config
from fazhi_common.db import make_engine
from fazhi_common.identity import signing_key
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


# -- signed checkpoints -------------------------------------------------------------------

_HEAD = text("SELECT a.seq, a.hash, (SELECT count(*) FROM audit_entry b WHERE b.seq <= a.seq) "
             "FROM audit_entry a ORDER BY a.seq DESC LIMIT 1")  # one statement, one snapshot
_SIGNED_FIELDS = ("service", "head_seq", "entry_count", "head_hash", "at")


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text_):
    return base64.urlsafe_b64decode(text_ + "=" * (-len(text_) % 4))


def _signed_bytes(checkpoint):
    return json.dumps({k: checkpoint[k] for k in _SIGNED_FIELDS}, sort_keys=True,
                      separators=(",", ":")).encode()


def make_checkpoint(session, service, private_key, at=None):
    """The chain's head signed with ``private_key`` (an Ed25519 private key)."""
    head = session.execute(_HEAD).first()
    seq, head_hash, count = head if head else (0, GENESIS, 0)
    checkpoint = {"service": service, "head_seq": int(seq), "entry_count": int(count),
                  "head_hash": head_hash, "at": (at or utcnow()).isoformat()}
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return dict(checkpoint, public_key=_b64(public),
                signature=_b64(private_key.sign(_signed_bytes(checkpoint))))


def check_signature(checkpoint, public_key):
    """True if ``public_key`` (base64) signed ``checkpoint``; the key inside is not trusted."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(checkpoint["signature"]), _signed_bytes(checkpoint))
        return True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False


def verify_against(session, checkpoint):
    """Problems found comparing the stored chain with a (signature-checked) checkpoint."""
    checked, broken = verify_chain(session)
    if broken is not None:
        return [f"the chain is broken at entry {broken} ({checked} entries before it verify)"]
    seq, count = checkpoint["head_seq"], checkpoint["entry_count"]
    if count == 0:
        return []
    entry = session.get(AuditEntry, seq)
    if entry is None:
        return [f"entry {seq}, the head at the checkpoint of {checkpoint['at']}, is gone: "
                f"the chain was truncated ({checked} entries remain, the checkpoint saw "
                f"{count})"]
    problems = []
    if entry.hash != checkpoint["head_hash"]:
        problems.append(f"entry {seq} hashes differently than at the checkpoint of "
                        f"{checkpoint['at']}: the chain was rewritten and re-hashed")
    before = session.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.seq <= seq))
    if before != count:
        problems.append(f"{before} entries up to entry {seq}, the checkpoint saw {count}: "
                        "entries were removed or inserted")
    return problems


def signing_key_from(config):
    encoded = config.get("AUDIT_SIGNING_KEY")
    return signing_key(encoded) if encoded else None


def main(argv=None):
    """``fazhi-audit verify|checkpoint --config service/config.yml`` (or --database-url).

    verify      walk the chain; with ``--checkpoint FILE --public-key=KEY`` also check it
                against a signed checkpoint (truncation, a rewritten chain)
    checkpoint  print a signed checkpoint of the chain's head (AUDIT_SIGNING_KEY)
    """
    parser = argparse.ArgumentParser(prog="fazhi-audit", description=main.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["verify", "checkpoint"])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--database-url")
    source.add_argument("--config", help="a service's config.yml")
    parser.add_argument("--checkpoint", help="verify: a checkpoint file (JSON)")
    parser.add_argument("--public-key", help="verify: the service's audit public key; "
                        "write --public-key=KEY, since a key may begin with '-'")
    parser.add_argument("--service", help="checkpoint: the service's name")
    args = parser.parse_args(argv)
    config = load_config(args.config) if args.config else {"DATABASE_URL": args.database_url}
    engine = make_engine(config["DATABASE_URL"])
    try:
        with sessionmaker(engine)() as session:
            if args.command == "checkpoint":
                return _export_checkpoint(session, config, args)
            return _verify(session, args)
    except (OperationalError, ProgrammingError) as exc:
        print(f"cannot read the audit trail at {engine.url!r}: {exc.orig}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _export_checkpoint(session, config, args):
    key = signing_key_from(config)
    if key is None:
        print("no AUDIT_SIGNING_KEY in the configuration", file=sys.stderr)
        return 2
    service = args.service or (Path(args.config).resolve().parent.name if args.config
                               else "unknown")
    print(json.dumps(make_checkpoint(session, service, key), indent=2))
    return 0


def _verify(session, args):
    if args.checkpoint:
        if not args.public_key:
            print("--checkpoint needs --public-key (the service's published audit key)",
                  file=sys.stderr)
            return 2
        checkpoint = json.loads(Path(args.checkpoint).read_text())
        if not check_signature(checkpoint, args.public_key):
            print("CHECKPOINT NOT SIGNED by that key: it proves nothing", file=sys.stderr)
            return 1
        problems = verify_against(session, checkpoint)
        if problems:
            print("AUDIT CHAIN DOES NOT MATCH THE CHECKPOINT: " + "; ".join(problems),
                  file=sys.stderr)
            return 1
        checked, _ = verify_chain(session)
        print(f"audit chain intact: {checked} entries verified; it contains the "
              f"{checkpoint['entry_count']} entries of the checkpoint of {checkpoint['at']}")
        return 0
    checked, broken = verify_chain(session)
    if broken is None:
        print(f"audit chain intact: {checked} entries verified")
        return 0
    print(f"AUDIT CHAIN BROKEN at entry {broken}: {checked} entries before it verify; "
          "that entry or its predecessor was altered, inserted or deleted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
