"""A full year of evaluation for a town, through the real gateway, with the real registry
announcing communities, legal advisers, disclosures and elections to evaluation."""
import hashlib
import io
import random
from datetime import date, timedelta

from openpyxl import load_workbook

from tests.helpers import queued_events, resident_number, survey_answer, wait_until

R = "/api/v1/registry"
E = "/api/v1/evaluation"
COUNTY = "330110000000"
TOWN = "330110001000"
A, B, C = (TOWN[:9] + s for s in ("201", "202", "203"))
TODAY = date.today()
Y = str(TODAY.year)
# everything the community self-assesses in the default village scheme, at full marks
# (what no registry record answers)
SELF_ASSESSED = {"officers_qualified": 1, "work_rules": 1, "supervision_committee_active": 1,
                 "election_procedure": 1, "officials_reviewed": 1, "disclosure_board": 1,
                 "legal_lectures": 4, "work_plan": 1, "archive": 1}


def day(month, d=1):
    """A day of this year, never in the future (the registry refuses future facts)."""
    return min(date(TODAY.year, month, d), TODAY).isoformat()


def due_months():
    """Months whose financial disclosure is due by today (ten days' grace), at least one."""
    due = [m for m in range(1, 12) if date(TODAY.year, m + 1, 1) + timedelta(days=9) < TODAY]
    return due or [1]


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def result(client, code):
    return client.get(f"{E}/results/{code}?period={Y}")


def indicator(explanation, code):
    return next(i for i in explanation["indicators"] if i["code"] == code)


def records_of_a_full_year(gateway, code):
    """The registry's records that answer the other indicators, at full marks."""
    ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": code, "kind": "party_organisation", "secretary_name": "李书记"}), 201)
    meetings = [ok(gateway.post(f"{R}/meetings", json={
        "community_code": code, "kind": "villagers_representative_meeting",
        "held_on": day(month), "eligible": 30, "attended": 25, "agenda": "季度村务"}), 201)
        for month in (1, 4, 7, 10)]
    ok(gateway.post(f"{R}/major-matters", json={
        "community_code": code, "title": "村道硬化", "meeting_id": meetings[0]["id"],
        **{step: day(1) for step in ("proposed_on", "discussed_on", "reviewed_on",
                                     "resolved_on", "resolution_disclosed_on",
                                     "result_disclosed_on")}}), 201)
    ok(gateway.post(f"{R}/conventions", json={"community_code": code, "title": "村规民约",
                                               "adopted_on": day(1)}), 201)
    for n in (1, 2):
        ok(gateway.post(f"{R}/legal-reviews", json={
            "community_code": code, "decision": f"重大事项{n}", "reviewed_on": day(n),
            "reviewer": "王律师", "conclusion": "合法"}), 201)
    for kind, name in (("legal_school", "法制学校"), ("publicity_board", "法制宣传栏")):
        ok(gateway.post(f"{R}/education-places", json={
            "kind": kind, "name": name, "town_code": TOWN, "community_code": code}), 201)
    ok(gateway.post(f"{R}/culture-venues", json={"county_code": COUNTY, "kind": "park",
                                                  "name": "法治公园"}), 201)
    for n in range(6):
        ok(gateway.post(f"{R}/culture-performances", json={
            "community_code": code, "work_title": f"法治小品{n}", "work_kind": "drama",
            "troupe": "文艺队", "performed_on": day(1), "audience": 100}), 201)
    ok(gateway.post(f"{R}/grids", json={"community_code": code, "name": "一网格",
                                         "worker_name": "周", "households": 300,
                                         "established_on": day(1)}), 201)
    ok(gateway.post(f"{R}/funding-lines", json={"community_code": code, "year": TODAY.year,
                                                 "source": "fiscal", "budgeted": 100000}), 201)


def town_with_villages(gateway):
    ok(gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区",
                                            "kind": "district"}), 201)
    ok(gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": COUNTY,
                                         "name": "良渚街道", "kind": "street"}), 201)
    for code, name in ((A, "大陆村"), (B, "安溪村"), (C, "石桥村")):
        ok(gateway.post(f"{R}/communities", json={"code": code, "town_code": TOWN,
                                                   "name": name, "kind": "village"}), 201)
    # the registry's events reach evaluation's own read model: each village is scored
    for code in (A, B, C):
        wait_until(lambda code=code: result(gateway, code).status_code == 200)


