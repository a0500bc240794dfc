"""Is a portal feature configured for an organization? Setup links end when all theirs are."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection
from portal.services.directory import directories
from portal.services.organizations import organization_domains

SETUP_FEATURES = ("sso", "dsync", "domain_verification")
# Events after which a feature may have become configured.
COMPLETION_EVENTS = ("organization_domain.verified", "connection.activated", "dsync.activated")


def _has_linked_directory(organization_id: str) -> bool:
    return directories.is_linked(organization_id)


def _has_active_connection(organization_id: str) -> bool:
    return (
        db.session.scalar(
            select(Connection.id)
            .where(Connection.organization_id == organization_id, Connection.state == "active")
            .limit(1)
        )
        is not None
    )


# Each feature registers how to tell it is configured; one without a check is not configured.
CHECKS = {
    "domain_verification": organization_domains.has_verified_domain,
    "dsync": _has_linked_directory,
    "sso": _has_active_connection,
}


def is_configured(organization_id: str, feature: str) -> bool:
    check = CHECKS.get(feature)
    return bool(check and check(organization_id))


def configured_features(organization_id: str) -> set[str]:
    return {f for f in SETUP_FEATURES if is_configured(organization_id, f)}
