"""Audit log action schemas: what events of an action must carry, versioned.

A metadata schema is given either as WorkOS's shorthand (`{"role": "string"}`) or as the JSON
Schema the WorkOS dashboard edits (`{"type": "object", "properties": {...}, "required": [...]}`).
Both are stored as that JSON Schema. Metadata values are flat (string, number, boolean), so
portal supports the part of JSON Schema that describes them and refuses the rest by name.
"""

from sqlalchemy import select

from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import AuditLogAction, AuditLogSchema
from portal.services.infra.pagination import Page, PageRequest, paginate

VALUE_TYPES = ("string", "number", "integer", "boolean")
SCHEMA_KEYS = {"type", "properties", "required", "additionalProperties"}


def normalize_metadata_schema(schema: dict, field: str) -> dict:
    """The JSON Schema form of `schema`; a 422 naming `field` if portal cannot check it."""
    if schema.get("type") == "object" or "properties" in schema:
        return _checked_json_schema(schema, field)
    properties = {}
    for key, kind in schema.items():
        if kind not in VALUE_TYPES:
            raise InvalidInput(
                f"{field}.{key} must name a type: one of {', '.join(VALUE_TYPES)}.",
                field=f"{field}.{key}",
            )
        properties[key] = {"type": kind}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _checked_json_schema(schema: dict, field: str) -> dict:
    unknown = set(schema) - SCHEMA_KEYS
    if unknown:
        raise InvalidInput(
            f"{field} uses JSON Schema keywords portal does not check: {', '.join(sorted(unknown))}"
            f" (supported: {', '.join(sorted(SCHEMA_KEYS))}).",
            field=field,
        )
    if schema.get("type", "object") != "object":
        raise InvalidInput(f'{field}.type must be "object".', field=f"{field}.type")
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise InvalidInput(f"{field}.properties must be an object.", field=f"{field}.properties")
    for key, definition in properties.items():
        if not isinstance(definition, dict) or definition.get("type") not in VALUE_TYPES:
            raise InvalidInput(
                f'{field}.properties.{key} must be {{"type": ...}} with one of '
                f"{', '.join(VALUE_TYPES)}.",
                field=f"{field}.properties.{key}",
            )
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(
        isinstance(name, str) and name in properties for name in required
    ):
        raise InvalidInput(
            f"{field}.required must list names found in {field}.properties.",
            field=f"{field}.required",
        )
    extra = schema.get("additionalProperties", True)
    if not isinstance(extra, bool):
        raise InvalidInput(
            f"{field}.additionalProperties must be true or false.",
            field=f"{field}.additionalProperties",
        )
    return {
        "type": "object",
        "properties": {key: {"type": value["type"]} for key, value in properties.items()},
        **({"required": list(required)} if required else {}),
        "additionalProperties": extra,
    }


def normalize_definition(targets: list[dict], actor: dict | None, metadata: dict | None) -> dict:
    """The stored form of a schema request: metadata schemas in JSON Schema form."""
    types = [target["type"] for target in targets]
    if len(set(types)) != len(types):
        raise InvalidInput("targets must name each type once.", field="targets")
    definition: dict = {
        "targets": [
            {"type": target["type"]}
            | (
                {"metadata": normalize_metadata_schema(target["metadata"], f"targets.{i}.metadata")}
                if target.get("metadata") is not None
                else {}
            )
            for i, target in enumerate(targets)
        ]
    }
    if actor is not None:
        definition["actor"] = {
            "metadata": normalize_metadata_schema(actor["metadata"], "actor.metadata")
        }
    if metadata is not None:
        definition["metadata"] = normalize_metadata_schema(metadata, "metadata")
    return definition


def create_schema(action_name: str, definition: dict) -> AuditLogSchema:
    """The latest schema if it says the same, else a new version (creating the action too)."""
    action = _find_action(action_name)
    if action is None:
        action = AuditLogAction(name=action_name)
        db.session.add(action)
    latest = action.schemas[-1] if action.schemas else None
    if latest is not None and latest.definition == definition:
        return latest
    schema = AuditLogSchema(version=(latest.version + 1) if latest else 1, definition=definition)
    action.schemas.append(schema)
    db.session.commit()
    return schema


def _find_action(name: str) -> AuditLogAction | None:
    return db.session.scalars(select(AuditLogAction).where(AuditLogAction.name == name)).first()


def get_action(name: str) -> AuditLogAction:
    action = _find_action(name)
    if action is None:
        raise NotFound(f"Audit log action not found: '{name}'.", entity_id=name)
    return action


def list_actions(page: PageRequest) -> Page:
    return paginate(select(AuditLogAction), AuditLogAction.id, page)


def list_schemas(action_name: str, page: PageRequest) -> Page:
    action = get_action(action_name)
    query = select(AuditLogSchema).where(AuditLogSchema.action_id == action.id)
    return paginate(query, AuditLogSchema.id, page)


def schema_for(action_name: str, version: int | None) -> AuditLogSchema | None:
    """The schema an event of this action is checked against: its version, else the latest."""
    action = _find_action(action_name)
    if action is None or not action.schemas:
        if version is not None:
            raise InvalidInput(
                f"Action '{action_name}' has no schema, so event.version {version} does not exist;"
                " leave version out or create the schema first.",
                field="event.version",
            )
        return None
    if version is None:
        return action.schemas[-1]
    for schema in action.schemas:
        if schema.version == version:
            return schema
    raise InvalidInput(
        f"Action '{action_name}' has no schema version {version} "
        f"(latest: {action.schemas[-1].version}).",
        field="event.version",
    )
