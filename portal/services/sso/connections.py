"""SSO connections: create, configure, list, certificates, and their state changes."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.errors import Conflict, DestinationRefused, InvalidInput
from portal.extensions import db
from portal.models import Connection, IdpCertificate, OrganizationDomain
from portal.models.columns import utcnow
from portal.services.delivery import events
from portal.services.infra import encryption, outbound, tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.organizations import organizations
from portal.services.sso import connection_shapes, sp_certificates, sso_policy
from portal.services.sso.certificates import read_certificate

SAML_TYPES = (
    "GenericSAML",
    "OktaSAML",
    "AzureSAML",
    "GoogleSAML",
    "ADFSSAML",
    "OneLoginSAML",
    "JumpCloudSAML",
    "PingFederateSAML",
    "PingOneSAML",
    "Auth0SAML",
    "KeycloakSAML",
    "CyberArkSAML",
    "RipplingSAML",
)
OIDC_TYPES = ("GenericOIDC", "OktaOIDC", "EntraIdOIDC")
STANDARD_ATTRIBUTES = ("idp_id", "email", "first_name", "last_name", "name", "groups")


@dataclass
class ConnectionSettings:
    """What a create or update sets; `provided` names the fields present."""

    name: str | None = None
    connection_type: str | None = None
    external_id: str | None = None
    attribute_map: dict | None = None
    saml: dict | None = None
    oidc: dict | None = None
    provided: set[str] = field(default_factory=set)


def get_connection(connection_id: str) -> Connection:
    """The connection with its IdP certificates, in one query (the ACS path needs both).
    Unscoped: the API key sees every organization, and the sign-in endpoints are public."""
    return tenancy.unscoped(
        Connection, connection_id, options=(joinedload(Connection.certificates),)
    )


def newest_of(organization_id: str) -> Connection | None:
    """The organization's most recently created connection (the portal sets up one)."""
    return db.session.scalars(
        select(Connection)
        .where(Connection.organization_id == organization_id)
        .order_by(Connection.id.desc())
        .limit(1)
    ).first()


def list_connections(
    page: PageRequest,
    organization_id: str | None = None,
    connection_type: str | None = None,
    domain: str | None = None,
    search: str | None = None,
) -> Page:
    query = select(Connection)
    if organization_id:
        query = query.where(Connection.organization_id == organization_id)
    if connection_type:
        query = query.where(Connection.connection_type == connection_type)
    if domain:
        query = query.where(
            Connection.organization_id.in_(
                select(OrganizationDomain.organization_id).where(
                    OrganizationDomain.domain == domain.strip().lower()
                )
            )
        )
    if search:
        query = query.where(Connection.name.ilike(f"%{search}%"))
    return paginate(query, Connection.id, page)


def create_connection(organization_id: str, settings: ConnectionSettings) -> Connection:
    """A new connection; with complete IdP settings it starts `validating`, else `draft`."""
    org = organizations.get_organization(organization_id)
    if settings.external_id:
        existing = db.session.scalars(
            select(Connection).where(
                Connection.organization_id == org.id,
                Connection.external_id == settings.external_id,
            )
        ).first()
        if existing:
            return existing
    kind = settings.connection_type or ("GenericOIDC" if settings.oidc else "GenericSAML")
    _check_type(kind, settings)
    connection = Connection(
        organization_id=org.id,
        name=settings.name or org.name,
        connection_type=kind,
        attribute_map={},
        external_id=settings.external_id,
    )
    db.session.add(connection)
    _apply(connection, settings)
    if settings.saml:
        sp_certificates.import_key_pairs(connection, settings.saml)
    connection.state = "validating" if is_configured(connection) else "draft"
    db.session.commit()
    sp_certificates.ensure_key_pairs(connection)
    return connection


