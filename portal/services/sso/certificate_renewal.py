"""Renewing the IdP's signing certificate without downtime: add the new one next to the old,
prove it with a test sign-in signed by it alone, then retire the old one.
"""

from portal.errors import Conflict, InvalidInput
from portal.extensions import db
from portal.models import Connection, IdpCertificate
from portal.services.sso import connections, idp_metadata, sign_in, sso_setup
from portal.services.sso.certificates import read_certificate
from portal.services.sso.saml_sp import IdpRequest


def saml_connection(organization_id: str) -> Connection:
    """The organization's SAML connection, whose certificates this section renews."""
    connection = sso_setup.require_connection(organization_id)
    if connection.protocol != "saml":
        raise InvalidInput(
            "This connection uses OpenID Connect: its provider's keys rotate by themselves, "
            "so there is no certificate to renew here.",
            field="certificate",
        )
    return connection


def add_certificate(organization_id: str, pem: str) -> IdpCertificate:
    """Accept a new signing certificate next to the current ones, untested until a test."""
    connection = saml_connection(organization_id)
    if not pem.strip():
        raise InvalidInput("Paste the new signing certificate (PEM).", field="certificate")
    details = sso_setup.usable_certificate(pem, field="certificate")
    if any(c.value == details.pem for c in connection.certificates):
        raise InvalidInput(
            "This certificate is already on file. Paste the new certificate from your "
            "identity provider.",
            field="certificate",
        )
    return _add_untested(connection, [details.pem])[0]


def refresh_from_metadata(organization_id: str) -> list[IdpCertificate]:
    """Fetch the metadata URL again and accept the signing certificates that are new."""
    connection = saml_connection(organization_id)
    url = connection.saml_idp_metadata_url
    if not url:
        raise InvalidInput(
            "This connection was set up without a metadata URL. Paste the new certificate instead.",
            field="metadata_url",
        )
    metadata, _ = idp_metadata.fetch(url)
    known = {c.value for c in connection.certificates}
    fresh = [read_certificate(pem, field="metadata_url").pem for pem in metadata.certificates]
    fresh = [pem for pem in fresh if pem not in known]
    if not fresh:
        raise InvalidInput(
            "The metadata lists no certificate we do not already have. Your identity provider "
            "may not have published the new one yet; try again once it has.",
            field="metadata_url",
        )
    usable = [sso_setup.usable_certificate(pem, field="metadata_url").pem for pem in fresh]
    return _add_untested(connection, usable)


def start_test(organization_id: str, certificate_id: str) -> tuple[IdpRequest, str]:
    """A test sign-in checked against this one certificate only: (the way to the IdP,
    session id)."""
    connection = saml_connection(organization_id)
    certificate = connections.certificate_of(connection.id, certificate_id)
    return sign_in.start_portal_test(connection, certificate.id)


def retire(organization_id: str, certificate_id: str, confirmed: bool) -> None:
    """Stop accepting a certificate; refused until every remaining one has passed a test."""
    connection = saml_connection(organization_id)
    certificate = connections.certificate_of(connection.id, certificate_id)
    if not confirmed:
        raise InvalidInput(
            "Tick the box to confirm that this certificate is retired.", field="confirm"
        )
    remaining = [c for c in connection.certificates if c.id != certificate.id]
    if not remaining:
        raise Conflict(
            "This is the only signing certificate: add the new one and test it first.",
            code="last_certificate",
        )
    if any(c.untested for c in remaining):
        raise Conflict(
            "Run a test sign-in with the new certificate first. The old one stays accepted "
            "until the new one has passed, so nobody is locked out.",
            code="new_certificate_untested",
        )
    connection.certificates.remove(certificate)
    db.session.commit()


def _add_untested(connection: Connection, pems: list[str]) -> list[IdpCertificate]:
    added = []
    for pem in pems:
        certificate = connections.add_certificate(connection, pem, field="certificate")
        certificate.untested = True
        added.append(certificate)
    db.session.commit()
    return added
