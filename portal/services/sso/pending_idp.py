"""IdP settings changed on a live connection wait aside until a test sign-in passes with them.

Real sign-ins always use the live settings; a portal test of the pending settings (or of one
new signing certificate) runs against a view of the connection with those settings instead.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, ConnectionSession
from portal.models.columns import utcnow
from portal.services.infra import encryption
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from portal.services.sso.oidc_rp import OidcConnection
from portal.services.sso.saml_connection import (
    Certificate,
    ConnectionView,
    SamlConnection,
    SigningCertificate,
)
from portal.services.sso.sign_in_attempts import Attempt

PENDING = "pending_idp"


@dataclass(frozen=True, slots=True)
class PendingOidcView(OidcConnection):
    """An OIDC connection as a test of its pending settings uses it."""

    id: str
    oidc_discovery_endpoint: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None


def is_live(connection: Connection) -> bool:
    """Whether people sign in through it (edits then wait for a passing test)."""
    return connection.state in ("active", "inactive")


def stage_saml(connection: Connection, entity_id: str, sso_url: str, pems: list[str], url=None):
    """Keep new SAML settings aside; the live ones keep working."""
    connection.pending_idp = {
        "idp_entity_id": entity_id,
        "idp_sso_url": sso_url,
        "idp_metadata_url": url or connection.saml_idp_metadata_url,
        "idp_signing_certs": pems,
        "saved_at": utcnow().isoformat(),
    }
    db.session.commit()
    return connection


def stage_oidc(connection: Connection, oidc: dict) -> Connection:
    """Keep new OIDC settings aside; the live ones keep working."""
    secret = oidc.get("client_secret")
    sealed = encryption.encrypt(secret) if secret else secret
    connection.pending_idp = {**oidc, "client_secret": sealed, "saved_at": utcnow().isoformat()}
    db.session.commit()
    return connection


def discard(connection: Connection) -> None:
    connection.pending_idp = None
    db.session.commit()


def saml_connection_for(
    connection: SamlConnection, attempt: ConnectionSession | Attempt
) -> SamlConnection:
    """The connection a SAML attempt is checked against: the live one itself, or for a portal
    test, a view with the pending settings or with only the certificate under test."""
    target = attempt.test_target
    if not target:
        return connection
    if target == PENDING:
        pending = connection.pending_idp or {}
        return _tested_view(
            connection,
            pending.get("idp_entity_id"),
            pending.get("idp_sso_url"),
            [Certificate(None, pem) for pem in pending.get("idp_signing_certs", [])],
        )
    tested = [c for c in connection.certificates if c.id == target]
    return _tested_view(
        connection, connection.saml_idp_entity_id, connection.saml_idp_sso_url, tested
    )


def _tested_view(
    connection: SamlConnection,
    entity_id: str | None,
    sso_url: str | None,
    certificates: Iterable[SigningCertificate],
) -> ConnectionView:
    return ConnectionView(
        id=connection.id,
        organization_id=connection.organization_id,
        connection_type=connection.connection_type,
        state=connection.state,
        attribute_map=connection.attribute_map,
        saml_idp_entity_id=entity_id,
        saml_idp_sso_url=sso_url,
        pending_idp=connection.pending_idp,
        saml_sign_requests=connection.saml_sign_requests,
        saml_request_binding=connection.saml_request_binding,
        saml_require_encrypted_assertions=connection.saml_require_encrypted_assertions,
        certificates=tuple(Certificate(c.id, c.value) for c in certificates),
    )


def oidc_connection_for(
    connection: Connection, attempt: ConnectionSession | Attempt
) -> OidcConnection:
    """The connection an OIDC attempt signs in through: the live one itself, or for a portal
    test of pending settings, a view with them (a setting left out stays as it is)."""
    if attempt.test_target != PENDING:
        return connection
    pending = connection.pending_idp or {}
    return PendingOidcView(
        id=connection.id,
        oidc_discovery_endpoint=pending.get("discovery_endpoint")
        or connection.oidc_discovery_endpoint,
        oidc_client_id=pending.get("client_id") or connection.oidc_client_id,
        oidc_client_secret=_pending_secret(pending) or connection.oidc_client_secret,
    )


def test_passed(connection: Connection, session: ConnectionSession) -> None:
    """A test of pending settings or a new certificate passed: make them live."""
    if session.test_target == PENDING and connection.pending_idp:
        _promote(connection)
    for certificate in connection.certificates:
        if certificate.id == session.test_target:
            certificate.untested = False


def _promote(connection: Connection) -> None:
    pending = dict(connection.pending_idp)
    pending.pop("saved_at", None)
    connection.pending_idp = None
    if connection.protocol == "oidc":
        pending["client_secret"] = _pending_secret(pending)
        connections.apply_settings(connection, ConnectionSettings(oidc=pending))
        return
    connection.certificates.clear()
    connection.saml_idp_metadata_url = pending.pop("idp_metadata_url", None)
    connections.apply_settings(connection, ConnectionSettings(saml=pending))


def _pending_secret(pending: dict) -> str | None:
    sealed = pending.get("client_secret")
    return encryption.decrypt(sealed) if sealed else None


def reencrypt_secrets() -> int:
    """Seal staged OIDC client secrets under the current SECRET_KEY; how many changed."""
    changed = 0
    staged = select(Connection).where(Connection.pending_idp.is_not(None))
    for connection in db.session.scalars(staged):
        sealed = (connection.pending_idp or {}).get("client_secret")
        if sealed and not encryption.is_current(sealed):
            secret = encryption.decrypt(sealed)
            connection.pending_idp = {
                **connection.pending_idp,
                "client_secret": encryption.encrypt(secret),
            }
            changed += 1
    db.session.commit()
    return changed
