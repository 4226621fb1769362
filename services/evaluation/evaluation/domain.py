"""The evaluation rules as plain functions: no nameko, no Flask, no database.

Checking a scheme, scoring each indicator and explaining where its figure came from,
the pass decision per campaign stage, the residents' satisfaction rate and its
de-duplication key, the reproducible spot-check draw (titles' rules: ``titling``).
"""
import hashlib
import hmac
import re
from datetime import date

from fazhi_common.campaign import STAGES, campaign_stage
from fazhi_common.clock import add_years
from fazhi_common.contracts.errors import Forbidden, ValidationFailed
from fazhi_common.division import LEVELS, PREFECTURE, prefix_of

# how a derived fact scores: as a yes/no or as a share against the indicator's target
FACT_MEASURES = {
    "has_legal_adviser": "yes_no",
    "election_held": "yes_no",
    "disclosures_on_time": "ratio",
    "mediation_success_rate": "ratio",
    # the corrections service's counts (corrections_counts_changed): no one lost from
    # supervision (脱管) nor past the report limit unreported (漏管) in the period
    "no_one_lost_from_supervision": "yes_no",
    # the registry's records (record_kept) of the kinds an indicator names: one present,
    # how many, or the share that counts (a meeting quorate, a major matter's steps whole)
    "record_present": "yes_no",
    "record_count": "count",
    "record_share": "ratio",
}
RECORD_FACTS = ("record_present", "record_count", "record_share")
# the registry's record kinds: one that holds until it ends, or one counted in the year
# it is dated
STANDING, DATED = "standing", "dated"
RECORD_KINDS = {
    "conventions": STANDING, "education_places": STANDING, "culture_venues": STANDING,
    "bodies": STANDING, "grids": STANDING,
    "legal_reviews": DATED, "meetings": DATED, "major_matters": DATED,
    "outreach_activities": DATED, "health_checks": DATED, "funding_lines": DATED,
    "culture_performances": DATED,
}
# kinds whose figure a community may self-assess (derived and satisfaction come from data)
SELF_ASSESSED = ("yes_no", "count", "ratio", "inspection")
# kinds an inspector's finding may set (it overrides the self-assessment or the data)
INSPECTABLE = ("yes_no", "count", "ratio", "inspection", "derived")


# -- schemes --------------------------------------------------------------------------

def indicators_of(definition):
    """``(category path, indicator)`` for every indicator of a scheme, in order."""
    for category in definition["categories"]:
        for indicator in category.get("indicators", []):
            yield category["name"], indicator
        for sub in category.get("categories", []):
            for indicator in sub["indicators"]:
                yield f"{category['name']} / {sub['name']}", indicator


def indicator_map(definition):
    return {ind["code"]: ind for _path, ind in indicators_of(definition)}


def total_points(definition):
    return round(sum(ind["max_points"] for _path, ind in indicators_of(definition)), 2)


# a scheme serves a whole city or more: a county or town officer may not rewrite it
SCHEME_KEEPER_LEVEL = PREFECTURE


def check_scheme_keeper(area):
    """Refuse a scheme change from an area (a Division; None: everywhere) below city level."""
    if area is not None and area.depth > LEVELS.index(SCHEME_KEEPER_LEVEL):
        raise Forbidden("Schemes are kept at city level or above.",
                        {"role": ["area too narrow for schemes"]})


# what a derived indicator may say it counts, and the fact each applies to
_COUNTED_BY = {"channels": "mediation_success_rate", "body_kinds": "election_held",
               "schedule": "disclosures_on_time", "grace_days": "disclosures_on_time"}


