"""The WorkOS JSON shapes of directories, directory users and groups (API and events)."""

from portal.models import Directory, DirectoryGroup, DirectoryUser, Organization
from portal.services.directory.scim_filters import values_at
from portal.services.infra.wire import timestamp


def external_key(directory: Directory) -> str:
    return directory.id.rpartition("_")[2].lower()


def directory(row: Directory, counts: dict | None = None) -> dict:
    shape = {
        "object": "directory",
        "id": row.id,
        "organization_id": row.organization_id,
        "external_key": external_key(row),
        "type": row.type,
        "state": row.state,
        "name": row.name,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }
    if counts is not None:
        shape["metadata"] = {
            "users": {"active": counts["active"], "inactive": counts["inactive"]},
            "groups": counts["groups"],
        }
    return shape


def directory_event(row: Directory, organization: Organization | None, state: str) -> dict:
    """`dsync.activated` (with domains) and `dsync.deleted` data."""
    shape = {
        "object": "directory",
        "id": row.id,
        "type": row.type,
        "state": state,
        "name": row.name,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "organization_id": row.organization_id,
    }
    if organization is not None:
        shape["external_key"] = external_key(row)
        shape["domains"] = [
            {"object": "organization_domain", "id": d.id, "domain": d.domain}
            for d in organization.domains
        ]
    return shape


def group(row: DirectoryGroup) -> dict:
    return {
        "object": "directory_group",
        "id": row.id,
        "idp_id": row.external_id or row.display_name,
        "directory_id": row.directory_id,
        "organization_id": row.organization_id,
        "name": row.display_name,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "raw_attributes": row.raw_attributes,
    }


def _emails(raw: dict) -> list[dict]:
    found = values_at(raw, "emails")
    return [
        {
            "primary": bool(e.get("primary", False)),
            "type": e.get("type"),
            "value": e.get("value"),
        }
        for e in found
        if isinstance(e, dict) and isinstance(e.get("value"), str)
    ]


def _first(raw: dict, path: str):
    found = [v for v in values_at(raw, path) if v not in (None, "")]
    return found[0] if found else None


def custom_attributes(raw: dict, attribute_map: dict) -> dict:
    """The directory's custom attributes: each name read from its SCIM path."""
    result = {}
    for name, path in attribute_map.items():
        found = [v for v in values_at(raw, path) if v not in (None, "")]
        if found:
            result[name] = found[0] if len(found) == 1 else found
    return result


def user(row: DirectoryUser, attribute_map: dict, groups: list | None = None) -> dict:
    raw = row.raw_attributes or {}
    first_name, last_name = _first(raw, "name.givenName"), _first(raw, "name.familyName")
    full_name = row.display_name or _first(raw, "name.formatted")
    if not full_name and (first_name or last_name):
        full_name = " ".join(part for part in (first_name, last_name) if part)
    shape = {
        "object": "directory_user",
        "id": row.id,
        "directory_id": row.directory_id,
        "organization_id": row.organization_id,
        "idp_id": row.external_id or row.user_name,
        "email": row.email,
        "first_name": first_name,
        "last_name": last_name,
        "name": full_name,
        "emails": _emails(raw),
        "job_title": _first(raw, "title"),
        "username": row.user_name,
        "state": "active" if row.active else "inactive",
        "custom_attributes": custom_attributes(raw, attribute_map or {}),
        "raw_attributes": raw,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }
    if groups is not None:
        shape["groups"] = [group(g) for g in groups]
    return shape


def previous_attributes(before: dict, after: dict) -> dict:
    """The fields an update changed, with their earlier values (WorkOS `previous_attributes`)."""
    return {
        key: value
        for key, value in before.items()
        if key not in ("updated_at", "raw_attributes") and after.get(key) != value
    }
