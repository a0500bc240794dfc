"""The WorkOS JSON shapes of audit log schemas, actions and exports."""

from flask import current_app

from portal.models import AuditLogAction, AuditLogExport, AuditLogSchema
from portal.services.audit import audit_log_exports, log_streams
from portal.services.infra.wire import timestamp


def schema(row: AuditLogSchema) -> dict:
    definition = row.definition
    shape = {
        "object": "audit_log_schema",
        "version": row.version,
        "targets": definition["targets"],
        "created_at": timestamp(row.created_at),
    }
    if "actor" in definition:
        shape["actor"] = definition["actor"]
    if "metadata" in definition:
        shape["metadata"] = definition["metadata"]
    return shape


def action(row: AuditLogAction) -> dict:
    return {
        "object": "audit_log_action",
        "name": row.name,
        "schema": schema(row.schemas[-1]),
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def export(row: AuditLogExport) -> dict:
    """The export; when ready, a download URL good for 10 minutes (each read makes a new one)."""
    url = None
    if row.state == "ready":
        token = audit_log_exports.download_token(row)
        path = f"/audit_logs/exports/{row.id}/download?token={token}"
        url = current_app.config["PORTAL_PUBLIC_URL"].rstrip("/") + path
    return {
        "object": "audit_log_export",
        "id": row.id,
        "state": row.state,
        "url": url,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def configuration(organization_id: str, retention_days: int | None, stream) -> dict:
    """WorkOS's audit log configuration of an organization: retention and its log stream."""
    shape = {
        "organization_id": organization_id,
        "retention_period_in_days": retention_days,
        "state": "active",
        "log_stream": None,
    }
    if stream is not None:
        shape["log_stream"] = {
            "id": stream.id,
            "type": log_streams.WORKOS_TYPES[stream.type],
            "state": log_streams.state(stream),
            "last_synced_at": timestamp(stream.last_synced_at),
            "created_at": timestamp(stream.created_at),
        }
    return shape
