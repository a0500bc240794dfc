"""Checking an audit log event against its action's schema, listing everything wrong at once."""

from portal.errors import InvalidInput
from portal.models import AuditLogSchema

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
PYTHON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def _problem(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def metadata_limit_problems(metadata: dict | None, field: str) -> list[dict]:
    """WorkOS's limits on every metadata object: 50 keys, keys ≤ 40 and values ≤ 500 chars."""
    if not metadata:
        return []
    problems = []
    if len(metadata) > METADATA_MAX_KEYS:
        problems.append(
            _problem(field, "too_many_keys", f"{field} has more than {METADATA_MAX_KEYS} keys.")
        )
    for key, value in metadata.items():
        if len(key) > METADATA_KEY_MAX:
            problems.append(
                _problem(
                    f"{field}.{key}",
                    "key_too_long",
                    f"{field} key '{key[:20]}...' is longer than {METADATA_KEY_MAX} characters.",
                )
            )
        if isinstance(value, str) and len(value) > METADATA_VALUE_MAX:
            problems.append(
                _problem(
                    f"{field}.{key}",
                    "value_too_long",
                    f"{field}.{key} is longer than {METADATA_VALUE_MAX} characters.",
                )
            )
    return problems


def metadata_problems(metadata: dict | None, schema: dict | None, field: str) -> list[dict]:
    """What in `metadata` the JSON Schema `schema` (portal's supported subset) refuses."""
    if schema is None:
        return []
    metadata = metadata or {}
    properties = schema.get("properties", {})
    problems = [
        _problem(f"{field}.{key}", "required", f"{field}.{key} is required by the schema.")
        for key in schema.get("required", [])
        if key not in metadata
    ]
    for key, value in metadata.items():
        definition = properties.get(key)
        if definition is None:
            if not schema.get("additionalProperties", True):
                problems.append(
                    _problem(
                        f"{field}.{key}",
                        "not_in_schema",
                        f"{field}.{key} is not in the schema (allowed: "
                        f"{', '.join(sorted(properties)) or 'none'}).",
                    )
                )
        elif not PYTHON_TYPES[definition["type"]](value):
            problems.append(
                _problem(
                    f"{field}.{key}",
                    "wrong_type",
                    f"{field}.{key} must be a {definition['type']}.",
                )
            )
    return problems


def target_problems(targets: list[dict], definition: dict) -> list[dict]:
    """Targets must be of the schema's types, each type present, metadata as declared."""
    by_type = {target["type"]: target for target in definition["targets"]}
    problems = []
    for i, target in enumerate(targets):
        declared = by_type.get(target["type"])
        if declared is None:
            problems.append(
                _problem(
                    f"event.targets.{i}.type",
                    "unknown_target_type",
                    f"event.targets.{i}.type '{target['type']}' is not a target type of this "
                    f"action's schema (allowed: {', '.join(by_type)}).",
                )
            )
            continue
        problems += metadata_problems(
            target.get("metadata"), declared.get("metadata"), f"event.targets.{i}.metadata"
        )
    present = {target["type"] for target in targets}
    problems += [
        _problem(
            "event.targets",
            "missing_target_type",
            f"event.targets must include a target of type '{kind}', as the schema requires.",
        )
        for kind in by_type
        if kind not in present
    ]
    return problems


def check_event(event: dict, schema: AuditLogSchema | None) -> None:
    """Refuse with a 422 listing every problem if `event` breaks the limits or its schema."""
    problems = metadata_limit_problems(event.get("metadata"), "event.metadata")
    problems += metadata_limit_problems(event["actor"].get("metadata"), "event.actor.metadata")
    for i, target in enumerate(event["targets"]):
        problems += metadata_limit_problems(target.get("metadata"), f"event.targets.{i}.metadata")
    if schema is not None:
        definition = schema.definition
        problems += metadata_problems(
            event["actor"].get("metadata"),
            (definition.get("actor") or {}).get("metadata"),
            "event.actor.metadata",
        )
        problems += target_problems(event["targets"], definition)
        problems += metadata_problems(
            event.get("metadata"), definition.get("metadata"), "event.metadata"
        )
    if problems:
        against = f" (schema version {schema.version})" if schema is not None else ""
        summary = "; ".join(p["message"] for p in problems[:3])
        raise InvalidInput(f"The audit log event is invalid{against}: {summary}", errors=problems)
