"""Residents' satisfaction through the public portal: a valid ID number, and a burst of
answers from one source flagged and left out of the count (run within test_titles_e2e,
which has the town set up already)."""
from datetime import date

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
