"""The WorkOS JSON shapes of our objects, used by API responses and event payloads alike."""

from datetime import UTC, datetime

from portal.models import Event, Organization, OrganizationDomain


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and `Z`, as WorkOS writes it."""
    if value is None:
        return None
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def organization_domain(domain: OrganizationDomain) -> dict:
    return {
        "object": "organization_domain",
        "id": domain.id,
        "organization_id": domain.organization_id,
        "domain": domain.domain,
        "state": domain.state,
        "verification_strategy": domain.verification_strategy,
        "verification_token": domain.verification_token,
        "verification_prefix": domain.verification_prefix,
        "created_at": timestamp(domain.created_at),
        "updated_at": timestamp(domain.updated_at),
    }


def organization(org: Organization, for_event: bool = False) -> dict:
    shape = {
        "object": "organization",
        "id": org.id,
        "name": org.name,
        "domains": [organization_domain(d) for d in org.domains],
        "metadata": dict(org.metadata_ or {}),
        "external_id": org.external_id,
        "stripe_customer_id": org.stripe_customer_id,
        "created_at": timestamp(org.created_at),
        "updated_at": timestamp(org.updated_at),
    }
    if not for_event:
        shape["allow_profiles_outside_organization"] = org.allow_profiles_outside_organization
    return shape


def event(row: Event) -> dict:
    return {
        "object": "event",
        "id": row.id,
        "event": row.event,
        "data": row.data,
        "created_at": timestamp(row.created_at),
    }


def list_envelope(items: list[dict], before: str | None, after: str | None) -> dict:
    return {"object": "list", "data": items, "list_metadata": {"before": before, "after": after}}
