"""Test data made through the services, as the app itself would make it."""

import functools
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import Organization, PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services.account import credentials
from portal.services.onboarding import portal_links
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
    return pytest.mark.parametrize("org", [fields], indirect=True, ids=[_test_id_of(fields)])


def _test_id_of(fields: dict) -> str:
    """How the variant shows in test ids, e.g. `org domains=acme.test:verified`."""

    def shown(value) -> str:
        if isinstance(value, list):  # domains, each a name or (name, state)
            return ",".join(d if isinstance(d, str) else ":".join(d) for d in value) or "none"
        return str(value)

    return "org " + " ".join(f"{key}={shown(value)}" for key, value in sorted(fields.items()))


# SSO goes live only for an organization with a verified domain.
WITH_VERIFIED_DOMAIN = org_with(domains=[("acme.test", "verified")])


def make_api_key(name: str = "tests") -> str:
    return credentials.create_api_key(name)[1]


def make_portal_link(org: Organization, intents: list[str], **fields) -> tuple[PortalLink, str]:
    """An API link into `org`'s portal, made as `POST /portal/generate_link` makes it;
    returns (row, url)."""
    link, url = portal_links.create_api_link(org.id, intents[0], **fields)
    if len(intents) > 1:
        # The API grants one intent per link; tests of several sections at once need more.
        link.intents = list(intents)
        db.session.commit()
    return link, url


def expire_link(link: PortalLink, ago: timedelta = timedelta(seconds=1)) -> None:
    """Move the expiry of a link, and of the sessions it opened, into the past, as the clock
    would."""
    # No service ages a link: only time does, and a test cannot wait five minutes or 30 days.
    past = utcnow() - ago
    link.expires_at = past
    db.session.execute(
        update(PortalSession).where(PortalSession.portal_link_id == link.id).values(expires_at=past)
    )
    db.session.commit()


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


@functools.cache
def _sp_key_material() -> tuple[str, str]:
    """One SP certificate and key per test process: generating RSA keys is slow."""
    from portal.services.sso import sp_keys

    pair = sp_keys._generate("conn_factory", "signing", "active")
    return pair.certificate, pair.private_key


def make_sp_key_pair(connection, use: str, status: str = "active"):
    """A saved SP key pair of `connection` (one shared key: fine where only ids matter)."""
    from portal.models import SpKeyPair

    certificate, private_key = _sp_key_material()
    pair = SpKeyPair(
        connection_id=connection.id,
        use=use,
        status=status,
        certificate=certificate,
        not_before=utcnow(),
        not_after=utcnow() + timedelta(days=365),
    )
    pair.private_key = private_key
    db.session.add(pair)
    if use == "signing" and status == "active":
        connection.saml_sign_requests = True
    db.session.commit()
    return pair
