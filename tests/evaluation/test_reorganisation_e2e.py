"""Convert (转), federate (联) and merge (并) end to end: the registry's lineage both ways
and the campaign stage, and what becomes of the villages' titles in evaluation."""
from datetime import date

from tests.evaluation.titles_setup import (
    COUNTY,
    PROVINCE,
    TOWN,
    V1,
    V2,
    V3,
    E,
    K,
    R,
    award,
    officer,
    ok,
    town,
)
from tests.helpers import wait_until

TODAY = date.today()
Y = str(TODAY.year)
AWARDED = TODAY.isoformat()
NEW = "330110001101"  # the community a merge makes
CONVERTED = "330110001102"  # the community a convert makes


def _title(gateway, title_id):
    return ok(gateway.get(f"{E}/titles/{title_id}"))


def _stages(gateway, code):
    return [ok(gateway.get(f"{R}/communities/{code}/stage?year={y}"))["stage"]
            for y in (TODAY.year - 1, TODAY.year, TODAY.year + 1, TODAY.year + 2)]


def test_convert_keeps_the_title_and_a_merge_waits_for_a_decision(registry, evaluation,
                                                                  gateway):
    town(gateway, Y)
    province, county = officer(gateway, PROVINCE), officer(gateway, COUNTY)
    _convert_keeps_the_title_on_the_renamed_unit(gateway, county)
    _merge_waits_for_a_decision_at_the_titles_level(gateway, province, county)


def test_federated_villages_keep_their_titles_until_a_decision(registry, evaluation,
                                                               gateway):
    town(gateway, Y)
    county = officer(gateway, COUNTY)
    kept, moved, cancelled = (award(county, code, "county", Y, AWARDED)
                              for code in (V1, V2, V3))
    # V1 stays outside the federation
    federated = ok(gateway.post(f"{R}/reorganisations", json={
        "kind": "federate", "effective_on": AWARDED, "source_codes": [V2, V3],
        "result_code": K}), 201)
    assert federated["result_code"] == K

    for code in (V2, V3):
        village = ok(gateway.get(f"{R}/communities/{code}"))
        assert (village["status"], village["federated_into"]) == ("active", K)
        became = ok(gateway.get(f"{R}/communities/{code}/lineage"))["became"]
        assert [(b["kind"], b["result_code"]) for b in became] == [("federate", K)]
    made_of = ok(gateway.get(f"{R}/communities/{K}/lineage"))["made_of"]
    assert [(m["kind"], m["source_codes"]) for m in made_of] == [("federate", [V2, V3])]
    assert _stages(gateway, K)[:2] == ["not_yet_formed", "framework"]

    # the villages keep their identity and titles; the reorganisation is noted on them
    for title in (moved, cancelled):
        noted = wait_until(lambda t=title: (x := _title(gateway, t["id"]))[
            "reorganised_into"] == K and x, timeout=30)
        assert noted["status"] == "held" and noted["history"][-1]["action"] == "federated"
    assert _title(gateway, kept["id"])["reorganised_into"] is None

    decision = {"decision": "transfer", "reason": "联村后由社区统一创建",
                "decided_on": AWARDED}
    transferred = ok(county.post(f"{E}/titles/{moved['id']}/reorganisation-decision",
                                 json=decision))
    assert (transferred["community_code"], transferred["status"]) == (K, "held")
    assert transferred["history"][-1]["action"] == "transferred"
    # K now holds the title at county level: a second transfer there is refused
    twice = county.post(f"{E}/titles/{cancelled['id']}/reorganisation-decision",
                        json=decision)
    assert twice.status_code == 409 and "decision" in twice.json["fields"]
    ended = ok(county.post(f"{E}/titles/{cancelled['id']}/reorganisation-decision",
                           json={**decision, "decision": "cancel"}))
    assert ended["status"] == "cancelled" and "330110001001" in ended["end_reason"]

    # bad paths: no reorganisation to decide on, a decided title, a bad decision
    for title_id in (kept["id"], cancelled["id"]):
        refused = county.post(f"{E}/titles/{title_id}/reorganisation-decision",
                              json=decision)
        assert refused.status_code == 409
    bad = county.post(f"{E}/titles/{moved['id']}/reorganisation-decision",
                      json={**decision, "decision": "keep"})
    assert bad.status_code == 422 and "decision" in bad.json["fields"]


