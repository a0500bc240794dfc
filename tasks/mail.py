"""Mail jobs."""

from portal.services import mail


def deliver(message_id: str) -> str | None:
    """One SMTP attempt of a queued mail; schedules the next attempt itself on failure."""
    return mail.deliver(message_id)
