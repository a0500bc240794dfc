"""SCIM attribute paths (RFC 7644 3.10): `urn:...:User:manager.value`, `emails[type eq "w"].value`.

Attribute names are case-insensitive, so every lookup goes through `find_key`.
"""

import functools
from dataclasses import dataclass

from portal.errors import PathError

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
KNOWN_SCHEMAS = (ENTERPRISE_USER_SCHEMA, USER_SCHEMA, GROUP_SCHEMA)
CORE_SCHEMAS = (USER_SCHEMA, GROUP_SCHEMA)


@dataclass
class AttributePath:
    extension: str | None  # the extension schema URN the attribute lives under, if any
    attribute: str | None  # None: the path names the whole extension
    value_filter: object | None = None  # a parsed filter on the elements of a multi-valued one
    sub_attribute: str | None = None


def find_key(container: dict, name: str) -> str | None:
    """The key of `container` that names `name`, compared case-insensitively (the key
    spelled exactly so, if there is one)."""
    if name in container:
        return name
    lowered = name.lower()
    return next((key for key in container if key.lower() == lowered), None)


@functools.lru_cache(maxsize=512)  # the same few paths on every request
def split_schema(path: str) -> tuple[str | None, str]:
    """(extension URN or None, the rest) of a path that may start with a schema URN."""
    lowered = path.lower()
    for schema in KNOWN_SCHEMAS:
        if lowered == schema.lower():
            return (None if schema in CORE_SCHEMAS else schema), ""
        if lowered.startswith(schema.lower() + ":"):
            rest = path[len(schema) + 1 :]
            return (None if schema in CORE_SCHEMAS else schema), rest
    if lowered.startswith("urn:"):
        schema, _, rest = path.rpartition(":")
        # An unknown extension: `urn:x:y:attr` -> extension `urn:x:y`.
        return schema, rest
    return None, path


def parse_path(path: str) -> AttributePath:
    """Parse a PATCH path; a value filter is parsed with `portal.services.scim_filters`."""
    from portal.services.directory.scim_filters import parse_filter

    path = path.strip()
    if not path:
        raise PathError("The path is empty.")
    extension, rest = split_schema(path)
    if not rest:
        return AttributePath(extension, None)
    value_filter = None
    sub = None
    if "[" in rest:
        head, _, tail = rest.partition("[")
        inner, closing, after = tail.rpartition("]")
        if not closing:
            raise PathError(f"Unbalanced brackets in path {path!r}.")
        value_filter = parse_filter(inner)
        if after:
            if not after.startswith("."):
                raise PathError(f"Unexpected text after the filter in {path!r}.")
            sub = after[1:]
        attribute = head
    else:
        attribute, _, sub = rest.partition(".")
        sub = sub or None
    if not attribute or not _is_name(attribute) or (sub is not None and not _is_name(sub)):
        raise PathError(f"{path!r} is not a valid attribute path.")
    return AttributePath(extension, attribute, value_filter, sub)


def _is_name(name: str) -> bool:
    return name.replace("_", "").replace("-", "").replace("$", "").isalnum()
