"""The WorkOS JSON shapes of audit log schemas, actions and exports."""

from flask import current_app, url_for

from portal.models import AuditLogAction, AuditLogExport, AuditLogSchema
from portal.services import audit_log_exports
from portal.services.api_shapes import timestamp


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
        path = url_for(
            "api.download_audit_log_export",
            export_id=row.id,
            token=audit_log_exports.download_token(row),
        )
        url = current_app.config["PORTAL_PUBLIC_URL"].rstrip("/") + path
    return {
        "object": "audit_log_export",
        "id": row.id,
        "state": row.state,
        "url": url,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }
