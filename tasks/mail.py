"""Mail jobs."""

from portal.services.onboarding import mail


def deliver(message_id: str) -> str | None:
    """One SMTP attempt of a queued mail; schedules the next attempt itself on failure."""
    return mail.deliver(message_id)


def requeue_lost() -> int:
    """Queue again mails whose job was lost; runs every so often (tasks.periodic)."""
    return mail.requeue_lost()
