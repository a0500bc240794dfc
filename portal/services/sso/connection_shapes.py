"""The WorkOS JSON shapes of SSO connections, IdP certificates and portal's SP certificates,
for API responses and events."""

from portal.models import Connection, IdpCertificate, SpKeyPair
from portal.services.infra.wire import timestamp
from portal.services.sso import sp_certificates


def connection(conn: Connection, for_event: bool = False) -> dict:
    shape = {
        "object": "connection",
        "id": conn.id,
        "organization_id": conn.organization_id,
        "connection_type": conn.connection_type,
        "name": conn.name,
        "state": conn.state,
        "status": "linked" if conn.state == "active" else "unlinked",
        "domains": [
            {"object": "connection_domain", "id": d.id, "domain": d.domain}
            for d in conn.organization.domains
        ],
        "created_at": timestamp(conn.created_at),
        "updated_at": timestamp(conn.updated_at),
    }
    if for_event:
        shape["external_key"] = conn.id
    elif conn.protocol == "saml":
        # portal's addition: the request options WorkOS's connection object has no field for.
        shape["saml_options"] = sp_certificates.options_of(conn)
    return shape


def idp_certificate(certificate: IdpCertificate) -> dict:
    return {
        "object": "saml_idp_signing_certificate",
        "id": certificate.id,
        "value": certificate.value,
        "not_before": timestamp(certificate.not_before),
        "not_after": timestamp(certificate.not_after),
        "created_at": timestamp(certificate.created_at),
    }


def sp_certificate(pair: SpKeyPair) -> dict:
    """A certificate of portal's own key pair; the private key never leaves the server."""
    return {
        "object": f"saml_sp_{pair.use}_certificate",
        "id": pair.id,
        "value": pair.certificate,
        "not_before": timestamp(pair.not_before),
        "not_after": timestamp(pair.not_after),
        "created_at": timestamp(pair.created_at),
    }
