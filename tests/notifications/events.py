"""Payloads of the events other services announce, as their contracts define them."""
COUNTY = "330110000000"
TOWN = "330110001000"
COMMUNITY = "330110001301"
OTHER_COUNTY = "330122000000"

AREA = {"county_code": COUNTY, "town_code": TOWN, "community_code": COMMUNITY}


def case(event_type_fields=None, **changes):
    data = dict(AREA, case_id=17, mediation_kind="litigation", dispute_category="neighbour",
                organisation_id=3, receiving_department="justice-330110001",
                referrer_department="court-330110", referrer_reference="(2026)浙0110民诉前1号")
    data.update(event_type_fields or {})
    data.update(changes)
    return data


def case_received(**changes):
    return case({"received_on": "2026-03-02"}, **changes)


def case_closed(**changes):
    return case({"outcome": "agreement", "closed_on": "2026-03-20"}, **changes)


def case_overdue(**changes):
    return case({"deadline": "mediation", "due_on": "2026-04-01",
                 "supervising_department": "justice-330110"}, **changes)


def vetoed(**changes):
    return {**AREA, "period": "2026", "veto_id": 5, "veto_item": "mass_incident",
            "reason": "collective petition", "origin": "manual", **changes}


def title_revoked(**changes):
    return {**AREA, "period": "2026", "title_id": 9, "title": "民主法治示范社区",
            "level": "city", "granting_department": "justice-3301", "reason": "veto",
            **changes}


def reorganised(**changes):
    return {**AREA, "reorganisation_id": 2, "reorganisation_kind": "merge",
            "effective_on": "2026-01-01", "source_codes": ["330110001201", "330110001202"],
            "deactivated_codes": ["330110001201", "330110001202"], **changes}
