"""What notifications does, on a session: subscriptions, routing, inbox, deliveries.

Each function takes a session inside the caller's transaction and already-validated
input. A department sees only its own subscriptions, inbox and deliveries, and an
officer with an area only those within it: a department string alone is shared by every
county's office that was given the same one. A platform administrator may name any
department.
"""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from fazhi_common.clock import utcnow
from fazhi_common.contracts.api import notifications as api
from fazhi_common.contracts.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    field_error,
)
from fazhi_common.db import get_in_area, paginate
from notifications import domain
from notifications.models import Alert, Delivery, DeliveryAttempt, Subscription, SubscriptionKind


def department_of(caller, requested=None):
    """The department a request acts for: the caller's own, or (an admin) the one named."""
    if requested and requested != caller.department:
        if caller.role not in api.ANY_DEPARTMENT:
            raise Forbidden("You may act only for your own department.",
                            {"department": ["not your department"]})
        return requested
    if not caller.department:
        raise field_error("department", "Your account names no department; name one.")
    return caller.department


def _listing_department(caller, requested):
    """For lists: an admin naming no department sees all (None); others see their own."""
    if requested is None and caller.role in api.ANY_DEPARTMENT:
        return None
    return department_of(caller, requested)


def _own(caller, department, area_code):
    """Whether ``caller`` may see or change a stored row of ``department`` in
    ``area_code`` (None: the whole platform): its department, and within its area."""
    if caller.role in api.ANY_DEPARTMENT:
        return True
    if department != caller.department:
        return False
    return caller.area is None or (area_code is not None and caller.covers(area_code))


def _alert_area(alert):
    return alert.community_code or alert.town_code or alert.county_code


def _within(query, caller, column):
    """``query`` narrowed to rows whose area ``column`` lies within the caller's area."""
    if caller.role in api.ANY_DEPARTMENT or caller.area is None:
        return query
    return query.where(column.is_not(None), column.startswith(caller.prefix))


def _alerts_within(query, caller):
    """Alerts of the caller's area, and those of no area (sent to the whole department)."""
    if caller.role in api.ANY_DEPARTMENT or caller.area is None:
        return query
    prefix = caller.prefix
    return query.where(or_(
        Alert.community_code.startswith(prefix),
        and_(Alert.community_code.is_(None), Alert.town_code.startswith(prefix)),
        and_(Alert.community_code.is_(None), Alert.town_code.is_(None),
             or_(Alert.county_code.is_(None), Alert.county_code.startswith(prefix)))))


def _own_alert(caller, alert):
    area = _alert_area(alert)
    if area is None:  # an alert about no place went to the department as a whole
        return _own(caller, alert.department, None) if caller.area is None else (
            alert.department == caller.department)
    return _own(caller, alert.department, area)


# -- subscriptions ----------------------------------------------------------------------------

def _subscription(session, subscription_id, caller):
    # the STORED department and area: a change may move it only from where it may be
    return get_in_area(session, Subscription, subscription_id, "subscription", caller,
                       visible=lambda sub: sub.deleted_at is None and _own(
                           caller, sub.department, sub.area_code))


def _apply(sub, data, caller):
    area = data.get("area_code") or caller.area
    if area:
        caller.require_area(area, "area_code")
    sub.area_code = area
    sub.channel = data["channel"]
    sub.webhook_url = data.get("webhook_url")
    sub.webhook_secret = data.get("webhook_secret")
    sub.email = data.get("email")
    sub.active = data.get("active", True)
    wanted = list(dict.fromkeys(data["event_types"]))
    sub.kinds = [k for k in sub.kinds if k.event_type in wanted]
    have = {k.event_type for k in sub.kinds}
    sub.kinds += [SubscriptionKind(event_type=t) for t in wanted if t not in have]


def create_subscription(session, data, caller):
    sub = Subscription(department=department_of(caller, data.get("department")),
                       created_by=caller.subject)
    _apply(sub, data, caller)
    session.add(sub)
    session.flush()
    return sub


def get_subscription(session, subscription_id, caller):
    return _subscription(session, subscription_id, caller)


def update_subscription(session, subscription_id, changes, caller):
    """Apply ``changes``; the result must still fit its channel (a new channel, its fields)."""
    sub = _subscription(session, subscription_id, caller)
    merged = {"event_types": sub.event_types, "area_code": sub.area_code,
              "channel": sub.channel, "webhook_url": sub.webhook_url,
              "webhook_secret": sub.webhook_secret, "email": sub.email, "active": sub.active}
    if changes.get("channel", sub.channel) != sub.channel:
        # the old channel's fields go with it unless the change names them again
        for name in api.CHANNEL_FIELDS.get(sub.channel, ()):
            merged[name] = None
    merged.update(changes)
    errors = api.channel_errors(merged)
    if errors:
        raise ValidationFailed("The subscription's fields do not fit its channel.", errors)
    _apply(sub, merged, caller)
    sub.updated_at = utcnow()
    return sub


