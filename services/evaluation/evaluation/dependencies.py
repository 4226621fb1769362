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


def _years(value):
    """A number of years from config: empty, 0 or None means the rule is off."""
    return int(value) if value not in (None, "", 0, "0") else None


@dataclass(frozen=True)
class TitlePolicy:
    """How titles are looked at again, and the operator's local rules (config.yml).

    Re-examination every two years is national practice. No national text sets an expiry
    or a wait before re-applying, nor a lower title first: each is local policy data, off
    unless set, and refused at start without the text it rests on (its ``source``).
    """

    re_evaluation_interval_years: int
    re_evaluation_notice_days: int
    validity_years: int | None = None
    validity_source: str | None = None
    reapply_wait_years: int | None = None
    reapply_wait_source: str | None = None
    prerequisites: tuple = ()

    @classmethod
    def from_config(cls, config):
        policy = cls(
            re_evaluation_interval_years=int(config["RE_EVALUATION_INTERVAL_YEARS"]),
            re_evaluation_notice_days=int(config["RE_EVALUATION_NOTICE_DAYS"]),
            validity_years=_years(config.get("TITLE_VALIDITY_YEARS")),
            validity_source=config.get("TITLE_VALIDITY_SOURCE") or None,
            reapply_wait_years=_years(config.get("REAPPLY_WAIT_YEARS")),
            reapply_wait_source=config.get("REAPPLY_WAIT_SOURCE") or None,
            prerequisites=tuple(config.get("TITLE_PREREQUISITES") or ()))
        policy.check()
        return policy

    def check(self):
        if self.validity_years and not self.validity_source:
            raise ValueError("TITLE_VALIDITY_YEARS is local policy: set TITLE_VALIDITY_SOURCE "
                             "to the text it rests on, or leave it empty")
        if self.reapply_wait_years and not self.reapply_wait_source:
            raise ValueError("REAPPLY_WAIT_YEARS is local policy: set REAPPLY_WAIT_SOURCE to "
                             "the text it rests on, or leave it empty")
        for rule in self.prerequisites:
            missing = {"province", "level", "requires", "source"} - set(rule)
            if missing or not rule["source"]:
                raise ValueError(f"TITLE_PREREQUISITES rule {rule} needs province, level, "
                                 "requires and a source")


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
