"""The SSO part of the OpenAPI document: `/connections`, IdP signing certificates and
portal's SP certificates."""

from portal.api import schemas
from portal.api.openapi_builders import (
    IDEMPOTENCY_KEY,
    NULLABLE_TIMESTAMP,
    TIMESTAMP,
    closed_object,
    list_of,
    operation,
    page_parameters,
    path_parameter,
    query_parameter,
    ref,
    request_body,
    response,
)
from portal.services.sso.connections import OIDC_TYPES, SAML_TYPES


def connection_schemas() -> dict:
    """Response shapes of `connection_shapes.connection` and `connection_shapes.idp_certificate`."""
    return {
        "ConnectionDomain": closed_object(
            {
                "object": {"const": "connection_domain"},
                "id": {"type": "string"},
                "domain": {"type": "string"},
            }
        ),
        "Connection": closed_object(
            {
                "object": {"const": "connection"},
                "id": {"type": "string", "examples": ["conn_01HV5Z3Q9X4M2N8R6T0B7C1D2E"]},
                "organization_id": {"type": "string"},
                "connection_type": {"enum": list(SAML_TYPES + OIDC_TYPES)},
                "name": {"type": "string"},
                "state": {"enum": ["draft", "validating", "active", "inactive"]},
                "status": {"enum": ["linked", "unlinked"]},
                "domains": {"type": "array", "items": ref("ConnectionDomain")},
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
                "saml_options": closed_object(
                    {
                        "request_binding": {"enum": ["HTTP-Redirect", "HTTP-POST"]},
                        "require_encrypted_assertions": {"type": "boolean"},
                    }
                )
                | {"description": "portal's addition, on SAML connections only."},
            },
            optional=("saml_options",),
        ),
        "ConnectionList": list_of("Connection"),
        "SamlIdpSigningCertificate": closed_object(
            {
                "object": {"const": "saml_idp_signing_certificate"},
                "id": {"type": "string"},
                "value": {"type": "string", "description": "PEM."},
                "not_before": NULLABLE_TIMESTAMP,
                "not_after": NULLABLE_TIMESTAMP,
                "created_at": TIMESTAMP,
            }
        ),
        "SamlIdpSigningCertificateList": list_of("SamlIdpSigningCertificate"),
        **{
            f"SamlSp{use.title()}Certificate": closed_object(
                {
                    "object": {"const": f"saml_sp_{use}_certificate"},
                    "id": {"type": "string"},
                    "value": {"type": "string", "description": "PEM; the private key stays."},
                    "not_before": NULLABLE_TIMESTAMP,
                    "not_after": NULLABLE_TIMESTAMP,
                    "created_at": TIMESTAMP,
                }
            )
            for use in ("signing", "encryption")
        },
        "SamlSpEncryptionCertificateList": closed_object(
            {
                "object": {"const": "list"},
                "data": {"type": "array", "items": ref("SamlSpEncryptionCertificate")},
            }
        ),
    }


