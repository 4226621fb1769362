"""Writing many rows in one statement, on PostgreSQL and SQLite alike.

Both dialects take ``INSERT ... ON CONFLICT``; SQLAlchemy spells it per dialect, so the
statement is built for the session's database here, once for every service.

On PostgreSQL a batch goes as one JSON document, unpacked by the server
(``json_populate_recordset``): one string parameter, serialised by ``json`` in C, where
SQLAlchemy's many-VALUES ``INSERT`` compiled a statement per batch and processed each
row's every parameter in Python (a province's recompute spent ~20 % of its time there).
SQLite keeps SQLAlchemy's statement. Text goes as UTF-8, not as ``\\u`` escapes (as the
engines' own JSON columns store it, ``fazhi_common.db``): a Chinese explanation stored
escaped took twice the bytes.
"""
import json
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_CHUNK = 1000


def insert_for(session, table):
    """An ``INSERT`` into ``table`` that takes ``on_conflict_do_*`` on the session's
    database (PostgreSQL or SQLite)."""
    return _INSERTS[session.get_bind().dialect.name](table)


def insert_rows(session, table, rows, chunk=_CHUNK):
    """Insert ``rows`` (mappings with the same keys) into ``table`` in the session's
    transaction, ``chunk`` rows a statement. A column the rows leave out takes its
    default, evaluated once per statement (as a default the database computes would)."""
    _write(session, table, list(rows), None, chunk)


def upsert(session, table, rows, key, chunk=_CHUNK):
    """Insert ``rows`` (mappings with the same keys), or update the row already stored
    under the same ``key`` columns, ``chunk`` rows a statement, in the session's
    transaction."""
    _write(session, table, list(rows), tuple(key), chunk)


def _write(session, table, rows, key, chunk):
    if not rows:
        return
    write = _json_batch if session.get_bind().dialect.name == "postgresql" else _values_batch
    for start in range(0, len(rows), chunk):
        write(session, table, rows[start:start + chunk], key)


def _values_batch(session, table, rows, key):
    statement = insert_for(session, table)
    if key is None:
        session.execute(statement, rows)
        return
    updated = {c: statement.excluded[c] for c in rows[0] if c not in key}
    # RETURNING lets SQLAlchemy send the rows as one INSERT of many VALUES (its
    # "insertmanyvalues"); without it an upsert goes out a statement per row
    statement = (statement.on_conflict_do_update(index_elements=list(key), set_=updated)
                 .returning(*(table.c[k] for k in key)))
    session.execute(statement, rows).all()


def _json_batch(session, table, rows, key):
    defaults = _defaults(table, rows[0])
    if defaults:
        rows = [{**row, **defaults} for row in rows]
    session.execute(_json_statement(session, table, tuple(rows[0]), key),
                    {"rows": json.dumps(rows, default=_json_value, allow_nan=False,
                                        ensure_ascii=False)})


def _defaults(table, row):
    """Values for the columns ``row`` leaves out that have a default made in Python."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.name in row or default is None or not (default.is_scalar
                                                         or default.is_callable):
            continue
        found[column.name] = default.arg(None) if default.is_callable else default.arg
    return found


def _json_value(value):
    # what json cannot write itself, as PostgreSQL reads it back into the column's type
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("store aware datetimes (fazhi_common.clock.utcnow)")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written by fazhi_common.bulk")


def _json_statement(session, table, columns, key):
    # the text is the same for every batch of a table and its columns: PostgreSQL's
    # statement cache and SQLAlchemy's see one statement
    quote = session.get_bind().dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    sql = (f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} "
           f"FROM json_populate_recordset(NULL::{quote(table.name)}, :rows)")
    if key is not None:
        updated = [c for c in columns if c not in key]
        action = ("DO UPDATE SET " + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}"
                                               for c in updated)) if updated else "DO NOTHING"
        sql += f" ON CONFLICT ({', '.join(quote(c) for c in key)}) {action}"
    return text(sql)