def _convert_keeps_the_title_on_the_renamed_unit(gateway, county):
    title = award(county, V3, "county", Y, AWARDED)

    converted = ok(gateway.post(f"{R}/reorganisations", json={
        "kind": "convert", "effective_on": AWARDED, "source_codes": [V3],
        "result_code": CONVERTED, "new_unit": {"name": "石桥社区", "kind": "rural_community",
                                         "town_code": TOWN}}), 201)
    assert converted["kind"] == "convert" and converted["source_codes"] == [V3]

    # lineage both ways, and the village is no longer a unit of its own
    became = ok(gateway.get(f"{R}/communities/{V3}/lineage"))["became"]
    assert [(b["kind"], b["result_code"]) for b in became] == [("convert", CONVERTED)]
    made_of = ok(gateway.get(f"{R}/communities/{CONVERTED}/lineage"))["made_of"]
    assert [(m["kind"], m["source_codes"]) for m in made_of] == [("convert", [V3])]
    assert ok(gateway.get(f"{R}/communities/{V3}"))["status"] == "inactive"
    assert _stages(gateway, CONVERTED) == ["not_yet_formed", "framework", "deepening",
                                     "full_compliance"]

    # the title follows the unit: held, on the new code, never cancelled
    carried = wait_until(lambda: (t := _title(gateway, title["id"]))["community_code"] == CONVERTED
                         and t, timeout=30)
    assert carried["status"] == "held" and carried["ended_on"] is None
    assert [h["action"] for h in carried["history"]] == ["awarded", "carried"]
    assert ok(gateway.get(f"{E}/titles?community_code={CONVERTED}"))["total"] == 1
    assert ok(gateway.get(f"{E}/titles?community_code={V3}"))["total"] == 0
    stage = ok(gateway.get(f"{E}/results/{CONVERTED}?period={Y}"))["stage"]
    assert stage == "framework"
    assert ok(gateway.get(f"{E}/communities/{CONVERTED}/prerequisite?title=safe_community"))[
        "eligible"]
    # a convert cannot take the unit it made, nor an inactive village
    again = gateway.post(f"{R}/reorganisations", json={
        "kind": "convert", "effective_on": AWARDED, "source_codes": [V3],
        "result_code": "330110001103", "new_unit": {"name": "再转社区",
                                                   "kind": "rural_community",
                                                   "town_code": TOWN}})
    assert again.status_code == 409



def _merge_waits_for_a_decision_at_the_titles_level(gateway, province, county):
    provincial = award(province, V1, "province", Y, AWARDED)
    ok(gateway.post(f"{R}/reorganisations", json={
        "kind": "merge", "effective_on": AWARDED, "source_codes": [V1, V2],
        "result_code": NEW, "new_unit": {"name": "良渚新社区", "kind": "rural_community",
                                         "town_code": TOWN}}), 201)
    waiting = wait_until(lambda: (t := _title(gateway, provincial["id"]))[
        "status"] == "pending_decision" and t, timeout=30)
    assert waiting["reorganised_into"] == NEW and waiting["community_code"] == V1
    # not held while undecided
    assert ok(gateway.get(f"{E}/titles?community_code={V1}&status=held"))["total"] == 0

    decision = {"decision": "transfer", "reason": "合并后保留称号", "decided_on": AWARDED}
    below = county.post(f"{E}/titles/{provincial['id']}/reorganisation-decision",
                        json=decision)
    assert below.status_code == 403
    moved = ok(province.post(f"{E}/titles/{provincial['id']}/reorganisation-decision",
                             json=decision))
    assert (moved["community_code"], moved["status"]) == (NEW, "held")
    assert [h["action"] for h in moved["history"]] == ["awarded", "pending_decision",
                                                       "transferred"]
    made_of = ok(gateway.get(f"{R}/communities/{NEW}/lineage"))["made_of"]
    assert made_of[0]["source_codes"] == [V1, V2]
