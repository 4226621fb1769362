"""Test set-up shared by the whole suite.

eventlet must patch the standard library before anything else imports it (nameko 2.14's
pytest plugin no longer does this). Tests run against a real RabbitMQ, an empty vhost per
test (nameko's ``rabbit_config``; the tests of a process take turns with a few), and a real
database per service: a migrated SQLite file by default, or PostgreSQL when
``FAZHI_TEST_DATABASE`` holds a server URL.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (must precede every other import)

import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import eventlet.queue  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402

from fazhi_common.config import load_config  # noqa: E402
from fazhi_common.crypto import new_key  # noqa: E402
from fazhi_common.identity import keygen  # noqa: E402
from fazhi_common.migrate import upgrade  # noqa: E402

# CI fails on a skip that is not allowed (tests/skip_policy.py)
pytest_plugins = ("tests.skip_policy",)

ROOT = Path(__file__).resolve().parent.parent
SERVICE_DIRS = {name: ROOT / "services" / name
                for name in ("registry", "evaluation", "mediation", "legalservices",
                             "notifications", "corrections")}
SERVICE_DIRS["gateway"] = ROOT / "gateway"  # it keeps accounts in a database of its own
# the gateway's identity-signing key pair, made fresh for each test run
SIGNING_KEY, VERIFY_KEY = keygen()
# every other secret too: a key written in the repository is one anybody can sign with
TOKEN_KEY = secrets.token_urlsafe(32)
SURVEY_SECRET = secrets.token_urlsafe(32)
DATA_KEY = new_key()
TEST_DATABASE = os.environ.get("FAZHI_TEST_DATABASE", "sqlite")


def _pg_admin_url():
    return TEST_DATABASE.replace("postgresql://", "postgresql+psycopg2://", 1)


class MigratedDatabases:
    """One migrated database per service for the session; each test gets it clean."""

    def __init__(self, tmp_root):
        self.tmp_root = tmp_root
        self.templates = {}
        self.created = []

    def template(self, service):
        if service not in self.templates:
            if TEST_DATABASE == "sqlite":
                url = f"sqlite:///{self.tmp_root / f'{service}-template.db'}"
            else:
                name = f"fazhi_test_{service}_{uuid.uuid4().hex[:8]}"
                admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                admin.dispose()
                self.created.append(name)
                url = TEST_DATABASE.rsplit("/", 1)[0] + "/" + name
            upgrade(SERVICE_DIRS[service], url)
            self.templates[service] = url
        return self.templates[service]

    def fresh(self, service, tmp_path):
        url = self.template(service)
        if TEST_DATABASE == "sqlite":
            copy = tmp_path / f"{service}.db"
            shutil.copy(url.removeprefix("sqlite:///"), copy)
            return f"sqlite:///{copy}"
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.begin() as conn:
            # A connection an earlier test left behind (a killed process, a cut proxy) may
            # still hold a lock: end it, and wait for locks a bounded time, not for ever.
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            conn.execute(text("SET LOCAL lock_timeout = '60s'"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return url

    def drop_all(self):
        if not self.created:
            return
        admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Vhosts:
    """Broker vhosts for the tests through the management API, every wait bounded.

    Replaces nameko's ``vhost_pipeline``: that one makes vhosts ahead in a green thread
    whose HTTP calls have no timeout, and when one call fails (a slow or refused management
    request on a loaded machine) the thread dies quietly and every later test waits for a
    vhost forever. Here the maker keeps going after a failure (each request has a timeout),
    a test waits a bounded time for its vhost and is told why it got none, and deleting
    runs behind the tests without ever stopping them.

    A vhost a test is done with is emptied (its services' RPC queues deleted, every other
    queue purged) and handed to the next test, its event queues still declared. Each
    service declares its queues as quorum queues, a Raft group each: the platform's ~50 of
    them made and deleted for every test were most of the broker's work, and with four
    test processes deleting vhosts the broker took 30 s and more to make one. A test
    marked ``fresh_vhost`` (it declares queues, policies or users of its own, or runs
    services as processes) gets a vhost no test used, deleted after it; so does any test
    after a vhost could not be emptied.

    In a parallel run (scripts/shards.py) each test process holds a slot
    (``FAZHI_TEST_SLOT``) and takes over the vhosts the slot's last process left, emptied:
    the run makes a vhost or two a slot and deletes them when it ends.
    """

    TIMEOUT, AHEAD, WAIT = 30, 1, 120
    PREFIX = "nameko_test_"

    def __init__(self, api_uri, amqp_uri, user):
        import requests
        from requests.utils import get_auth_from_url, urldefragauth

        self.api = urldefragauth(api_uri).rstrip("/") + "/api"
        self.user = user
        self.session = requests.Session()
        self.session.auth = get_auth_from_url(api_uri)
        self.session.headers["content-type"] = "application/json"
        self.amqp_uri = amqp_uri.rstrip("/")
        slot = os.environ.get("FAZHI_TEST_SLOT")
        # the names of vhosts that outlive the process (its slot's next process takes them)
        self.lasting = f"{self.PREFIX}slot{slot}_" if slot else None
        self.ready = eventlet.queue.Queue(maxsize=self.AHEAD)  # fresh, made ahead
        self.emptied = []  # vhosts tests used, emptied, for the next tests
        self.trash = eventlet.queue.Queue()
        self.last_error = None
        self.running = True
        if self.lasting:
            try:
                self._take_over()
            except Exception as exc:  # the tests make their own
                self.last_error = exc
        self.threads = [eventlet.spawn(self._make), eventlet.spawn(self._remove)]

    def _request(self, method, *path, body=None, ok=(200, 201, 204)):
        import json

        from requests.utils import quote

        url = self.api + "/" + "/".join(quote(p, safe="") for p in path)
        response = self.session.request(method, url, timeout=self.TIMEOUT,
                                        data=json.dumps(body) if body else None)
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:200]}")
        return response

    def _vhost_names(self):
        listed = self.session.get(f"{self.api}/vhosts?columns=name", timeout=self.TIMEOUT)
        listed.raise_for_status()
        return [v["name"] for v in listed.json()]

    def _create(self, lasting=False):
        prefix = self.lasting if lasting else f"{self.PREFIX}{os.getpid()}_"
        vhost = prefix + uuid.uuid4().hex[:8]
        self._request("PUT", "vhosts", vhost)
        try:
            self._request("PUT", "permissions", vhost, self.user,
                          body={"configure": ".*", "write": ".*", "read": ".*"})
        except Exception:
            self.trash.put(vhost)
            raise
        return vhost

    def _take_over(self):
        for vhost in self._vhost_names():
            if vhost.startswith(self.lasting):
                self.give_back(vhost)

    def _sweep(self):
        """Delete the vhosts test processes that are gone left behind (a run killed
        midway): each one holds its quorum queues, and a broker carrying hundreds of them
        is slow for every test after. A slot's vhosts are the run's to delete."""
        for vhost in self._vhost_names():
            owner, _, rest = vhost.removeprefix(self.PREFIX).partition("_")
            if not vhost.startswith(self.PREFIX) or owner.startswith("slot"):
                continue
            if not (owner.isdigit() and rest) or not _process_alive(int(owner)):
                self.trash.put(vhost)  # a dead process's, or named before they carried one

    def _make(self):
        try:
            self._sweep()
        except Exception as exc:  # left for another run
            self.last_error = exc
        backoff = 0.5
        while self.running:
            try:
                vhost = self._create()
            except Exception as exc:  # keep making: the next test must not wait forever
                self.last_error = exc
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, 10)
                continue
            backoff = 0.5
            try:
                self.ready.put(vhost)  # waits while one is ready
            except BaseException:  # killed by close(): not left behind
                self.trash.put(vhost)
                raise

    def _remove(self):
        while True:
            vhost = self.trash.get()
            if vhost is None:
                return
            for attempt in range(3):
                try:
                    self._request("DELETE", "vhosts", vhost, ok=(200, 204, 404))
                    _forget_connections(vhost)
                    break
                except Exception:  # a leftover vhost is harmless; a stuck suite is not
                    eventlet.sleep(attempt + 1)

    def get(self, fresh=False):
        if not fresh and self.emptied:
            return self.emptied.pop()
        if not fresh and self.lasting:  # the slot's first: one to outlive the process
            return self._wait(lambda: self._create(lasting=True))
        return self._wait(lambda: self.ready.get(timeout=self.WAIT))

    def _wait(self, make):
        with eventlet.Timeout(self.WAIT, False):
            while True:
                try:
                    return make()
                except eventlet.queue.Empty:
                    break
                except Exception as exc:
                    self.last_error = exc
                    eventlet.sleep(1)
        raise RuntimeError(f"no broker vhost within {self.WAIT}s from the management API; "
                           f"last error: {self.last_error!r}")

    def give_back(self, vhost, reuse=True):
        """The test is done with ``vhost``: empty it for the next test, or (not to be
        reused, or not emptied) delete it."""
        _forget_connections(vhost)
        if reuse:
            try:
                self._empty(vhost)
            except (Exception, eventlet.Timeout) as exc:  # a new vhost for the next test
                self.last_error = exc
            else:
                self.emptied.append(vhost)
                return
        self.trash.put(vhost)

    def _empty(self, vhost):
        from kombu import Connection
        from kombu.exceptions import ChannelError

        if self._request("GET", "policies", vhost).json():
            raise RuntimeError(f"{vhost} has policies: not for another test")
        queues = self._request("GET", "queues", vhost).json()
        with eventlet.Timeout(self.TIMEOUT), \
                Connection(f"{self.amqp_uri}/{vhost}", connect_timeout=15) as connection:
            channel = connection.channel()
            for queue in queues:
                if queue.get("exclusive"):  # a reply queue, gone with its connection
                    continue
                try:
                    if queue["name"].startswith("rpc-"):
                        # a service's request queue goes: a call to a service the next
                        # test does not run is returned at once, as the tests of a
                        # service being down expect
                        channel.queue_delete(queue["name"])
                    else:
                        channel.queue_purge(queue["name"])
                except ChannelError:  # deleted meanwhile (the channel is closed with it)
                    channel = connection.channel()

    def close(self):
        self.running = False
        for vhost in [] if self.lasting else self.emptied:  # a slot's stay for the next
            self.trash.put(vhost)
        while not self.ready.empty():
            self.trash.put(self.ready.get())
        self.threads[0].kill()
        self.trash.put(None)
        with eventlet.Timeout(60, False):
            self.threads[1].wait()


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


@pytest.fixture(scope="session")
def vhosts(request):
    from urllib.parse import urlparse

    amqp_uri = request.config.getoption("RABBIT_AMQP_URI")
    pipeline = Vhosts(request.config.getoption("RABBIT_API_URI"), amqp_uri,
                      urlparse(amqp_uri).username)
    yield pipeline
    pipeline.close()


@pytest.fixture(scope="session")
def broker_node(tmp_path_factory):
    """A RabbitMQ node of this test session's own (Debian's rabbitmq-server, free ports) for
    the tests that stop and start their broker (marker ``broker_outage``): the shared
    broker, which every other test and test process uses at the same time, never stops.
    ``broker_node.ctl("stop_app")`` and so on act on it."""
    from tests.rabbit_cluster import SBIN, RabbitCluster

    if not (SBIN / "rabbitmq-server").exists():
        pytest.fail(f"the broker outage tests need rabbitmq-server under {SBIN} "
                    "(apt-get install rabbitmq-server)")
    cluster = RabbitCluster(tmp_path_factory.mktemp("broker"), prefix=f"fazhi-b{os.getpid()}-",
                            size=1, die_with_parent=True)
    try:
        cluster.start()
        yield cluster.nodes[0]
    finally:
        cluster.stop()


def _private_vhost(node):
    import requests

    vhost = f"outage-{uuid.uuid4().hex[:8]}"
    api = f"http://127.0.0.1:{node.management_port}/api"
    requests.put(f"{api}/vhosts/{vhost}", auth=("guest", "guest"), timeout=30
                 ).raise_for_status()
    requests.put(f"{api}/permissions/{vhost}/guest", auth=("guest", "guest"), timeout=30,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return {"AMQP_URI": f"{node.amqp_uri}{vhost}", "username": "guest", "vhost": vhost}


@pytest.fixture
def rabbit_config(request, vhosts):
    """An empty vhost for the test (the keys of nameko's fixture of this name); on the
    session's own node for a test that stops its broker."""
    from urllib.parse import urlparse

    if request.node.get_closest_marker("broker_outage"):
        yield _private_vhost(request.getfixturevalue("broker_node"))
        return
    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    fresh = request.node.get_closest_marker("fresh_vhost") is not None
    vhost = vhosts.get(fresh=fresh)
    yield {"AMQP_URI": f"{uri.scheme}://{uri.netloc}/{vhost}", "username": uri.username,
           "vhost": vhost}
    vhosts.give_back(vhost, reuse=not fresh)


@pytest.fixture(autouse=True)
def fast_teardown(request):
    """Replaces nameko's fixture of this name, which tears the test's vhost down before its
    containers (the broker's cancel breaks their consumers' reads). The vhost goes on to
    the next test here, so the test's containers must be gone first: ``rabbit_config`` is
    set up before them, and so torn down after them."""
    for fixture in ("rabbit_config", "container_factory", "runner_factory"):
        if fixture in request.fixturenames:
            request.getfixturevalue(fixture)


def _forget_connections(vhost):
    """The process's pooled connections and producers of a vhost a test is done with:
    closed and dropped (nameko's fixture closes them), so that none the test broke, or
    left taken, reaches the next test on that vhost."""
    from kombu.pools import connections, producers

    for group in (producers, connections):
        for key, pool in list(group.items()):
            if isinstance(key, list | tuple) and len(key) > 4 and key[4] == vhost:
                pool.force_close_all()
                dict.pop(group, key, None)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory):
    databases = MigratedDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop_all()


