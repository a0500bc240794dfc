"""From what an IdP says about a user to a WorkOS Profile, through the attribute map."""

import hashlib

from portal.services.infra.ids import CROCKFORD
from portal.services.sso.saml_connection import SamlConnection

DEFAULT_NAMES = {
    "email": (
        "email",
        "mail",
        "emailaddress",
        "email_address",
        "user.email",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "urn:oid:1.2.840.113549.1.9.1.1",
    ),
    "first_name": (
        "firstname",
        "first_name",
        "givenname",
        "given_name",
        "user.firstname",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
    ),
    "last_name": (
        "lastname",
        "last_name",
        "surname",
        "sn",
        "family_name",
        "user.lastname",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
    ),
    "name": (
        "name",
        "displayname",
        "display_name",
        "http://schemas.microsoft.com/identity/claims/displayname",
    ),
    "groups": (
        "groups",
        "memberof",
        "group",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    ),
}


def _flatten(values):
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def _first(attributes: dict, names) -> object | None:
    lowered = {key.lower(): value for key, value in attributes.items()}
    for name in names:
        if name.lower() in lowered:
            return _flatten(lowered[name.lower()])
    return None


def _as_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def profile_id(connection_id: str, idp_id: str) -> str:
    """A stable profile id per user and connection."""
    digest = int.from_bytes(hashlib.sha256(f"{connection_id}\n{idp_id}".encode()).digest()[:17])
    chars = []
    for _ in range(26):
        digest, index = divmod(digest, 32)
        chars.append(CROCKFORD[index])
    return "prof_" + "".join(chars)


def build_profile(connection: SamlConnection, subject: str, attributes: dict) -> dict:
    """The WorkOS Profile for a signed-in user; `raw_attributes` keeps what the IdP sent."""
    mapping = (connection.attribute_map or {}).get("standard_attributes", {})

    def pick(field: str):
        # The mapped attribute first; the well-known names when the IdP did not send it.
        names = ((mapping[field],) if field in mapping else ()) + DEFAULT_NAMES.get(field, ())
        return _first(attributes, names)

    idp_id = _as_text(pick("idp_id")) if "idp_id" in mapping else subject
    email = _as_text(pick("email")) or (subject if subject and "@" in subject else None)
    groups = pick("groups")
    custom = {
        field: _flatten(attributes.get(source))
        for field, source in (
            (connection.attribute_map or {}).get("custom_attributes") or {}
        ).items()
        if source in attributes
    }
    return {
        "object": "profile",
        "id": profile_id(connection.id, idp_id or ""),
        "organization_id": connection.organization_id,
        "connection_id": connection.id,
        "connection_type": connection.connection_type,
        "idp_id": idp_id,
        "email": email.lower() if email else None,
        "first_name": _as_text(pick("first_name")),
        "last_name": _as_text(pick("last_name")),
        "name": _as_text(pick("name")),
        "groups": groups if isinstance(groups, list) else ([groups] if groups else []),
        "custom_attributes": custom,
        "raw_attributes": {key: _flatten(value) for key, value in attributes.items()},
    }
