"""SSO setup through the portal: one connection per organization, its IdP side, and reset.

Every function takes the organization and works only on that organization's connection.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app

from portal.errors import InvalidInput, NotFound, SignInRefused
from portal.idp_guides import sso_guide_for
from portal.models import Connection, SpKeyPair
from portal.models.columns import utcnow
from portal.services.infra.validation import check_all, required
from portal.services.sso import (
    connections,
    idp_metadata,
    oidc_rp,
    pending_idp,
    sp_certificates,
    sp_keys,
    sso_attribute_maps,
)
from portal.services.sso.certificates import CertificateDetails, read_certificate
from portal.services.sso.connections import OIDC_TYPES, SAML_TYPES, ConnectionSettings

EXPIRY_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class CertificateView:
    details: CertificateDetails
    expires_soon: bool
    id: str = ""
    untested: bool = False

    @property
    def days_left(self) -> int:
        return (self.details.not_after - utcnow()).days


def connection_for(organization_id: str) -> Connection | None:
    return connections.newest_of(organization_id)


def require_connection(organization_id: str) -> Connection:
    connection = connection_for(organization_id)
    if connection is None:
        raise NotFound("Choose your identity provider first.")
    return connection


def choose_provider(organization_id: str, connection_type: str) -> Connection:
    """Create the organization's draft connection of this type (the existing one stays)."""
    existing = connection_for(organization_id)
    if existing is not None:
        return existing
    if connection_type not in SAML_TYPES + OIDC_TYPES:
        raise InvalidInput("Choose your identity provider from the list.", field="type")
    defaults = sso_guide_for(connection_type).attribute_map
    return connections.create_connection(
        organization_id,
        ConnectionSettings(
            connection_type=connection_type,
            attribute_map={"standard_attributes": dict(defaults), "custom_attributes": {}},
        ),
    )


def set_attribute_map(organization_id: str, standard: dict, custom_text: str) -> Connection:
    """The attribute map from the editor, checked (see sso_attribute_maps.parse)."""
    connection = require_connection(organization_id)
    return sso_attribute_maps.save(connection, sso_attribute_maps.parse(standard, custom_text))


def set_saml_manually(organization_id: str, entity_id: str, sso_url: str, pem: str) -> Connection:
    """The IdP's entity ID, sign-on URL and signing certificate, typed or pasted."""
    connection = _saml_connection(organization_id)
    entity_id, sso_url = entity_id.strip(), sso_url.strip()
    *_, certificate = check_all(
        lambda: _check_sign_on_url(sso_url),
        required(
            entity_id,
            "Enter the IdP entity ID (also called Issuer or Identity provider identifier).",
            "entity_id",
        ),
        lambda: _pasted_certificate(pem),
    )
    return _save_saml(connection, entity_id, sso_url, [certificate.pem])


def _pasted_certificate(pem: str) -> CertificateDetails:
    if not pem.strip():
        raise InvalidInput("Paste the IdP's signing certificate.", field="certificate")
    return usable_certificate(pem, field="certificate")


def set_saml_from_metadata(organization_id: str, xml: bytes) -> Connection:
    """IdP settings from its metadata XML (pasted or uploaded)."""
    connection = _saml_connection(organization_id)
    metadata = idp_metadata.read(xml)
    return _save_saml(connection, *_usable(metadata, "metadata"))


def set_saml_from_metadata_url(organization_id: str, url: str) -> Connection:
    """IdP settings fetched from its metadata URL; the URL is kept with the connection."""
    connection = _saml_connection(organization_id)
    metadata, _ = idp_metadata.fetch(url)
    return _save_saml(connection, *_usable(metadata, "metadata_url"), metadata_url=url.strip())


def set_oidc(
    organization_id: str, discovery_url: str, client_id: str, client_secret: str
) -> Connection:
    """The OIDC provider's discovery URL and this app's client credentials there."""
    connection = require_connection(organization_id)
    if connection.protocol != "oidc":
        raise InvalidInput("This connection uses SAML; enter the SAML settings.", field="type")
    discovery_url, client_id = discovery_url.strip(), client_id.strip()
    check_all(
        required(discovery_url, "Enter the discovery URL.", "discovery_url"),
        required(client_id, "Enter the client ID.", "client_id"),
        required(
            client_secret.strip() or connection.oidc_client_secret,
            "Enter the client secret.",
            "client_secret",
        ),
    )
    try:
        oidc_rp.discover(discovery_url)
    except SignInRefused as refusal:
        raise InvalidInput(
            "We could not read the discovery document at this URL: "
            f"{refusal.detail} It usually ends in /.well-known/openid-configuration.",
            field="discovery_url",
        ) from None
    oidc = {"discovery_endpoint": discovery_url, "client_id": client_id}
    if client_secret.strip():
        oidc["client_secret"] = client_secret.strip()
    if pending_idp.is_live(connection):
        return pending_idp.stage_oidc(connection, oidc)
    return connections.update_connection(connection.id, ConnectionSettings(oidc=oidc))


def set_idp_initiated(organization_id: str, enabled: bool) -> Connection:
    """Accept, or refuse, sign-ins the IdP starts on its own (SAML only; off by default)."""
    connection = _saml_connection(organization_id)
    return connections.set_idp_initiated(connection, enabled)


