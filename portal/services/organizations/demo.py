"""Demo data for `make run`: one organization with a pending domain."""

from portal.extensions import db
from portal.models import Organization
from portal.services.organizations import organization_domains, organizations

DEMO_EXTERNAL_ID = "demo"


def seed_demo() -> tuple[Organization, bool]:
    """The demo organization, created if missing; returns it and whether it was created."""
    existing = organizations.find_by_external_id(DEMO_EXTERNAL_ID)
    if existing is not None:
        return existing, False
    org = Organization(name="Demo Co", external_id=DEMO_EXTERNAL_ID, metadata_={"plan": "demo"})
    org.domains.append(organization_domains.new_domain("demo-co.example"))
    db.session.add(org)
    db.session.commit()
    return org, True
