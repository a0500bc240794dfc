"""The WorkOS JSON shapes of our objects, used by API responses and event payloads alike."""

from datetime import UTC, datetime

from portal.models import (
    Connection,
    Event,
    IdpCertificate,
    Organization,
    OrganizationDomain,
    WebhookEndpoint,
)


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and `Z`, as WorkOS writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def webhook_endpoint(endpoint: WebhookEndpoint, with_secret: bool = False) -> dict:
    """The endpoint; its signing secret only in the response that created it (the SDK's
    model requires the key, so other responses carry an empty string)."""
    return {
        "object": "webhook_endpoint",
        "id": endpoint.id,
        "endpoint_url": endpoint.endpoint_url,
        "secret": endpoint.secret if with_secret else "",
        "status": endpoint.status,
        "events": list(endpoint.events),
        "created_at": timestamp(endpoint.created_at),
        "updated_at": timestamp(endpoint.updated_at),
    }


def list_envelope(items: list[dict], before: str | None, after: str | None) -> dict:
    return {"object": "list", "data": items, "list_metadata": {"before": before, "after": after}}


def connection(conn: Connection, for_event: bool = False) -> dict:
    shape = {
        "object": "connection",
        "id": conn.id,
        "organization_id": conn.organization_id,
        "connection_type": conn.connection_type,
        "name": conn.name,
        "state": conn.state,
        "status": "linked" if conn.state == "active" else "unlinked",
        "domains": [
            {"object": "connection_domain", "id": d.id, "domain": d.domain}
            for d in conn.organization.domains
        ],
        "created_at": timestamp(conn.created_at),
        "updated_at": timestamp(conn.updated_at),
    }
    if for_event:
        shape["external_key"] = conn.id
    return shape


def idp_certificate(certificate: IdpCertificate) -> dict:
    return {
        "object": "saml_idp_signing_certificate",
        "id": certificate.id,
        "value": certificate.value,
        "not_before": timestamp(certificate.not_before),
        "not_after": timestamp(certificate.not_after),
        "created_at": timestamp(certificate.created_at),
    }
