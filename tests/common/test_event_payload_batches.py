"""A batch of event payloads is checked as strictly as each payload alone: the same JSON,
and a bad payload anywhere in the batch fails it with the errors its contract gives."""
import json
from datetime import date

import pytest
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

from fazhi_common.contracts import events
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.contracts.events import (
    EventContract,
    area_of,
    serialise_payload,
    serialise_payloads,
)

SCORE = "evaluation_score_changed"


def _scores(n=40):
    return [{**area_of(f"330110{1 + i % 3:03d}{200 + i:03d}"), "period": "2026",
             "scheme_id": 1 + i % 2, "score": float(i % 7), "previous_score": None,
             "passed": bool(i % 2)} for i in range(n)]


def test_a_valid_batch_serialises_as_each_payload_alone():
    batch = _scores()
    assert serialise_payloads(SCORE, batch) == [serialise_payload(SCORE, p) for p in batch]
    due = [{**area_of("330110001201"), "period": "2026", "title": "safe_community",
            "level": "county", "title_id": n, "due_on": date(2026, 5, n)} for n in (1, 2)]
    assert serialise_payloads("re_evaluation_due", due) == [
        serialise_payload("re_evaluation_due", p) for p in due]
    assert serialise_payloads(SCORE, []) == []


@pytest.mark.parametrize("change", [{}, {"score": 3}, {"previous_score": 2}, {"period": 2026}])
def test_a_batch_writes_the_same_json_as_each_payload_dumped(change):
    # payloads already in their dumped form skip the dump: the JSON must not tell
    batch = _scores()
    batch[5] = {**batch[5], **change}
    assert json.dumps(serialise_payloads(SCORE, batch)) == json.dumps(
        [serialise_payload(SCORE, p) for p in batch])


def _outcome(serialise):
    try:
        return "serialised", serialise()
    except ValidationFailed as exc:
        return "invalid", exc.fields
    except ValueError as exc:  # the dump cannot even make it JSON
        return "unserialisable", type(exc)


@pytest.mark.parametrize("bad, expected", [
    ({"community_code": "330110001999x"}, "invalid"),  # not a division code
    ({"town_code": "330110001000", "county_code": "3301100"}, "invalid"),
    ({"community_code": "330100001201"}, "invalid"),  # a town under no county
    ({"passed": "perhaps"}, "invalid"),
    ({"score": None}, "invalid"),  # not nullable
    ({"scheme_id": "one"}, "unserialisable"),
    ({"unknown_field": 1}, "serialised"),  # the dump keeps what the contract knows
    ({"period": 2026}, "serialised"),  # made text by the dump
    ({"score": 3}, "serialised"),  # made a float by the dump
])
def test_one_bad_payload_in_a_batch_fares_as_it_would_alone(bad, expected):
    batch = _scores()
    batch[17] = {**batch[17], **bad}
    alone = _outcome(lambda: [serialise_payload(SCORE, p) for p in batch])
    assert alone[0] == expected
    assert _outcome(lambda: serialise_payloads(SCORE, batch)) == alone


def test_a_payload_missing_a_required_field_fails_the_batch():
    batch = _scores()
    del batch[3]["score"]
    with pytest.raises(ValidationFailed) as failed:
        serialise_payloads(SCORE, batch)
    assert "score" in failed.value.fields


class Ranged(Schema):
    """A contract with a rule across fields: each value alone is fine, (5, 1) is not."""
    low = fields.Integer(required=True)
    high = fields.Integer(required=True)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["low"] > data["high"]:
            raise ValidationError("low above high")


def test_a_contract_with_rules_across_fields_checks_each_payload_whole(monkeypatch):
    monkeypatch.setitem(events.CONTRACTS, "planted_range",
                        EventContract("planted_range", "registry", Ranged, ()))
    # each value alone is fine: only the pair (5, 1) breaks the rule
    batch = [{"low": 1, "high": 5}, {"low": 5, "high": 1}]
    with pytest.raises(ValidationFailed):
        serialise_payloads("planted_range", batch)
    assert serialise_payloads("planted_range", batch[:1]) == batch[:1]


# -- received payloads: loaded field by field, each value a field has seen once -----------

def _loaded_by_schema(event_type, payload):
    try:
        return events._schema(event_type).load(payload, unknown=EXCLUDE)
    except ValidationError as exc:
        return exc.normalized_messages()


def _loaded(event_type, payload):
    try:
        return events.load_payload(event_type, payload)
    except ValidationFailed as exc:
        return exc.fields


def test_received_payloads_load_as_their_contract_loads_them():
    cases = [{"county_code": "330110000000", "case_id": n, "mediation_kind": "people",
              "dispute_category": "neighbour", "organisation_id": 1,
              "receiving_department": "justice-330110001", "received_on": "2026-03-01",
              **({"referrer_department": "court-330110"} if n % 2 else {}),
              **({"from_a_newer_publisher": n} if n % 3 else {})} for n in range(12)]
    for event_type, payloads in (("mediation_case_received", cases),
                                 (SCORE, serialise_payloads(SCORE, _scores()))):
        for payload in payloads * 2:  # the second time, every value has been seen
            assert _loaded(event_type, payload) == _loaded_by_schema(event_type, payload)
    loaded = _loaded("mediation_case_received", cases[0])
    assert loaded["received_on"] == date(2026, 3, 1) and loaded["referrer_department"] is None


@pytest.mark.parametrize("bad", [
    {"score": True},  # equal to 1, which loaded before, but no number
    {"score": None},
    {"community_code": "330110001999x"},
    {"passed": "perhaps"},
    {"period": None},
])
def test_a_received_payload_its_contract_refuses_is_refused_after_good_ones(bad):
    good = serialise_payloads(SCORE, _scores())
    for payload in good + [{**good[1], "score": 1}]:
        events.load_payload(SCORE, payload)
    payload = {**good[0], **bad}
    with pytest.raises(ValidationFailed) as refused:
        events.load_payload(SCORE, payload)
    assert refused.value.fields == _loaded_by_schema(SCORE, payload)
    missing = dict(good[0])
    del missing["score"]
    assert _loaded(SCORE, missing) == _loaded_by_schema(SCORE, missing) == {
        "score": ["Missing data for required field."]}


def test_a_received_payload_of_a_contract_with_rules_across_fields_loads_whole(monkeypatch):
    monkeypatch.setitem(events.CONTRACTS, "planted_received_range",
                        EventContract("planted_received_range", "registry", Ranged, ()))
    assert events.load_payload("planted_received_range", {"low": 1, "high": 5}) == {
        "low": 1, "high": 5}
    with pytest.raises(ValidationFailed):
        events.load_payload("planted_received_range", {"low": 5, "high": 1})