def delete_subscription(session, subscription_id, caller):
    sub = _subscription(session, subscription_id, caller)
    sub.active = False
    sub.deleted_at = utcnow()
    return sub


def list_subscriptions(session, query, caller):
    q = select(Subscription).where(Subscription.deleted_at.is_(None)).order_by(Subscription.id)
    department = _listing_department(caller, query.get("department"))
    if department:
        q = q.where(Subscription.department == department)
    q = _within(q, caller, Subscription.area_code)
    if query.get("channel"):
        q = q.where(Subscription.channel == query["channel"])
    if query.get("event_type"):
        q = q.where(Subscription.kinds.any(SubscriptionKind.event_type == query["event_type"]))
    return paginate(session, q, query["page"], query["per_page"])


# -- routing -----------------------------------------------------------------------------------

# built once: routing runs for every event, and a statement's cache key is kept with it
SUBSCRIBERS_OF = (
    select(Subscription.id, Subscription.department, Subscription.channel,
           Subscription.area_code, Subscription.webhook_url, Subscription.email)
    .join(SubscriptionKind)
    .where(SubscriptionKind.event_type == bindparam("event_type"),
           Subscription.active.is_(True), Subscription.deleted_at.is_(None)))
INSERT_ALERT = insert(Alert.__table__)
INSERT_DELIVERY = insert(Delivery.__table__)


def route_events(session, envelopes, rules):
    """Turn events into inbox alerts and pending deliveries; return the deliveries.

    Inboxes: the departments the default rules name plus inbox subscribers, each once.
    Webhook and e-mail subscribers get a delivery that the dispatcher sends. This runs for
    every event, so it reads columns and inserts rows without building ORM objects; a
    batch reads the subscribers once per event kind and inserts in one statement.
    """
    subscribers_of, alerts, deliveries = {}, [], []
    for envelope in envelopes:
        event_type = envelope["type"]
        if event_type not in subscribers_of:
            subscribers_of[event_type] = session.execute(
                SUBSCRIBERS_OF, {"event_type": event_type}).all()
        _route(envelope, subscribers_of[event_type], rules, alerts, deliveries)
    if alerts:
        session.execute(INSERT_ALERT, alerts)
    if deliveries:
        session.execute(INSERT_DELIVERY, deliveries)
    return deliveries


def route_event(session, envelope, rules):
    """``route_events`` for one event."""
    return route_events(session, [envelope], rules)


def _route(envelope, subscribers, rules, alerts, deliveries):
    """Add one event's alert and delivery rows to ``alerts`` and ``deliveries``."""
    event_type, data = envelope["type"], envelope["data"]
    departments = rules.departments_for(event_type, data)
    senders = []
    for sub in subscribers:
        if not domain.in_area(sub.area_code, data):
            continue
        if sub.channel != "inbox":
            senders.append(sub)
        elif sub.department not in departments:
            departments.append(sub.department)
    if not (departments or senders):
        return  # nobody to tell (a registration nobody subscribed to): no title to write
    title = rules.title(event_type, data)[:500]
    now = utcnow()
    deliveries.extend({
        "delivery_key": str(uuid.uuid4()), "subscription_id": sub.id,
        "department": sub.department, "channel": sub.channel,
        "target": sub.webhook_url if sub.channel == "webhook" else sub.email,
        "event_id": envelope["id"], "event_type": event_type, "title": title,
        "envelope": envelope, "status": "pending", "attempts": 0, "failures": 0,
        "next_attempt_at": now, "created_at": now} for sub in senders)
    if departments:
        occurred_at = _instant(envelope.get("occurred_at")) or now
        common = {"event_id": envelope["id"], "event_type": event_type,
                  "source": envelope.get("source", ""), "title": title,
                  "occurred_at": occurred_at, "data": data, "created_at": now,
                  **domain.area_fields(data)}
        alerts.extend(dict(common, department=d) for d in departments)


def _instant(text):
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# -- inbox ---------------------------------------------------------------------------------------

def list_inbox(session, query, caller):
    department = department_of(caller, query.get("department"))
    q = _alerts_within(select(Alert).where(Alert.department == department), caller) \
        .order_by(Alert.id.desc())
    if query.get("read") is not None:
        q = q.where(Alert.read_at.is_not(None) if query["read"] else Alert.read_at.is_(None))
    if query.get("event_type"):
        q = q.where(Alert.event_type == query["event_type"])
    return paginate(session, q, query["page"], query["per_page"])


