"""The database dependency: engine per container, session per transaction, outbox relay.

Services commit explicitly through ``self.db.transaction()``: nameko sends an RPC reply
before ``worker_result`` runs, so committing there could tell a caller "done" for a
transaction that then fails. After a transaction that wrote outbox events commits, the
relay is woken to publish them at once.

SQLite (a file) is the embedded default; PostgreSQL is used when ``DATABASE_URL`` says so,
with psycopg2 made cooperative for eventlet so a query does not stall the service.
"""
import json
import os
import threading
from contextlib import contextmanager
from functools import cache

from nameko.extensions import DependencyProvider
from sqlalchemy import (
    ARRAY,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    make_url,
    select,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import sessionmaker

from fazhi_common.contracts.errors import NotFound, Unavailable
from fazhi_common.outbox import OutboxRelay

PG_CONNECT_ARGS = {"connect_timeout": 10, "keepalives": 1, "keepalives_idle": 30,
                   "keepalives_interval": 10, "keepalives_count": 3}
_sqlite_write_locks = {}
SQLITE_WRITE_WAIT_SECONDS = 30  # as SQLite's own busy timeout below


def _sqlite_write_lock(path):
    """One lock per database file, shared by every engine on it in this process."""
    key = os.path.abspath(path) if path else ":memory:"
    if key not in _sqlite_write_locks:
        _sqlite_write_locks[key] = threading.Lock()  # a green lock under eventlet
    return _sqlite_write_locks[key]


def _json_text(value):
    return json.dumps(value, ensure_ascii=False)


def pool_settings(config):
    """PostgreSQL connections an instance keeps open (``DATABASE_POOL_SIZE``, 10) and may
    open beyond them at a burst (``DATABASE_MAX_OVERFLOW``, 10): many instances on one
    server (a test run's parallel processes) keep fewer, within its ``max_connections``."""
    if not config["DATABASE_URL"].startswith("postgresql"):
        return {}
    return {"pool_size": int(config.get("DATABASE_POOL_SIZE", 10)),
            "max_overflow": int(config.get("DATABASE_MAX_OVERFLOW", 10))}


def make_engine(url, **kwargs):
    # JSON columns hold Chinese text as UTF-8, half the bytes of \u escapes
    kwargs.setdefault("json_serializer", _json_text)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        lock = _sqlite_write_lock(engine.url.database)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A writer takes the write lock up front: a deferred transaction that reads
            # and then writes fails at once ("database is locked") if another writer
            # committed in between, as two instances of a service on one file do.
            begin = connection.get_execution_options().get("sqlite_begin")
            if begin == "NONE":
                return  # one statement alone (``one_statement``): atomic without BEGIN
            if begin != "IMMEDIATE":
                connection.exec_driver_sql("BEGIN")
                return
            # Writers in this process queue on a lock that yields to other green threads;
            # SQLite's own busy wait would block the whole process, the lock holder too.
            # The wait is bounded like SQLite's own: a writer stuck behind a holder that
            # never finishes answers 503 instead of hanging its caller.
            if not lock.acquire(timeout=SQLITE_WRITE_WAIT_SECONDS):
                raise Unavailable("The service's database is busy with other writes; "
                                  "try again shortly.")
            connection.info["holds_write_lock"] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release(connection)
                raise

        def _release(connection, *_args):
            if connection.info.pop("holds_write_lock", False):
                lock.release()

        event.listen(engine, "commit", _release)
        event.listen(engine, "rollback", _release)
        return engine
    if url.startswith("postgresql"):
        # psycopg2, made cooperative: SQLAlchemy 2.1 would otherwise pick psycopg 3
        url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
        if "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", 10)
        # A server that vanished without closing the connection (a cut network, a frozen
        # host) is noticed within about a minute, not after the kernel's two hours;
        # parameters in the URL's query string still win.
        in_url = make_url(url).query
        defaults = {k: v for k, v in PG_CONNECT_ARGS.items() if k not in in_url}
        kwargs["connect_args"] = {**defaults, **kwargs.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, **kwargs)


