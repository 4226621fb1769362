"""Spot-check draws, committed before they are made, checked by anyone: through the real
gateway with the real registry and evaluation, and the offline verifier run as a command."""
import copy
import json
import subprocess
import sys

import pytest

from fazhi_common import draws
from tests.evaluation.test_bad_paths_e2e import OTHER, OTHER_COUNTY
from tests.evaluation.test_bad_paths_e2e import town as town  # noqa: F401 (the fixture)
from tests.evaluation.test_year_e2e import COUNTY, A, B, C, E, Y, ok
from tests.helpers import queued_events

PUBLIC = f"{E}/public/draws"


def verify_offline(record, tmp_path, name="draw.json"):
    """``fazhi-draw verify FILE`` on a saved copy of the public JSON, as its own process."""
    path = tmp_path / name
    path.write_text(json.dumps(record), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "fazhi_common.draws", "verify", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_commit_reveal_and_verify_without_an_account(town, tmp_path):
    gateway = town
    inspector = gateway.as_role("inspector", COUNTY)
    anyone = gateway.anonymous()
    committed = ok(inspector.post(f"{E}/spot-checks", json={"period": Y, "per_county": 2}),
                   201)
    # the commitment is public at once: the list and its digest, the seed's hash only
    public = ok(anyone.get(f"{PUBLIC}/{committed['id']}"))
    assert public["status"] == "committed" and public["method"] == draws.METHOD
    assert public["eligible"] == {COUNTY: [A, B, C]}
    assert public["eligible_digest"] == draws.eligible_digest({COUNTY: [A, B, C]})
    assert public["seed"] is None and public["sample"] is None
    assert len(public["seed_hash"]) == 64
    checked = verify_offline(public, tmp_path)
    assert checked.returncode == 0 and "not yet revealed" in checked.stdout, checked.stderr
    # nothing drawn yet chooses anyone to inspect
    early = inspector.post(f"{E}/inspections", json={
        "community_code": A, "period": Y, "kind": "spot_check", "draw_id": committed["id"],
        "held_on": f"{Y}-01-01", "findings": [{"indicator_code": "organisations_sound",
                                               "value": 3}]})
    assert early.status_code == 422 and "draw_id" in early.json["fields"]

    revealed = ok(inspector.post(f"{E}/spot-checks/{committed['id']}/reveal"))
    public = ok(anyone.get(f"{PUBLIC}/{committed['id']}"))
    assert public == revealed and public["status"] == "revealed"
    assert public["seed_hash"] == committed["seed_hash"]  # the seed is the one committed to
    assert draws.verify(public) == []
    assert len(public["sample"][COUNTY]) == 2
    checked = verify_offline(public, tmp_path)
    assert checked.returncode == 0 and f"draw {public['id']} verifies" in checked.stdout

    # a tampered copy does not verify, and the command says what differs
    def tampered(change):
        copied = copy.deepcopy(public)
        change(copied)
        return verify_offline(copied, tmp_path, "tampered.json")

    spare = next(c for c in (A, B, C) if c not in public["sample"][COUNTY])
    for change, says in (
            (lambda r: r["sample"][COUNTY].__setitem__(0, spare), f"county {COUNTY}"),
            (lambda r: r["eligible"][COUNTY].remove(spare), "eligible list"),
            (lambda r: r["eligible"][COUNTY].append(OTHER), "eligible list"),
            (lambda r: r.update(seed=r["seed"][::-1]), "seed does not match")):
        failed = tampered(change)
        assert failed.returncode == 1 and says in failed.stderr, failed.stderr

    # the draw happens once: a second reveal is refused, the sample stays
    again = inspector.post(f"{E}/spot-checks/{committed['id']}/reveal")
    assert again.status_code == 409 and again.json["code"] == "conflict"
    assert ok(anyone.get(f"{PUBLIC}/{committed['id']}"))["sample"] == public["sample"]
    assert anyone.get(f"{PUBLIC}/999999").status_code == 404
    described = ok(anyone.get("/api/v1/openapi.json"))["paths"]
    assert described[f"{PUBLIC}/{{draw_id}}"]["get"]["security"] == []  # no login
    unknown = inspector.post(f"{E}/spot-checks/999999/reveal")  # never committed
    assert unknown.status_code == 404


def test_a_redraw_is_a_recorded_public_act_with_a_reason(town, tmp_path, rabbit_config):
    gateway = town
    officer = gateway.as_role("justice_officer", COUNTY)
    anyone = gateway.anonymous()
    first = ok(officer.post(f"{E}/spot-checks", json={"period": Y, "per_county": 1}), 201)
    ok(officer.post(f"{E}/spot-checks/{first['id']}/reveal"))
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}):
        refused = officer.post(f"{E}/spot-checks/{first['id']}/redraws", json=body)
        assert refused.status_code == 422 and "reason" in refused.json["fields"]
    assert ok(anyone.get(f"{PUBLIC}/{first['id']}"))["status"] == "revealed"  # unchanged

    reason = "抽中的村已于本年度接受专项检查"
    second = ok(officer.post(f"{E}/spot-checks/{first['id']}/redraws",
                             json={"reason": reason}), 201)
    assert second["status"] == "committed" and second["redraw_of_id"] == first["id"]
    assert second["seed_hash"] != first["seed_hash"]
    old = ok(anyone.get(f"{PUBLIC}/{first['id']}"))
    assert (old["status"], old["superseded_reason"], old["redrawn_as_id"]) == (
        "superseded", reason, second["id"])
    assert old["superseded_by"] == f"justice_officer-{COUNTY}-test" and old["superseded_at"]
    assert old["sample"] is not None and draws.verify(old) == []  # still checkable
    assert verify_offline(old, tmp_path).returncode == 0
    new = ok(anyone.get(f"{PUBLIC}/{second['id']}"))
    assert [(h["id"], h["status"], h["superseded_reason"]) for h in new["history"]] == [
        (first["id"], "superseded", reason), (second["id"], "committed", None)]
    # a superseded draw is neither revealed, redrawn again nor inspected from
    assert officer.post(f"{E}/spot-checks/{first['id']}/reveal").status_code == 409
    assert officer.post(f"{E}/spot-checks/{first['id']}/redraws",
                        json={"reason": "again"}).status_code == 409
    drawn = old["sample"][COUNTY][0]
    stale = gateway.as_role("inspector", COUNTY).post(f"{E}/inspections", json={
        "community_code": drawn, "period": Y, "kind": "spot_check", "draw_id": first["id"],
        "held_on": f"{Y}-01-01", "findings": [{"indicator_code": "organisations_sound",
                                               "value": 3}]})
    assert stale.status_code == 422 and "draw_id" in stale.json["fields"]
    revealed = ok(officer.post(f"{E}/spot-checks/{second['id']}/reveal"))
    assert draws.verify(revealed) == []
    assert {d["id"]: d["status"] for d in ok(officer.get(f"{E}/spot-checks"))["items"]} == {
        first["id"]: "superseded", second["id"]: "revealed"}
    # the county's subscribers heard each act, the commitment before the reveal
    heard = queued_events(rabbit_config["AMQP_URI"], "evaluation", "spot_check_announced",
                          "notifications", expect=5)
    assert [(e["data"]["draw_id"], e["data"]["act"]) for e in heard] == [
        (first["id"], "committed"), (first["id"], "revealed"), (second["id"], "committed"),
        (first["id"], "superseded"), (second["id"], "revealed")]
    assert {e["data"]["county_code"] for e in heard} == {COUNTY}
    assert heard[0]["data"]["seed"] is None
    assert heard[0]["data"]["seed_hash"] == first["seed_hash"]
    assert heard[3]["data"]["reason"] == reason
    assert heard[4]["data"]["drawn_here"] == revealed["sample"][COUNTY]