def discard_pending(organization_id: str) -> None:
    """Forget the saved-but-untested IdP settings; the live ones stay."""
    connection = require_connection(organization_id)
    if connection.pending_idp is None:
        raise NotFound("There are no new settings waiting for a test.")
    pending_idp.discard(connection)


def reset(organization_id: str) -> None:
    """Delete the organization's connection so that setup starts again."""
    connections.delete_connection(require_connection(organization_id).id)


def usable_certificate(pem: str, field: str) -> CertificateDetails:
    """A readable certificate that is valid now, or InvalidInput saying what is wrong."""
    details = read_certificate(pem, field=field)
    now = utcnow()
    if details.not_after <= now:
        raise InvalidInput(
            f"This certificate expired on {details.not_after:%Y-%m-%d}. Download the current "
            "signing certificate from your identity provider.",
            field=field,
        )
    if details.not_before > now:
        raise InvalidInput(
            f"This certificate is not valid before {details.not_before:%Y-%m-%d %H:%M} UTC.",
            field=field,
        )
    return details


def certificate_views(connection: Connection) -> list[CertificateView]:
    """The IdP's signing certificates with their details, flagged when they expire soon."""
    views = []
    for certificate in connection.certificates:
        details = read_certificate(certificate.value)
        expires_soon = details.not_after - utcnow() < EXPIRY_WARNING
        views.append(CertificateView(details, expires_soon, certificate.id, certificate.untested))
    return views


def set_request_options(
    organization_id: str, sign_requests: bool, binding: str, require_encrypted: bool
) -> Connection:
    """How the connection's AuthnRequests go out and whether plain assertions are refused;
    the key pairs this needs are made now."""
    connection = _saml_connection(organization_id)
    if binding not in sp_certificates.BINDINGS:
        raise InvalidInput("Choose how requests are sent: redirect or POST.", field="binding")
    options = {
        "sign_requests": sign_requests,
        "request_binding": binding,
        "require_encrypted_assertions": require_encrypted,
    }
    sp_certificates.set_options(connection, options)
    return connection


def add_sp_certificate(organization_id: str, use: str) -> SpKeyPair:
    """The first SP certificate of this use, or the next one, published before it is used."""
    return sp_keys.add(_saml_connection(organization_id).id, _use(use))


def promote_sp_certificate(organization_id: str, use: str) -> SpKeyPair:
    """Switch to the next SP certificate of this use; the old one is dropped."""
    return sp_keys.promote(_saml_connection(organization_id).id, _use(use))


def sp_certificate(organization_id: str, key_pair_id: str) -> SpKeyPair:
    """One of the organization's SP certificates (another organization's is not found)."""
    return sp_keys.key_pair_of(require_connection(organization_id).id, key_pair_id)


def sp_certificate_views(connection: Connection) -> list[SpKeyPair]:
    """The connection's SP key pairs: signing then encryption, each active then next."""
    pairs = sp_keys.key_pairs(connection.id) if connection.protocol == "saml" else []
    return sorted(pairs, key=lambda p: (p.use != "signing", p.status != "active"))


def _use(use: str) -> str:
    if use not in sp_keys.USES:
        raise InvalidInput("Choose the signing or the encryption certificate.", field="use")
    return use


def _saml_connection(organization_id: str) -> Connection:
    connection = require_connection(organization_id)
    if connection.protocol != "saml":
        raise InvalidInput(
            "This connection uses OpenID Connect; enter the OIDC settings.", field="type"
        )
    return connection


def _usable(metadata: idp_metadata.IdpMetadata, field: str) -> tuple[str, str, list[str]]:
    now: datetime = utcnow()
    details = [read_certificate(pem, field=field) for pem in metadata.certificates]
    valid = [d.pem for d in details if d.not_before <= now < d.not_after]
    if not valid:
        expired = max(d.not_after for d in details)
        raise InvalidInput(
            f"The metadata's signing certificate expired on {expired:%Y-%m-%d}. Download the "
            "current metadata from your identity provider.",
            field=field,
        )
    _check_sign_on_url(metadata.sso_url, field=field)
    return metadata.entity_id, metadata.sso_url, valid


def _save_saml(
    connection: Connection, entity_id: str, sso_url: str, pems: list[str], metadata_url=None
):
    if pending_idp.is_live(connection):
        return pending_idp.stage_saml(connection, entity_id, sso_url, pems, metadata_url)
    # During setup the certificates entered replace the previous ones.
    connection.certificates.clear()
    if metadata_url:
        connection.saml_idp_metadata_url = metadata_url
    saml = {"idp_entity_id": entity_id, "idp_sso_url": sso_url, "idp_signing_certs": pems}
    return connections.update_connection(connection.id, ConnectionSettings(saml=saml))


def _check_sign_on_url(url: str, field: str = "sso_url") -> None:
    if not url:
        raise InvalidInput("Enter the IdP's sign-on URL.", field=field)
    production = current_app.config.get("PORTAL_ENV") == "production"
    allowed = ("https",) if production else ("https", "http")
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in allowed or not parts.hostname:
        raise InvalidInput(
            f"The sign-on URL must be a full address starting with https:// (this is {url!r}).",
            field=field,
        )