def update_connection(connection_id: str, settings: ConnectionSettings) -> Connection:
    connection = get_connection(connection_id)
    if settings.connection_type and settings.connection_type != connection.connection_type:
        raise Conflict(
            "connection_type cannot change after creation; create a new connection instead.",
            code="connection_type_not_updatable",
        )
    _check_type(connection.connection_type, settings)
    if "name" in settings.provided and settings.name:
        connection.name = settings.name
    if "external_id" in settings.provided:
        connection.external_id = settings.external_id
    _apply(connection, settings)
    if connection.state == "draft" and is_configured(connection):
        connection.state = "validating"
    connection.updated_at = utcnow()
    db.session.commit()
    sp_certificates.ensure_key_pairs(connection)
    return connection


def delete_connection(connection_id: str) -> None:
    connection = get_connection(connection_id)
    events.record(
        "connection.deleted",
        connection_shapes.connection(connection, for_event=True),
        connection.organization_id,
    )
    db.session.delete(connection)
    db.session.commit()


def activate(connection: Connection) -> str | None:
    """Switch a validating connection on (in the caller's transaction); why not, if refused."""
    blocker = sso_policy.activation_blocker(connection.organization)
    if blocker is None and connection.state != "active":
        connection.state = "active"
        connection.updated_at = utcnow()
        db.session.flush()
        events.record(
            "connection.activated",
            connection_shapes.connection(connection, for_event=True),
            connection.organization_id,
        )
    return blocker


def is_configured(connection: Connection) -> bool:
    if connection.protocol == "oidc":
        return bool(connection.oidc_discovery_endpoint and connection.oidc_client_id)
    return bool(
        connection.saml_idp_entity_id and connection.saml_idp_sso_url and connection.certificates
    )


def add_signing_certificate(connection: Connection, pem: str) -> IdpCertificate:
    """Add an IdP signing certificate to the connection and save it (the API's call)."""
    certificate = add_certificate(connection, pem)
    db.session.commit()
    return certificate


def add_certificate(connection: Connection, pem: str, field: str = "value") -> IdpCertificate:
    """Add an IdP signing certificate in the caller's transaction (one already there is kept)."""
    details = read_certificate(pem, field=field)
    if any(c.value == details.pem for c in connection.certificates):
        return next(c for c in connection.certificates if c.value == details.pem)
    certificate = IdpCertificate(
        value=details.pem, not_before=details.not_before, not_after=details.not_after
    )
    connection.certificates.append(certificate)
    return certificate


def remove_certificate(connection_id: str, certificate_id: str) -> None:
    """Drop one IdP certificate (the last one of a live connection stays)."""
    connection = get_connection(connection_id)
    certificate = certificate_of(connection.id, certificate_id)
    if len(connection.certificates) == 1 and connection.state in ("active", "validating"):
        raise Conflict(
            "This is the connection's only signing certificate; add the new one first.",
            code="last_certificate",
        )
    connection.certificates.remove(certificate)
    db.session.commit()


def certificate_of(connection_id: str, certificate_id: str) -> IdpCertificate:
    """One of the connection's certificates; another connection's is not found."""
    return tenancy.owned(
        IdpCertificate, certificate_id, connection_id, owner="connection_id", noun="Certificate"
    )


def _check_type(kind: str, settings: ConnectionSettings) -> None:
    if kind not in SAML_TYPES + OIDC_TYPES:
        raise InvalidInput(
            f"connection_type {kind!r} is not supported; use one of "
            + ", ".join(SAML_TYPES + OIDC_TYPES)
            + ".",
            field="connection_type",
        )
    if kind in SAML_TYPES and settings.oidc:
        raise InvalidInput(f"{kind} is a SAML type: send saml_options.", field="oidc_options")
    if kind in OIDC_TYPES and settings.saml:
        raise InvalidInput(f"{kind} is an OIDC type: send oidc_options.", field="saml_options")


def apply_settings(connection: Connection, settings: ConnectionSettings) -> None:
    """Apply IdP settings in the caller's transaction (a passing test makes them live)."""
    _apply(connection, settings)
    connection.updated_at = utcnow()


