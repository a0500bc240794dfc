"""Organizations and their domains."""

import secrets

from sqlalchemy import select

from portal.extensions import db
from portal.models import Organization, OrganizationDomain

VERIFICATION_PREFIX = "portal-verification"


def normalize_domain(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def new_domain(domain: str, state: str = "pending", strategy: str = "dns") -> OrganizationDomain:
    """An unsaved domain with its DNS verification token and record prefix."""
    return OrganizationDomain(
        domain=normalize_domain(domain),
        state=state,
        verification_strategy=strategy,
        verification_prefix=VERIFICATION_PREFIX,
        verification_token=secrets.token_urlsafe(24),
    )


def find_by_external_id(external_id: str) -> Organization | None:
    return db.session.scalars(
        select(Organization).where(Organization.external_id == external_id)
    ).first()
