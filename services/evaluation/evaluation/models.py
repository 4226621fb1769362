"""The evaluation service's own tables.

Three groups: what evaluators enter (schemes, evidence, survey answers, draws,
inspections, vetoes, titles), the stored current result per community and period, and a
read model of facts learnt from the registry's and mediation's events, so scoring works
while those services are down.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from fazhi_common.clock import UtcDateTime, utcnow

CODE = String(12)
PERIOD = String(4)


class Base(DeclarativeBase):
    pass


# -- schemes ----------------------------------------------------------------------------

class Scheme(Base):
    """One version of an indicator scheme for a class of community (and economic tier).

    ``definition`` holds the tree of categories and indicators, the pass thresholds per
    stage, the parameters and the veto items. Once a result was scored with a version it
    never changes again: an edit makes the next version and supersedes this one.
    """

    __tablename__ = "scheme"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    community_class: Mapped[str] = mapped_column(String(32), index=True)
    economic_tier: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    definition: Mapped[dict] = mapped_column(JSON)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("scheme.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# -- what communities, inspectors and officers enter ------------------------------------------

class Evidence(Base):
    """A self-assessment of one indicator with its evidence; the latest one counts."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(PERIOD)
    indicator_code: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SurveyAnswer(Base):
    """One resident's answer; ``respondent_key`` is a keyed hash, never the number."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("community_code", "period", "respondent_key"),
                      Index("ix_survey_answer_source", "community_code", "period",
                            "source_key", "answered_at"),
                      Index("ix_survey_answer_phone", "community_code", "period", "phone_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(PERIOD)
    respondent_key: Mapped[str] = mapped_column(String(64))
    satisfied: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # a keyed hash of where the answer came from (the client's address), never the address
    source_key: Mapped[str | None] = mapped_column(String(64))
    # part of a burst from one source: kept, but not counted until someone looks
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # an answer counts once verified: a portal answer by the one-time code sent to the
    # resident's phone (the phone is never stored), a paper answer when an official enters it
    channel: Mapped[str] = mapped_column(String(10), default="portal", server_default="portal")
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt: Mapped[str | None] = mapped_column(String(32), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    entered_by: Mapped[str | None] = mapped_column(String(64))
    # a keyed hash of the phone the code went to, never the number: one phone confirms
    # one resident's answer per community and period
    phone_key: Mapped[str | None] = mapped_column(String(64))


class SpotCheckDraw(Base):
    """A random draw, committed before it is made: the seed's hash and the frozen eligible
    list's digest are public first, the seed (kept secret until then) and the sample after
    the reveal. A redraw supersedes a draw with a reason; both stay."""

    __tablename__ = "spot_check_draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(PERIOD, index=True)
    area: Mapped[str] = mapped_column(String(12), default="")  # the drawer's area prefix
    status: Mapped[str] = mapped_column(String(16), default="committed")
    method: Mapped[str] = mapped_column(String(40))
    seed: Mapped[str] = mapped_column(String(128))  # secret until revealed
    seed_hash: Mapped[str] = mapped_column(String(64))
    per_county: Mapped[int | None] = mapped_column(Integer)
    share: Mapped[float | None] = mapped_column(Float)
    title_holders_only: Mapped[bool] = mapped_column(Boolean, default=False)
    county_codes: Mapped[list | None] = mapped_column(JSON)  # as asked; a redraw asks again
    eligible: Mapped[dict] = mapped_column(JSON)
    eligible_digest: Mapped[str] = mapped_column(String(64))
    sample: Mapped[dict | None] = mapped_column(JSON)
    committed_by: Mapped[str] = mapped_column(String(100))
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revealed_by: Mapped[str | None] = mapped_column(String(100))
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redraw_of_id: Mapped[int | None] = mapped_column(ForeignKey("spot_check_draw.id"))
    superseded_by: Mapped[str | None] = mapped_column(String(100))
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    superseded_reason: Mapped[str | None] = mapped_column(String(500))


class Inspection(Base):
    """A special inspection or a spot check; its findings override self-assessment."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(PERIOD)
    kind: Mapped[str] = mapped_column(String(16))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("spot_check_draw.id"))
    held_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    inspector: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    findings: Mapped[list["Finding"]] = relationship(
        order_by="Finding.id", cascade="all, delete-orphan", lazy="selectin")


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class Veto(Base):
    """A veto item met (一票否决): the community fails the period whatever its score."""

    __tablename__ = "veto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(PERIOD)
    veto_item: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(64))  # "manual" or the triggering event type
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # a cause another service's event detects is only "proposed" until an officer
    # confirms or dismisses it; only a confirmed veto fails the period and ends titles
    status: Mapped[str] = mapped_column(String(16), default="confirmed",
                                        server_default="confirmed")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


# -- the current result --------------------------------------------------------------------

