"""Notifications endpoints: subscriptions, a department's inbox, the delivery log and replay."""
from flask import Blueprint, jsonify

from fazhi_common.contracts.api import notifications as api
from fazhi_common.contracts.api import page_of
from gateway.openapi import documented
from gateway.views import call, created, json_body, query_args

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications")
TAG = "notifications"


@bp.get("/event-kinds")
@documented("Event kinds a department can subscribe to", response=api.EventKinds, tag=TAG,
            roles=api.READERS)
def event_kinds():
    return jsonify(call("notifications", "event_kinds"))


# -- subscriptions ---------------------------------------------------------------------------

@bp.post("/subscriptions")
@documented("Subscribe your department to event kinds in an area, by inbox, webhook or "
            "e-mail", body=api.SubscriptionIn, response=api.Subscription, status=201,
            tag=TAG, roles=api.SUBSCRIBERS)
def create_subscription():
    return created(call("notifications", "create_subscription",
                        json_body(api.SubscriptionIn)))


@bp.get("/subscriptions")
@documented("List your department's subscriptions", query=api.SubscriptionQuery,
            response=page_of(api.Subscription), tag=TAG, roles=api.READERS)
def list_subscriptions():
    return jsonify(call("notifications", "list_subscriptions",
                        query_args(api.SubscriptionQuery)))


@bp.get("/subscriptions/<int:subscription_id>")
@documented("Get a subscription", response=api.Subscription, tag=TAG, roles=api.READERS)
def get_subscription(subscription_id):
    return jsonify(call("notifications", "get_subscription", subscription_id))


@bp.patch("/subscriptions/<int:subscription_id>")
@documented("Change a subscription (a new channel needs its fields)",
            body=api.SubscriptionChange, response=api.Subscription, tag=TAG,
            roles=api.SUBSCRIBERS)
def update_subscription(subscription_id):
    return jsonify(call("notifications", "update_subscription", subscription_id,
                        json_body(api.SubscriptionChange)))


@bp.delete("/subscriptions/<int:subscription_id>")
@documented("Delete a subscription (its delivery log stays)", status=204, tag=TAG,
            roles=api.SUBSCRIBERS)
def delete_subscription(subscription_id):
    call("notifications", "delete_subscription", subscription_id)
    return "", 204


# -- inbox --------------------------------------------------------------------------------------

@bp.get("/inbox")
@documented("Your department's inbox, newest first (filter read/unread and event kind)",
            query=api.InboxQuery, response=page_of(api.Alert), tag=TAG, roles=api.READERS)
def list_inbox():
    return jsonify(call("notifications", "list_inbox", query_args(api.InboxQuery)))


@bp.get("/inbox/unread-count")
@documented("How many alerts in your department's inbox are unread",
            query=api.DepartmentQuery, response=api.UnreadCount, tag=TAG, roles=api.READERS)
def unread_count():
    return jsonify(call("notifications", "unread_count", query_args(api.DepartmentQuery)))


@bp.post("/inbox/<int:alert_id>/acknowledge")
@documented("Acknowledge (mark read) an alert", response=api.Alert, tag=TAG,
            roles=api.READERS)
def acknowledge_alert(alert_id):
    return jsonify(call("notifications", "acknowledge_alert", alert_id))


# -- the delivery log -----------------------------------------------------------------------------

@bp.get("/deliveries")
@documented("Webhook and e-mail deliveries (status=dead: the dead-letter list)",
            query=api.DeliveryQuery, response=page_of(api.Delivery), tag=TAG,
            roles=api.READERS)
def list_deliveries():
    return jsonify(call("notifications", "list_deliveries", query_args(api.DeliveryQuery)))


@bp.get("/deliveries/<int:delivery_id>")
@documented("A delivery with every attempt: result, status code or error, time",
            response=api.DeliveryDetail, tag=TAG, roles=api.READERS)
def get_delivery(delivery_id):
    return jsonify(call("notifications", "get_delivery", delivery_id))


@bp.post("/deliveries/<int:delivery_id>/replay")
@documented("Replay a dead delivery: due now, with a fresh allowance of attempts",
            response=api.DeliveryDetail, tag=TAG, roles=api.SUBSCRIBERS)
def replay_delivery(delivery_id):
    return jsonify(call("notifications", "replay_delivery", delivery_id))
