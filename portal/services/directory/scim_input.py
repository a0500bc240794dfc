"""What a SCIM client may write (RFC 7643 2.1, 3; RFC 7644 3.12): the schemas we declare,
attribute names of the SCIM grammar, and values of bounded size. Checked before anything is
stored, so a refused request changes nothing.

Declared schemas: the core schema of the resource, the enterprise User extension (both in
/Schemas), and for users every extension URN the directory's attribute map reads from
(an IdP's own extension, e.g. Okta's custom `urn:...:User` schema, once an admin maps it).
"""

import re

from portal.errors import ScimError
from portal.services.directory.scim_paths import (
    ENTERPRISE_USER_SCHEMA,
    USER_SCHEMA,
    split_schema,
)

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA (RFC 7643 2.1); `$ref`
# is the one reserved name a client sends.
MAX_NAME = 128
ATTRIBUTE_NAME = re.compile(rf"^(?:\$ref|[A-Za-z][A-Za-z0-9_-]{{0,{MAX_NAME - 1}}})$")
MAX_STRING = 16_384
MAX_ITEMS = 1_000
MAX_DEPTH = 4  # resource > extension > complex attribute > its sub-attributes
# Membership lists are bounded by the request size limit alone: IdPs push thousands at once.
UNBOUNDED_LISTS = {"members"}


def declared_schemas(resource_schema: str, attribute_map: dict | None) -> set[str]:
    """The schema URNs (lowercase) a resource of `resource_schema` may name."""
    if resource_schema != USER_SCHEMA:
        return {resource_schema.lower()}
    mapped = (split_schema(path)[0] for path in (attribute_map or {}).values())
    return {USER_SCHEMA.lower(), ENTERPRISE_USER_SCHEMA.lower()} | {
        urn.lower() for urn in mapped if urn
    }


def check_resource(body: dict, allowed: set[str]) -> None:
    """Refuse a POST/PUT body naming an undeclared schema, a malformed name or a huge value."""
    _check_schemas_list(body.get("schemas"), allowed)
    for key, value in body.items():
        if key.lower() == "schemas":
            continue
        if key.lower().startswith("urn:"):
            _check_schema(key, allowed)
            _check_value(value, key, 1)
        else:
            _check_name(key)
            _check_value(value, key, 1)


def check_patch(body: dict, allowed: set[str]) -> None:
    """Refuse a PatchOp naming another message schema, an undeclared schema in a path, a
    malformed name or a huge value."""
    schemas = body.get("schemas")
    if isinstance(schemas, list) and any(
        not isinstance(s, str) or s.lower() != PATCH_OP.lower() for s in schemas
    ):
        raise ScimError(f"A PATCH request names the schema {PATCH_OP} only.", 400, "invalidSyntax")
    operations = body.get(next((k for k in body if k.lower() == "operations"), "Operations"))
    for operation in operations if isinstance(operations, list) else []:
        if not isinstance(operation, dict):
            continue  # read_operations says why
        fields = {k.lower(): v for k, v in operation.items()}
        path, value = fields.get("path"), fields.get("value")
        if isinstance(path, str) and path.strip():
            _check_path(path.strip(), allowed)
            _check_value(value, path, 1)
        elif isinstance(value, dict):  # path-less: each key is a path
            for key, item in value.items():
                if key.lower() != "schemas":
                    _check_path(key, allowed)
                    _check_value(item, key, 1)


def _check_schemas_list(schemas, allowed: set[str]) -> None:
    if isinstance(schemas, list):
        for schema in schemas:
            if isinstance(schema, str):
                _check_schema(schema, allowed)


def _check_schema(urn: str, allowed: set[str]) -> None:
    if urn.lower() not in allowed:
        shown = urn if len(urn) <= MAX_NAME * 2 else urn[: MAX_NAME * 2] + "..."
        raise ScimError(
            f"Schema {shown!r} is not one this directory declares (see /Schemas, and the "
            "directory's attribute map for an IdP's own extension).",
            400,
            "invalidSyntax",
        )


def _check_path(path: str, allowed: set[str]) -> None:
    extension, rest = split_schema(path)
    if extension is not None:
        _check_schema(extension, allowed)
    if "[" in rest:  # attr[filter].sub: the filter's own paths are bounded by its parser
        names = [rest.partition("[")[0], *rest.rpartition("]")[2].split(".")[1:]]
    else:
        names = rest.split(".")
    for name in names:
        if name and not ATTRIBUTE_NAME.match(name):
            shown = name if len(name) <= MAX_NAME else name[:MAX_NAME] + "..."
            raise ScimError(
                f"{shown!r} is not an attribute name: a letter, then at most {MAX_NAME - 1} "
                "letters, digits, '-' or '_'.",
                400,
                "invalidPath",
            )


def _check_name(name: str) -> None:
    if not ATTRIBUTE_NAME.match(name):
        shown = name if len(name) <= MAX_NAME else name[:MAX_NAME] + "..."
        raise ScimError(
            f"{shown!r} is not an attribute name: a letter, then at most {MAX_NAME - 1} "
            "letters, digits, '-' or '_'.",
            400,
            "invalidSyntax",
        )


def _check_value(value, name: str, depth: int) -> None:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ScimError(
                f"A value is at most {MAX_STRING} characters long ({name[:MAX_NAME]}).",
                400,
                "invalidValue",
            )
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS and name.lower() not in UNBOUNDED_LISTS:
            raise ScimError(
                f"A list holds at most {MAX_ITEMS} values ({name[:MAX_NAME]}).", 400, "invalidValue"
            )
        for item in value:
            _check_value(item, name, depth)
    elif isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise ScimError(
                f"Values nest at most {MAX_DEPTH} objects deep ({name[:MAX_NAME]}).",
                400,
                "invalidValue",
            )
        for key, item in value.items():
            _check_name(key)
            _check_value(item, key, depth + 1)
