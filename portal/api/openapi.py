"""`GET /openapi.json`: an OpenAPI 3.1 description of every route of the API.

Request bodies are generated from the pydantic models the routes validate with, so they cannot
drift. Response shapes mirror the `*_shapes` modules of `portal.services`; tests check them
against real responses and check that every route of the blueprint is described here.
"""

from functools import cache
from importlib.metadata import version

from flask import current_app, jsonify

from portal.api import bp, schemas
from portal.api.openapi_audit_logs import audit_log_paths, audit_log_schemas
from portal.api.openapi_builders import (
    IDEMPOTENCY_KEY,
    NULLABLE_STRING,
    REF_TEMPLATE,
    TIMESTAMP,
    closed_object,
    comma_list,
    list_of,
    one_of_words,
    operation,
    page_parameters,
    path_parameter,
    query_parameter,
    ref,
    request_body,
    response,
)
from portal.api.openapi_connections import connection_paths, connection_schemas
from portal.api.openapi_directories import directory_paths, directory_schemas
from portal.services.delivery.events import EVENT_TYPES
from portal.services.infra.domain_names import DOMAIN_PATTERN

OPENAPI_VERSION = "3.1.0"
REQUEST_MODELS = (
    schemas.CreateOrganization,
    schemas.UpdateOrganization,
    schemas.CreateOrganizationDomain,
    schemas.GenerateLink,
    schemas.RevokeLink,
    schemas.CreateWebhookEndpoint,
    schemas.UpdateWebhookEndpoint,
    schemas.CreateConnection,
    schemas.UpdateConnection,
    schemas.CreateIdpCertificate,
    schemas.CreateAuditLogEvent,
    schemas.CreateAuditLogSchema,
    schemas.CreateAuditLogExport,
    schemas.UpdateAuditLogsRetention,
)


