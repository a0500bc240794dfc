"""IdP settings changed on a live connection wait aside until a test sign-in passes with them.

Real sign-ins always use the live settings; a portal test of the pending settings (or of one
new signing certificate) runs against a view of the connection with those settings instead.
"""

from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, ConnectionSession
from portal.models.columns import utcnow
from portal.services.infra import encryption
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings

PENDING = "pending_idp"


class TestedSettings:
    """The connection as a test sees it: its own attributes, some replaced."""

    def __init__(self, connection: Connection, **replaced):
        self._connection = connection
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._connection, name)


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


def settings_for(connection: Connection, session: ConnectionSession):
    """What a sign-in attempt is checked against: live settings unless it tests others."""
    target = session.test_target
    if not target:
        return connection
    if target == PENDING:
        return _pending_view(connection, connection.pending_idp or {})
    tested = [c for c in connection.certificates if c.id == target]
    return TestedSettings(connection, certificates=tested)


def _pending_view(connection: Connection, pending: dict):
    if connection.protocol == "oidc":
        return TestedSettings(
            connection,
            oidc_discovery_endpoint=pending.get("discovery_endpoint")
            or connection.oidc_discovery_endpoint,
            oidc_client_id=pending.get("client_id") or connection.oidc_client_id,
            oidc_client_secret=_pending_secret(pending) or connection.oidc_client_secret,
        )
    return TestedSettings(
        connection,
        saml_idp_entity_id=pending.get("idp_entity_id"),
        saml_idp_sso_url=pending.get("idp_sso_url"),
        certificates=[SimpleNamespace(value=pem) for pem in pending.get("idp_signing_certs", [])],
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
