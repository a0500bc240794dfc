"""The WorkOS JSON shapes of organizations and their domains, for API responses and events."""

from portal.models import Organization, OrganizationDomain
from portal.services.infra.wire import timestamp


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
