"""Signed audit checkpoints anchor the chain: truncation and a rewritten, re-hashed chain
both verify on their own, and both are caught against a checkpoint."""
import json

import pytest
import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from fazhi_common.audit import (
    GENESIS,
    AuditEntry,
    append_audit,
    check_signature,
    entry_hash,
    main,
    make_checkpoint,
    verify_against,
    verify_chain,
)
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.db import make_engine, writer
from fazhi_common.identity import keygen, signing_key
from tests.helpers import queued_events

PRIVATE, PUBLIC = keygen()


@pytest.fixture
def trail(database_url):
    engine = make_engine(database_url("registry"))
    sessions = sessionmaker(writer(engine), expire_on_commit=False)
    yield sessions
    engine.dispose()


def _append(sessions, n, start=0):
    with sessions() as session:
        for i in range(start, start + n):
            append_audit(session, SYSTEM, "registry.test", f"unit-{i}", {"i": i})
        session.commit()


def _rewrite_and_rehash(session, seq, details):
    """What a forger with database access does: change one entry, re-hash all after it."""
    prev = GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.seq == seq:
            entry.details = details
        entry.prev_hash = prev
        entry.hash = entry_hash(prev, entry.at, entry.actor, entry.role, entry.department,
                                entry.action, entry.subject, entry.details, entry.authority)
        prev = entry.hash
    session.commit()


def test_a_checkpoint_is_signed_and_a_growing_chain_still_matches_it(trail):
    _append(trail, 5)
    with trail() as session:
        checkpoint = make_checkpoint(session, "registry", signing_key(PRIVATE))
    assert checkpoint["entry_count"] == 5 and checkpoint["head_seq"] == 5
    assert check_signature(checkpoint, PUBLIC)
    assert not check_signature(dict(checkpoint, entry_count=3), PUBLIC)  # altered
    assert not check_signature(checkpoint, keygen()[1])  # someone else's key
    _append(trail, 3, start=5)  # the chain goes on growing after the checkpoint
    with trail() as session:
        assert verify_against(session, checkpoint) == []


def test_truncation_verifies_alone_but_not_against_a_checkpoint(trail):
    _append(trail, 6)
    with trail() as session:
        checkpoint = make_checkpoint(session, "registry", signing_key(PRIVATE))
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 4))  # cut off the newest
        session.commit()
        assert verify_chain(session) == (4, None)  # what remains looks intact
        problems = verify_against(session, checkpoint)
    assert len(problems) == 1 and "truncated" in problems[0]


def test_a_rewritten_and_rehashed_chain_is_caught(trail):
    _append(trail, 6)
    with trail() as session:
        checkpoint = make_checkpoint(session, "registry", signing_key(PRIVATE))
        _rewrite_and_rehash(session, 2, {"i": "forged"})
        assert verify_chain(session) == (6, None)  # consistent in itself
        problems = verify_against(session, checkpoint)
    assert any("rewritten" in p for p in problems), problems


def test_the_command_exports_and_verifies_checkpoints(trail, database_url, tmp_path, capsys):
    _append(trail, 4)
    url = str(trail.kw["bind"].url.render_as_string(hide_password=False))
    config = tmp_path / "registry.yml"
    config.write_text(yaml.safe_dump({"DATABASE_URL": url, "AUDIT_SIGNING_KEY": PRIVATE}))
    assert main(["checkpoint", "--config", str(config), "--service", "registry"]) == 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(capsys.readouterr().out)
    assert json.loads(saved.read_text())["entry_count"] == 4
    verify = ["verify", "--config", str(config), "--checkpoint", str(saved)]
    assert main([*verify, f"--public-key={PUBLIC}"]) == 0
    assert main([*verify, f"--public-key={keygen()[1]}"]) == 1  # not signed by that key
    assert "NOT SIGNED" in capsys.readouterr().err
    with trail() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
        session.commit()
    assert main(["verify", "--config", str(config)]) == 0  # alone: looks fine
    assert main([*verify, f"--public-key={PUBLIC}"]) == 1
    assert "truncated" in capsys.readouterr().err


def test_a_running_service_announces_signed_checkpoints(container_factory, service_config,
                                                         rabbit_config):
    from registry.service import RegistryService

    container = container_factory(RegistryService, service_config(
        "registry", AUDIT_SIGNING_KEY=PRIVATE, AUDIT_CHECKPOINT_SECONDS=0.2))
    container.start()
    announced = queued_events(rabbit_config["AMQP_URI"], "registry",
                              "registry_audit_checkpoint", "notifications", expect=2,
                              timeout=30)
    assert len(announced) >= 2  # regularly, not once
    for envelope in announced:
        assert envelope["data"]["service"] == "registry"
        assert check_signature(envelope["data"], PUBLIC)
