from sqlalchemy import select

from portal.extensions import db
from portal.models import Organization, OrganizationDomain
from portal.services.organizations.organization_domains import new_domain


def test_deleting_an_organization_deletes_its_domains(app):
    org = Organization(name="Acme")
    org.domains.append(new_domain("acme.example"))
    db.session.add(org)
    db.session.commit()
    db.session.execute(db.delete(Organization).where(Organization.id == org.id))
    db.session.commit()
    assert db.session.scalars(select(OrganizationDomain)).all() == []
