"""The division code (统计用区划代码): the 12 digits every unit, area and event hangs on.

``Division("330102001001")`` parses and validates a code once; the value then answers
the questions the platform asks of it in the domain's words: its level, its parent and
ancestors, the prefix that names its area, whether one area covers another. A
``Division`` is a ``str`` (the code itself), so it goes into JSON, events and database
columns unchanged, and compares equal to the plain code.

The code is 2 digits province, 2 prefecture, 2 county, 3 town, 3 village/community.
Real data has two wrinkles the rules below model:

- a few prefecture-level cities have no county level (不设区的地级市: Dongguan,
  Zhongshan, Danzhou, Jiayuguan). Most code their towns directly under the city's code,
  with ``00`` as the county part, and the city stands where a county would. Jiayuguan's
  list codes the city's one county-level part itself (``620201000000``, its towns under
  ``620201``): a code with a county part of its own is an ordinary county and what lies
  under it, so both shapes are read as they are written;
- the last three digits follow the NBS numbering: 001-199 are residents' committees
  (communities), 200-399 villagers' committees (villages). A list without a unit kind
  can infer it from the number; a kind that contradicts it is worth a warning, not a
  refusal, because lists in the field are not always clean.

This is the one module that slices or pattern-matches division codes; everything else
asks a ``Division``.
"""
import re
from functools import lru_cache

from marshmallow import ValidationError, fields, validate

PROVINCE, PREFECTURE, COUNTY, TOWN, COMMUNITY = (
    "province", "prefecture", "county", "town", "community")
LEVELS = (PROVINCE, PREFECTURE, COUNTY, TOWN, COMMUNITY)

# prefecture-level cities without counties (不设区的地级市), by their 4-digit prefix
CITIES_WITHOUT_COUNTIES = frozenset({
    "4419",  # 东莞市 Dongguan
    "4420",  # 中山市 Zhongshan
    "4604",  # 儋州市 Danzhou
    "6202",  # 嘉峪关市 Jiayuguan
})

# NBS numbering of the last three digits; other numbers carry no kind
RESIDENTS_COMMITTEES = range(1, 200)    # 居民委员会: communities
VILLAGERS_COMMITTEES = range(200, 400)  # 村民委员会: villages
NUMBERED_COMMUNITY, NUMBERED_VILLAGE = "community", "village"

_DIGITS = re.compile(r"[0-9]{12}")  # not \d, which admits full-width digits
_ZEROS = {2: "00", 3: "000"}
# (level, digits of the code that name it); the rest of the code is zeros
_PARTS = ((PROVINCE, 0, 2), (PREFECTURE, 2, 4), (COUNTY, 4, 6), (TOWN, 6, 9),
          (COMMUNITY, 9, 12))


class InvalidDivision(ValueError):
    """The text is no division code; ``str(exc)`` says why, for a field error."""


def _parts(code):
    return [code[start:end] for _, start, end in _PARTS]


@lru_cache(maxsize=1 << 16)
def _level_of(code):
    """The level a well-formed 12-digit code names, or InvalidDivision.

    Cached: a code is asked its level again and again (parent, county, prefix...), and an
    import or a report asks it of the same few thousand codes.
    """
    parts = _parts(code)
    if parts[0] == "00":
        raise InvalidDivision("The first two digits must name a province.")
    deepest = max(i for i, part in enumerate(parts) if part != _ZEROS[len(part)] or i == 0)
    for i in range(1, deepest):
        if parts[i] != _ZEROS[len(parts[i])]:
            continue
        if i == 2 and code[:4] in CITIES_WITHOUT_COUNTIES:
            continue  # a town directly under a city without counties
        name, start, end = _PARTS[i]
        raise InvalidDivision(f"A {LEVELS[deepest]} code needs a {name} part "
                              f"(digits {start + 1}-{end}).")
    return LEVELS[deepest]


def _zero_from(code, level):
    end = _PARTS[LEVELS.index(level)][2]
    return code[:end] + "0" * (12 - end)