def check_scheme(definition):
    """Cross-field rules a schema cannot state; ValidationFailed naming each problem."""
    errors = {}

    def problem(field, message):
        errors.setdefault(field, []).append(message)

    codes = []
    for category in definition["categories"]:
        codes.append(category["code"])
        if not category.get("indicators") and not category.get("categories"):
            problem("categories", f"{category['code']}: a category needs indicators or "
                                  "sub-categories")
        codes.extend(sub["code"] for sub in category.get("categories", []))
    for _path, ind in indicators_of(definition):
        codes.append(ind["code"])
        field = f"indicators.{ind['code']}"
        kind = ind["kind"]
        if kind == "count" and not ind.get("threshold"):
            problem(field, "a count indicator needs a threshold")
        if kind == "ratio" and not ind.get("target"):
            problem(field, "a ratio indicator needs a target")
        if kind == "derived":
            fact = ind.get("fact")
            if fact not in FACT_MEASURES:
                problem(field, f"a derived indicator names its fact: one of "
                               f"{sorted(FACT_MEASURES)}")
            elif FACT_MEASURES[fact] == "ratio" and not ind.get("target"):
                problem(field, f"{fact} is a share: give a target")
            elif FACT_MEASURES[fact] == "count" and not ind.get("threshold"):
                problem(field, f"{fact} is a count: give a threshold")
        elif ind.get("fact"):
            problem(field, "only a derived indicator names a fact")
        for key, fact in _COUNTED_BY.items():
            if ind.get(key) and ind.get("fact") != fact:
                problem(field, f"{key} are named only on a {fact} indicator")
        _check_records(ind, problem, field)
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problem("categories", f"codes used twice: {', '.join(duplicates)}")
    veto_codes = [v["code"] for v in definition.get("veto_items", [])]
    if len(set(veto_codes)) != len(veto_codes):
        problem("veto_items", "veto item codes must be unique")
    total = total_points(definition)
    for stage in STAGES:
        if definition["pass_thresholds"][stage] > total:
            problem(f"pass_thresholds.{stage}", f"above the scheme's {total} points")
    if errors:
        raise ValidationFailed("The scheme is inconsistent.", errors)


def _check_records(ind, problem, field):
    """A record fact names the record kinds it counts (and may narrow them by kind)."""
    if ind.get("fact") in RECORD_FACTS:
        records = ind.get("records") or []
        unknown = [r for r in records if r not in RECORD_KINDS]
        if not records or unknown:
            problem(field, f"{ind['fact']} names its records: some of {sorted(RECORD_KINDS)}")
    elif ind.get("records") or ind.get("kinds"):
        problem(field, f"records and kinds are named only on a {'/'.join(RECORD_FACTS)} "
                       "indicator")


def choose_scheme(schemes, community_class, economic_tier):
    """The scheme for a class of community: the tier's own if there is one, else the
    class's general scheme; the newest active version. ``schemes`` are mappings."""
    candidates = [s for s in schemes
                  if s["status"] == "active" and s["community_class"] == community_class]
    for tier in ((economic_tier, None) if economic_tier else (None,)):
        matching = [s for s in candidates if s["economic_tier"] == tier]
        if matching:
            return max(matching, key=lambda s: (s["version"], s["id"]))
    return None


def veto_items_met(definition, event_type, data):
    """Codes of the scheme's veto items that an event from another service meets."""
    met = []
    for item in definition.get("veto_items", []):
        for trigger in item.get("triggers", []):
            if trigger["event"] == event_type and all(
                    str(data.get(k)).lower() == str(v).lower()
                    for k, v in trigger.get("match", {}).items()):
                met.append(item["code"])
                break
    return met


# -- scoring ---------------------------------------------------------------------------

