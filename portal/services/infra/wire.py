"""The WorkOS JSON conventions every shape follows: timestamps and list envelopes."""

from datetime import UTC, datetime


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and `Z`, as WorkOS writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def list_envelope(items: list[dict], before: str | None, after: str | None) -> dict:
    return {"object": "list", "data": items, "list_metadata": {"before": before, "after": after}}
