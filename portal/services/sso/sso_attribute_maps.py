"""The attribute map the IT admin edits: which IdP attribute fills each profile field.

Stored on the connection in the API's shape: {"standard_attributes": {field: attribute},
"custom_attributes": {name: attribute}}.
"""

import re

from portal.errors import InvalidInput
from portal.models import Connection
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings

# The profile fields the portal lets the admin map, with their names on screen.
FIELDS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "groups": "Groups",
}
# Profile keys a custom attribute cannot take: the host app would not find it.
RESERVED = {
    "object",
    "id",
    "organization_id",
    "connection_id",
    "connection_type",
    "idp_id",
    "email",
    "first_name",
    "last_name",
    "name",
    "groups",
    "role",
    "custom_attributes",
    "raw_attributes",
}
CUSTOM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def parse(standard: dict[str, str], custom_text: str) -> dict:
    """The map from the editor's fields, or InvalidInput naming the field to fix."""
    chosen = {key: (standard.get(key) or "").strip() for key in FIELDS}
    if not chosen["email"]:
        raise InvalidInput(
            "Enter the attribute that holds the email address (for example email).",
            field="map_email",
        )
    custom = _custom(custom_text)
    _refuse_shared_attributes(chosen, custom)
    return {
        "standard_attributes": {key: value for key, value in chosen.items() if value},
        "custom_attributes": custom,
    }


def save(connection: Connection, mapping: dict) -> Connection:
    """Replace the connection's attribute map; the next sign-in's profile follows it."""
    return connections.update_connection(connection.id, ConnectionSettings(attribute_map=mapping))


def as_text(mapping: dict | None) -> str:
    """The custom attributes as the editor shows them, one `name = attribute` a line."""
    custom = (mapping or {}).get("custom_attributes") or {}
    return "\n".join(f"{name} = {attribute}" for name, attribute in custom.items())


def _custom(text: str) -> dict[str, str]:
    custom: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, attribute = (part.strip() for part in line.partition("="))
        if not equals or not name or not attribute:
            raise InvalidInput(
                f"Line {number} of the custom attributes must read name = IdP attribute "
                "(for example department = dept).",
                field="custom",
            )
        if name.lower() in RESERVED:
            raise InvalidInput(
                f"'{name}' is a standard profile field, so a custom attribute cannot use it. "
                "Map it above, or give the custom attribute another name.",
                field="custom",
            )
        if not CUSTOM_NAME.match(name):
            raise InvalidInput(
                f"The custom attribute name '{name}' may use letters, digits and _ only, "
                "starting with a letter.",
                field="custom",
            )
        if name in custom:
            raise InvalidInput(f"The custom attribute '{name}' is listed twice.", field="custom")
        custom[name] = attribute
    return custom


def _refuse_shared_attributes(chosen: dict[str, str], custom: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    named = [(FIELDS[key], value, f"map_{key}") for key, value in chosen.items() if value]
    named += [(f"custom attribute '{name}'", value, "custom") for name, value in custom.items()]
    for label, attribute, field in named:
        if attribute.lower() in seen:
            raise InvalidInput(
                f"{seen[attribute.lower()]} and {label} both read '{attribute}'. "
                "Each profile field needs its own IdP attribute.",
                field=field,
            )
        seen[attribute.lower()] = label


def unmatched(mapping: dict | None, raw_attributes: dict | None) -> list[tuple[str, str]]:
    """(field, attribute) pairs of the map that the IdP's answer did not include."""
    sent = {name.lower() for name in (raw_attributes or {})}
    standard = (mapping or {}).get("standard_attributes") or {}
    pairs = [(FIELDS.get(key, key), value) for key, value in standard.items()]
    custom = (mapping or {}).get("custom_attributes") or {}
    pairs += [(name, value) for name, value in custom.items()]
    return [(label, value) for label, value in pairs if value.lower() not in sent]
