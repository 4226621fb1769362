"""Who a caller is, as every contract names it: the roles, the role sets, and the
``Identity`` value (subject, role, department, area) that the gateway signs and every
service verifies (the signing and the entrypoints are machinery: ``fazhi_common.identity``).

Areas are division codes (``fazhi_common.division``): a province, city, county, town or
community. An identity sees a unit when the unit's code lies under its area; a
platform-wide identity has no area. ``Identity.in_area`` narrows a query to the area.
"""
from dataclasses import dataclass

from fazhi_common.contracts.errors import Forbidden, Unauthenticated
from fazhi_common.division import Division, InvalidDivision, parse

# Named sets in each contract module say what each operation admits.
PLATFORM_ADMIN = "platform_admin"
CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer"
JUSTICE_OFFICER = "justice_officer"
EVALUATOR = "evaluator"
INSPECTOR = "inspector"
MEDIATOR = "mediator"
LINKED_DEPARTMENT_OFFICER = "linked_department_officer"
VIEWER = "viewer"
RESIDENT = "resident"
ROLES = (PLATFORM_ADMIN, CIVIL_AFFAIRS_OFFICER, JUSTICE_OFFICER, EVALUATOR, INSPECTOR,
         MEDIATOR, LINKED_DEPARTMENT_OFFICER, VIEWER, RESIDENT)
STAFF = frozenset(ROLES) - {RESIDENT}
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Identity:
    subject: str
    role: str
    department: str = ""
    area: Division | None = None

    def __post_init__(self):
        # parsed once here; the gateway validates areas, so a malformed one is refused
        try:
            object.__setattr__(self, "area", parse(self.area))
        except InvalidDivision:
            raise Unauthenticated("The caller's area is not a division code.") from None

    @property
    def prefix(self):
        """The code prefix of this identity's area; "" for a platform-wide identity."""
        return self.area.prefix if self.area else ""

    def prefix_at(self, level):
        """The prefix of the area widened to ``level`` (a town officer's county: its county)."""
        return self.area.widened_to(level).prefix if self.area else ""

    def covers(self, code, level=None):
        """True if the unit ``code`` lies within this identity's area (widened to ``level``)."""
        if self.area is None:
            return code is not None
        return (self.area.widened_to(level) if level else self.area).covers(code)

    def in_area(self, query, column, level=None):
        """``query`` narrowed to rows whose ``column`` (a division code) lies in the area.

        ``level`` widens the area first: rows kept per county are scoped by the caller's
        county (``level=COUNTY``), so a town officer sees its county's rows.
        """
        prefix = self.prefix_at(level) if level else self.prefix
        return query.where(column.startswith(prefix)) if prefix else query

    def require_role(self, roles):
        if self.role not in roles:
            raise Forbidden(f"The role {self.role} may not do this.", {"role": [self.role]})

    def require_area(self, code, field="code"):
        """Refuse a write to a unit outside the caller's area (403 names the field)."""
        if not self.covers(code):
            raise Forbidden(f"{code} lies outside your area {self.area}.",
                            {field: ["outside your area"]})


SYSTEM = Identity(subject="system", role=PLATFORM_ADMIN, department="platform")
