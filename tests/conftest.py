"""Test set-up shared by the whole suite.

eventlet must patch the standard library before anything else imports it (nameko 2.14's
pytest plugin no longer does this). Tests run against a real RabbitMQ, a fresh vhost per
test (nameko's ``rabbit_config``), and a real database per service: a migrated SQLite
file by default, or PostgreSQL when ``FAZHI_TEST_DATABASE`` holds a server URL.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (must precede every other import)

import os  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402

from fazhi_common.config import load_config  # noqa: E402
from fazhi_common.identity import keygen  # noqa: E402
from fazhi_common.migrate import upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVICE_DIRS = {name: ROOT / "services" / name
                for name in ("registry", "evaluation", "mediation", "notifications")}
SERVICE_DIRS["gateway"] = ROOT / "gateway"  # it keeps accounts in a database of its own
# the gateway's identity-signing key pair, made fresh for each test run
SIGNING_KEY, VERIFY_KEY = keygen()
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
                       "GATEWAY_VERIFY_KEYS": VERIFY_KEY})
        config.update(extra)
        return config
    return make


@pytest.fixture
def gateway_config(rabbit_config, database_url):
    return {"AMQP_URI": rabbit_config["AMQP_URI"], "RPC_TIMEOUT_SECONDS": 3,
            "RPC_POOL_SIZE": 4, "GATEWAY_SIGNING_KEY": SIGNING_KEY,
            "DATABASE_URL": database_url("gateway"),
            "TOKEN_KEYS": {"k1": "test-token-key-of-at-least-32-bytes"},
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
