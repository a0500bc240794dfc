"""Housekeeping of sign-in attempts and the codes they issued."""

from portal.services.sso import sign_in_retention


def purge_expired() -> int:
    """Delete spent codes and attempts past their retention; returns how many rows."""
    return sign_in_retention.purge_expired()