@pytest.fixture
def database_url(migrated_databases, tmp_path):
    """``database_url('registry')``: a clean, migrated database of that service."""
    return lambda service: migrated_databases.fresh(service, tmp_path)


@pytest.fixture
def service_config(rabbit_config, database_url):
    """Config for a service container: the test vhost, its own clean database."""
    def make(service, **extra):
        # the service's own config.yml (its defaults), then the test's broker and database
        config = load_config(SERVICE_DIRS[service] / "config.yml", environ={})
        config.pop("LOGGING", None)
        config.update(rabbit_config)
        config.update({"DATABASE_URL": database_url(service), "OUTBOX_POLL_SECONDS": 0.2,
                       "GATEWAY_VERIFY_KEYS": VERIFY_KEY,
                       "BROKER_CONNECT_TIMEOUT": BROKER_CONNECT_TIMEOUT, **TEST_POOL})
        for key in ("SURVEY_SECRET", "MEDIATION_DATA_KEY", "LEGALSERVICES_DATA_KEY",
                    "LEGAL_AID_TRANSFER_KEY", "CORRECTIONS_DATA_KEY"):
            if key in config:  # one per run, shared by the services that must agree
                config[key] = SURVEY_SECRET if key == "SURVEY_SECRET" else DATA_KEY
        config.update(extra)
        return config
    return make


