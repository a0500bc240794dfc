"""Webhook jobs: fan events out, attempt a delivery, relay what the queue lost."""

from dataclasses import asdict

from portal.services.delivery import webhook_deliveries


def dispatch_events(event_ids: list[str]) -> int:
    """Create the events' deliveries (once, however often this runs); returns how many."""
    return len(webhook_deliveries.dispatch(event_ids))


def deliver(delivery_id: str) -> str | None:
    """Attempt a delivery if it is due; returns its state afterwards (None: nothing to do)."""
    return webhook_deliveries.attempt(delivery_id)


def relay() -> dict:
    """Dispatch undispatched events and re-queue deliveries whose job was lost."""
    return asdict(webhook_deliveries.relay())