def unread_count(session, query, caller):
    department = department_of(caller, query.get("department"))
    unread = session.scalar(_alerts_within(select(func.count()).select_from(Alert).where(
        Alert.department == department, Alert.read_at.is_(None)), caller))
    return {"department": department, "unread": unread}


def acknowledge(session, alert_id, caller):
    """Mark an alert read; acknowledging it again changes nothing."""
    alert = get_in_area(session, Alert, alert_id, "alert", caller,
                        visible=lambda row: _own_alert(caller, row))
    if alert.read_at is None:
        alert.read_at = utcnow()
        alert.read_by = caller.subject
    return alert


# -- deliveries ----------------------------------------------------------------------------------

def take_due_deliveries(session, now, lease_seconds, limit):
    """Ids of due deliveries, each leased to this dispatcher (pushed ``lease_seconds`` on).

    The conditional update makes the lease safe against another instance taking the same
    row: only the update that still sees it due wins.
    """
    due = session.scalars(
        select(Delivery.id).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at).limit(limit)).all()
    leased_until = now + timedelta(seconds=lease_seconds)
    taken = []
    for delivery_id in due:
        result = session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "pending",
                                   Delivery.next_attempt_at <= now)
            .values(next_attempt_at=leased_until))
        if result.rowcount:
            taken.append(delivery_id)
    return taken


def delivery_order(session, delivery_id):
    """What the sender needs for one attempt, or None if its subscription is gone."""
    delivery = session.get(Delivery, delivery_id)
    sub = session.get(Subscription, delivery.subscription_id)
    if sub.deleted_at is not None or not sub.active:
        return None
    return {"channel": delivery.channel, "target": delivery.target,
            "secret": sub.webhook_secret, "delivery_key": delivery.delivery_key,
            "subscription_id": sub.id, "event_type": delivery.event_type,
            "title": delivery.title, "envelope": delivery.envelope}


def record_attempt(session, delivery_id, outcome, policy):
    """Log one attempt; schedule the next with backoff, or dead-letter after the limit."""
    now = utcnow()
    delivery = session.get(Delivery, delivery_id)
    error = outcome.error[:500] if outcome.error else None
    delivery.attempts += 1
    session.add(DeliveryAttempt(
        delivery_id=delivery.id, number=delivery.attempts, at=now,
        result="delivered" if outcome.ok else "failed", status_code=outcome.status_code,
        error=error, duration_ms=outcome.duration_ms))
    delivery.last_status_code, delivery.last_error = outcome.status_code, error
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        return delivery
    delivery.failures += 1
    if outcome.final or domain.is_dead(delivery.failures, policy.max_attempts):
        delivery.status, delivery.next_attempt_at = "dead", None
    else:
        wait = domain.backoff_seconds(delivery.failures, policy.backoff_seconds,
                                      policy.backoff_max_seconds)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    return delivery


def _delivery(session, delivery_id, caller):
    delivery = session.get(Delivery, delivery_id)
    sub = session.get(Subscription, delivery.subscription_id) if delivery else None
    if delivery is None or not _own(caller, delivery.department,
                                    sub.area_code if sub else None):
        raise NotFound(f"No delivery {delivery_id}.")
    return delivery


def get_delivery(session, delivery_id, caller):
    return _delivery(session, delivery_id, caller)


def list_deliveries(session, query, caller):
    q = select(Delivery).order_by(Delivery.id.desc())
    department = _listing_department(caller, query.get("department"))
    if department:
        q = q.where(Delivery.department == department)
    if caller.role not in api.ANY_DEPARTMENT and caller.area is not None:
        q = q.where(Delivery.subscription_id.in_(_within(
            select(Subscription.id), caller, Subscription.area_code)))
    for name in ("status", "channel", "subscription_id"):
        if query.get(name) is not None:
            q = q.where(getattr(Delivery, name) == query[name])
    return paginate(session, q, query["page"], query["per_page"])


def replay(session, delivery_id, caller):
    """Send a dead delivery again: due now, with a fresh allowance of attempts."""
    delivery = _delivery(session, delivery_id, caller)
    if delivery.status != "dead":
        raise Conflict(f"Delivery {delivery_id} is {delivery.status}; only a dead delivery "
                       "is replayed.", {"status": [delivery.status]})
    delivery.status, delivery.failures, delivery.next_attempt_at = "pending", 0, utcnow()
    return delivery