# four test processes share one PostgreSQL server (100 connections by default): each
# instance keeps two open and opens more only while it needs them
TEST_POOL = {"DATABASE_POOL_SIZE": 2, "DATABASE_MAX_OVERFLOW": 10}
# a broker on a saturated machine (parallel test processes, another load) opens a
# connection in seconds, not never: the tests allow it what their RPC timeout allows
BROKER_CONNECT_TIMEOUT = 15


@pytest.fixture
def gateway_config(rabbit_config, database_url):
    # the RPC timeout is far beyond an answer's time on a quiet machine: with the CPU
    # saturated (parallel test processes, another load) a service may take seconds; the
    # tests of timeouts set their own
    return {"AMQP_URI": rabbit_config["AMQP_URI"], "RPC_TIMEOUT_SECONDS": 15,
            "BROKER_CONNECT_TIMEOUT": BROKER_CONNECT_TIMEOUT, **TEST_POOL,
            "RPC_POOL_SIZE": 4, "GATEWAY_SIGNING_KEY": SIGNING_KEY,
            "DATABASE_URL": database_url("gateway"),
            "TOKEN_KEYS": {"k1": TOKEN_KEY},
            "TOKEN_SIGNING_KID": "k1",
            "TOKEN_TTL_SECONDS": 600, "PUBLIC_RATE_PER_MINUTE": 1000}


