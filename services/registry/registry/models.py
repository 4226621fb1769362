"""The registry's own tables. Units are keyed by their 12-digit statistical division code."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fazhi_common.clock import UtcDateTime, utcnow

CODE = String(12)


class Base(DeclarativeBase):
    pass


class County(Base):
    """A county-level unit: county, county-level city, district or development zone."""

    __tablename__ = "county"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())


class Town(Base):
    """A town, township or street (镇/乡/街道)."""

    __tablename__ = "town"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())


class Community(Base):
    """A community or village: the unit the campaign evaluates.

    ``kind`` is its class for evaluation (urban_community, rural_community, village).
    A merged or converted village becomes ``inactive`` and keeps its row and history;
    a federated village stays active and points at its community in ``federated_into``.
    """

    __tablename__ = "community"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    town_code: Mapped[str] = mapped_column(ForeignKey("town.code"), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    # NBS urban-rural classification (城乡分类代码: 111 ... 220) where a list carries it
    urban_rural_code: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="active")
    economic_tier: Mapped[str | None] = mapped_column(String(32))
    # 集体财务往来较多: its finances are disclosed monthly, not quarterly (村民委员会组织法
    # art. 30); the town or county says so
    collective_finances_busy: Mapped[bool] = mapped_column(Boolean, default=False,
                                                           server_default=false())
    reorganised_on: Mapped[date | None] = mapped_column(Date)
    deactivated_on: Mapped[date | None] = mapped_column(Date)
    federated_into: Mapped[str | None] = mapped_column(ForeignKey("community.code"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())


class Reorganisation(Base):
    """One act of convert (转), merge (并) or federate (联), effective on a date."""

    __tablename__ = "reorganisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    result_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())
    sources: Mapped[list["ReorganisationSource"]] = relationship(
        back_populates="reorganisation", cascade="all, delete-orphan", lazy="selectin")


class ReorganisationSource(Base):
    __tablename__ = "reorganisation_source"

    reorganisation_id: Mapped[int] = mapped_column(ForeignKey("reorganisation.id"),
                                                   primary_key=True)
    source_code: Mapped[str] = mapped_column(ForeignKey("community.code"), primary_key=True,
                                             index=True)
    reorganisation: Mapped[Reorganisation] = relationship(back_populates="sources")


class GovernanceBody(Base):
    """A self-governance body of a community, with its current term."""

    __tablename__ = "governance_body"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    term_years: Mapped[int] = mapped_column(Integer)
    term_started_on: Mapped[date | None] = mapped_column(Date)
    term_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    # the term end whose coming election was announced (election_due): once per term
    election_due_announced_for: Mapped[date | None] = mapped_column(Date)
    # a party organisation's secretary, and whether the secretary also chairs the
    # residents' or villagers' committee (一肩挑)
    secretary_name: Mapped[str | None] = mapped_column(String(50))
    secretary_chairs_committee: Mapped[bool | None] = mapped_column(Boolean)
    # a body dissolved (a community merged away, a body replaced): kept with its history
    ended_on: Mapped[date | None] = mapped_column(Date)
    members: Mapped[list["BodyMember"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="BodyMember.id")


class BodyMember(Base):
    __tablename__ = "body_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governance_body.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Election(Base):
    __tablename__ = "election"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governance_body.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    eligible_voters: Mapped[int] = mapped_column(Integer)
    votes_cast: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    @property
    def turnout_rate(self):
        return round(self.votes_cast / self.eligible_voters, 4) if self.eligible_voters else None


class LegalAdviserAssignment(Base):
    """One community, one legal adviser: at most one assignment without ``removed_on``."""

    __tablename__ = "legal_adviser_assignment"
    __table_args__ = (
        Index("uq_one_current_adviser", "community_code", unique=True,
              sqlite_where=text("removed_on IS NULL"),
              postgresql_where=text("removed_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    adviser_name: Mapped[str] = mapped_column(String(50))
    adviser_kind: Mapped[str] = mapped_column(String(32))
    organisation: Mapped[str | None] = mapped_column(String(100))
    assigned_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)


# -- records kept by kind: one table each, handled generically by records.py ----------


class EducationPlace(Base):
    """Counselling station (town), legal school, publicity board or library (community)."""

    __tablename__ = "education_place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    town_code: Mapped[str] = mapped_column(ForeignKey("town.code"), index=True)
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"), index=True)


class CultureVenue(Base):
    """A county's comprehensive rule-of-law culture venue (park, street, square, market)."""

    __tablename__ = "culture_venue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    opened_on: Mapped[date | None] = mapped_column(Date)