class Division(str):
    """A validated 12-digit division code; raises InvalidDivision on anything else."""

    __slots__ = ()

    def __new__(cls, code):
        if isinstance(code, Division):
            return code
        if not isinstance(code, str) or not _DIGITS.fullmatch(code):
            raise InvalidDivision("A division code is exactly 12 digits.")
        _level_of(code)
        return super().__new__(cls, code)

    def __repr__(self):
        return f"Division({str.__repr__(self)})"

    @property
    def code(self):
        """The plain 12-digit string."""
        return str(self)

    @property
    def level(self):
        """province, prefecture, county, town or community (a community or a village)."""
        return _level_of(self)

    @property
    def depth(self):
        """0 for a province down to 4 for a community: sorts units after those above."""
        return LEVELS.index(self.level)

    @property
    def without_counties(self):
        """True for a city without counties and what it holds directly (county part
        ``00``); a unit coded under a county part of its own (620201) has its county."""
        return self[:4] in CITIES_WITHOUT_COUNTIES and self[4:6] == "00"

    @property
    def stands_as_county(self):
        """A county, or a city without counties, which holds towns in a county's place."""
        return self.level == COUNTY or (self.level == PREFECTURE and self.without_counties)

    @property
    def parent(self):
        """The unit directly above: a town's county (or city without counties), and so on."""
        level = self.level
        if level == PROVINCE:
            return None
        above = LEVELS[LEVELS.index(level) - 1]
        if above == COUNTY and self.without_counties:
            above = PREFECTURE
        return Division(_zero_from(self, above))

    @property
    def ancestors(self):
        """Every unit above, from the province down to the parent."""
        found, current = [], self.parent
        while current is not None:
            found.append(current)
            current = current.parent
        return tuple(reversed(found))

    def lineage(self):
        """The ancestors and the unit itself, from the province down."""
        return self.ancestors + (self,)

    def at(self, level):
        """The unit at ``level`` that holds this one (itself at its own level), or None.

        ``at(COUNTY)`` of a town under a city without counties is that city: it stands
        where the county would. Nearest first: under Jiayuguan's own county part the city
        stands as a county too, and the county (620201) is the one that holds the unit.
        """
        for unit in reversed(self.lineage()):
            if unit.level == level or (level == COUNTY and unit.stands_as_county):
                return unit
        return None

    def child(self, number):
        """Unit ``number`` directly below: a town of a county (or of a city without
        counties), a community or village of a town, and so on. ``town.child(201)``."""
        level = self.level
        if level == COMMUNITY:
            raise InvalidDivision("A community has no units below it.")
        below = TOWN if self.stands_as_county else LEVELS[LEVELS.index(level) + 1]
        _, start, end = _PARTS[LEVELS.index(below)]
        if not 0 < number < 10 ** (end - start):
            raise InvalidDivision(f"A {below} number has {end - start} digits.")
        return Division(self[:start] + f"{number:0{end - start}d}" + self[end:])

    def widened_to(self, level):
        """This area, or the unit at ``level`` holding it when the area is finer than that.

        A town-level officer's figures by county are those of the town's county:
        ``widened_to(COUNTY)``. A city stays a city.
        """
        if self.depth <= LEVELS.index(level):
            return self
        return self.at(level)

    @property
    def county(self):
        return self.at(COUNTY)

    @property
    def town(self):
        return self.at(TOWN)

    @property
    def prefix(self):
        """The leading digits every code in this area starts with (2, 4, 6, 9 or 12)."""
        return self[:_PARTS[LEVELS.index(self.level)][2]]

    def covers(self, other):
        """True if ``other`` (a code or Division) lies within this area, itself included."""
        if other is None:
            return False
        return str(other).startswith(self.prefix)

    @property
    def number(self):
        """The community/village number (last three digits) of a community code, or None."""
        return int(self[9:]) if self.level == COMMUNITY else None

    @property
    def numbered_as(self):
        """``community`` or ``village`` as the NBS numbering says; None if it says neither."""
        number = self.number
        if number in RESIDENTS_COMMITTEES:
            return NUMBERED_COMMUNITY
        if number in VILLAGERS_COMMITTEES:
            return NUMBERED_VILLAGE
        return None


def parse(code):
    """``Division(code)``, or None for None/empty (an optional field, a platform-wide area)."""
    if code is None or code == "":
        return None
    return Division(code)


def province(digits):
    """The province whose two-digit number is ``digits`` (``province("33")``: Zhejiang)."""
    if not (isinstance(digits, str) and len(digits) == 2):
        raise InvalidDivision("A province is named by two digits.")
    return Division(digits + "0" * 10)


def try_parse(code):
    """``Division(code)``, or None when ``code`` is no division code at all."""
    try:
        return Division(code)
    except InvalidDivision:
        return None


def prefix_of(area):
    """The prefix an area names; "" (everything) when there is no area."""
    return Division(area).prefix if area else ""


class DivisionField(fields.String):
    """A marshmallow field that loads a ``Division`` (422 with the reason on bad input).

    ``levels`` restricts what the field accepts, e.g. ``levels=(TOWN,)``.
    """

    def __init__(self, *, levels=None, **kwargs):
        self.levels = tuple(levels) if levels else None
        super().__init__(**kwargs)
        # never fails after _deserialize; it puts the pattern into the OpenAPI description
        self.validators.insert(0, validate.Regexp(r"^[0-9]{12}$"))

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            division = Division(text)
        except InvalidDivision as exc:
            raise ValidationError(str(exc)) from None
        if self.levels and division.level not in self.levels:
            raise ValidationError(f"{division} is a {division.level} code, not a "
                                  f"{' or '.join(self.levels)} code.")
        return division