def community_code_of(row):
    return row.community_code


def among(session, column, values):
    """``column IN values`` with the values as one parameter: an array on PostgreSQL
    (``= ANY``), an expanding list on SQLite. A batch of 250 codes read by ten queries
    otherwise made 2,500 bound literals per chunk of a province's recompute."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(bindparam(None, values, expanding=True))


def get_in_area(session, model, key, what, scope, code_of=community_code_of, visible=None):
    """The row ``key`` of ``model`` if the caller may see it, else 404 naming ``what``.

    A row outside the caller's area reads as absent (ids of other areas do not leak):
    ``scope.covers(code_of(row))`` decides, or ``visible(row)`` where a service has a wider
    rule (a referrer sees the cases it referred, wherever they went).
    """
    row = session.get(model, key)
    if row is None or not (visible(row) if visible else scope.covers(code_of(row))):
        raise NotFound(f"No {what} {key} is registered.")
    return row


def paginate(session, query, page, per_page):
    """One page of ``query``'s rows with the total, as every list endpoint answers."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def writer(engine):
    """The engine as writers should use it: on SQLite, each transaction begins IMMEDIATE."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def one_statement(engine):
    """The engine for a read that is one statement: on SQLite, run outside an explicit
    transaction (SQLite reads one statement from one snapshot either way), which spares a
    ``BEGIN`` and a ``ROLLBACK`` (about half the CPU of a one-row read)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="NONE")
    return engine


class DatabaseAccess:
    """What a worker sees as ``self.db``."""

    def __init__(self, provider):
        self._provider = provider

    @contextmanager
    def transaction(self):
        """A session whose work commits on leaving the block, or rolls back on error."""
        with _unavailable_on_connection_loss(), self._provider.write_sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            if session.info.pop("outbox_pending", 0) and self._provider.relay:
                self._provider.relay.wake()

    @contextmanager
    def read(self):
        """A session for queries only."""
        with _unavailable_on_connection_loss(), self._provider.session_factory() as session:
            yield session
            session.rollback()

    def row(self, model, key):
        """``model``'s row with primary key ``key`` as a read-only mapping, or None.

        A read of one row by its key that answers only the row's own columns needs no ORM
        session: one statement on a pooled connection costs about a third of the CPU of a
        session's set-up, ``get``, identity map and rollback.
        """
        engine = self._provider.one_statement
        with _unavailable_on_connection_loss(), engine.connect() as connection:
            return connection.execute(_by_key(model), {"key": key}).mappings().first()


@cache
def _by_key(model):
    (key,) = inspect(model).primary_key
    return select(model.__table__).where(key == bindparam("key"))


@contextmanager
def _unavailable_on_connection_loss():
    """A lost database connection is the service's trouble, not the caller's: say 503."""
    try:
        yield
    except OperationalError as exc:
        raise Unavailable("The service's database is unavailable; try again shortly.") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable("The service's database connection was lost; try again.") from exc
        raise


class Database(DependencyProvider):
    """Engine from ``config['DATABASE_URL']``; relays the outbox unless told not to."""

    def __init__(self, relay_outbox=True):
        self.relay_outbox = relay_outbox
        self.relay = None

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config["DATABASE_URL"], **pool_settings(config))
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(writer(self.engine), expire_on_commit=False)
        self.one_statement = one_statement(self.engine)
        if self.relay_outbox:
            self.relay = OutboxRelay(
                self.container.service_name, self.write_sessions, config,
                poll_interval=float(config.get("OUTBOX_POLL_SECONDS", 1.0)),
                max_backoff=float(config.get("OUTBOX_MAX_BACKOFF_SECONDS", 30.0)),
            )

    def start(self):
        if self.relay:
            self.container.spawn_managed_thread(self.relay.run, identifier="outbox_relay")

    def stop(self):
        if self.relay:
            self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self)
