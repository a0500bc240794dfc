"""Claiming a delivery for one attempt, whoever else tries: a conditional UPDATE that only one
worker wins, and a claim that expires in case that worker dies (webhooks, log streams)."""

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from portal.extensions import db
from portal.models.columns import utcnow
from portal.services.delivery.retries import configured

# Longer than an attempt can last: a claim this old belongs to a worker that died.
CLAIM_FOR = timedelta(seconds=60)
# A job due this long ago that has not run is presumed lost; the relay queues it again.
LOST_AFTER = timedelta(minutes=5)


def lost_after() -> timedelta:
    """LOST_AFTER, unless PORTAL_DELIVERY_LOST_AFTER_SECONDS shortens it."""
    return configured("PORTAL_DELIVERY_LOST_AFTER_SECONDS", LOST_AFTER)


def unclaimed(model, now: datetime):
    """No attempt of the delivery is under way (or its claim has expired)."""
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


def claim(model, delivery_id: str, *conditions) -> bool:
    """Claim the delivery if it is pending, due, unclaimed and meets `conditions`."""
    now = utcnow()
    claimed = db.session.execute(
        update(model)
        .where(
            model.id == delivery_id,
            model.state == "pending",
            model.next_attempt_at <= now,
            unclaimed(model, now),
            *conditions,
        )
        .values(claimed_until=now + configured("PORTAL_DELIVERY_CLAIM_SECONDS", CLAIM_FOR))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1
