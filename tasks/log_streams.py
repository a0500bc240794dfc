"""Log stream jobs: attempt a delivery, relay what the queue lost."""

from portal.services.audit import log_stream_deliveries


def deliver(delivery_id: str) -> str | None:
    """Attempt a delivery if it is due; returns its state afterwards (None: nothing to do)."""
    return log_stream_deliveries.attempt(delivery_id)


def relay() -> int:
    """Re-queue due deliveries whose job was lost; returns how many."""
    return log_stream_deliveries.relay()