class ResidentsConvention(Base):
    __tablename__ = "residents_convention"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    adopted_on: Mapped[date] = mapped_column(Date)
    revised_on: Mapped[date | None] = mapped_column(Date)


class AffairsDisclosure(Base):
    """Disclosure of party, community/village or financial affairs for a period."""

    __tablename__ = "affairs_disclosure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    disclosed_on: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool]


class LegalReview(Base):
    """Legal review (法律论证) of a major decision."""

    __tablename__ = "legal_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    decision: Mapped[str] = mapped_column(String(200))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(100))
    conclusion: Mapped[str] = mapped_column(Text)


class Volunteer(Base):
    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    speciality: Mapped[str | None] = mapped_column(String(100))


class OutreachActivity(Base):
    __tablename__ = "outreach_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    target_group: Mapped[str] = mapped_column(String(32))
    participants: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))


class EnterpriseHealthCheck(Base):
    """A lawyer's legal health check (法律体检) of an enterprise."""

    __tablename__ = "enterprise_health_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    lawyer_name: Mapped[str] = mapped_column(String(50))
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    findings: Mapped[str | None] = mapped_column(Text)




class HealthCheckTarget(Base):
    """A county's yearly target of enterprises given a legal health check (set by the city)."""

    __tablename__ = "health_check_target"

    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[int] = mapped_column(Integer)


# -- community self-governance: assemblies, major matters, grids, funding, culture ------------

MONEY = Numeric(14, 2, asdecimal=False)


class Meeting(Base):
    """A villagers' or residents' meeting or representatives' meeting; its quorum is
    checked against the law for its kind when recorded (registry.self_governance)."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[date] = mapped_column(Date)
    eligible: Mapped[int] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    households_present: Mapped[int | None] = mapped_column(Integer)
    agenda: Mapped[str] = mapped_column(Text)
    resolutions: Mapped[str | None] = mapped_column(Text)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    quorate: Mapped[bool] = mapped_column(Boolean)
    quorum_rule: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class MajorMatter(Base):
    """A village's major matter and the dates of its "四议两公开" steps."""

    __tablename__ = "major_matter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    proposed_on: Mapped[date] = mapped_column(Date)
    discussed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution_disclosed_on: Mapped[date | None] = mapped_column(Date)
    result_disclosed_on: Mapped[date | None] = mapped_column(Date)
    complete: Mapped[bool] = mapped_column(Boolean)
    missing: Mapped[list] = mapped_column(JSON, default=list)


class Grid(Base):
    """A grid cell (网格) of a community, its grid worker and the households it covers."""

    __tablename__ = "grid"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    worker_name: Mapped[str] = mapped_column(String(50))
    households: Mapped[int] = mapped_column(Integer)
    established_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class GridReport(Base):
    """A dispute or risk a grid worker found (矛盾排查); a dispute goes to mediation by an
    event, and mediation's events bring its case and outcome back here."""

    __tablename__ = "grid_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    found_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    dispute_category: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    case_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    closed_on: Mapped[date | None] = mapped_column(Date)


class FundingLine(Base):
    """A community's working funds for a year (经费列入预算): budgeted, spent, source."""

    __tablename__ = "funding_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    budgeted: Mapped[float] = mapped_column(MONEY)
    spent: Mapped[float] = mapped_column(MONEY)


class PurchasedService(Base):
    """A service the government buys for a community (政府购买服务)."""

    __tablename__ = "purchased_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    contract_number: Mapped[str] = mapped_column(String(64))
    amount: Mapped[float] = mapped_column(MONEY)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    evaluation_result: Mapped[str | None] = mapped_column(String(16))
    paid: Mapped[float] = mapped_column(MONEY)


class CulturePerformance(Base):
    """A rule-of-law culture work performed on tour in a community (法治文艺创作巡演)."""

    __tablename__ = "culture_performance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    work_title: Mapped[str] = mapped_column(String(200))
    work_kind: Mapped[str] = mapped_column(String(16))
    troupe: Mapped[str] = mapped_column(String(100))
    performed_on: Mapped[date] = mapped_column(Date)
    audience: Mapped[int] = mapped_column(Integer)
