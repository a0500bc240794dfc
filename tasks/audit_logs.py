"""Audit log jobs: build an export's CSV, forget events past their retention."""

from portal.services.audit import audit_log_events, audit_log_exports


def build_export(export_id: str) -> str:
    """Build the export's CSV (safe to run twice); returns the export's state."""
    return audit_log_exports.build_export(export_id)


def purge_expired() -> int:
    """Delete events older than their organization's retention; returns how many."""
    return audit_log_events.purge_expired()
