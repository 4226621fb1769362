"""Nameko extensions of the evaluation service's own."""
import logging

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evaluation.models import Scheme
from evaluation.schemes import load_schemes
from fazhi_common.db import make_engine

log = logging.getLogger(__name__)


def install_default_schemes(session):
    """Add the shipped schemes (``schemes/default.yml``) to a database that has none."""
    if session.scalar(select(func.count()).select_from(Scheme)):
        return 0
    schemes = load_schemes()
    for data in schemes:
        session.add(Scheme(key=data["key"], version=1, name=data["name"],
                           community_class=data["community_class"],
                           economic_tier=data.get("economic_tier"), status="active",
                           definition=data))
    return len(schemes)


class DefaultSchemes(DependencyProvider):
    """On start, install the default schemes if the database has no scheme at all.

    A data file, not a migration: a deployment (or a test) that empties its tables gets
    them back on the next start. Replicas starting together race on the unique
    (key, version): the loser finds them installed.
    """

    def start(self):
        engine = make_engine(self.container.config["DATABASE_URL"])
        try:
            with Session(engine) as session:
                installed = install_default_schemes(session)
                session.commit()
            if installed:
                log.info("installed %d default evaluation schemes", installed)
        except IntegrityError:
            log.info("default evaluation schemes installed by another instance")
        finally:
            engine.dispose()