class Result(Base):
    """The current score of a community for a period, kept up to date on every change.

    ``scheme_id`` is pinned when the period is first scored, so a later version of the
    scheme does not move the goalposts mid-year.
    """

    __tablename__ = "result"

    community_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    period: Mapped[str] = mapped_column(PERIOD, primary_key=True, index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    pass_threshold: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    vetoed: Mapped[bool] = mapped_column(Boolean)
    breakdown: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    scheme: Mapped[Scheme] = relationship(lazy="joined")


# -- titles ----------------------------------------------------------------------------------

class Title(Base):
    """A rule-of-law community title at a level, with its validity and re-evaluation."""

    __tablename__ = "title"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    title: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(PERIOD)
    granting_department: Mapped[str] = mapped_column(String(100))
    # the day the second department decided: the title exists from then (while it is
    # proposed, the first department's day)
    awarded_on: Mapped[date] = mapped_column(Date)
    # only where local policy sets a validity, with its source; no national text does
    valid_until: Mapped[date | None] = mapped_column(Date)
    validity_source: Mapped[str | None] = mapped_column(Text)
    re_evaluation_due_on: Mapped[date] = mapped_column(Date, index=True)
    re_evaluation_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="held")
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    # the unit a merge or federation made of this title's community: where a decision
    # may transfer the title
    reorganised_into: Mapped[str | None] = mapped_column(CODE)
    history: Mapped[list["TitleChange"]] = relationship(
        order_by="TitleChange.id", cascade="all, delete-orphan", lazy="selectin")
    decisions: Mapped[list["TitleDecision"]] = relationship(
        order_by="TitleDecision.id", cascade="all, delete-orphan", lazy="selectin")


class TitleDecision(Base):
    """One department's decision on a joint act (award, revoke, re-examine) of a title.

    ``in_effect`` turns true on both departments' decisions when the second one completes
    the act; until then the first waits, open.
    """

    __tablename__ = "title_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id"), index=True)
    act: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(16))
    department_name: Mapped[str] = mapped_column(String(100))
    area: Mapped[str | None] = mapped_column(CODE)
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    citation: Mapped[str] = mapped_column(Text)
    in_effect: Mapped[bool] = mapped_column(Boolean, default=False)


class TitleChange(Base):
    """One step in a title's history: awarded, re-evaluation due, kept, revoked, cancelled."""

    __tablename__ = "title_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))


# -- read model of other services' facts ----------------------------------------------------------

class CommunityFact(Base):
    """A community as the registry announced it (community_registered / _reorganised)."""

    __tablename__ = "community_fact"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    town_code: Mapped[str | None] = mapped_column(CODE, index=True)
    county_code: Mapped[str] = mapped_column(CODE, index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    economic_tier: Mapped[str | None] = mapped_column(String(32))
    # finances disclosed monthly, not quarterly (村民委员会组织法 art. 30)
    collective_finances_busy: Mapped[bool] = mapped_column(Boolean, default=False,
                                                           server_default=false())
    status: Mapped[str] = mapped_column(String(16), default="active")
    reorganised_on: Mapped[date | None] = mapped_column(Date)


class AreaFact(Base):
    """A county or town as the registry announced it (county_/town_registered, or its
    replay): the name a person reads where a report or ranking names the area."""

    __tablename__ = "area_fact"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))


class AdviserFact(Base):
    __tablename__ = "adviser_fact"

    assignment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    adviser_name: Mapped[str] = mapped_column(String(100))
    assigned_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)


class ElectionFact(Base):
    __tablename__ = "election_fact"

    election_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    body_kind: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16))


class DisclosureFact(Base):
    __tablename__ = "disclosure_fact"

    disclosure_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(8))
    disclosed_on: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean)


class MediationFact(Base):
    __tablename__ = "mediation_fact"

    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    # the channel: an indicator counts only the channels it names
    mediation_kind: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    closed_on: Mapped[date] = mapped_column(Date)


class SupervisionFact(Base):
    """A community's corrections counts as the corrections service announced them
    (corrections_counts_changed): counts only, never a person. One row per
    announcement; the measure reads those of a period and the last one before it."""

    __tablename__ = "supervision_fact"
    __table_args__ = (Index("ix_supervision_fact_community_on", "community_code", "on"),)

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE)
    on: Mapped[date] = mapped_column(Date)
    under_correction: Mapped[int] = mapped_column(Integer)
    unreported: Mapped[int] = mapped_column(Integer)
    lost_contact: Mapped[int] = mapped_column(Integer)
    announced_at: Mapped[str] = mapped_column(String(40))


class RecordFact(Base):
    """A registry record that answers indicators (record_kept): a convention, a meeting, a
    party organisation, a grid... kept at the level of the unit it is of (a county's
    culture venue counts for each community of the county)."""

    __tablename__ = "record_fact"

    record_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    community_code: Mapped[str | None] = mapped_column(CODE, index=True)
    town_code: Mapped[str | None] = mapped_column(CODE, index=True)
    county_code: Mapped[str] = mapped_column(CODE, index=True)
    subkind: Mapped[str | None] = mapped_column(String(40))
    dated_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # a record that holds until it ends (a convention, a grid), rather than one counted in
    # the year it is dated (a meeting, a legal review)
    standing: Mapped[bool] = mapped_column(Boolean)
    counts: Mapped[bool] = mapped_column(Boolean)
    label: Mapped[str] = mapped_column(String(200))
