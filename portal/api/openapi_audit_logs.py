"""The audit logs part of the OpenAPI document (`/audit_logs/...`, retention)."""

from portal.api import schemas
from portal.api.openapi_builders import (
    IDEMPOTENCY_KEY,
    TIMESTAMP,
    closed_object,
    list_of,
    operation,
    page_parameters,
    path_parameter,
    ref,
    request_body,
    response,
)

EXPORT_STATES = ["pending", "ready", "error"]
METADATA_SCHEMA = {"type": "object", "description": "A JSON Schema of the metadata object."}


def audit_log_schemas() -> dict:
    """Response shapes of `portal.services.audit_log_shapes`."""
    return {
        "AuditLogSchema": closed_object(
            {
                "object": {"const": "audit_log_schema"},
                "version": {"type": "integer", "minimum": 1},
                "targets": {
                    "type": "array",
                    "items": closed_object(
                        {"type": {"type": "string"}, "metadata": METADATA_SCHEMA},
                        optional=("metadata",),
                    ),
                },
                "actor": closed_object({"metadata": METADATA_SCHEMA}),
                "metadata": METADATA_SCHEMA,
                "created_at": TIMESTAMP,
            },
            optional=("actor", "metadata"),
        ),
        "AuditLogAction": closed_object(
            {
                "object": {"const": "audit_log_action"},
                "name": {"type": "string", "examples": ["user.signed_in"]},
                "schema": ref("AuditLogSchema"),
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
        ),
        "AuditLogActionList": list_of("AuditLogAction"),
        "AuditLogSchemaList": list_of("AuditLogSchema"),
        "AuditLogExport": closed_object(
            {
                "object": {"const": "audit_log_export"},
                "id": {
                    "type": "string",
                    "examples": ["audit_log_export_01HV5Z3Q9X4M2N8R6T0B7C1D2E"],
                },
                "state": {"enum": EXPORT_STATES},
                "url": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "When ready: where to download the CSV, for 10 minutes.",
                },
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
        ),
        "AuditLogEventCreated": closed_object({"success": {"const": True}}),
        "AuditLogConfiguration": closed_object(
            {
                "organization_id": {"type": "string"},
                "retention_period_in_days": {"type": ["integer", "null"]},
                "state": {"enum": ["active"]},
                "log_stream": {
                    "oneOf": [
                        {"type": "null"},
                        closed_object(
                            {
                                "id": {"type": "string"},
                                "type": {"enum": ["GenericHttps", "Datadog", "Splunk"]},
                                "state": {"enum": ["active", "error"]},
                                "last_synced_at": {
                                    "type": ["string", "null"],
                                    "format": "date-time",
                                    "description": "The last successful delivery.",
                                },
                                "created_at": TIMESTAMP,
                            }
                        ),
                    ]
                },
            }
        ),
        "AuditLogsRetention": closed_object(
            {
                "retention_period_in_days": {
                    "type": ["integer", "null"],
                    "description": "Days events are kept; null: not set, kept until it is.",
                }
            }
        ),
    }


def audit_log_paths() -> dict:

    action_name = path_parameter("action_name", "The action's name, like `user.signed_in`.")
    export_id = path_parameter("export_id", "The export's id, `audit_log_export_...`.")
    organization_id = path_parameter("organization_id", "The organization's id, `org_...`.")
    retention = response("The organization's retention.", "AuditLogsRetention")
    tag = "Audit logs"
    return {
        "/audit_logs/events": {
            "post": operation(
                "create_audit_log_event",
                "Record an audit log event of an organization (checked against its schema)",
                tag,
                {201: response("Recorded.", "AuditLogEventCreated")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateAuditLogEvent),
            )
        },
        "/audit_logs/actions": {
            "get": operation(
                "list_audit_log_actions",
                "List actions that have a schema, each with its latest schema",
                tag,
                {200: response("A page of actions.", "AuditLogActionList")},
                errors=(422,),
                parameters=page_parameters("desc"),
            )
        },
        "/audit_logs/actions/{action_name}/schemas": {
            "parameters": [action_name],
            "get": operation(
                "list_audit_log_schemas",
                "List the schema versions of an action",
                tag,
                {200: response("A page of schemas.", "AuditLogSchemaList")},
                errors=(404, 422),
                parameters=page_parameters("desc"),
            ),
            "post": operation(
                "create_audit_log_schema",
                "Create an action's schema, or its next version (the latest if unchanged)",
                tag,
                {201: response("The schema now in force.", "AuditLogSchema")},
                errors=(400, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateAuditLogSchema),
            ),
        },
        "/audit_logs/exports": {
            "post": operation(
                "create_audit_log_export",
                "Start a CSV export of one organization's events in a time range",
                tag,
                {201: response("The export, pending until its job has run.", "AuditLogExport")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateAuditLogExport),
            )
        },
        "/audit_logs/exports/{export_id}": {
            "get": operation(
                "get_audit_log_export",
                "Get an export; when ready, with a download URL good for 10 minutes",
                tag,
                {200: response("The export.", "AuditLogExport")},
                errors=(404,),
                parameters=[export_id],
            )
        },
        "/audit_logs/exports/{export_id}/download": {
            "get": operation(
                "download_audit_log_export",
                "Download an export's CSV by the signed URL (no API key: the URL is the key)",
                tag,
                {
                    200: {
                        "description": "The CSV, one event a row, oldest first.",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    }
                },
                errors=(403, 404),
                parameters=[
                    export_id,
                    {
                        "name": "token",
                        "in": "query",
                        "required": True,
                        "description": "The signature in the export's `url`.",
                        "schema": {"type": "string"},
                    },
                ],
                public=True,
            )
        },
        "/organizations/{organization_id}/audit_log_configuration": {
            "parameters": [organization_id],
            "get": operation(
                "get_audit_log_configuration",
                "The organization's audit log retention and log stream (set up in the portal)",
                tag,
                {200: response("The configuration.", "AuditLogConfiguration")},
                errors=(404,),
            ),
        },
        "/organizations/{organization_id}/audit_logs_retention": {
            "parameters": [organization_id],
            "get": operation(
                "get_audit_logs_retention",
                "How long the organization's audit log events are kept",
                tag,
                {200: retention},
                errors=(404,),
            ),
            "put": operation(
                "update_audit_logs_retention",
                "Set how long the organization's events are kept; older ones are purged hourly",
                tag,
                {200: retention},
                errors=(400, 404, 413, 422),
                body=request_body(schemas.UpdateAuditLogsRetention),
            ),
        },
    }
