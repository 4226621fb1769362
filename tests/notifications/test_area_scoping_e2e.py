"""One department string given to offices of two counties, or of two towns of a county:
each office reaches only the subscriptions, alerts and deliveries of its own area, and a
change is checked against where the row IS, not only where it is asked to go."""
from tests.notifications import events as ev
from tests.notifications.test_inbox_e2e import _inbox, _wait_for_inbox

N = "/api/v1/notifications"
OTHER_TOWN = "330110002000"
HOOK = {"event_types": ["mediation_case_received"], "channel": "webhook",
        "webhook_url": "https://court.example/a", "webhook_secret": "0123456789abcdef"}


def _office(gateway, area):
    return gateway.as_role("linked_department_officer", area, department="court")


def _refused_everything(intruder, owner, sub_id, own_area):
    """``intruder`` cannot read, move, delete or list ``owner``'s subscription."""
    before = owner.get(f"{N}/subscriptions/{sub_id}").json
    assert intruder.get(f"{N}/subscriptions/{sub_id}").status_code == 404
    moved = intruder.patch(f"{N}/subscriptions/{sub_id}", json={
        "area_code": own_area, "webhook_url": "https://evil.example/x"})
    assert moved.status_code == 404, moved.json
    assert intruder.delete(f"{N}/subscriptions/{sub_id}").status_code == 404
    assert sub_id not in [s["id"] for s in intruder.get(f"{N}/subscriptions").json["items"]]
    assert owner.get(f"{N}/subscriptions/{sub_id}").json == before


def test_two_counties_and_two_towns_with_one_department_string(notifications, gateway,
                                                               publisher):
    county, other_county = _office(gateway, ev.COUNTY), _office(gateway, ev.OTHER_COUNTY)
    town, other_town = _office(gateway, ev.TOWN), _office(gateway, OTHER_TOWN)
    county_sub = county.post(f"{N}/subscriptions", json=HOOK).json["id"]
    town_sub = town.post(f"{N}/subscriptions", json=dict(HOOK, channel="inbox",
                                                        webhook_url=None,
                                                        webhook_secret=None)).json["id"]
    _refused_everything(other_county, county, county_sub, ev.OTHER_COUNTY)
    _refused_everything(other_town, town, town_sub, OTHER_TOWN)
    _refused_everything(town, county, county_sub, ev.TOWN)  # the county's, not the town's
    assert county.get(f"{N}/subscriptions/{town_sub}").status_code == 200  # within it

    # an alert of the town: the other county and the other town neither see nor mark it
    publisher("mediation").publish("mediation_case_received", ev.case_received())
    [alert] = _wait_for_inbox(town, 1)["items"]
    for outsider in (other_county, other_town):
        assert alert["id"] not in [a["id"] for a in _inbox(outsider)["items"]]
        assert outsider.get(f"{N}/inbox/unread-count").json["unread"] == 0
        assert outsider.post(f"{N}/inbox/{alert['id']}/acknowledge").status_code == 404
    assert county.post(f"{N}/inbox/{alert['id']}/acknowledge").status_code == 200

    # the county's webhook delivery: not in the other county's log, not replayable by it
    deliveries = county.get(f"{N}/deliveries").json["items"]
    assert deliveries and all(d["subscription_id"] == county_sub for d in deliveries)
    assert other_county.get(f"{N}/deliveries").json["items"] == []
    delivery = deliveries[0]["id"]
    assert other_county.get(f"{N}/deliveries/{delivery}").status_code == 404
    assert other_county.post(f"{N}/deliveries/{delivery}/replay").status_code == 404