def _apply(connection: Connection, settings: ConnectionSettings) -> None:
    if settings.attribute_map is not None:
        connection.attribute_map = _valid_attribute_map(
            {**(connection.attribute_map or {}), **settings.attribute_map}
        )
    if settings.saml:
        _apply_saml(connection, settings.saml)
    if settings.oidc:
        _check_url(settings.oidc.get("discovery_endpoint"), "oidc_options.discovery_endpoint")
        for key, column in (
            ("discovery_endpoint", "oidc_discovery_endpoint"),
            ("client_id", "oidc_client_id"),
            ("client_secret", "oidc_client_secret"),
        ):
            if settings.oidc.get(key) is not None:
                setattr(connection, column, settings.oidc[key])
    db.session.flush()


def set_idp_initiated_of(organization_id: str, connection_id: str, enabled: bool) -> Connection:
    """The switch as the dashboard sets it: the organization's own SAML connection only."""
    connection = tenancy.owned(Connection, connection_id, organization_id)
    if connection.protocol != "saml":
        raise InvalidInput("Only SAML connections have IdP-initiated sign-in.")
    return set_idp_initiated(connection, enabled)


def set_idp_initiated(connection: Connection, enabled: bool) -> Connection:
    """Accept, or refuse, this SAML connection's IdP-initiated sign-ins."""
    connection.allow_idp_initiated = enabled
    connection.updated_at = utcnow()
    db.session.commit()
    return connection


def _check_url(url: str | None, field: str) -> None:
    """A URL the browser or portal will go to later must be one it can go to."""
    if not url:
        return
    try:
        outbound.check_url(url)
    except DestinationRefused as refusal:
        raise InvalidInput(f"{field}: {refusal}", field=field) from None


def _apply_saml(connection: Connection, saml: dict) -> None:
    _check_url(saml.get("idp_sso_url"), "saml_options.idp_sso_url")
    _check_url(saml.get("idp_metadata_url"), "saml_options.idp_metadata_url")
    if saml.get("idp_entity_id"):
        connection.saml_idp_entity_id = saml["idp_entity_id"]
    if saml.get("idp_sso_url"):
        connection.saml_idp_sso_url = saml["idp_sso_url"]
    if saml.get("idp_metadata_url"):
        connection.saml_idp_metadata_url = saml["idp_metadata_url"]
    if saml.get("idp_initiated_enabled") is not None:
        connection.allow_idp_initiated = saml["idp_initiated_enabled"]
    for index, pem in enumerate(saml.get("idp_signing_certs") or []):
        add_certificate(connection, pem, field=f"saml_options.idp_signing_certs.{index}")
    request_options = {k: saml.get(k) for k in ("request_binding", "require_encrypted_assertions")}
    if any(v is not None for v in request_options.values()):
        sp_certificates.apply_options(connection, request_options)


def _valid_attribute_map(mapping: dict) -> dict:
    standard = mapping.get("standard_attributes") or {}
    unknown = set(standard) - set(STANDARD_ATTRIBUTES)
    if unknown:
        raise InvalidInput(
            f"Unknown standard attribute {sorted(unknown)[0]!r}.",
            field="attribute_maps.standard_attributes",
        )
    return {
        "standard_attributes": {k: v for k, v in standard.items() if v},
        "custom_attributes": {k: v for k, v in (mapping.get("custom_attributes") or {}).items()},
    }


def reencrypt_secrets() -> int:
    """Seal every OIDC client secret under the current SECRET_KEY; returns how many changed."""
    changed = 0
    query = select(Connection).where(Connection.encrypted_oidc_client_secret.is_not(None))
    for connection in db.session.scalars(query):
        if not encryption.is_current(connection.encrypted_oidc_client_secret):
            connection.oidc_client_secret = connection.oidc_client_secret
            changed += 1
    db.session.commit()
    return changed
