"""The residents' pages under ``/m/``: phone-first, no account, in Chinese.

Four small flows (apply for mediation, follow an application, answer the satisfaction
survey, check a public draw), each a client of the API's existing public operations with
their rate limits. One page serves them all; its script picks the flow by the path, so a
receipt number or secret never needs to be in an address. The files are the console's
(``/console/static/m/``), under the console's CSP.
"""
from flask import Blueprint, send_from_directory

from gateway.console.views import CSP, STATIC
from gateway.openapi import documented

bp = Blueprint("residents", __name__, url_prefix="/m")
TAG = "residents"
PAGES = ("apply", "track", "survey", "draw")


@bp.after_request
def resident_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@documented("The residents' pages: what a resident can do without an account", public=True,
            hidden=True, tag=TAG)
def home():
    return send_from_directory(STATIC / "m", "index.html")


@bp.get(f"/<any({', '.join(PAGES)}):page>")
@documented("A residents' page: apply for mediation, follow an application, answer the "
            "satisfaction survey, check a spot-check draw", public=True, hidden=True,
            tag=TAG)
def page(page):
    return send_from_directory(STATIC / "m", "index.html")