def check_figure(indicator, value, by_inspector=False):
    """Refuse a figure that cannot be scored for this indicator (422 on ``value``)."""
    kind = indicator["kind"]
    allowed = INSPECTABLE if by_inspector else SELF_ASSESSED
    if kind not in allowed:
        source = "residents' survey" if kind == "satisfaction" else "other services' data"
        raise ValidationFailed(f"{indicator['code']} is scored from {source}.",
                               {"indicator_code": [f"a {kind} indicator takes no figure "
                                                   "from you"]})
    measure = FACT_MEASURES.get(indicator.get("fact")) if kind == "derived" else kind
    if measure == "yes_no" and value not in (0, 1):
        raise ValidationFailed("A yes/no figure is 1 or 0.", {"value": ["1 (yes) or 0 (no)"]})
    if measure == "ratio" and value > 1:
        raise ValidationFailed("A share lies between 0 and 1.", {"value": ["between 0 and 1"]})
    if measure == "count" and value != int(value):
        raise ValidationFailed("A count is a whole number.", {"value": ["a whole number"]})
    if measure == "inspection" and value > indicator["max_points"]:
        raise ValidationFailed("Points above the indicator's maximum.",
                               {"value": [f"at most {indicator['max_points']}"]})


def _points(measure, indicator, value):
    top = indicator["max_points"]
    if measure == "yes_no":
        return top if value >= 1 else 0.0
    if measure == "count":
        return top * min(1.0, value / indicator["threshold"])
    if measure == "ratio":
        return top * min(1.0, value / indicator["target"])
    return min(top, value)  # inspection: the inspector's points


def score_indicator(indicator, inputs):
    """``(points, value, source, note)`` for one indicator.

    An inspector's finding overrides the self-assessment and the derived data; the
    residents' survey counts only with the scheme's minimum sample.
    """
    code, kind = indicator["code"], indicator["kind"]
    finding = inputs["findings"].get(code)
    if kind == "satisfaction":
        survey, params = inputs["satisfaction"], inputs["parameters"]
        sample, minimum = survey["sample"], params["satisfaction_min_sample"]
        source = f"群众满意度调查：有效答卷 {sample} 份，满意 {survey['satisfied']} 份"
        if survey.get("flagged"):
            source += f"（另有 {survey['flagged']} 份系同一来源集中提交，已标记，不计入）"
        if sample < minimum:
            return 0.0, None, source, f"样本 {sample} 份，少于最低 {minimum} 份"
        rate = survey["satisfied"] / sample
        threshold = params["satisfaction_threshold"]
        points = indicator["max_points"] * min(1.0, rate / threshold)
        return points, round(rate, 4), source, f"满意率达 {threshold} 得满分"
    measure = FACT_MEASURES.get(indicator.get("fact")) if kind == "derived" else kind
    if finding is not None:
        return (_points(measure, indicator, finding["value"]), finding["value"],
                finding["source"], finding.get("note"))
    if kind == "derived":
        # facts are measured per indicator (its channels, body kinds, schedule)
        fact = (inputs["facts"].get(indicator["code"]) or inputs["facts"].get(indicator["fact"])
                or {"value": None, "source": "无数据"})
        if fact.get("applicable") is False:
            return None, None, fact["source"], NOT_APPLICABLE
        if fact["value"] is None:
            return 0.0, None, fact["source"], "本期无数据"
        return _points(measure, indicator, fact["value"]), fact["value"], fact["source"], None
    if kind == "inspection":
        return 0.0, None, "待检查", "仅由检查人员评分"
    evidence = inputs["evidence"].get(code)
    if evidence is None:
        return 0.0, None, "未提交自评", None
    return (_points(measure, indicator, evidence["value"]), evidence["value"],
            evidence["source"], evidence.get("note"))


def stage_of(reorganised_on, period):
    """The campaign stage a community is held to in a period: a reorganised unit starts
    again at year one (the framework) the year its reorganisation takes effect."""
    return campaign_stage(reorganised_on, int(period))


# the explanation texts (source, note) are Simplified Chinese, as everything a person
# reads; a result keeps the text it was scored with until it is recomputed
NOT_APPLICABLE = "不适用：本期无应有事项"


