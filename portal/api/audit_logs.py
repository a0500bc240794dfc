"""`/audit_logs/...`: recording events, action schemas, CSV exports; and each organization's
retention (`/organizations/{id}/audit_logs_retention`)."""

from flask import Response, request

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import json_body, page_request
from portal.api.schemas import (
    CreateAuditLogEvent,
    CreateAuditLogExport,
    CreateAuditLogSchema,
    UpdateAuditLogsRetention,
)
from portal.services.audit import (
    audit_log_events,
    audit_log_exports,
    audit_log_schemas,
    audit_log_shapes,
    log_streams,
)
from portal.services.infra import wire


@bp.post("/audit_logs/events")
@idempotent
def create_audit_log_event():
    body = json_body(CreateAuditLogEvent)
    audit_log_events.record_event(body.organization_id, body.event.model_dump(exclude_none=True))
    return {"success": True}, 201


@bp.get("/audit_logs/actions")
def list_audit_log_actions():
    page = audit_log_schemas.list_actions(page_request())
    items = [audit_log_shapes.action(row) for row in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.get("/audit_logs/actions/<action_name>/schemas")
def list_audit_log_schemas(action_name):
    page = audit_log_schemas.list_schemas(action_name, page_request())
    items = [audit_log_shapes.schema(row) for row in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.post("/audit_logs/actions/<action_name>/schemas")
@idempotent
def create_audit_log_schema(action_name):
    body = json_body(CreateAuditLogSchema)
    definition = audit_log_schemas.normalize_definition(
        [target.model_dump(exclude_none=True) for target in body.targets],
        body.actor.model_dump() if body.actor else None,
        body.metadata,
    )
    schema = audit_log_schemas.create_schema(action_name, definition)
    return audit_log_shapes.schema(schema), 201


@bp.post("/audit_logs/exports")
@idempotent
def create_audit_log_export():
    body = json_body(CreateAuditLogExport)
    export = audit_log_exports.create_export(
        audit_log_exports.ExportRequest(
            organization_id=body.organization_id,
            range_start=body.range_start,
            range_end=body.range_end,
            actions=tuple(body.actions or ()),
            actor_names=tuple((body.actor_names or []) + (body.actors or [])),
            actor_ids=tuple(body.actor_ids or ()),
            targets=tuple(body.targets or ()),
        )
    )
    return audit_log_shapes.export(export), 201


@bp.get("/audit_logs/exports/<export_id>")
def get_audit_log_export(export_id):
    return audit_log_shapes.export(audit_log_exports.get_export(export_id))


@bp.get("/audit_logs/exports/<export_id>/download")
def download_audit_log_export(export_id):
    export = audit_log_exports.export_for_token(export_id, request.args.get("token", ""))
    return Response(
        export.csv,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{export.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/organizations/<organization_id>/audit_logs_retention")
def get_audit_logs_retention(organization_id):
    return {"retention_period_in_days": audit_log_events.retention_of(organization_id)}


@bp.put("/organizations/<organization_id>/audit_logs_retention")
def update_audit_logs_retention(organization_id):
    body = json_body(UpdateAuditLogsRetention)
    days = audit_log_events.set_retention(
        organization_id, body.retention_period_in_days, body.retention_period
    )
    return {"retention_period_in_days": days}


@bp.get("/organizations/<organization_id>/audit_log_configuration")
def get_audit_log_configuration(organization_id):
    retention = audit_log_events.retention_of(organization_id)
    stream = log_streams.stream_of(organization_id)
    return audit_log_shapes.configuration(organization_id, retention, stream)
