"""Test data made through the services, as the app itself would make it."""

import pytest

from portal.models import Organization
from portal.services.account import credentials
from portal.services.organizations import organizations
from portal.services.organizations.organizations import DomainClaim, OrganizationChanges


def make_organization(name: str = "Acme", domains=(), **fields) -> Organization:
    claims = [DomainClaim(d) if isinstance(d, str) else DomainClaim(*d) for d in domains]
    changes = OrganizationChanges(
        name=name, domains=claims, provided={"name", "domains", *fields}, **fields
    )
    return organizations.create_organization(changes)


def org_with(**fields):
    """Mark a test to get the `org` fixture made with these fields instead of its defaults."""
    label = "org with " + ", ".join(sorted(fields))
    return pytest.mark.parametrize("org", [fields], indirect=True, ids=[label])


def make_api_key(name: str = "tests") -> str:
    return credentials.create_api_key(name)[1]


def make_portal_link(org: Organization, intents: list[str], kind: str = "api", **fields):
    """A link granting any intents (the API grants one at a time); returns (row, token)."""
    from datetime import timedelta

    from portal.extensions import db
    from portal.models import PortalLink
    from portal.models.columns import utcnow
    from portal.services.infra import secret_tokens
    from portal.services.infra.ids import new_id
    from portal.services.onboarding import link_tokens

    link_id = new_id("portal_link")
    token = link_tokens.issue(link_id)
    link = PortalLink(
        id=link_id,
        organization_id=org.id,
        kind=kind,
        intents=intents,
        token_hash=secret_tokens.digest(token),
        expires_at=utcnow() + timedelta(minutes=5),
        **fields,
    )
    db.session.add(link)
    db.session.commit()
    return link, token


def make_directory(org: Organization, directory_type: str = "okta scim v2.0"):
    """A SCIM directory of `org`; returns (directory, bearer token)."""
    from portal.services.directory import directories

    return directories.create_directory(org.id, directory_type)


def make_saml_connection(org: Organization, idp, connection_type: str = "OktaSAML"):
    """A SAML connection trusting the test IdP `idp` (a tests.peers.saml_idp.SigningIdp)."""
    from portal.services.sso import connections
    from portal.services.sso.connections import ConnectionSettings
    from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL

    return connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type=connection_type,
            saml={
                "idp_entity_id": IDP_ENTITY_ID,
                "idp_sso_url": IDP_SSO_URL,
                "idp_signing_certs": [idp.certificate],
            },
        ),
    )
