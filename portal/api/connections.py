"""`/connections`: SSO connections, their IdP signing certificates and portal's own SP
signing and encryption certificates."""

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import json_body, page_request, text_param
from portal.api.schemas import CreateConnection, CreateIdpCertificate, UpdateConnection
from portal.services.infra import wire
from portal.services.sso import connection_shapes, connections, sp_certificates
from portal.services.sso.connections import ConnectionSettings


def _settings(body: CreateConnection | UpdateConnection) -> ConnectionSettings:
    attribute_map = (
        body.attribute_maps.model_dump(exclude_none=True) if body.attribute_maps else None
    )
    return ConnectionSettings(
        name=body.name,
        connection_type=body.connection_type,
        external_id=body.external_id,
        attribute_map=attribute_map,
        saml=body.saml_options.model_dump(exclude_none=True) if body.saml_options else None,
        oidc=body.oidc_options.model_dump(exclude_none=True) if body.oidc_options else None,
        provided=body.provided(),
    )


@bp.get("/connections")
def list_connections():
    page = connections.list_connections(
        page_request(),
        organization_id=text_param("organization_id"),
        connection_type=text_param("connection_type"),
        domain=text_param("domain"),
        search=text_param("search"),
    )
    items = [connection_shapes.connection(c) for c in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.post("/connections")
@idempotent
def create_connection():
    body = json_body(CreateConnection)
    connection = connections.create_connection(body.organization_id, _settings(body))
    return connection_shapes.connection(connection), 201


@bp.get("/connections/<connection_id>")
def get_connection(connection_id):
    return connection_shapes.connection(connections.get_connection(connection_id))


@bp.patch("/connections/<connection_id>")
def update_connection(connection_id):
    settings = _settings(json_body(UpdateConnection))
    return connection_shapes.connection(connections.update_connection(connection_id, settings))


@bp.delete("/connections/<connection_id>")
def delete_connection(connection_id):
    connections.delete_connection(connection_id)
    return "", 204


@bp.get("/connections/<connection_id>/saml_idp_signing_certs")
def list_connection_saml_idp_signing_certs(connection_id):
    connection = connections.get_connection(connection_id)
    items = [connection_shapes.idp_certificate(c) for c in connection.certificates]
    return {"object": "list", "data": items, "list_metadata": {"before": None, "after": None}}


@bp.post("/connections/<connection_id>/saml_idp_signing_certs")
@idempotent
def create_connection_saml_idp_signing_cert(connection_id):
    connection = connections.get_connection(connection_id)
    body = json_body(CreateIdpCertificate)
    certificate = connections.add_signing_certificate(connection, body.value)
    return connection_shapes.idp_certificate(certificate), 201


@bp.delete("/connections/<connection_id>/saml_idp_signing_certs/<certificate_id>")
def delete_connection_saml_idp_signing_cert(connection_id, certificate_id):
    connections.remove_certificate(connection_id, certificate_id)
    return "", 204


@bp.get("/connections/<connection_id>/saml_sp_signing_cert")
def list_connection_saml_sp_signing_cert(connection_id):
    pair = sp_certificates.signing_certificate(connections.get_connection(connection_id))
    return connection_shapes.sp_certificate(pair)


@bp.post("/connections/<connection_id>/saml_sp_signing_cert")
@idempotent
def create_connection_saml_sp_signing_cert(connection_id):
    pair = sp_certificates.create_signing(connections.get_connection(connection_id))
    return connection_shapes.sp_certificate(pair), 201


@bp.delete("/connections/<connection_id>/saml_sp_signing_cert/<signing_certificate_id>")
def delete_connection_saml_sp_signing_cert(connection_id, signing_certificate_id):
    connection = connections.get_connection(connection_id)
    sp_certificates.delete(connection, signing_certificate_id, "signing")
    return "", 204


@bp.get("/connections/<connection_id>/saml_sp_encryption_certs")
def list_connection_saml_sp_encryption_certs(connection_id):
    pairs = sp_certificates.encryption_certificates(connections.get_connection(connection_id))
    return {"object": "list", "data": [connection_shapes.sp_certificate(p) for p in pairs]}


@bp.post("/connections/<connection_id>/saml_sp_encryption_certs")
@idempotent
def create_connection_saml_sp_encryption_cert(connection_id):
    pair = sp_certificates.create_encryption(connections.get_connection(connection_id))
    return connection_shapes.sp_certificate(pair), 201


@bp.delete("/connections/<connection_id>/saml_sp_encryption_certs/<encryption_certificate_id>")
def delete_connection_saml_sp_encryption_cert(connection_id, encryption_certificate_id):
    connection = connections.get_connection(connection_id)
    sp_certificates.delete(connection, encryption_certificate_id, "encryption")
    return "", 204
