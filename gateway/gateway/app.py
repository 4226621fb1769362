"""The gateway's app factory."""
import hashlib
import json
import logging
from pathlib import Path

from flask import Flask, Response, g, jsonify, redirect, request
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from fazhi_common.config import check_secrets, load_config
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import MAX_INT
from fazhi_common.contracts.roles import PLATFORM_ADMIN
from fazhi_common.db import make_engine, pool_settings
from fazhi_common.identity import signing_key
from gateway import health, security
from gateway.auth import RecentChecks, TokenIssuer
from gateway.blueprints import all_blueprints
from gateway.console import bp as console_bp
from gateway.console import residents_bp
from gateway.errors import register_error_handlers
from gateway.openapi import build_spec, documented
from gateway.rpc import RpcPool
from gateway.unit_views import CommunityViews

log = logging.getLogger(__name__)
GATEWAY_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = GATEWAY_DIR / "config.yml"


class Vocabulary:
    """``fazhi_common.contracts.vocabulary`` as one cacheable JSON document with an ETag:
    it changes only with a release, so a client asks again with If-None-Match and gets 304."""

    def __init__(self):
        self.body = json.dumps(vocabulary.VOCABULARY, ensure_ascii=False,
                               separators=(",", ":")).encode()
        self.etag = hashlib.sha256(self.body).hexdigest()[:32]

    def response(self):
        if self.etag in request.if_none_match:
            answer = Response(status=304)
        else:
            answer = Response(self.body, mimetype="application/json")
        answer.set_etag(self.etag)
        answer.cache_control.public = True
        answer.cache_control.max_age = 300
        return answer


class BoundedInt(IntegerConverter):
    """An id in a path: digits that fit a database integer column.

    A number out of that range names nothing: 404 here. (Refusing the match instead would
    make werkzeug try the path's other rules and answer 405 when they take other methods.)
    """

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_INT:
            raise NotFound()
        return number


def create_app(config=None):
    """Build the gateway; ``config`` is a dict, else ``config.yml`` with env overrides."""
    config = config if config is not None else load_config(DEFAULT_CONFIG)
    check_secrets(config, log)
    # no static files: every route the gateway serves is one of its documented views
    app = Flask(__name__, static_folder=None)
    app.config["FAZHI"] = config
    app.json.ensure_ascii = False  # Chinese names readable in responses
    app.extensions["rpc"] = RpcPool(
        {"AMQP_URI": config["AMQP_URI"],
         "BROKER_CONNECT_TIMEOUT": config.get("BROKER_CONNECT_TIMEOUT", 5)},
        size=int(config.get("RPC_POOL_SIZE", 16)),
        timeout=float(config.get("RPC_TIMEOUT_SECONDS", 5)),
    )
    engine = make_engine(config["DATABASE_URL"], **pool_settings(config))
    app.extensions["db"] = sessionmaker(engine, expire_on_commit=False)
    if config.get("COMMUNITY_VIEW"):  # kept by gateway.view_keeper: on where that runs
        app.extensions["community_views"] = CommunityViews(engine)
    app.extensions["tokens"] = TokenIssuer(config["TOKEN_KEYS"], config["TOKEN_SIGNING_KID"],
                                           config.get("TOKEN_TTL_SECONDS", 900))
    app.extensions["recent_checks"] = RecentChecks(config.get("AUTH_RECHECK_SECONDS", 2))
    app.extensions["identity_key"] = signing_key(config["GATEWAY_SIGNING_KEY"])
    # ids in paths are bounded like ids in bodies: a larger number cannot name anything
    app.url_map.converters["int"] = BoundedInt
    register_error_handlers(app)
    security.install(app)
    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(console_bp)  # the officials' web console, on the same checks
    app.register_blueprint(residents_bp)  # the residents' pages (/m/), on the same checks

    @app.get("/")
    @documented("The officials' console", public=True, hidden=True, tag="console")
    def home():
        return redirect("/console/")

    @app.get("/api/v1/openapi.json")
    @documented("This OpenAPI description", public=True, tag="meta")
    def openapi():
        return jsonify(app.extensions["openapi"])

    vocabulary = Vocabulary()

    @app.get("/api/v1/vocabulary")
    @documented("Every enumeration with its Chinese label (codes stay machine-readable)",
                public=True, tag="meta")
    def vocabulary_view():
        return vocabulary.response()

    @app.get("/health/live")
    @documented("Liveness: the gateway process answers", public=True, tag="meta")
    def live():
        return jsonify({"status": "ok"})

    @app.get("/health/ready")
    @documented("Readiness: up or down; each service's broker and database to an administrator",
                public=True, tag="meta", response=health.Readiness,
                also={503: health.Readiness})
    def ready():
        report = health.check_services(app, config.get("SERVICES", health.ALL_SERVICES))
        status = 200 if report["status"] == "ok" else 503
        # host names, process ids and errors are for the platform's administrators only
        if g.identity.role != PLATFORM_ADMIN or g.identity.subject.startswith("anonymous@"):
            report = {"status": report["status"]}
        return jsonify(report), status

    security.check_routes(app)  # deny by default: no route without its access rules
    app.extensions["openapi"] = build_spec(app)
    return app
