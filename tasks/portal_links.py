"""Housekeeping of magic links and the portal sessions they opened."""

from portal.services.onboarding import portal_access


def purge_expired() -> int:
    """Delete links and sessions that expired more than the retention period ago."""
    return portal_access.purge_expired()
