"""The developer's REST API, WorkOS-compatible paths at the root."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from portal.api import (  # noqa: E402, F401  (routes register on import)
    audit_logs,
    auth,
    connections,
    directories,
    events,
    health,
    openapi,
    organization_domains,
    organizations,
    portal_links,
    webhook_endpoints,
)
