"""Getting events to webhook endpoints, at least once each.

The event row is the outbox: it is committed with the change it describes. After that commit
a job fans it out (one delivery per subscribed, enabled endpoint) and each delivery is a job
that POSTs the signed event, retrying with back-off for about three days. Every step first
claims its rows with a conditional UPDATE, so jobs that run twice, or side by side, do the
work once; and a relay finds whatever the queue never received or lost (Redis down, a worker
killed) and hands it over again. Receivers de-duplicate by the event id in the body.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from portal.errors import EndpointDisabled, OutboundError, QueueUnavailable
from portal.extensions import db
from portal.models import Event, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from portal.models.columns import utcnow
from portal.services.delivery import delivery_shapes, events
from portal.services.delivery.delivery_claims import claim, lost_after, unclaimed
from portal.services.delivery.retries import RETRY_WINDOW, TIMEOUT_SECONDS, after_attempt
from portal.services.infra import outbound, tenancy
from portal.services.infra.database import listen_once
from portal.services.infra.ids import time_of
from portal.services.infra.nul_characters import readable_text
from portal.services.infra.queue import enqueue, enqueue_in

log = logging.getLogger(__name__)

DISPATCH_JOB = "tasks.webhooks.dispatch_events"
DELIVER_JOB = "tasks.webhooks.deliver"
RELAY_JOB = "tasks.webhooks.relay"
SIGNATURE_HEADER = "WorkOS-Signature"
RESPONSE_BODY_KEPT = 2048
DISPATCH_BATCH = 500
RELAY_BATCH = 200
RELAY_MAX_BATCHES = 25

_DISPATCH_AFTER_COMMIT = "webhooks.events_to_dispatch"
_SUBSCRIBED_TYPES = "portal_webhook_subscribed_types"
SUBSCRIPTIONS_TTL = timedelta(seconds=2)
_RELAY_AFTER_CHANGE = "webhooks-relay-after-subscription-change"


@dataclass(frozen=True)
class RelayReport:
    events_dispatched: int
    deliveries_requeued: int


# After commit: fan out the events some endpoint wants


def _note_event(row: Event) -> None:
    """Remember, for after the commit, an event that an enabled endpoint subscribes to."""
    if row.event in _subscribed_types():
        db.session.info.setdefault(_DISPATCH_AFTER_COMMIT, []).append(row.id)


def _subscribed_types() -> frozenset[str]:
    """The event types some enabled endpoint wants, read at most once a SUBSCRIPTIONS_TTL per
    process: every SCIM write records an event, and a query for this on each was a tenth of
    the request. See subscriptions_changed for how a change reaches the other processes."""
    cached = current_app.extensions.get(_SUBSCRIBED_TYPES)
    now = time.monotonic()
    if cached is None or cached[0] <= now:
        query = select(WebhookEndpoint.events).where(WebhookEndpoint.status == "enabled")
        with db.session.no_autoflush:
            types = frozenset(t for types in db.session.scalars(query) for t in types)
        cached = (now + SUBSCRIPTIONS_TTL.total_seconds(), types)
        current_app.extensions[_SUBSCRIBED_TYPES] = cached
    return cached[1]


def subscriptions_changed() -> None:
    """An endpoint was added, changed or removed: this process sees it at once. Other
    processes may go on skipping the new types for up to SUBSCRIPTIONS_TTL; a relay run
    just after that dispatches the events they left for it (it dispatches every event not
    yet dispatched, so none waits for the next periodic run)."""
    current_app.extensions.pop(_SUBSCRIBED_TYPES, None)
    try:
        enqueue_in(SUBSCRIPTIONS_TTL + timedelta(seconds=1), RELAY_JOB, job_id=_RELAY_AFTER_CHANGE)
    except QueueUnavailable as error:
        log.warning("could not queue a relay run; the periodic one will do: %s", error)


def dispatch_after_commit() -> None:
    """Note each recorded event some endpoint wants, and queue its fan-out once the
    transaction commits."""
    events.subscribe(tuple(events.EVENT_TYPES), _note_event)
    listen_once(db.session, "after_commit", _dispatch_committed_events)
    listen_once(db.session, "after_transaction_end", _forget_transaction_notes)


def _dispatch_committed_events(session) -> None:
    event_ids = session.info.pop(_DISPATCH_AFTER_COMMIT, [])
    # A job per commit (per batch, for bulk changes). If the queue is down the events stay
    # undispatched and the relay fans them out later; the change itself stands either way.
    for start in range(0, len(event_ids), DISPATCH_BATCH):
        if not _hand_to_queue(DISPATCH_JOB, event_ids[start : start + DISPATCH_BATCH]):
            return


def _forget_transaction_notes(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: commit, rollback, close
        session.info.pop(_DISPATCH_AFTER_COMMIT, None)


def dispatch(event_ids: list[str]) -> list[str]:
    """Fan these events out, each once whoever else tries: one delivery per enabled endpoint
    that subscribes to its type and existed when it happened. Returns the new deliveries."""
    return _fan_out(event_ids)[1]


def _fan_out(event_ids: list[str]) -> tuple[list[str], list[str]]:
    """Claim the events not yet dispatched, and create their deliveries: (claimed, new)."""
    if not event_ids:
        return [], []
    now = utcnow()
    undispatched = (Event.id.in_(event_ids), Event.dispatched_at.is_(None))
    claimed = db.session.scalars(
        update(Event)
        .where(Event.id.in_(_skip_locked(select(Event.id).where(*undispatched))), *undispatched)
        .values(dispatched_at=now)
        .returning(Event.id)
        .execution_options(synchronize_session=False)
    ).all()
    deliveries = _deliveries_for(sorted(claimed), now)
    db.session.add_all(deliveries)
    db.session.commit()
    ids = [delivery.id for delivery in deliveries]
    _queue_deliveries(ids)
    return claimed, ids


def _deliveries_for(event_ids: list[str], now: datetime) -> list[WebhookDelivery]:
    if not event_ids:
        return []
    rows = db.session.scalars(select(Event).where(Event.id.in_(event_ids)).order_by(Event.id))
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.status == "enabled")
    ).all()
    return [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=row.id,
            next_attempt_at=now,
            retry_until=now + RETRY_WINDOW,
            enqueued_at=now,
        )
        for row in rows
        for endpoint in endpoints
        # Both times come from ULIDs (milliseconds), so they compare like for like.
        if row.event in endpoint.events and time_of(endpoint.id) <= row.created_at
    ]


# Attempts


def attempt(delivery_id: str) -> str | None:
    """Make the delivery's next attempt if it is due and nobody else is making it; returns
    its state afterwards, or None when there was nothing to do."""
    if not _claim(delivery_id):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    url, secret = delivery.endpoint.endpoint_url, delivery.endpoint.secret
    body = event_body(delivery.event)
    db.session.rollback()  # no transaction stays open during the request
    record = _post(url, secret, body)
    return _record(delivery_id, record)


def _claim(delivery_id: str) -> bool:
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.status == "enabled")
    return claim(WebhookDelivery, delivery_id, WebhookDelivery.endpoint_id.in_(enabled))


def _unclaimed(now: datetime):
    return unclaimed(WebhookDelivery, now)


def event_body(row: Event) -> bytes:
    """The JSON body of a delivery: the event as `GET /events` shows it."""
    return json.dumps(delivery_shapes.event(row), separators=(",", ":")).encode()


def signature_header(secret: str, body: bytes, timestamp_ms: int) -> str:
    """`t=<ms>, v1=<hex HMAC-SHA256 of "<t>.<body>">`, as the WorkOS SDKs verify it."""
    signed = f"{timestamp_ms}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp_ms}, v1={digest}"


def _post(url: str, secret: str, body: bytes) -> WebhookDeliveryAttempt:
    attempted_at = utcnow()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "portal-webhooks",
        SIGNATURE_HEADER: signature_header(secret, body, time.time_ns() // 1_000_000),
    }
    started = time.monotonic()
    try:
        response = outbound.post(
            url, body, headers, timeout=TIMEOUT_SECONDS, max_bytes=RESPONSE_BODY_KEPT
        )
    except OutboundError as error:
        latency_ms = int((time.monotonic() - started) * 1000)
        return WebhookDeliveryAttempt(
            attempted_at=attempted_at, error=str(error), latency_ms=latency_ms
        )
    return WebhookDeliveryAttempt(
        attempted_at=attempted_at,
        response_status=response.status,
        latency_ms=response.latency_ms,
        response_body=readable_text(response.body),
    )


def _record(delivery_id: str, record: WebhookDeliveryAttempt) -> str:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return "deleted"  # the endpoint was deleted during the attempt
    now = utcnow()
    delivery.attempts.append(record)
    delivery.attempt_count += 1
    delivery.claimed_until = None
    outcome, delay = after_attempt(
        delivery.attempt_count, record.response_status, now, delivery.retry_until
    )
    if outcome != "pending":
        _finish(delivery, outcome, now)
    else:
        delivery.next_attempt_at = now + delay
        delivery.enqueued_at = now
    state = delivery.state
    db.session.commit()
    if state == "pending" and not _hand_to_queue(DELIVER_JOB, delivery_id, delay=delay):
        _mark_not_queued([delivery_id])
    return state


def _finish(delivery: WebhookDelivery, state: str, now: datetime) -> None:
    delivery.state = state
    delivery.finished_at = now
    delivery.next_attempt_at = None


def redeliver(delivery_id: str) -> WebhookDelivery:
    """Send a delivery again now, whatever its state, with a fresh retry window (the
    dashboard's "Resend"). The body is the same event, so the receiver can spot a repeat."""
    delivery = tenancy.unscoped(WebhookDelivery, delivery_id)
    if delivery.endpoint.status != "enabled":
        raise EndpointDisabled("Enable the webhook endpoint before resending to it.")
    now = utcnow()
    delivery.state = "pending"
    delivery.next_attempt_at = now
    delivery.retry_until = now + RETRY_WINDOW
    delivery.finished_at = None
    delivery.enqueued_at = now
    db.session.commit()
    _queue_deliveries([delivery.id])
    return delivery


# The relay


def relay() -> RelayReport:
    """Dispatch events never fanned out and re-queue deliveries the queue never ran; safe to
    run at any time, repeatedly and side by side."""
    dispatched = 0
    for _ in range(RELAY_MAX_BATCHES):
        claimed = _fan_out(_undispatched_events())[0]
        if not claimed:
            break  # none left, or another relay is claiming the rest
        dispatched += len(claimed)
    return RelayReport(events_dispatched=dispatched, deliveries_requeued=_requeue_lost())


def _undispatched_events() -> list[str]:
    query = select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id)
    return list(db.session.scalars(query.limit(RELAY_BATCH)))


