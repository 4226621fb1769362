"""``fazhi-legalservices migrate-from-mediation``: a mediation database from before the
move gives up its legal-aid applications, overdue notices and 12348 consultations with
exact counts; a re-run copies nothing twice; a copy that does not verify drops nothing;
residents' receipts keep working; mediation then upgrades past the move. On SQLite and,
in the PostgreSQL pass, on PostgreSQL."""
import json
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from fazhi_common.crypto import FieldCipher, new_key
from fazhi_common.migrate import upgrade
from legalservices import cli, tracking
from legalservices.tracking import Receipts
from tests.conftest import SERVICE_DIRS, TEST_DATABASE, _pg_admin_url

MEDIATION_KEY = new_key()
SECRET = "resident-secret-1"


@pytest.fixture(autouse=True)
def data_key(monkeypatch):
    """The command reads legal services' own config: its data key from the environment, as
    an operator's shell has it (no key ships in the repository)."""
    monkeypatch.setenv("LEGALSERVICES_DATA_KEY", new_key())


@pytest.fixture
def old_mediation(tmp_path):
    """A mediation database at revision 0007, the last one holding legal aid."""
    if TEST_DATABASE == "sqlite":
        yield f"sqlite:///{tmp_path / 'old-mediation.db'}"
        return
    name = f"fazhi_test_oldmed_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield TEST_DATABASE.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _engine(url):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))


def _fill(url):
    upgrade(SERVICE_DIRS["mediation"], url, "0007")
    cipher = FieldCipher(MEDIATION_KEY)
    engine = _engine(url)
    with engine.begin() as conn:
        for i, status in enumerate(("received", "refused", "closed"), start=1):
            conn.execute(text(
                "INSERT INTO legal_aid_application (id, community_code, county_code, "
                "applicant_role, name_enc, phone_enc, matter, received_on, status, channel, "
                "decision_due_on, overdue, receipt_number, secret_digest) VALUES (:id, "
                "'330110001001', '330110000000', 'applicant', :name, :phone, :matter, "
                ":received, :status, 'portal', :due, :overdue, :receipt, :digest)"), {
                "id": i * 10, "name": cipher.encrypt(f"申请人{i}", "party.name"),
                "phone": cipher.encrypt("13700001234", "party.phone"),
                "matter": f"matter {i}", "received": date(2025, 3, i), "status": status,
                "due": date(2025, 3, i + 7), "overdue": i == 1, "receipt": f"LA2025-{i * 10:07d}",
                "digest": cipher.digest(SECRET)})
        conn.execute(text("INSERT INTO legal_aid_overdue_notice VALUES (10, 'decision', "
                          ":due, :due)"), {"due": date(2025, 3, 8)})
        for i in (1, 2):
            conn.execute(text(
                "INSERT INTO hotline_consultation (id, community_code, county_code, "
                "consulted_on, topic, summary, caller_phone_enc, answered_by) VALUES (:id, "
                "'330110001001', '330110000000', :on, 'labour', 'asked', :phone, 'op')"),
                {"id": i, "on": date(2025, 4, i),
                 "phone": cipher.encrypt(f"1390000000{i}", "party.phone")})
    engine.dispose()


def run(capsys, source, target, *flags):
    code = cli.main(["migrate-from-mediation", "--mediation-db", source, "--mediation-key",
                     MEDIATION_KEY, "--database-url", target, *flags])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else err)


def test_the_move_copies_exactly_once_verifies_and_then_drops(old_mediation, database_url,
                                                               capsys):
    _fill(old_mediation)
    target = database_url("legalservices")
    code, report = run(capsys, old_mediation, target)
    assert code == 0 and report["verified"] and not report["dropped"]
    assert report["legal_aid_application"] == {"source": 3, "copied": 3, "held": 3}
    assert report["hotline_consultation"] == {"source": 2, "copied": 2, "held": 2}
    assert report["legal_aid_overdue_notice"] == {"source": 1, "copied": 1, "held": 1}
    # a re-run (say after an interruption) doubles nothing
    code, again = run(capsys, old_mediation, target)
    assert again["legal_aid_application"] == {"source": 3, "copied": 0, "held": 3}
    assert again["hotline_consultation"]["copied"] == 0

    engine = _engine(target)
    cipher = FieldCipher(cli.load_config(cli.DEFAULT_CONFIG)["LEGALSERVICES_DATA_KEY"])
    with engine.connect() as conn:
        name = conn.scalar(text("SELECT name_enc FROM legal_aid_application WHERE id = 20"))
        assert cipher.decrypt(name, "party.name") == "申请人2"  # under this service's key
        # the resident's secret still opens the copied receipt with the printed digest key
        with Session(conn) as session:
            found = tracking.find(session, {"receipt_number": "LA2025-0000020",
                                            "secret": SECRET},
                                  Receipts(cipher, report["legacy_digest_key"]))
            assert found.status == "refused"

    # a copy changed after the fact does not verify: nothing is dropped
    with engine.begin() as conn:
        conn.execute(text("UPDATE hotline_consultation SET summary = 'x' WHERE id = 2"))
    code, err = run(capsys, old_mediation, target, "--drop-mediation-tables")
    assert code == 1 and "hotline_consultation 2.summary differs" in err
    assert "hotline_consultation" in inspect(_engine(old_mediation)).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("UPDATE hotline_consultation SET summary = 'asked' WHERE id = 2"))
    engine.dispose()

    code, final = run(capsys, old_mediation, target, "--drop-mediation-tables")
    assert code == 0 and final["dropped"]
    left = set(inspect(_engine(old_mediation)).get_table_names())
    assert not left & {"legal_aid_application", "legal_aid_overdue_notice",
                       "hotline_consultation"}
    upgrade(SERVICE_DIRS["mediation"], old_mediation)  # mediation moves past the move
    assert run(capsys, old_mediation, target)[1]["already_moved"]
