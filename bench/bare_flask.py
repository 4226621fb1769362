"""The anchor for a gateway read: bare Flask answering the same query from the same file.

No bus, no authentication: one SQLAlchemy session, the registry's own model and response
schema. ``BENCH_REGISTRY_DB`` names the registry's database. Served by gunicorn with the
gateway's settings (``bench/gateway_read.py`` starts it).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "services/registry")]

from flask import Flask, abort, jsonify  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from fazhi_common.contracts.api import registry as api  # noqa: E402
from registry.models import Community  # noqa: E402

app = Flask(__name__)
Session = sessionmaker(create_engine(os.environ["BENCH_REGISTRY_DB"]))
SCHEMA = api.Community()


@app.get("/communities/<code>")
def get_community(code):
    with Session() as session:
        community = session.get(Community, code)
        if community is None:
            abort(404)
        return jsonify(SCHEMA.dump(community))