@pytest.mark.parametrize("role", ["justice_officer", "inspector"])
def test_no_one_draws_or_redraws_outside_their_area(town, role):
    gateway = town
    drawer = gateway.as_role(role, COUNTY)
    outside = drawer.post(f"{E}/spot-checks", json={"period": Y, "per_county": 1,
                                                     "county_codes": [OTHER_COUNTY]})
    assert outside.status_code == 403 and "county_codes" in outside.json["fields"]
    # a draw of the city above: the county sees it, may not reveal or redraw it
    city = ok(gateway.as_role("justice_officer", "330100000000").post(
        f"{E}/spot-checks", json={"period": Y, "per_county": 1}), 201)
    assert set(city["eligible"]) == {COUNTY, OTHER_COUNTY}
    assert drawer.post(f"{E}/spot-checks/{city['id']}/reveal").status_code == 403
    assert drawer.post(f"{E}/spot-checks/{city['id']}/redraws",
                       json={"reason": "x"}).status_code == 403
    # another county's draw does not exist for it
    neighbour = ok(gateway.as_role(role, OTHER_COUNTY).post(
        f"{E}/spot-checks", json={"period": Y, "per_county": 1}), 201)
    assert neighbour["eligible"] == {OTHER_COUNTY: [OTHER]}
    assert drawer.post(f"{E}/spot-checks/{neighbour['id']}/reveal").status_code == 404
    # a viewer or an anonymous caller only looks
    assert gateway.as_role("viewer", COUNTY).post(
        f"{E}/spot-checks", json={"period": Y, "per_county": 1}).status_code == 403
    assert gateway.anonymous().post(f"{E}/spot-checks/{neighbour['id']}/reveal"
                                    ).status_code == 401
    assert gateway.anonymous().get(f"{PUBLIC}/{neighbour['id']}").status_code == 200
