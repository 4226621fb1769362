"""Nameko extensions of the evaluation service's own, and its policy values."""
import logging
from dataclasses import dataclass

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evaluation.models import Scheme
from evaluation.schemes import load_schemes
from fazhi_common.db import make_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TitlePolicy:
    """How long a title holds and when it is looked at again (config.yml states each)."""

    validity_years: int
    re_evaluation_interval_years: int
    reapply_wait_years: int
    re_evaluation_notice_days: int

    @classmethod
    def from_config(cls, config):
        return cls(validity_years=int(config["TITLE_VALIDITY_YEARS"]),
                   re_evaluation_interval_years=int(config["RE_EVALUATION_INTERVAL_YEARS"]),
                   reapply_wait_years=int(config["REAPPLY_WAIT_YEARS"]),
                   re_evaluation_notice_days=int(config["RE_EVALUATION_NOTICE_DAYS"]))


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
