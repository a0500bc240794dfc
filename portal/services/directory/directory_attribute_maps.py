"""A directory's attribute map: each WorkOS `custom_attributes` name and the SCIM attribute it
is read from. Paths are checked against the SCIM User schema (RFC 7643) and its enterprise
extension, so a typo is refused instead of silently yielding nothing."""

import re
from functools import cache

from sqlalchemy import select

from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Directory, DirectoryUser
from portal.services.delivery import events
from portal.services.directory import directory_shapes, scim_schema
from portal.services.directory.scim_paths import split_schema

ENTERPRISE = scim_schema.ENTERPRISE
BASE_DEFAULTS = {
    "department": f"{ENTERPRISE}:department",
    "division": f"{ENTERPRISE}:division",
    "cost_center": f"{ENTERPRISE}:costCenter",
    "employee_number": f"{ENTERPRISE}:employeeNumber",
    "manager_id": f"{ENTERPRISE}:manager.value",
}
# What each provider sends beyond the common enterprise attributes, out of the box.
PROVIDER_DEFAULTS = {
    "okta scim v2.0": {"organization": f"{ENTERPRISE}:organization", "user_type": "userType"},
    "azure scim v2.0": {"preferred_language": "preferredLanguage"},
    "onelogin scim v2.0": {"organization": f"{ENTERPRISE}:organization"},
    "jump cloud scim v2.0": {"organization": f"{ENTERPRISE}:organization"},
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_ENTRIES = 50
NEVER_MAPPED = {"password"}
# A custom extension an IdP may add: `urn:...:<attribute>[.<sub>]`.
EXTENSION_ATTRIBUTE = re.compile(r"^[A-Za-z][\w$-]*(\.[A-Za-z$][\w$-]*)?$")


def defaults_for(directory_type: str) -> dict[str, str]:
    """The attribute map a directory of this provider starts with."""
    return {**BASE_DEFAULTS, **PROVIDER_DEFAULTS.get(directory_type, {})}


@cache
def _known() -> dict[str | None, dict[str, tuple[str, dict[str, str]]]]:
    """schema (None: core) -> attribute (lowercase) -> (its name, {sub lowercase: sub name})."""
    known: dict[str | None, dict[str, tuple[str, dict[str, str]]]] = {}
    for schema, attributes in scim_schema.user_attributes(frozenset(NEVER_MAPPED)).items():
        known[schema] = {
            attribute.name.lower(): (
                attribute.name,
                {sub.name.lower(): sub.name for sub in attribute.sub_attributes or []},
            )
            for attribute in attributes
        }
    return known


def path_problem(path: str) -> str | None:
    """Why `path` names no SCIM User attribute, or None when it does."""
    if not path:
        return "Enter the SCIM attribute to read it from."
    if "[" in path or " " in path:
        return f"{path!r}: filters are not supported; name the attribute, e.g. emails.value."
    extension, rest = split_schema(path)
    if extension is not None and extension not in _known():
        if EXTENSION_ATTRIBUTE.match(rest or ""):
            return None  # the IdP's own extension schema: its attributes are not ours to list
        return f"{path!r}: add the attribute after the schema URN, e.g. {extension}:badge."
    head, _, sub = (rest or "").partition(".")
    if head.lower() not in _known()[extension]:
        where = "the enterprise extension" if extension else "the SCIM User schema"
        return f"Unknown SCIM attribute {path!r}: {where} has no attribute {head!r}."
    name, subs = _known()[extension][head.lower()]
    if sub and sub.lower() not in subs:
        return f"Unknown SCIM attribute {path!r}: {name!r} has no sub-attribute {sub!r}."
    if not sub and subs and name != "manager":
        return (
            f"{path!r} is a complex attribute: name one of its parts ({', '.join(subs.values())})."
        )
    return None


def validated(rows: list[tuple[str, str]]) -> dict[str, str]:
    """The map from (name, path) rows (blank rows skipped); InvalidInput lists every problem."""
    errors, result = [], {}
    for index, (raw_name, raw_path) in enumerate(rows):
        name, path = raw_name.strip(), raw_path.strip()
        if not name and not path:
            continue
        problem = _name_problem(name, result) or path_problem(path)
        if problem:
            errors.append({"field": f"row-{index}", "code": "invalid", "message": problem})
        else:
            result[name] = path
    if len(result) > MAX_ENTRIES:
        errors.append({"field": "rows", "code": "invalid", "message": "At most 50 attributes."})
    if errors:
        raise InvalidInput(" ".join(e["message"] for e in errors), errors=errors)
    return result


def _name_problem(name: str, taken: dict) -> str | None:
    if not NAME.match(name):
        return (
            f"{name!r}: a name is lowercase letters, digits and underscores, starting with "
            "a letter (e.g. cost_center)."
        )
    if name in taken:
        return f"{name!r} is listed twice."
    return None


def update(directory: Directory, rows: list[tuple[str, str]]) -> dict[str, str]:
    """Save a new attribute map; the API's `custom_attributes` follow it at once, and each
    user whose custom attributes change gets dsync.user.updated (same transaction)."""
    old_map, new_map = dict(directory.attribute_map or {}), validated(rows)
    directory.attribute_map = new_map
    if new_map != old_map:
        _announce_changes(directory, old_map, new_map)
    db.session.commit()
    return directory.attribute_map


def _announce_changes(directory: Directory, old_map: dict, new_map: dict) -> None:
    users = db.session.scalars(
        select(DirectoryUser)
        .where(DirectoryUser.directory_id == directory.id)
        .order_by(DirectoryUser.id)
    ).all()
    for user in users:
        before = directory_shapes.custom_attributes(user.raw_attributes or {}, old_map)
        if before == directory_shapes.custom_attributes(user.raw_attributes or {}, new_map):
            continue
        data = directory_shapes.user(user, new_map)
        data["previous_attributes"] = {"custom_attributes": before}
        events.record("dsync.user.updated", data, directory.organization_id)


def suggestions() -> list[str]:
    """Every mappable SCIM path, for the editor's autocomplete."""
    paths = []
    for schema, attributes in _known().items():
        prefix = f"{schema}:" if schema else ""
        for name, subs in attributes.values():
            if not subs or name == "manager":
                paths.append(prefix + name)
            paths.extend(f"{prefix}{name}.{sub}" for sub in subs.values())
    return paths