def _response_schemas() -> dict:
    """The shapes the `*_shapes` services write, and the error and health bodies."""
    return {
        "OrganizationDomain": closed_object(
            {
                "object": {"const": "organization_domain"},
                "id": {"type": "string", "examples": ["org_domain_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
                "organization_id": {"type": "string"},
                "domain": {"type": "string", "examples": ["example.com"]},
                "state": {"enum": ["pending", "verified", "failed"]},
                "verification_strategy": {"enum": ["dns", "manual"]},
                "verification_token": NULLABLE_STRING,
                "verification_prefix": NULLABLE_STRING,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
        ),
        "Organization": closed_object(
            {
                "object": {"const": "organization"},
                "id": {"type": "string", "examples": ["org_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
                "name": {"type": "string"},
                "domains": {"type": "array", "items": ref("OrganizationDomain")},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "external_id": NULLABLE_STRING,
                "stripe_customer_id": NULLABLE_STRING,
                "allow_profiles_outside_organization": {"type": "boolean"},
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
        ),
        "Event": closed_object(
            {
                "object": {"const": "event"},
                "id": {"type": "string", "examples": ["event_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
                "event": {"enum": sorted(EVENT_TYPES)},
                "data": {"type": "object", "description": "The object the event is about."},
                "created_at": TIMESTAMP,
            }
        ),
        "ListMetadata": closed_object(
            {
                "before": {**NULLABLE_STRING, "description": "Cursor to the previous page."},
                "after": {**NULLABLE_STRING, "description": "Cursor to the next page."},
            }
        ),
        "WebhookEndpoint": closed_object(
            {
                "object": {"const": "webhook_endpoint"},
                "id": {"type": "string", "examples": ["we_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
                "endpoint_url": {"type": "string", "format": "uri"},
                "secret": {
                    "type": "string",
                    "description": "The signing secret, in the response that creates the "
                    "endpoint only; an empty string everywhere else.",
                },
                "status": {"enum": ["enabled", "disabled"]},
                "events": {"type": "array", "items": {"enum": sorted(EVENT_TYPES)}},
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
        ),
        "OrganizationList": list_of("Organization"),
        "EventList": list_of("Event"),
        "WebhookEndpointList": list_of("WebhookEndpoint"),
        "PortalLink": closed_object(
            {"link": {"type": "string", "format": "uri", "description": "Valid for 5 minutes."}}
        ),
        "Error": closed_object(
            {
                "message": {"type": "string"},
                "code": {"type": "string", "examples": ["entity_not_found"]},
                "errors": {"type": "array", "items": ref("FieldError")},
                "entity_id": {"type": "string"},
            },
            optional=("errors", "entity_id"),
        ),
        "FieldError": closed_object(
            {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}
        ),
        "Health": _health_schema(),
    }


def _health_schema() -> dict:
    status = {"enum": ["ok", "unavailable"]}
    database = closed_object(
        {
            "status": status,
            "dialect": {"type": "string"},
            "latency_ms": {"type": "number"},
            "error": {"type": "string"},
        },
        optional=("dialect", "latency_ms", "error"),
    )
    queue = closed_object(
        {
            "status": status,
            "backend": {"enum": ["redis", "in-process"]},
            "queued": {"type": "integer", "minimum": 0},
            "error": {"type": "string"},
        },
        optional=("queued", "error"),
    )
    return closed_object({"status": status, "database": database, "queue": queue})


def _request_schemas() -> dict:
    """JSON Schemas of the request models, their nested models hoisted beside them."""
    hoisted: dict[str, dict] = {}
    for model in REQUEST_MODELS:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in {**schema.pop("$defs", {}), model.__name__: schema}.items():
            if hoisted.setdefault(name, definition) != definition:
                raise RuntimeError(f"two request models define {name} differently")
    return hoisted


def _meta_paths() -> dict:
    return {
        "/healthz": {
            "get": operation(
                "healthz",
                "Whether this process can serve: database and job queue reachable",
                "Meta",
                {
                    200: response("Every dependency is reachable.", "Health"),
                    503: response("A dependency is unreachable.", "Health"),
                },
                public=True,
            )
        },
        "/openapi.json": {
            "get": operation(
                "openapi",
                "This OpenAPI document",
                "Meta",
                {
                    200: {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
                public=True,
            )
        },
    }


def _organization_paths() -> dict:
    organization_id = path_parameter("organization_id", "The organization's id, `org_...`.")
    organization = response("The organization.", "Organization")
    write_errors = (400, 409, 413, 422)
    return {
        "/organizations": {
            "get": operation(
                "list_organizations",
                "List organizations, newest first",
                "Organizations",
                {200: response("A page of organizations.", "OrganizationList")},
                errors=(422,),
                parameters=[
                    *page_parameters("desc"),
                    query_parameter(
                        "domains",
                        {
                            "type": "array",
                            "items": comma_list(DOMAIN_PATTERN, "A domain, or several by commas."),
                        },
                        "Only organizations holding one of these domains.",
                    ),
                    query_parameter(
                        "search", {"type": "string"}, "Only organizations whose name contains this."
                    ),
                ],
            ),
            "post": operation(
                "create_organization",
                "Create an organization",
                "Organizations",
                {201: response("The new organization.", "Organization")},
                errors=write_errors,
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateOrganization),
            ),
        },
        "/organizations/{organization_id}": {
            "parameters": [organization_id],
            "get": operation(
                "get_organization",
                "Get an organization",
                "Organizations",
                {200: organization},
                errors=(404,),
            ),
            "put": operation(
                "update_organization",
                "Update an organization: the fields sent change, `null` clears",
                "Organizations",
                {200: organization},
                errors=(404, *write_errors),
                body=request_body(schemas.UpdateOrganization, required=False),
            ),
            "delete": operation(
                "delete_organization",
                "Delete an organization and everything it owns",
                "Organizations",
                {204: response("Deleted.")},
                errors=(404,),
            ),
        },
        "/organizations/external_id/{external_id}": {
            "get": operation(
                "get_organization_by_external_id",
                "Get an organization by the id your app gave it",
                "Organizations",
                {200: organization},
                errors=(404,),
                parameters=[path_parameter("external_id", "The organization's `external_id`.")],
            )
        },
    }


def _domain_paths() -> dict:
    domain_id = path_parameter("domain_id", "The domain's id, `org_domain_...`.")
    domain = response("The domain.", "OrganizationDomain")
    return {
        "/organization_domains": {
            "post": operation(
                "create_organization_domain",
                "Claim a domain for an organization and start its DNS verification",
                "Organization domains",
                {201: response("The new domain, pending verification.", "OrganizationDomain")},
                errors=(400, 404, 409, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateOrganizationDomain),
            )
        },
        "/organization_domains/{domain_id}": {
            "parameters": [domain_id],
            "get": operation(
                "get_organization_domain",
                "Get a domain",
                "Organization domains",
                {200: domain},
                errors=(404,),
            ),
            "delete": operation(
                "delete_organization_domain",
                "Remove a domain from its organization",
                "Organization domains",
                {204: response("Deleted.")},
                errors=(404,),
            ),
        },
        "/organization_domains/{domain_id}/verify": {
            "post": operation(
                "verify_organization_domain",
                "Check the domain's DNS record again (400 if it is already verified, 409 if "
                "another organization has verified it since)",
                "Organization domains",
                {200: domain},
                errors=(400, 404, 409),
                parameters=[domain_id, IDEMPOTENCY_KEY],
            )
        },
    }


def _portal_paths() -> dict:
    return {
        "/portal/generate_link": {
            "post": operation(
                "generate_link",
                "A 5-minute link into the Admin Portal for one intent",
                "Portal links",
                {201: response("The link to give the IT admin.", "PortalLink")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.GenerateLink),
            )
        },
        "/portal/revoke_link": {
            "post": operation(
                "revoke_link",
                "End every link and portal session of one of your users",
                "Portal links",
                {204: response("Revoked (also when there was nothing to revoke).")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.RevokeLink),
            )
        },
    }


def _event_paths() -> dict:
    return {
        "/events": {
            "get": operation(
                "list_events",
                "List events, oldest first",
                "Events",
                {200: response("A page of events.", "EventList")},
                errors=(422,),
                parameters=[
                    *page_parameters("asc"),
                    query_parameter(
                        "events",
                        {
                            "type": "array",
                            "items": comma_list(
                                one_of_words(EVENT_TYPES), "An event type, or several by commas."
                            ),
                        },
                        "Only events of these types.",
                    ),
                    query_parameter(
                        "organization_id", {"type": "string"}, "Only events of this organization."
                    ),
                    query_parameter("range_start", TIMESTAMP, "Only events at or after this."),
                    query_parameter("range_end", TIMESTAMP, "Only events at or before this."),
                ],
            )
        }
    }


def _webhook_paths() -> dict:
    endpoint_id = path_parameter("endpoint_id", "The webhook endpoint's id, `we_...`.")
    endpoint = response("The webhook endpoint (`secret` is empty).", "WebhookEndpoint")
    return {
        "/webhook_endpoints": {
            "get": operation(
                "list_webhook_endpoints",
                "List webhook endpoints, newest first",
                "Webhooks",
                {200: response("A page of webhook endpoints.", "WebhookEndpointList")},
                errors=(422,),
                parameters=page_parameters("desc"),
            ),
            "post": operation(
                "create_webhook_endpoint",
                "Create a webhook endpoint; the response shows its signing secret, once",
                "Webhooks",
                {201: response("The new, enabled endpoint with its secret.", "WebhookEndpoint")},
                errors=(400, 409, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateWebhookEndpoint),
            ),
        },
        "/webhook_endpoints/{endpoint_id}": {
            "parameters": [endpoint_id],
            "get": operation(
                "get_webhook_endpoint",
                "Get a webhook endpoint (portal's addition; the SDK has no such call)",
                "Webhooks",
                {200: endpoint},
                errors=(404,),
            ),
            "patch": operation(
                "update_webhook_endpoint",
                "Change a webhook endpoint's URL, events or status (`disabled` pauses it)",
                "Webhooks",
                {200: endpoint},
                errors=(400, 404, 409, 413, 422),
                body=request_body(schemas.UpdateWebhookEndpoint, required=False),
            ),
            "delete": operation(
                "delete_webhook_endpoint",
                "Delete a webhook endpoint and its delivery history",
                "Webhooks",
                {204: response("Deleted.")},
                errors=(404,),
            ),
        },
    }


@cache
def openapi_document(server_url: str) -> dict:
    """The OpenAPI 3.1 document of the API served at `server_url` (built once per URL)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "portal",
            "version": version("portal"),
            "description": "A self-hosted Admin Portal whose REST API is wire-compatible "
            "with the WorkOS API. Text holding a NUL character (U+0000), anywhere in a request, "
            "is refused with a 422 naming where it is.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            **_meta_paths(),
            **_organization_paths(),
            **_domain_paths(),
            **_portal_paths(),
            **_event_paths(),
            **_webhook_paths(),
            **directory_paths(),
            **connection_paths(),
            **audit_log_paths(),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, `sk_...`.",
                }
            },
            "schemas": {
                **_request_schemas(),
                **_response_schemas(),
                **directory_schemas(),
                **connection_schemas(),
                **audit_log_schemas(),
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config["PORTAL_PUBLIC_URL"]))
