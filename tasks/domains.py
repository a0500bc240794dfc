"""Domain verification jobs."""

from portal.services.organizations import domain_verification


def poll(domain_id: str) -> str:
    """One scheduled DNS check of a pending domain; schedules the next one itself."""
    return domain_verification.poll(domain_id)


def sweep_pending() -> int:
    """Re-queue checks of pending domains whose schedule was lost."""
    return domain_verification.sweep()