def normalise(raw, applicable_max, total):
    """A score out of the scheme's total when some indicators did not apply: the points
    earned over the maximum that applied, scaled to the total (so thresholds still hold)."""
    if not applicable_max:
        return 0.0
    return round(raw * total / applicable_max, 2) if applicable_max < total else raw


def evaluate(definition, inputs, stage):
    """Score a community for a period with a scheme; every figure says where it came from.

    ``inputs``: ``evidence`` and ``findings`` (indicator code -> value, source, note),
    ``facts`` (fact -> value, source), ``satisfaction`` (sample, satisfied),
    ``parameters`` (the scheme's), ``vetoes`` (list). ``mark`` without the explanation.
    """
    outcome = mark(definition, inputs, stage)
    explained = _explanation(definition, outcome["marks"])
    return {**outcome, "categories": explained["categories"],
            "indicators": explained["indicators"], "normalisation": explained["normalisation"]}


def mark(definition, inputs, stage):
    """The score, pass decision and marks of a community (as ``evaluate``): what a result
    stores. ``marks`` holds, per indicator of the scheme in ``indicators_of`` order,
    ``[points or None where not applicable, value, source, note]``; the explanation
    follows from them and the scheme (``decode_breakdown``)."""
    return marker(definition)(inputs, stage)


def marker(definition):
    """``mark`` with one scheme as a function of ``(inputs, stage)``: its indicators and
    total found once for the many communities a recompute scores with it."""
    indicators = [indicator for _path, indicator in indicators_of(definition)]
    top = 0
    for indicator in indicators:
        top += indicator["max_points"]
    total, thresholds = round(top, 2), definition["pass_thresholds"]

    def mark_with(inputs, stage):
        # summed in the explanation's order from the same start: the same figures to the bit
        marks, raw, applicable_max = [], 0, 0
        for indicator in indicators:
            points, value, source, note = score_indicator(indicator, inputs)
            if points is not None:
                points = round(points, 2)
                raw += points
                applicable_max += indicator["max_points"]
            marks.append([points, value, source, note])
        raw, applicable_max = round(raw, 2), round(applicable_max, 2)
        score = normalise(raw, applicable_max, total)
        threshold = thresholds.get(stage)
        vetoed = bool(inputs["vetoes"])
        passed = not vetoed and threshold is not None and score >= threshold
        return {"score": score, "max_score": total, "stage": stage,
                "pass_threshold": threshold, "passed": passed, "vetoed": vetoed,
                "marks": marks}
    return mark_with


def _explanation(definition, marks):
    """Categories, indicators and normalisation of a score from its marks: one mark
    ``[points or None where not applicable, value, source, note]`` per indicator of the
    scheme, in ``indicators_of`` order."""
    indicators, categories = [], []
    marked = iter(marks)
    for category in definition["categories"]:
        got = top = 0.0
        for path, indicator in indicators_of({"categories": [category]}):
            points, value, source, note = next(marked)
            applicable = points is not None
            points = points if applicable else 0.0
            got += points
            top += indicator["max_points"] if applicable else 0.0
            indicators.append({"code": indicator["code"], "name": indicator["name"],
                               "category": path, "kind": indicator["kind"],
                               "max_points": indicator["max_points"], "points": points,
                               "applicable": applicable, "value": value,
                               "source": source, "note": note})
        categories.append({"code": category["code"], "name": category["name"],
                           "points": round(got, 2), "max_points": round(top, 2)})
    raw = round(sum(i["points"] for i in indicators), 2)
    total = round(sum(i["max_points"] for i in indicators), 2)  # total_points, once
    applicable_max = round(sum(i["max_points"] for i in indicators if i["applicable"]), 2)
    not_applicable = [i for i in indicators if not i["applicable"]]
    normalisation = {
        "raw_score": raw, "applicable_max": applicable_max,
        "not_applicable": [i["code"] for i in not_applicable],
        "note": (f"{'、'.join(i['name'] for i in not_applicable)}不适用：适用项满分 "
                 f"{applicable_max:g} 分，得 {raw:g} 分，折算为 {total:g} 分制"
                 if not_applicable else None)}
    return {"categories": categories, "indicators": indicators,
            "normalisation": normalisation, "total": total}


