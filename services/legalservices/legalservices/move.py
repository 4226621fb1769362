"""Moving legal aid and 12348 rows out of mediation's database into this service's
(``fazhi-legalservices migrate-from-mediation``): copy, verify row by row, and only then,
if asked, drop mediation's tables.

Idempotent: each copied row keeps mediation's id (its receipt number is built from it)
and records it in ``mediation_id``; a re-run copies only what is not there yet. Personal
data is decrypted with mediation's key and encrypted again with this service's; the
secret digests stay as they are, checked with mediation's digest key
(``LEGAL_AID_LEGACY_DIGEST_KEY``). Reads mediation's tables by reflection: no mediation code.
"""
from sqlalchemy import MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from fazhi_common.db import make_engine, writer
from legalservices.models import HotlineConsultation, LegalAidApplication, LegalAidOverdueNotice
from legalservices.operations import ID_NUMBER, NAME, PHONE

MOVED = ("legal_aid_overdue_notice", "legal_aid_application", "hotline_consultation")
# encrypted column -> its associated-data label (the same in both services)
SEALED = {"name_enc": NAME, "id_number_enc": ID_NUMBER, "phone_enc": PHONE,
          "caller_phone_enc": PHONE}
BATCH = 500


class MoveRefused(RuntimeError):
    """The copy cannot go ahead or did not verify; nothing was dropped."""


def _engine(url):
    return make_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1)
                       if url.startswith("postgresql://") else url)


def _resealed(row, columns, source_cipher, cipher):
    values = {}
    for column in columns:
        value = row[column]
        if column in SEALED and value is not None:
            value = cipher.encrypt(source_cipher.decrypt(value, SEALED[column]), SEALED[column])
        values[column] = value
    return values


def _copy(source, target, table, model, source_cipher, cipher):
    """Copy the rows of ``table`` not yet in ``model``'s table; ``(source rows, copied)``."""
    columns = [c.name for c in table.columns if c.name in model.__table__.columns]
    have = set(target.scalars(select(model.mediation_id).where(
        model.mediation_id.is_not(None))))
    own = select(model.id).where(model.mediation_id.is_(None))
    total = copied = 0
    for rows in source.execute(select(table).order_by(table.c.id)).mappings().partitions(BATCH):
        fresh = [r for r in rows if r["id"] not in have]
        total += len(rows)
        if not fresh:
            continue
        clash = target.scalars(own.where(model.id.in_([r["id"] for r in fresh]))).first()
        if clash is not None:
            raise MoveRefused(f"{model.__tablename__} {clash} was made here before the move "
                              "and holds an id mediation's rows need: nothing was dropped.")
        target.execute(insert(model), [
            {**_resealed(r, columns, source_cipher, cipher), "mediation_id": r["id"]}
            for r in fresh])
        copied += len(fresh)
    return total, copied


def _copy_notices(source, target, table):
    n = LegalAidOverdueNotice
    have = set(target.execute(select(n.application_id, n.deadline, n.due_on)).tuples())
    rows = [dict(r) for r in source.execute(select(table)).mappings()
            if (r["application_id"], r["deadline"], r["due_on"]) not in have]
    if rows:
        target.execute(insert(n), rows)
    return source.scalar(select(func.count()).select_from(table)), len(rows)


def _verify(source, target, table, model, source_cipher, cipher):
    """Every source row is in the target with the same values (personal data compared
    decrypted); a list of what differs, empty when the copy is exact."""
    columns = [c.name for c in table.columns if c.name in model.__table__.columns]
    problems = []
    copies = {r.mediation_id: r for r in target.scalars(
        select(model).where(model.mediation_id.is_not(None)))}
    for row in source.execute(select(table)).mappings():
        copy = copies.pop(row["id"], None)
        if copy is None:
            problems.append(f"{table.name} {row['id']} missing")
            continue
        for column in columns:
            mine, theirs = getattr(copy, column), row[column]
            if column in SEALED:
                mine = cipher.decrypt(mine, SEALED[column])
                theirs = source_cipher.decrypt(theirs, SEALED[column])
            if mine != theirs:
                problems.append(f"{table.name} {row['id']}.{column} differs")
    problems += [f"{table.name} {i} copied but no longer in mediation" for i in copies]
    return problems


def _bump_sequences(target):
    if target.bind.dialect.name == "postgresql":
        for model in (LegalAidApplication, HotlineConsultation):
            name = model.__tablename__
            target.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"GREATEST((SELECT max(id) FROM {name}), 1))"))


def move(source_url, target_url, source_cipher, cipher, drop=False):
    """Copy, verify, and (``drop``) drop mediation's tables; a report of the counts."""
    source_engine, target_engine = _engine(source_url), writer(_engine(target_url))
    try:
        present = set(inspect(source_engine).get_table_names())
        if not present & set(MOVED):
            return {"already_moved": True, "verified": True, "dropped": False}
        meta = MetaData()
        tables = {name: Table(name, meta, autoload_with=source_engine)
                  for name in MOVED if name in present}
        report = {}
        with source_engine.connect() as source, Session(target_engine) as target:
            for name, model in (("legal_aid_application", LegalAidApplication),
                                ("hotline_consultation", HotlineConsultation)):
                if name in tables:
                    report[name] = dict(zip(("source", "copied"), _copy(
                        source, target, tables[name], model, source_cipher, cipher),
                        strict=True))
            if "legal_aid_overdue_notice" in tables:
                report["legal_aid_overdue_notice"] = dict(zip(("source", "copied"), _copy_notices(
                    source, target, tables["legal_aid_overdue_notice"]), strict=True))
            _bump_sequences(target)
            target.commit()
            problems = []
            for name, model in (("legal_aid_application", LegalAidApplication),
                                ("hotline_consultation", HotlineConsultation)):
                if name in tables:
                    problems += _verify(source, target, tables[name], model, source_cipher,
                                        cipher)
            for name, figures in report.items():
                figures["held"] = _held(target, name)
                if figures["held"] < figures["source"]:
                    problems.append(f"{name}: {figures['held']} held of {figures['source']}")
        report.update(verified=not problems, problems=problems[:20], dropped=False,
                      legacy_digest_key=source_cipher.digest_key_hex())
        if problems:
            raise MoveRefused("The copy did not verify; nothing was dropped: "
                              + "; ".join(problems[:5]))
        if drop:
            with source_engine.begin() as conn:
                for name in MOVED:
                    if name in tables:
                        tables[name].drop(conn)
            report["dropped"] = True
        return report
    finally:
        source_engine.dispose()
        target_engine.dispose()


def _held(target, name):
    if name == "legal_aid_overdue_notice":
        n, a = LegalAidOverdueNotice, LegalAidApplication
        return target.scalar(select(func.count()).select_from(n).join(
            a, a.id == n.application_id).where(a.mediation_id.is_not(None)))
    model = LegalAidApplication if name == "legal_aid_application" else HotlineConsultation
    return target.scalar(select(func.count()).where(model.mediation_id.is_not(None)))
