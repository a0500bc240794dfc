"""SCIM attribute names in paths and filters (RFC 7644 3.10): the schema URN a path may start
with (`urn:...:User:manager.value`), and case-insensitive lookup of an attribute's key.

Attribute names are case-insensitive, so every lookup goes through `find_key`. PATCH paths
with value filters (`emails[type eq "w"].value`) are read by `scim_patch.parse_path`.
"""

import functools

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
KNOWN_SCHEMAS = (ENTERPRISE_USER_SCHEMA, USER_SCHEMA, GROUP_SCHEMA)
CORE_SCHEMAS = (USER_SCHEMA, GROUP_SCHEMA)


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