def connection_paths() -> dict:

    connection_id = path_parameter("connection_id", "The connection's id, `conn_...`.")
    connection = response("The connection.", "Connection")
    tag = "SSO connections"
    filters = [
        query_parameter(name, {"type": "string"}, text)
        for name, text in (
            ("organization_id", "Only this organization's connections."),
            ("connection_type", "Only connections of this type."),
            ("domain", "Only connections of organizations with this domain."),
            ("search", "Part of the connection's name."),
        )
    ]
    return {
        "/connections": {
            "get": operation(
                "list_connections",
                "List connections",
                tag,
                {200: response("A page of connections.", "ConnectionList")},
                errors=(422,),
                parameters=page_parameters("desc") + filters,
            ),
            "post": operation(
                "create_connection",
                "Create a SAML or OIDC connection (validating once the IdP side is complete)",
                tag,
                {201: response("The new connection.", "Connection")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateConnection),
            ),
        },
        "/connections/{connection_id}": {
            "parameters": [connection_id],
            "get": operation(
                "get_connection", "Get a connection", tag, {200: connection}, errors=(404,)
            ),
            "patch": operation(
                "update_connection",
                "Change a connection's settings",
                tag,
                {200: connection},
                errors=(400, 404, 409, 413, 422),
                body=request_body(schemas.UpdateConnection),
            ),
            "delete": operation(
                "delete_connection",
                "Delete a connection",
                tag,
                {204: response("Deleted.")},
                errors=(404,),
            ),
        },
        "/connections/{connection_id}/saml_idp_signing_certs": {
            "parameters": [connection_id],
            "get": operation(
                "list_connection_saml_idp_signing_certs",
                "The IdP's signing certificates",
                tag,
                {200: response("Every certificate on file.", "SamlIdpSigningCertificateList")},
                errors=(404,),
            ),
            "post": operation(
                "create_connection_saml_idp_signing_cert",
                "Add an IdP signing certificate (several may be live during a rollover)",
                tag,
                {201: response("The certificate.", "SamlIdpSigningCertificate")},
                errors=(400, 404, 413, 422),
                parameters=[IDEMPOTENCY_KEY],
                body=request_body(schemas.CreateIdpCertificate),
            ),
        },
        "/connections/{connection_id}/saml_idp_signing_certs/{certificate_id}": {
            "parameters": [
                connection_id,
                path_parameter("certificate_id", "The certificate's id."),
            ],
            "delete": operation(
                "delete_connection_saml_idp_signing_cert",
                "Remove an IdP signing certificate",
                tag,
                {204: response("Deleted.")},
                errors=(404, 409),
            ),
        },
        **_sp_certificate_paths(connection_id, tag),
    }


def _sp_certificate_paths(connection_id: dict, tag: str) -> dict:
    signing_id = path_parameter("signing_certificate_id", "The signing certificate's id.")
    encryption_id = path_parameter("encryption_certificate_id", "The certificate's id.")
    signing = response("The request signing certificate.", "SamlSpSigningCertificate")
    encryption = response("The encryption certificate.", "SamlSpEncryptionCertificate")
    deleted = {204: response("Deleted.")}
    return {
        "/connections/{connection_id}/saml_sp_signing_cert": {
            "parameters": [connection_id],
            "get": operation(
                "list_connection_saml_sp_signing_cert",
                "The certificate the IdP checks our signed requests with",
                tag,
                {200: signing},
                errors=(400, 404),
            ),
            "post": operation(
                "create_connection_saml_sp_signing_cert",
                "Make a request signing key pair (requests are signed from now on)",
                tag,
                {201: signing},
                errors=(400, 404, 409),
                parameters=[IDEMPOTENCY_KEY],
            ),
        },
        "/connections/{connection_id}/saml_sp_signing_cert/{signing_certificate_id}": {
            "parameters": [connection_id, signing_id],
            "delete": operation(
                "delete_connection_saml_sp_signing_cert",
                "Remove the request signing key pair (requests go unsigned)",
                tag,
                deleted,
                errors=(400, 404),
            ),
        },
        "/connections/{connection_id}/saml_sp_encryption_certs": {
            "parameters": [connection_id],
            "get": operation(
                "list_connection_saml_sp_encryption_certs",
                "The certificates the IdP may encrypt assertions to",
                tag,
                {200: response("Every one, oldest first.", "SamlSpEncryptionCertificateList")},
                errors=(400, 404),
            ),
            "post": operation(
                "create_connection_saml_sp_encryption_cert",
                "Add an encryption key pair (at most two: the active one and the next)",
                tag,
                {201: encryption},
                errors=(400, 404, 409),
                parameters=[IDEMPOTENCY_KEY],
            ),
        },
        "/connections/{connection_id}/saml_sp_encryption_certs/{encryption_certificate_id}": {
            "parameters": [connection_id, encryption_id],
            "delete": operation(
                "delete_connection_saml_sp_encryption_cert",
                "Remove an encryption key pair (assertions encrypted to it no longer open)",
                tag,
                deleted,
                errors=(400, 404),
            ),
        },
    }
