"""Service validation errors, keyed by form field for the templates."""

from portal.errors import InvalidInput


def by_field(error: InvalidInput, default_field: str = "form") -> dict[str, str]:
    """{field: message}; an error without a field lands on `default_field`."""
    found = {}
    for item in error.errors:
        found.setdefault(item.get("field") or default_field, item["message"])
    return found or {default_field: error.message}
