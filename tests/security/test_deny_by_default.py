"""Deny by default: a route that says nothing about who may call it is never served.

The gateway refuses to start with such a route, and one added after start-up is refused
to everyone, the platform administrator included.
"""
import pytest
from flask import Blueprint

import gateway.app
from gateway.app import create_app
from gateway.openapi import documented
from gateway.security import UndeclaredRoutes
from tests.conftest import AuthedClient


def _with_extra_blueprint(monkeypatch, blueprint):
    known = gateway.app.all_blueprints
    monkeypatch.setattr(gateway.app, "all_blueprints", lambda: [*known(), blueprint])


def test_the_gateway_refuses_to_start_with_an_undeclared_route(monkeypatch, gateway_config):
    extra = Blueprint("extra", __name__)

    @extra.get("/api/v1/extra/secrets")
    def secrets():
        return {"secret": 42}

    @extra.get("/api/v1/extra/declared")
    @documented("declared", public=True)
    def declared():
        return {"ok": True}

    _with_extra_blueprint(monkeypatch, extra)
    with pytest.raises(UndeclaredRoutes) as refused:
        create_app(gateway_config)
    assert "/api/v1/extra/secrets" in str(refused.value)
    assert "/api/v1/extra/declared" not in str(refused.value)


def test_every_route_of_the_real_gateway_declares_its_rules(gateway_app):
    rules = list(gateway_app.url_map.iter_rules())
    assert rules  # the check below ran over the real surface, not an empty map
    for rule in rules:
        assert getattr(gateway_app.view_functions[rule.endpoint], "openapi", None), rule.rule


def test_a_route_added_after_start_up_without_rules_is_refused_to_everyone(gateway_app):
    gateway_app.add_url_rule("/api/v1/late", "late", lambda: {"secret": 42})
    gateway = AuthedClient(gateway_app).as_role("platform_admin")
    for client in (gateway, gateway.anonymous()):
        response = client.get("/api/v1/late")
        assert response.status_code == 403
        assert response.json["code"] == "forbidden"
        assert "secret" not in response.get_data(as_text=True)
    # an unknown path is still a plain 404
    assert gateway.get("/api/v1/no-such-route").status_code == 404
