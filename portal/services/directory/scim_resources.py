"""SCIM resources as JSON: reading a client's resource, and shaping ours for the response
(`meta`, `attributes`/`excludedAttributes` projection, ListResponse)."""

from sqlalchemy import select

from portal.errors import ScimError
from portal.extensions import db
from portal.services.directory.scim_paths import find_key, split_schema
from portal.services.infra.nul_characters import field_holding_nul
from portal.services.infra.wire import timestamp

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ALWAYS_RETURNED = {"id", "schemas"}
# Server-managed or write-only attributes a client's payload cannot set.
NOT_STORED = {"id", "meta", "password", "groups", "members"}
MAX_TEXT = 512


def client_resource(body, schema: str) -> dict:
    """The attributes a client sent, without those the server manages; refuses NUL text."""
    if not isinstance(body, dict):
        raise ScimError("The request body must be a JSON object.", 400, "invalidSyntax")
    refuse_nul(body)
    resource = {k: v for k, v in body.items() if k.lower() not in NOT_STORED}
    schemas = resource.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        resource["schemas"] = [schema]
    elif schema not in schemas:
        resource["schemas"] = [schema, *schemas]
    return resource


def refuse_nul(value) -> None:
    """Refuse text holding NUL anywhere in a JSON value (PostgreSQL cannot even compare it)."""
    if field_holding_nul(value) is not None:
        raise ScimError("Text must not contain NUL characters.", 400, "invalidValue")


def required_text(resource: dict, name: str) -> str:
    """A required single string attribute, e.g. userName."""
    key = find_key(resource, name)
    value = resource.get(key) if key else None
    if not isinstance(value, str) or not value.strip():
        raise ScimError(f"{name} is required and must be a non-empty string.", 400, "invalidValue")
    if len(value) > MAX_TEXT:
        raise ScimError(f"{name} is longer than {MAX_TEXT} characters.", 400, "invalidValue")
    return value


def optional_text(resource: dict, name: str) -> str | None:
    key = find_key(resource, name)
    value = resource.get(key) if key else None
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ScimError(
            f"{name} must be a string of at most {MAX_TEXT} characters.", 400, "invalidValue"
        )
    return value


def boolean(resource: dict, name: str, default: bool) -> bool:
    """A boolean attribute; Entra sends "True"/"False" strings, stored back as booleans."""
    key = find_key(resource, name)
    if key is None or resource[key] is None:
        return default
    value = resource[key]
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
        resource[key] = value
    if not isinstance(value, bool):
        raise ScimError(f"{name} must be true or false.", 400, "invalidValue")
    return value


def represent(row, raw: dict, resource_type: str, location: str, extra: dict | None = None) -> dict:
    """Our SCIM resource: the client's attributes plus `id`, `meta` and any extra ones."""
    resource = {**raw, **(extra or {}), "id": row.id}
    resource["meta"] = {
        "resourceType": resource_type,
        "created": timestamp(row.created_at),
        "lastModified": timestamp(row.updated_at),
        "location": location,
        "version": f'W/"{row.version}"',
    }
    return resource


def projection(attributes: str | None, excluded: str | None):
    """A function that trims a resource to `attributes` or drops `excludedAttributes`."""
    wanted = _names(attributes)
    dropped = _names(excluded)

    def project(resource: dict) -> dict:
        if wanted:
            return _keep(resource, wanted)
        if dropped:
            return _drop(resource, dropped)
        return resource

    return project


def _names(text: str | None) -> list[tuple[str | None, str, str | None]]:
    names = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        extension, rest = split_schema(part)
        attribute, _, sub = rest.partition(".")
        names.append((extension, attribute.lower(), sub.lower() or None))
    return names


def _keep(resource: dict, wanted) -> dict:
    kept = {k: v for k, v in resource.items() if k.lower() in ALWAYS_RETURNED}
    for extension, attribute, sub in wanted:
        source, target = resource, kept
        if extension:
            key = find_key(resource, extension)
            if key is None or not isinstance(resource[key], dict):
                continue
            source, target = resource[key], kept.setdefault(key, {})
            if not attribute:
                kept[key] = source
                continue
        key = find_key(source, attribute) if attribute else None
        if key is None:
            continue
        value = source[key]
        if sub and isinstance(value, dict):
            sub_key = find_key(value, sub)
            if sub_key is not None:
                target.setdefault(key, {})[sub_key] = value[sub_key]
        elif sub and isinstance(value, list):
            target[key] = [
                {k: v for k, v in item.items() if k.lower() == sub}
                for item in value
                if isinstance(item, dict)
            ]
        else:
            target[key] = value
    return kept


def _drop(resource: dict, dropped) -> dict:
    result = {k: (dict(v) if isinstance(v, dict) else v) for k, v in resource.items()}
    for extension, attribute, sub in dropped:
        container = result
        if extension:
            key = find_key(result, extension)
            if key is None:
                continue
            if not attribute:
                result.pop(key)
                continue
            container = result[key]
        key = find_key(container, attribute) if attribute else None
        if key is None or key.lower() in ALWAYS_RETURNED:
            continue
        if sub and isinstance(container[key], dict):
            container[key].pop(find_key(container[key], sub) or sub, None)
        elif not sub:
            container.pop(key)
    return result


def list_response(resources: list[dict], total: int, start_index: int) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def refuse_taken_name(model, key_column, directory_id: str, name: str, own_id, message: str):
    """409 `uniqueness` when another resource of the directory has this name (compared on its
    lowercase key), before the write would hit the unique constraint."""
    query = select(model.id).where(model.directory_id == directory_id, key_column == name.lower())
    if own_id:
        query = query.where(model.id != own_id)
    # Not flushed first: the changed row would hit the unique constraint before we can say so.
    with db.session.no_autoflush:
        taken = db.session.scalar(query.limit(1))
    if taken:
        raise ScimError(message, 409, "uniqueness")
