"""Residents' satisfaction through the public portal: a valid ID number, and a burst of
answers from one source flagged and left out of the count (run within test_titles_e2e,
which has the town set up already)."""
from datetime import date

from evaluation import senders
from tests.evaluation.titles_setup import V1, E, ok
from tests.helpers import resident_number, survey_answer

Y = str(date.today().year)


def a_burst_from_one_source_is_flagged_and_not_counted(gateway):
    resident = gateway.anonymous()

    def answer(serial, address):
        return survey_answer(resident, V1, {
            "period": Y, "respondent_id": resident_number(serial), "satisfied": True},
            environ_base={"REMOTE_ADDR": address})

    for serial in range(1, 6):  # five households, five addresses
        ok(answer(serial, f"10.0.0.{serial}"), 201)
    summary = ok(gateway.get(f"{E}/communities/{V1}/survey?period={Y}"))
    assert (summary["sample_size"], summary["flagged"]) == (5, 0)

    # ten from one address within the window still count; the eleventh makes a burst,
    # and every answer of it is flagged
    for serial in range(10, 20):
        ok(answer(serial, "192.0.2.7"), 201)
    assert ok(gateway.get(f"{E}/communities/{V1}/survey?period={Y}"))["sample_size"] == 15
    ok(answer(20, "192.0.2.7"), 201)
    summary = ok(gateway.get(f"{E}/communities/{V1}/survey?period={Y}"))
    assert (summary["sample_size"], summary["flagged"]) == (5, 11)

    made_up = resident_number(30)[:17] + ("1" if resident_number(30)[17] != "1" else "2")
    refused = resident.post(f"{E}/communities/{V1}/survey-answers", json={
        "period": Y, "respondent_id": made_up, "satisfied": True, "phone": "13900000030"})
    assert refused.status_code == 422 and "respondent_id" in refused.json["fields"]
    assert ok(gateway.get(f"{E}/communities/{V1}/survey?period={Y}"))["sample_size"] == 5

    # one phone confirms one resident's answer: made-up ID numbers given the one phone that
    # receives the codes do not add up to residents (issue: 8 of 8 accepted)
    shared = "13900000031"
    ok(survey_answer(resident, V1, {"period": Y, "respondent_id": resident_number(31),
                                    "satisfied": True, "phone": shared}), 201)
    more = resident.post(f"{E}/communities/{V1}/survey-answers", json={
        "period": Y, "respondent_id": resident_number(32), "satisfied": True, "phone": shared})
    assert more.status_code == 409 and "phone" in more.json["fields"], more.json
    # two answers waiting on one phone: once the first is confirmed, the second is not
    other = "13900000033"
    first, second = (ok(survey_answer(resident, V1, {
        "period": Y, "respondent_id": resident_number(serial), "satisfied": True,
        "phone": other}, verify=False), 201) for serial in (33, 34))
    codes = [c for sent_to, c in senders.SENT if sent_to == other][-2:]
    verify = f"{E}/communities/{V1}/survey-answers/verification"
    assert resident.post(verify, json={"receipt": first["receipt"],
                                       "code": codes[0]}).status_code == 200
    refused = resident.post(verify, json={"receipt": second["receipt"], "code": codes[1]})
    assert refused.status_code == 409 and "phone" in refused.json["fields"], refused.json
    summary = ok(gateway.get(f"{E}/communities/{V1}/survey?period={Y}"))
    assert (summary["sample_size"], summary["unverified"]) == (7, 1)