def test_a_year_for_a_town(registry, evaluation, gateway, rabbit_config):
    town_with_villages(gateway)

    # -- the scheme: the default for villages, already in use, so an edit is a new version
    [scheme] = ok(gateway.get(f"{E}/schemes?key=default-village"))["items"]
    assert scheme["version"] == 1 and scheme["in_use"] and scheme["total_points"] == 100
    edited = {k: scheme[k] for k in ("key", "name", "community_class", "economic_tier",
                                     "pass_thresholds", "parameters", "categories",
                                     "veto_items")}
    edited["parameters"] = {"satisfaction_min_sample": 3, "satisfaction_threshold": 0.8}
    # this year financial affairs alone are due, monthly (the default also has quarterly
    # party and community disclosures)
    disclosures = next(i for _c in edited["categories"] for sub in _c["categories"]
                       for i in sub["indicators"] if i["code"] == "disclosures_on_time")
    disclosures["schedule"] = {"financial": "monthly"}
    # the town's own veto item, with its source: the registry's failed election proposes it
    edited["veto_items"] = [*edited["veto_items"], {
        "code": "election_failed", "name": "换届选举未能依法完成", "source": "本市考评细则",
        "triggers": [{"event": "election_held", "match": {"result": "failed"}}]}]
    v2 = ok(gateway.post(f"{E}/schemes/{scheme['id']}/revisions", json=edited), 202)
    assert v2["version"] == 2 and v2["supersedes_id"] == scheme["id"]
    # the results pinned to version 1 move to version 2 in a background job
    job = wait_until(lambda: (ok(gateway.get(f"{E}/jobs/{v2['job']['id']}"))
                              if ok(gateway.get(f"{E}/jobs/{v2['job']['id']}"))["status"]
                              in ("done", "failed") else None), timeout=30)
    assert job["status"] == "done" and job["done"] == job["total"] >= 1, job
    assert ok(gateway.get(f"{E}/schemes/{scheme['id']}"))["status"] == "superseded"
    assert ok(result(gateway, A))["scheme_version"] == 2
    # the superseded version cannot change any more
    stale = gateway.post(f"{E}/schemes/{scheme['id']}/revisions", json=edited)
    assert stale.status_code == 409

    # -- derived facts from the registry: adviser, election, disclosure -------------------
    ok(gateway.post(f"{R}/legal-advisers", json={
        "community_code": A, "adviser_name": "王律师", "adviser_kind": "lawyer",
        "assigned_on": day(1, 5)}), 201)
    body = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": A, "kind": "villagers_committee"}), 201)
    ok(gateway.post(f"{R}/governance-bodies/{body['id']}/elections", json={
        "held_on": day(3), "eligible_voters": 900, "votes_cast": 800,
        "result": "elected"}), 201)
    for month in due_months():
        ok(gateway.post(f"{R}/disclosures", json={
            "community_code": A, "kind": "financial", "period": f"{Y}-{month:02d}",
            "disclosed_on": day(month + 1, 3) if month < 12 else day(12, 31)}), 201)
    # 6 + 5 + 7 of the 90 points that apply (no mediation case, no major matter: not
    # applicable), of 100
    wait_until(lambda: result(gateway, A).json["score"] == 20.0)

    # -- evidence through the year --------------------------------------------------------
    evaluator = gateway.as_role("evaluator", TOWN)
    for code, value in SELF_ASSESSED.items():
        ok(evaluator.post(f"{E}/evidence", json={
            "community_code": A, "period": Y, "indicator_code": code, "value": value,
            "attachments": [f"doc://{A}/{code}.pdf"]}), 201)
    ok(evaluator.post(f"{E}/evidence", json={
        "community_code": B, "period": Y, "indicator_code": "disclosure_board", "value": 1}),
       201)
    # what a record answers is not entered again
    again = evaluator.post(f"{E}/evidence", json={
        "community_code": A, "period": Y, "indicator_code": "legal_school", "value": 1})
    assert again.status_code == 422
    records_of_a_full_year(gateway, A)
    # 18 + 32 from the registry's records + 28 self-assessed, of 94 (a major matter now)
    wait_until(lambda: result(gateway, A).json["score"] == 82.98, timeout=20)

    # -- residents' satisfaction through the public portal ------------------------------
    resident = gateway.anonymous()
    for serial in (1, 2):  # answered, and the code from the phone given back
        answered = ok(survey_answer(resident, A, {
            "period": Y, "respondent_id": resident_number(serial), "satisfied": True}), 201)
        assert answered["accepted"] and not answered["verified"]
        assert answered["code_sent_to"].startswith("139") and "****" in answered["code_sent_to"]
    # an answer whose code never comes back is kept but does not count: a made-up ID
    # number alone sets no score
    pending = ok(survey_answer(resident, A, {
        "period": Y, "respondent_id": resident_number(3), "satisfied": False},
        verify=False), 201)
    wrong = resident.post(f"{E}/communities/{A}/survey-answers/verification",
                          json={"receipt": pending["receipt"], "code": "000000"})
    assert wrong.status_code == 422 and "code" in wrong.json["fields"]
    again = resident.post(f"{E}/communities/{A}/survey-answers", json={
        "period": Y, "respondent_id": f" {resident_number(3).lower()} ", "satisfied": False,
        "phone": "13900000003"})
    assert again.status_code == 409
    # and one on paper, entered by the town's evaluator: counted at once, the official named
    paper = ok(evaluator.post(f"{E}/communities/{A}/paper-survey-answers", json={
        "period": Y, "respondent_id": resident_number(4), "satisfied": True,
        "collected_on": day(6)}), 201)
    assert paper["verified"]
    survey = ok(gateway.get(f"{E}/communities/{A}/survey?period={Y}"))
    assert (survey["sample_size"], survey["rate"], survey["sufficient"]) == (3, 1.0, True)
    assert survey["unverified"] == 1 and survey["by_channel"] == {"portal": 2, "paper": 1}
    wait_until(lambda: result(gateway, A).json["score"] == 91.49)  # 86 of 94

    # -- a random spot check: committed first, then revealed, re-run by anyone -----------
    inspector = gateway.as_role("inspector", COUNTY)
    committed = ok(inspector.post(f"{E}/spot-checks", json={"period": Y, "per_county": 1}),
                   201)
    assert committed["eligible"] == {COUNTY: [A, B, C]} and committed["status"] == "committed"
    assert committed["seed"] is None and committed["sample"] is None
    draw = ok(inspector.post(f"{E}/spot-checks/{committed['id']}/reveal"))
    assert hashlib.sha256(draw["seed"].encode()).hexdigest() == committed["seed_hash"]
    assert draw["sample"] == {COUNTY: sorted(random.Random(
        f"{draw['seed']}:{COUNTY}").sample(sorted(draw["eligible"][COUNTY]), 1))}
    drawn = draw["sample"][COUNTY][0]
    assert ok(gateway.get(f"{E}/spot-checks/{draw['id']}")) == draw
    not_drawn = next(c for c in (A, B, C) if c != drawn)
    refused = inspector.post(f"{E}/inspections", json={
        "community_code": not_drawn, "period": Y, "kind": "spot_check",
        "draw_id": draw["id"], "held_on": day(6),
        "findings": [{"indicator_code": "organisations_sound", "value": 2}]})
    assert refused.status_code == 422 and "draw_id" in refused.json["fields"]
    ok(inspector.post(f"{E}/inspections", json={
        "community_code": drawn, "period": Y, "kind": "spot_check", "draw_id": draw["id"],
        "held_on": day(6), "findings": [{"indicator_code": "organisations_sound",
                                         "value": 1.5}]}), 201)

    # -- a special inspection of A: points given, and one self-assessment overridden -------
    inspection = ok(inspector.post(f"{E}/inspections", json={
        "community_code": A, "period": Y, "kind": "special", "held_on": day(7),
        "summary": "实地检查", "findings": [
            {"indicator_code": "organisations_sound", "value": 4},
            {"indicator_code": "culture_inspection", "value": 3.5},
            {"indicator_code": "grid_management", "value": 0, "note": "网格员未到岗"}]}), 201)
    explanation = ok(result(gateway, A))
    assert explanation["score"] == 95.21  # 86 + 4 + 3.5 - 4 = 89.5 of 94, of 100
    assert explanation["normalisation"]["raw_score"] == 89.5
    assert explanation["normalisation"]["applicable_max"] == 94
    assert explanation["normalisation"]["not_applicable"] == ["mediation_success"]
    grid = indicator(explanation, "grid_management")
    assert grid["points"] == 0 and f"专项检查 #{inspection['id']}（" in grid["source"]
    assert indicator(explanation, "legal_adviser")["source"].startswith("登记：法律顾问 王律师")
    assert "有效答卷 3 份，满意 3 份" in indicator(explanation, "residents_satisfaction")["source"]
    assert "法制学校（法治宣传教育阵地 #" in indicator(explanation, "legal_school")["source"]
    assert "法治公园（法治文化阵地 #" in indicator(explanation, "culture_venue")["source"]
    mediation = indicator(explanation, "mediation_success")
    assert not mediation["applicable"] and mediation["note"] == "不适用：本期无应有事项"
    assert "（人民调解）" in mediation["source"]
    disclosed = indicator(explanation, "disclosures_on_time")
    assert disclosed["points"] == 7 and disclosed["applicable"]
    assert explanation["passed"] and explanation["stage"] == "full_compliance"
    assert sum(c["points"] for c in explanation["categories"]) == 89.5

    # -- rankings, report and the Excel export --------------------------------------------
    ranking = ok(gateway.get(f"{E}/rankings?period={Y}&town_code={TOWN}"))
    assert [i["community_code"] for i in ranking["items"]][0] == A
    assert ranking["items"][0]["rank"] == 1 and ranking["total"] == 3
    report = ok(gateway.get(f"{E}/reports?period={Y}&county_code={COUNTY}"))
    [county] = report["counties"]
    assert (county["communities"], county["evaluated"], county["passed"]) == (3, 3, 1)
    assert county["towns"][0]["town_code"] == TOWN
    export = gateway.get(f"{E}/exports/results.xlsx?period={Y}&county_code={COUNTY}")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(export.data))
    rows = list(book.active.values)
    assert rows[1][1] == A and rows[1][6] == 95.21
    assert any(r[0] == A and r[2] == "群众满意度" for r in book["indicators"].values)

    # -- an award, a prerequisite, a revocation -------------------------------------------
    officer = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    civil = gateway.as_role("civil_affairs_officer", COUNTY, department="civil-330110")
    before = ok(gateway.get(f"{E}/communities/{A}/prerequisite?title=safe_community"))
    assert not before["eligible"]
    award = {"community_code": A, "period": Y, "level": "county", "awarded_on": day(8)}
    ok(officer.post(f"{E}/titles", json=award), 201)
    title = ok(civil.post(f"{E}/titles", json=award), 201)
    assert title["status"] == "held"
    assert title["granting_department"] == "justice-330110 / civil-330110"
    assert title["history"][0]["action"] == "awarded"
    # a county's officers name county titles, not the city's
    above = officer.post(f"{E}/titles", json={**award, "level": "city"})
    assert above.status_code == 403 and "level" in above.json["fields"]
    after = ok(gateway.get(f"{E}/communities/{A}/prerequisite?title=safe_community"))
    assert after["eligible"] and after["qualifying_title_id"] == title["id"]
    city_officer = gateway.as_role("justice_officer", "330100000000",
                                   department="justice-3301")
    city_civil = gateway.as_role("civil_affairs_officer", "330100000000",
                                 department="civil-3301")
    ok(city_officer.post(f"{E}/titles", json={**award, "level": "city"}), 201)
    city_title = ok(city_civil.post(f"{E}/titles", json={**award, "level": "city"}), 201)
    # only the departments of a title's level revoke it
    below = officer.post(f"{E}/titles/{city_title['id']}/revocation", json={
        "reason": "申报材料不实", "revoked_on": day(9)})
    assert below.status_code == 403 and "title_id" in below.json["fields"]
    for department in (city_officer, city_civil):
        revoked = ok(department.post(f"{E}/titles/{city_title['id']}/revocation", json={
            "reason": "申报材料不实", "revoked_on": day(9)}))
    assert revoked["status"] == "revoked" and revoked["end_reason"] == "申报材料不实"
    assert [h["action"] for h in revoked["history"]] == ["awarded", "revoked"]
    # no wait before naming it again unless local policy sets one (none here)
    again = ok(city_officer.post(f"{E}/titles", json={**award, "level": "city",
                                                      "awarded_on": day(9)}), 201)
    assert again["status"] == "proposed"

    # -- re-evaluation falls due: the schedule announces it once -----------------------------
    due_day = (date.fromisoformat(title["re_evaluation_due_on"]) - timedelta(days=10))
    run = ok(gateway.post(f"{E}/re-evaluation-schedule/runs",
                          json={"today": due_day.isoformat()}))
    assert run["notified"] == [title["id"]]
    assert ok(gateway.post(f"{E}/re-evaluation-schedule/runs",
                           json={"today": due_day.isoformat()}))["notified"] == []

    # -- a veto: the community fails the period whatever its score, and loses its title ----
    veto = ok(officer.post(f"{E}/vetoes", json={
        "community_code": A, "period": Y, "veto_item": "mass_incident",
        "reason": "发生集体越级上访", "evidence": ["信访局通报 2026-15号"]}), 201)
    assert veto["origin"] == "manual"
    vetoed = ok(result(gateway, A))
    assert vetoed["vetoed"] and not vetoed["passed"] and vetoed["score"] == 95.21
    assert vetoed["vetoes"][0]["veto_item"] == "mass_incident"
    held = ok(gateway.get(f"{E}/titles/{title['id']}"))
    assert held["status"] == "revoked" and held["end_reason"].startswith("一票否决")
    assert "发生集体越级上访" in held["end_reason"]
    assert [h["action"] for h in held["history"]] == ["awarded", "re_evaluation_due",
                                                      "revoked"]
    assert not ok(gateway.get(f"{E}/communities/{A}/prerequisite?title=beautiful_village"))[
        "eligible"]
    ranking = ok(gateway.get(f"{E}/rankings?period={Y}&town_code={TOWN}"))
    assert ranking["items"][-1]["community_code"] == A  # vetoed ranks last

    # -- a failed election announced by the registry proposes a veto; an officer decides ----
    body_c = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": C, "kind": "villagers_committee"}), 201)
    ok(gateway.post(f"{R}/governance-bodies/{body_c['id']}/elections", json={
        "held_on": day(4), "eligible_voters": 500, "votes_cast": 100,
        "result": "failed"}), 201)
    [auto] = wait_until(lambda: gateway.get(f"{E}/vetoes?community_code={C}").json["items"])
    assert auto["veto_item"] == "election_failed" and auto["origin"] == "election_held"
    assert auto["status"] == "proposed" and not ok(result(gateway, C))["vetoed"]
    confirmed = ok(officer.post(f"{E}/vetoes/{auto['id']}/decision", json={
        "decision": "confirm", "reason": "未组织另行选举"}))
    assert confirmed["status"] == "confirmed" and confirmed["decided_by"]
    assert ok(result(gateway, C))["vetoed"]

    # -- what other departments hear ---------------------------------------------------------
    uri = rabbit_config["AMQP_URI"]

    def heard(event_type, expect=1):
        return queued_events(uri, "evaluation", event_type, "notifications", expect=expect)
    assert {e["data"]["community_code"] for e in heard("evaluation_score_changed", 20)} >= {A}
    assert [e["data"]["veto_item"] for e in heard("community_vetoed", 2)] == [
        "mass_incident", "election_failed"]
    assert [e["data"]["level"] for e in heard("title_awarded", 2)] == ["county", "city"]
    assert [e["data"]["title_id"] for e in heard("title_revoked", 2)] == [
        city_title["id"], title["id"]]
    assert heard("re_evaluation_due")[0]["data"]["title_id"] == title["id"]
