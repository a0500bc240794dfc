"""Rules SSO must meet before a connection may be switched on."""

from portal.models import Organization
from portal.services.organizations import organization_domains


def activation_blocker(org: Organization) -> str | None:
    """Why SSO cannot be activated for this organization yet, or None when it can."""
    if org.allow_profiles_outside_organization:
        return None
    if organization_domains.has_verified_domain(org.id):
        return None
    return (
        f"Single sign-on can be switched on once {org.name} has a verified domain, so that only "
        "people with your organization's email addresses can sign in through it. "
        "Verify a domain first."
    )