def _requeue_lost() -> int:
    now = utcnow()
    lost = _lost(now)
    candidates = db.session.scalars(
        select(WebhookDelivery.id)
        .join(WebhookEndpoint)
        .where(lost, WebhookEndpoint.status == "enabled")
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(RELAY_BATCH * RELAY_MAX_BATCHES)
    ).all()
    if not candidates:
        return 0
    claimable = select(WebhookDelivery.id).where(WebhookDelivery.id.in_(candidates), lost)
    claimed = db.session.scalars(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(_skip_locked(claimable)), lost)
        .values(enqueued_at=now)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    _queue_deliveries(list(claimed))
    return len(claimed)


def _lost(now: datetime):
    """Pending, due, not being attempted, and either never queued or queued long ago."""
    cutoff = now - lost_after()
    return and_(
        WebhookDelivery.state == "pending",
        WebhookDelivery.next_attempt_at <= now,
        _unclaimed(now),
        or_(
            WebhookDelivery.enqueued_at.is_(None),
            and_(WebhookDelivery.enqueued_at <= cutoff, WebhookDelivery.next_attempt_at <= cutoff),
        ),
    )


def _skip_locked(query):
    # On PostgreSQL, rows another relay is claiming are left to it instead of waited for (and
    # claims in different orders cannot deadlock); SQLite runs one writer at a time anyway.
    return query.order_by(*query.selected_columns).with_for_update(skip_locked=True)


# The queue


def _queue_deliveries(delivery_ids: list[str]) -> None:
    for index, delivery_id in enumerate(delivery_ids):
        if not _hand_to_queue(DELIVER_JOB, delivery_id):
            _mark_not_queued(delivery_ids[index:])  # the queue is down: don't wait on it again
            return


def _hand_to_queue(job: str, argument, delay: timedelta | None = None) -> bool:
    try:
        if delay:
            enqueue_in(delay, job, argument)
        else:
            enqueue(job, argument)
    except QueueUnavailable as error:
        log.warning("could not queue %s(%s); the relay will: %s", job, argument, error)
        return False
    return True


def _mark_not_queued(delivery_ids: list[str]) -> None:
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(delivery_ids))
        .values(enqueued_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
