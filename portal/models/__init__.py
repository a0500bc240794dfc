"""All models, imported here so Alembic and the app see every table."""

from portal.models.credentials import ApiKey, DashboardUser, Environment
from portal.models.event import Event
from portal.models.idempotency import IdempotentRequest
from portal.models.organization import Organization, OrganizationDomain
from portal.models.portal_access import PortalLink, PortalSession

__all__ = [
    "ApiKey",
    "DashboardUser",
    "Environment",
    "Event",
    "IdempotentRequest",
    "Organization",
    "OrganizationDomain",
    "PortalLink",
    "PortalSession",
]
