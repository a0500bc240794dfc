"""ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 4), built from scim2-models."""

from functools import cache

from flask import url_for
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    User,
)

from portal.errors import NotFound
from portal.scim import bp
from portal.scim.routes import MAX_COUNT
from portal.services.directory import scim_resources


@cache
def _schemas() -> dict[str, dict]:
    schemas = (User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema())
    return {s.id: s.model_dump(mode="json", exclude_none=True) for s in schemas}


@cache
def _resource_types() -> dict[str, dict]:
    types = (ResourceType.from_resource(User[EnterpriseUser]), ResourceType.from_resource(Group))
    return {t.id: t.model_dump(mode="json", exclude_none=True) for t in types}


def _with_location(resource: dict, endpoint: str, **values) -> dict:
    meta = {**resource.get("meta", {}), "location": url_for(endpoint, _external=True, **values)}
    meta.setdefault("resourceType", resource["schemas"][0].rpartition(":")[2])
    return {**resource, "meta": meta}


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="The directory's SCIM token, shown once when it was issued.",
                primary=True,
            )
        ],
    )
    body = config.model_dump(mode="json", exclude_none=True)
    return _with_location(body, "scim.service_provider_config")


@bp.get("/Schemas")
def schemas():
    items = [_with_location(s, "scim.schema", schema_id=i) for i, s in _schemas().items()]
    return scim_resources.list_response(items, len(items), 1)


@bp.get("/Schemas/<schema_id>")
def schema(schema_id):
    if schema_id not in _schemas():
        raise NotFound(f"Schema {schema_id} not found.")
    return _with_location(_schemas()[schema_id], "scim.schema", schema_id=schema_id)


@bp.get("/ResourceTypes")
def resource_types():
    items = [
        _with_location(t, "scim.resource_type", type_id=i) for i, t in _resource_types().items()
    ]
    return scim_resources.list_response(items, len(items), 1)


@bp.get("/ResourceTypes/<type_id>")
def resource_type(type_id):
    if type_id not in _resource_types():
        raise NotFound(f"Resource type {type_id} not found.")
    return _with_location(_resource_types()[type_id], "scim.resource_type", type_id=type_id)