@pytest.fixture
def gateway_app(gateway_config):
    from gateway.app import create_app

    app = create_app(gateway_config)
    yield app
    app.extensions["rpc"].close()


class AuthedClient:
    """The gateway's test client, sending a platform administrator's token by default.

    ``client.as_role(role, area)`` gives a client acting as another account.
    """

    def __init__(self, app, headers=None):
        self.app = app
        self.client = app.test_client()
        self.headers = headers

    def as_role(self, role, area=None, department="test"):
        from gateway.admin import create_user

        username = f"{role}-{area or 'all'}-{department}"
        create_user(self.app.extensions["db"], username, role, department, area,
                    password="correct horse battery")
        response = self.client.post("/api/v1/auth/login", json={
            "username": username, "password": "correct horse battery"})
        assert response.status_code == 200, response.json
        return AuthedClient(self.app, {"Authorization": f"Bearer {response.json['access_token']}"})

    def anonymous(self):
        return AuthedClient(self.app, {})

    def open(self, *args, **kwargs):
        kwargs["headers"] = {**(self.headers or {}), **kwargs.get("headers", {})}
        return self.client.open(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def patch(self, *args, **kwargs):
        return self.open(*args, method="PATCH", **kwargs)

    def delete(self, *args, **kwargs):
        return self.open(*args, method="DELETE", **kwargs)


@pytest.fixture
def gateway(gateway_app):
    """A client of the real gateway app (RPC over the test vhost), as platform admin."""
    return AuthedClient(gateway_app).as_role("platform_admin")


@pytest.fixture
def platform(container_factory, service_config):
    """All four services running against the test vhost and their own clean databases."""
    from tests.helpers import SERVICES, service_class

    containers = {}
    for name in SERVICES:
        containers[name] = container_factory(service_class(name), service_config(name))
        containers[name].start()
    return containers


@pytest.fixture
def seeded(platform, gateway):
    """Every service running, with the small dataset of tests/dataset.py made through the
    gateway by its platform administrator."""
    from tests.dataset import seed

    return seed(gateway)


# A test that hangs is ended by pytest-timeout, which on a hung event loop can take the
# whole run with it and leave no clue. Shortly before that, an OS thread (outside
# eventlet, so a blocked hub cannot stop it) writes every thread's and greenlet's stack.
STACK_DUMP_MARGIN = 15


def _dump_stacks(nodeid):
    import gc
    import sys
    import traceback

    from greenlet import greenlet

    lines = [f"\n===== {nodeid} is still running: the stacks of every thread and greenlet\n"]
    for ident, frame in sys._current_frames().items():
        lines += [f"--- thread {ident}\n", *traceback.format_stack(frame)]
    for obj in gc.get_objects():
        try:
            if type(obj) is not greenlet and not issubclass(type(obj), greenlet):
                continue  # type(), not isinstance(): a dead weak proxy raises on isinstance
            frame = obj.gr_frame
        except ReferenceError:
            continue
        if frame is not None:
            lines += [f"--- greenlet {obj!r}\n", *traceback.format_stack(frame)]
    sys.stderr.write("".join(lines))
    sys.stderr.flush()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    marker = item.get_closest_marker("timeout")
    limit = float(marker.args[0]) if marker and marker.args else item.config.getini("timeout")
    timer = None
    if limit and float(limit) > STACK_DUMP_MARGIN:
        threading = eventlet.patcher.original("threading")
        timer = threading.Timer(float(limit) - STACK_DUMP_MARGIN, _dump_stacks, (item.nodeid,))
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
