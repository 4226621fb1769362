"""Subscriptions through the real gateway: CRUD, clear 422s, role and department rules."""
import pytest

from tests.notifications import events as ev

N = "/api/v1/notifications"
HOOK = {"event_types": ["title_revoked"], "channel": "webhook",
        "webhook_url": "https://court.example/fazhi", "webhook_secret": "0123456789abcdef"}


@pytest.fixture
def court(notifications, gateway):
    return gateway.as_role("linked_department_officer", ev.COUNTY, department="court-330110")


def test_create_read_change_and_delete(court):
    created = court.post(f"{N}/subscriptions", json=HOOK)
    assert created.status_code == 201, created.json
    sub = created.json
    assert sub["channel"] == "webhook" and sub["event_types"] == ["title_revoked"]
    assert sub["area_code"] == ev.COUNTY and "webhook_secret" not in sub
    assert court.get(f"{N}/subscriptions/{sub['id']}").json == sub

    # switch to e-mail: the webhook fields go, the address is required
    missing = court.patch(f"{N}/subscriptions/{sub['id']}", json={"channel": "email"})
    assert missing.status_code == 422 and "email" in missing.json["fields"]
    changed = court.patch(f"{N}/subscriptions/{sub['id']}", json={
        "channel": "email", "email": "duty@court.example",
        "event_types": ["mediation_case_closed", "mediation_case_returned"],
        "area_code": ev.TOWN})
    assert changed.status_code == 200, changed.json
    assert changed.json["webhook_url"] is None and changed.json["email"] == "duty@court.example"
    assert changed.json["event_types"] == ["mediation_case_closed", "mediation_case_returned"]
    paused = court.patch(f"{N}/subscriptions/{sub['id']}", json={"active": False})
    assert paused.json["active"] is False

    listed = court.get(f"{N}/subscriptions", query_string={"channel": "email"}).json
    assert [s["id"] for s in listed["items"]] == [sub["id"]]
    assert court.get(f"{N}/subscriptions",
                     query_string={"event_type": "title_revoked"}).json["total"] == 0

    assert court.delete(f"{N}/subscriptions/{sub['id']}").status_code == 204
    assert court.get(f"{N}/subscriptions/{sub['id']}").status_code == 404
    assert court.get(f"{N}/subscriptions").json["total"] == 0
    assert court.get(f"{N}/event-kinds").json["items"][0]["type"] == "affairs_disclosed"


@pytest.mark.parametrize("change, field, words", [
    ({"event_types": ["case_exploded"]}, "event_types", "Unknown event kind"),
    ({"event_types": []}, "event_types", "Name between 1 and"),
    ({"webhook_url": "ftp://court.example/x"}, "webhook_url", "Not a valid URL"),
    ({"webhook_url": "not a url"}, "webhook_url", "Not a valid URL"),
    ({"webhook_secret": "short"}, "webhook_secret", "Length must be"),
    ({"webhook_secret": None}, "webhook_secret", "Required for channel webhook"),
    ({"area_code": "3301"}, "area_code", "12 digits"),
    ({"area_code": "33011000000x"}, "area_code", "12 digits"),
    ({"channel": "pager"}, "channel", "Must be one of"),
    ({"email": "duty@court.example"}, "email", "Only for channel email"),
    ({"colour": "red"}, "colour", "Unknown field"),
])
def test_bad_fields_get_a_clear_422(court, change, field, words):
    response = court.post(f"{N}/subscriptions", json={**HOOK, **change})
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_failed"
    assert words in str(response.json["fields"][field]), response.json["fields"]
    assert court.get(f"{N}/subscriptions").json["total"] == 0


def test_bad_email_is_named(court):
    response = court.post(f"{N}/subscriptions", json={
        "event_types": ["title_revoked"], "channel": "email", "email": "duty-at-court"})
    assert response.status_code == 422
    assert response.json["fields"] == {"email": ["Not a valid email address."]}


def test_roles_departments_and_areas(court, gateway):
    sub = court.post(f"{N}/subscriptions", json=HOOK).json

    assert gateway.anonymous().post(f"{N}/subscriptions", json=HOOK).status_code == 401
    viewer = gateway.as_role("viewer", ev.COUNTY, department="court-330110")
    assert viewer.post(f"{N}/subscriptions", json=HOOK).status_code == 403
    assert viewer.get(f"{N}/subscriptions/{sub['id']}").status_code == 200
    resident = gateway.as_role("resident", ev.COUNTY, department="public")
    assert resident.get(f"{N}/inbox").status_code == 403

    # another department neither sees nor changes it (404: ids do not leak)
    police = gateway.as_role("linked_department_officer", ev.COUNTY,
                             department="police-330110")
    assert police.get(f"{N}/subscriptions/{sub['id']}").status_code == 404
    assert police.patch(f"{N}/subscriptions/{sub['id']}",
                        json={"active": False}).status_code == 404
    assert police.delete(f"{N}/subscriptions/{sub['id']}").status_code == 404
    assert police.get(f"{N}/subscriptions").json["total"] == 0
    for_other = police.post(f"{N}/subscriptions", json={**HOOK, "department": "court-330110"})
    assert for_other.status_code == 403 and "department" in for_other.json["fields"]

    # an area outside the caller's is forbidden
    outside = court.post(f"{N}/subscriptions", json={**HOOK, "area_code": ev.OTHER_COUNTY})
    assert outside.status_code == 403 and "area_code" in outside.json["fields"]

    # a platform administrator may subscribe any department and sees every subscription
    made = gateway.post(f"{N}/subscriptions", json={**HOOK, "department": "police-330110"})
    assert made.status_code == 201 and made.json["department"] == "police-330110"
    assert made.json["area_code"] is None
    assert gateway.get(f"{N}/subscriptions").json["total"] == 2
    assert gateway.get(f"{N}/subscriptions",
                       query_string={"department": "court-330110"}).json["total"] == 1


def test_webhooks_only_to_the_hosts_the_deployment_allows(container_factory, service_config,
                                                          gateway):
    from notifications.service import NotificationsService

    config = service_config("notifications", WEBHOOK_ALLOWED_HOSTS="hooks.court.example,.gov.cn")
    container_factory(NotificationsService, config).start()
    court = gateway.as_role("linked_department_officer", ev.COUNTY, department="court-330110")

    for url in ("http://169.254.169.254/latest", "https://court.example/fazhi",
                "https://evilgov.cn/x"):
        refused = court.post(f"{N}/subscriptions", json={**HOOK, "webhook_url": url})
        assert refused.status_code == 422, (url, refused.json)
        assert "WEBHOOK_ALLOWED_HOSTS" in refused.json["fields"]["webhook_url"][0]
    for url in ("https://hooks.court.example/fazhi", "https://sfj.yuhang.gov.cn/alerts"):
        assert court.post(f"{N}/subscriptions", json={**HOOK, "webhook_url": url}
                          ).status_code == 201
    sub = court.get(f"{N}/subscriptions").json["items"][0]
    moved = court.patch(f"{N}/subscriptions/{sub['id']}",
                        json={"webhook_url": "http://10.0.0.5/admin"})
    assert moved.status_code == 422
    assert court.get(f"{N}/subscriptions").json["total"] == 2
