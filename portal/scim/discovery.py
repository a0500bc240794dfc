"""ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 4), built from scim2-models."""

from flask import url_for

from portal.errors import NotFound
from portal.scim import bp
from portal.scim.routes import MAX_COUNT
from portal.services.directory import scim_resources, scim_schema


def _with_location(resource: dict, endpoint: str, **values) -> dict:
    meta = {**resource.get("meta", {}), "location": url_for(endpoint, _external=True, **values)}
    meta.setdefault("resourceType", resource["schemas"][0].rpartition(":")[2])
    return {**resource, "meta": meta}


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    body = scim_schema.service_provider_config(MAX_COUNT)
    return _with_location(body, "scim.service_provider_config")


@bp.get("/Schemas")
def schemas():
    items = [
        _with_location(s, "scim.schema", schema_id=i) for i, s in scim_schema.schemas().items()
    ]
    return scim_resources.list_response(items, len(items), 1)


@bp.get("/Schemas/<schema_id>")
def schema(schema_id):
    if schema_id not in scim_schema.schemas():
        raise NotFound(f"Schema {schema_id} not found.")
    return _with_location(scim_schema.schemas()[schema_id], "scim.schema", schema_id=schema_id)


@bp.get("/ResourceTypes")
def resource_types():
    items = [
        _with_location(t, "scim.resource_type", type_id=i)
        for i, t in scim_schema.resource_types().items()
    ]
    return scim_resources.list_response(items, len(items), 1)


@bp.get("/ResourceTypes/<type_id>")
def resource_type(type_id):
    if type_id not in scim_schema.resource_types():
        raise NotFound(f"Resource type {type_id} not found.")
    return _with_location(
        scim_schema.resource_types()[type_id], "scim.resource_type", type_id=type_id
    )
