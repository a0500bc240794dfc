"""Housekeeping of dashboard sessions."""

from portal.services.account import dashboard_sessions


def purge_expired() -> int:
    """Delete dashboard sessions that ended (or expired) more than the retention ago."""
    return dashboard_sessions.purge_expired()
