"""The WorkOS JSON shapes of SSO connections and IdP certificates, for API responses and events."""

from portal.models import Connection, IdpCertificate
from portal.services.infra.wire import timestamp


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
