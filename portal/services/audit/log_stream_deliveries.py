"""Getting audit log events to an organization's log stream, at least once each, with the same
retry rules as webhooks (portal.services.retries). A delivery row is written in the same
transaction as its event; a job attempts it; a relay re-queues what the queue lost."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from portal.errors import QueueUnavailable
from portal.extensions import db
from portal.models import AuditLogEvent, LogStream, LogStreamDelivery
from portal.models.columns import utcnow
from portal.services.audit import log_streams
from portal.services.delivery.delivery_claims import claim, lost_after, unclaimed
from portal.services.delivery.retries import RETRY_WINDOW, after_attempt
from portal.services.infra.queue import enqueue, enqueue_in

log = logging.getLogger(__name__)

DELIVER_JOB = "tasks.log_streams.deliver"
RELAY_BATCH = 500


def plan(event: AuditLogEvent) -> list[LogStreamDelivery]:
    """Deliveries of a new event to its organization's stream, added to the open transaction."""
    stream = log_streams.stream_of(event.organization_id)
    if stream is None:
        return []
    now = utcnow()
    delivery = LogStreamDelivery(
        stream_id=stream.id,
        event_id=event.id,
        next_attempt_at=now,
        retry_until=now + RETRY_WINDOW,
        enqueued_at=now,
    )
    db.session.add(delivery)
    return [delivery]


def hand_over(deliveries: list[LogStreamDelivery]) -> None:
    """Queue the committed deliveries; any the queue refuses wait for the relay."""
    for delivery in deliveries:
        _queue(delivery.id)


def attempt(delivery_id: str) -> str | None:
    """Make the delivery's next attempt if it is due and unclaimed; returns its state after."""
    if not _claim(delivery_id):
        return None
    delivery = db.session.get(LogStreamDelivery, delivery_id)
    stream = db.session.get(LogStream, delivery.stream_id)
    event = log_streams.event_shape(db.session.get(AuditLogEvent, delivery.event_id))
    db.session.rollback()  # no transaction stays open during the request
    status, text = log_streams.send(stream, event)
    return _record(delivery_id, status, text)


def _claim(delivery_id: str) -> bool:
    return claim(LogStreamDelivery, delivery_id)


def _unclaimed(now: datetime):
    return unclaimed(LogStreamDelivery, now)


def _record(delivery_id: str, status: int | None, text: str) -> str:
    delivery = db.session.get(LogStreamDelivery, delivery_id)
    if delivery is None:
        return "deleted"  # the stream was removed during the attempt
    now = utcnow()
    delivery.attempt_count += 1
    delivery.claimed_until = None
    delivery.last_status = status
    delivery.last_error = None if status is not None else text
    outcome, delay = after_attempt(delivery.attempt_count, status, now, delivery.retry_until)
    delivery.state = outcome
    if outcome == "pending":
        delivery.next_attempt_at, delivery.enqueued_at = now + delay, now
    else:
        delivery.next_attempt_at, delivery.finished_at = None, now
    stream = db.session.get(LogStream, delivery.stream_id)
    log_streams.note_delivery(stream, status, None if status is not None else text)
    db.session.commit()
    if outcome == "pending":
        _queue(delivery_id, delay)
    return outcome


def relay() -> int:
    """Queue again the due deliveries the queue never ran; returns how many."""
    now = utcnow()
    cutoff = now - lost_after()
    lost = and_(
        LogStreamDelivery.state == "pending",
        LogStreamDelivery.next_attempt_at <= now,
        _unclaimed(now),
        or_(LogStreamDelivery.enqueued_at.is_(None), LogStreamDelivery.enqueued_at <= cutoff),
    )
    ids = list(db.session.scalars(select(LogStreamDelivery.id).where(lost).limit(RELAY_BATCH)))
    if ids:
        db.session.execute(
            update(LogStreamDelivery)
            .where(LogStreamDelivery.id.in_(ids))
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    for delivery_id in ids:
        _queue(delivery_id)
    return len(ids)


def _queue(delivery_id: str, delay: timedelta | None = None) -> None:
    try:
        if delay:
            enqueue_in(delay, DELIVER_JOB, delivery_id)
        else:
            enqueue(DELIVER_JOB, delivery_id)
    except QueueUnavailable as error:
        log.warning(
            "could not queue log stream delivery %s; the relay will: %s", delivery_id, error
        )
        db.session.execute(
            update(LogStreamDelivery)
            .where(LogStreamDelivery.id == delivery_id)
            .values(enqueued_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
