"""The rules of notifications as plain functions: routing, matching, signing, backoff.

Nothing here knows nameko, HTTP or the database; ``operations`` applies these rules to
the tables and ``dependencies`` does the sending.
"""
import functools
import hashlib
import hmac
import json
import string
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fazhi_common.contracts import vocabulary
from fazhi_common.division import prefix_of, try_parse

DEFAULT_RULES_FILE = Path(__file__).with_name("routing.yml")


# -- where an event happened ---------------------------------------------------------------

def unit_code(data):
    """The most specific division code an event names (community, town, then county)."""
    return data.get("community_code") or data.get("town_code") or data.get("county_code")


def area_fields(data):
    """The event's county, town and community codes (the town derived from a community)."""
    return dict(_area(data.get("community_code"), data.get("town_code"),
                      data.get("county_code")))


@functools.lru_cache(maxsize=1 << 14)
def _area(community_code, town_code, county_code):
    # events come by the thousand from the same few towns: each unit's area parsed once
    community = try_parse(community_code)
    town = try_parse(town_code) or (community.town if community else None)
    county = try_parse(county_code) or (town.county if town else None)
    return {"county_code": county, "town_code": town, "community_code": community}


def in_area(area_code, data):
    """True if an event with payload ``data`` lies within ``area_code`` (None: anywhere)."""
    if not area_code:
        return True
    area = try_parse(area_code)
    return area is not None and area.covers(unit_code(data))


def subscription_matches(event_types, area_code, event_type, data):
    return event_type in event_types and in_area(area_code, data)


# -- default routing rules (routing.yml) ---------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A department named by a payload field, or by a named department pattern."""

    field: str | None = None
    pattern: str | None = None


@dataclass
class RoutingRules:
    titles: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)  # event type -> [Target]
    departments: dict = field(default_factory=dict)  # pattern name -> [template]

    def title(self, event_type, data):
        return render(self.titles.get(event_type)
                      or vocabulary.label("event_types", event_type), data)

    def departments_for(self, event_type, data):
        """The departments whose inbox an event reaches by default, without repeats."""
        found = []
        for target in self.targets.get(event_type, ()):
            if target.field:
                names = [data.get(target.field)]
            else:
                names = [render(t, data, strict=True)
                         for t in self.departments[target.pattern]]
            found += [n for n in names if n and n not in found]
        return found


def load_rules(path=None, department_overrides=None):
    """Rules from ``path`` (default: the packaged routing.yml); patterns may be overridden."""
    with open(path or DEFAULT_RULES_FILE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    departments = dict(raw.get("departments") or {})
    departments.update(department_overrides or {})
    departments = {name: [t] if isinstance(t, str) else list(t)
                   for name, t in departments.items()}
    rules = RoutingRules(departments=departments)
    for event_type, spec in (raw.get("events") or {}).items():
        spec = spec or {}
        if spec.get("title"):
            rules.titles[event_type] = spec["title"]
        targets = [Target(field=t.get("field"), pattern=t.get("pattern"))
                   for t in spec.get("to") or ()]
        for target in targets:
            if bool(target.field) == bool(target.pattern):
                raise ValueError(f"{event_type}: a target names a field or a pattern")
            if target.pattern and target.pattern not in departments:
                raise ValueError(f"{event_type}: unknown department pattern {target.pattern}")
        rules.targets[event_type] = targets
    return rules


AREA_NAMES = {"county": "county_code", "town": "town_code", "community": "community_code"}


# payload fields holding a code, and the vocabulary enumeration whose label a title shows
LABELLED_FIELDS = {
    "mediation_kind": "mediation_kinds", "dispute_category": "dispute_categories",
    "outcome": "results", "level": "title_levels", "title": "awarded_titles",
    "reorganisation_kind": "reorganisation_kinds", "body_kind": "body_kinds",
    "disclosure_kind": "disclosure_kinds", "status": "job_statuses", "act": "draw_statuses",
    "change": "correction_count_changes",
}
DEADLINE_KINDS = {**vocabulary.CASE_DEADLINES, **vocabulary.LEGAL_AID_DEADLINES,
                  **vocabulary.CORRECTION_DEADLINES}


class _Values(dict):
    """What a template names, taken from an event's fields as it asks for them: a list
    reads as its items joined, an absent field or None as ""; ``{county}`` ``{town}``
    ``{community}`` are the prefixes naming those units."""

    def __init__(self, data):
        super().__init__()
        self.data = data

    def __missing__(self, name):
        if name in AREA_NAMES:
            value = prefix_of(area_fields(self.data)[AREA_NAMES[name]])
        else:
            value = self.data.get(name)
            if name in LABELLED_FIELDS and isinstance(value, str):
                value = vocabulary.label(LABELLED_FIELDS[name], value)
            elif name == "deadline" and isinstance(value, str):
                value = DEADLINE_KINDS.get(value, value)
            if isinstance(value, bool):
                value = "是" if value else "否"
            if isinstance(value, list):
                value = "、".join(map(str, value))
        self[name] = value = "" if value is None else value
        return value


@functools.lru_cache(maxsize=256)
def _names(template):
    return tuple({name for _, name, _, _ in string.Formatter().parse(template) if name})


def render(template, data, strict=False):
    """``template`` with the event's fields; ``{county}`` ``{town}`` ``{community}`` are
    the prefixes naming those units (``Division.prefix``: 6, 9 and 12 digits, 4 for a
    city without counties). A missing field gives "" (with ``strict``,
    the whole result is "", so a department pattern never names a half-made department).
    """
    values = _Values(data)
    if strict and any(not values[name] for name in _names(template)):
        return ""
    return template.format_map(values)


# -- webhook signatures ----------------------------------------------------------------------

SIGNATURE_HEADER = "X-Fazhi-Signature"
DELIVERY_HEADER = "X-Fazhi-Delivery"
EVENT_HEADER = "X-Fazhi-Event"


def webhook_body(delivery_key, subscription_id, title, envelope):
    """The JSON a webhook receives, as bytes (signed exactly as sent)."""
    return json.dumps({"delivery_id": delivery_key, "subscription_id": subscription_id,
                       "title": title, "event": envelope},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret, timestamp, body):
    """HMAC-SHA256 over ``"<timestamp>.<body>"``, hex."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, timestamp, body):
    return f"t={int(timestamp)},v1={sign(secret, timestamp, body)}"


def verify_signature(secret, header, body, now, tolerance=300):
    """True if ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError, AttributeError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))


# -- retries --------------------------------------------------------------------------------

def backoff_seconds(failures, base, cap):
    """Wait before the next attempt after ``failures`` failures: base, 2·base, 4·base, …"""
    return min(cap, base * 2 ** max(failures - 1, 0))


def is_dead(failures, max_attempts):
    """After ``max_attempts`` failed attempts a delivery stops and waits for a replay."""
    return failures >= max_attempts