def stored_breakdown(outcome):
    """What a result keeps of its explanation: the marks and the vetoes. Names, paths,
    points at stake and the sums follow from its scheme, which never changes once used,
    so a province's results are a fifth of the size with every figure they had."""
    return {"marks": outcome["marks"], "vetoes": outcome["vetoes"]}


def decode_breakdown(definition, stored):
    """A result's explanation (categories, indicators, vetoes, normalisation) from what
    it stores and the scheme it was scored with; every reader goes through here. A
    result kept whole (one a migration could not match to its scheme) reads as it is."""
    if "marks" not in stored:
        return stored
    explained = _explanation(definition, stored["marks"])
    return {"categories": explained["categories"], "indicators": explained["indicators"],
            "vetoes": stored["vetoes"], "normalisation": explained["normalisation"]}


def score_changed(previous, current):
    """A new result counts as a change from (0, not passed): nothing to announce for 0."""
    before = (previous["score"], previous["passed"]) if previous else (0.0, False)
    return before != (current["score"], current["passed"])


# -- derived facts -----------------------------------------------------------------------

# village and residents' committees are elected for five years (since the 2018 amendments)
ELECTION_TERM_YEARS = 5


def term_began_after(day):
    """An election held after this day (and by ``day``) opened the term in force on ``day``."""
    return add_years(day, -ELECTION_TERM_YEARS)


def reference_day(period, today):
    """The day a period's facts are read on: its last day, or today while it runs."""
    return min(date(int(period), 12, 31), today)


def share(part, whole):
    return round(part / whole, 4) if whole else None


# -- residents' satisfaction ----------------------------------------------------------------

def respondent_key(secret, community_code, period, respondent_id):
    """A keyed hash standing for one resident in one community and period.

    The raw phone or ID number is never stored; without the secret the key cannot be
    reversed by trying every phone number, and keys of one person in different
    communities or years do not match, so answers cannot be linked across them.
    """
    normalised = re.sub(r"[\s\-]", "", respondent_id).upper()
    if normalised.startswith("+86"):
        normalised = normalised[3:]
    message = f"{community_code}|{period}|{normalised}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def source_key(secret, community_code, period, source):
    """A keyed hash standing for where answers came from (a client's address): bursts
    can be seen without keeping the address."""
    message = f"source|{community_code}|{period}|{source}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def phone_key(secret, community_code, period, phone):
    """A keyed hash standing for the phone a survey code went to: one phone confirms one
    answer per community and period, and the number is not kept."""
    digits = re.sub(r"\D", "", phone)
    message = f"phone|{community_code}|{period}|{digits[-11:]}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_burst(answers_in_window, maximum):
    """More answers from one source within the window than a household or a kiosk gives."""
    return answers_in_window > maximum


def survey_summary(sample, satisfied, parameters, flagged=0):
    minimum = parameters["satisfaction_min_sample"] if parameters else None
    return {"sample_size": sample, "satisfied": satisfied, "flagged": flagged,
            "rate": share(satisfied, sample),
            "min_sample": minimum,
            "threshold": parameters["satisfaction_threshold"] if parameters else None,
            "sufficient": minimum is not None and sample >= minimum}


# -- the random spot check -------------------------------------------------------------------

# the draw itself and its digests live in fazhi_common.draws, shared with the verifier


def areas_above(area):
    """The prefixes of an area and of those above it, the whole country ("") first."""
    return [""] + [unit.prefix for unit in area.lineage()] if area else [""]


def draw_visible(draw_area, area):
    """A draw (kept with its drawer's area prefix) is public to the areas it covers and to
    those above it."""
    return draw_area.startswith(prefix_of(area)) or draw_area in areas_above(area)
