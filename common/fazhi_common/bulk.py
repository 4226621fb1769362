"""Writing many rows in one statement, on PostgreSQL and SQLite alike.

Both dialects take ``INSERT ... ON CONFLICT``; SQLAlchemy spells it per dialect, so the
statement is built for the session's database here, once for every service.
"""
from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_CHUNK = 1000


def insert_for(session, table):
    """An ``INSERT`` into ``table`` that takes ``on_conflict_do_*`` on the session's
    database (PostgreSQL or SQLite)."""
    return _INSERTS[session.get_bind().dialect.name](table)


def upsert(session, table, rows, key, chunk=_CHUNK):
    """Insert ``rows`` (mappings with the same keys), or update the row already stored
    under the same ``key`` columns, ``chunk`` rows a statement, in the session's
    transaction."""
    rows = list(rows)
    if not rows:
        return
    statement = insert_for(session, table)
    updated = {c: statement.excluded[c] for c in rows[0] if c not in key}
    # RETURNING lets SQLAlchemy send each chunk as one INSERT of many VALUES (its
    # "insertmanyvalues"); without it an upsert goes out a statement per row
    statement = (statement.on_conflict_do_update(index_elements=list(key), set_=updated)
                 .returning(*(table.c[k] for k in key)))
    for start in range(0, len(rows), chunk):
        session.execute(statement, rows[start:start + chunk]).all()
