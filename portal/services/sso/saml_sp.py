"""portal as a SAML 2.0 service provider, one per connection, on python3-saml in strict mode."""

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from lxml import etree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as Invalid
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from portal.errors import SignInRefused
from portal.services.sso import saml_compiled, saml_guard
from portal.services.sso.saml_connection import SamlConnection

SHA256_SIGNATURE = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256_DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"

# python3-saml's own codes, in our words.
LIBRARY_CODES = {
    Invalid.NO_SIGNATURE_FOUND: "unsigned_response",
    Invalid.NO_SIGNED_ASSERTION: "unsigned_response",
    Invalid.NO_SIGNED_MESSAGE: "unsigned_response",
    Invalid.INVALID_SIGNATURE: "bad_signature",
    Invalid.WRONG_AUDIENCE: "wrong_audience",
    Invalid.WRONG_DESTINATION: "wrong_destination",
    Invalid.EMPTY_DESTINATION: "wrong_destination",
    Invalid.WRONG_SUBJECTCONFIRMATION: "wrong_recipient",
    Invalid.ASSERTION_EXPIRED: "assertion_expired",
    Invalid.SESSION_EXPIRED: "assertion_expired",
    Invalid.RESPONSE_EXPIRED: "assertion_expired",
    Invalid.ASSERTION_TOO_EARLY: "assertion_not_yet_valid",
    Invalid.WRONG_INRESPONSETO: "wrong_in_response_to",
    Invalid.WRONG_NUMBER_OF_ASSERTIONS: "multiple_assertions",
    Invalid.DEPRECATED_SIGNATURE_METHOD: "sha1_rejected",
    Invalid.DEPRECATED_DIGEST_METHOD: "sha1_rejected",
    Invalid.WRONG_ISSUER: "wrong_issuer",
    Invalid.STATUS_CODE_IS_NOT_SUCCESS: "idp_reported_failure",
    Invalid.WRONG_SIGNED_ELEMENT: "signature_wrapping",
    Invalid.DUPLICATED_ID_IN_SIGNED_ELEMENTS: "signature_wrapping",
    Invalid.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS: "signature_wrapping",
    Invalid.UNEXPECTED_SIGNED_ELEMENTS: "signature_wrapping",
    Invalid.ID_NOT_FOUND_IN_SIGNED_ELEMENT: "signature_wrapping",
    Invalid.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE: "signature_wrapping",
    Invalid.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION: "signature_wrapping",
    Invalid.NO_NAMEID: "missing_name_id",
    Invalid.EMPTY_NAMEID: "missing_name_id",
}


@dataclass
class ValidatedResponse:
    name_id: str
    assertion_id: str
    attributes: dict
    xml: str


def sp_urls(connection_id: str) -> dict:
    base = f"{current_app.config['PORTAL_PUBLIC_URL']}/sso/saml/{connection_id}"
    return {"entity_id": base, "acs_url": f"{base}/acs", "metadata_url": f"{base}/metadata"}


def python3_saml_settings(connection: SamlConnection) -> OneLogin_Saml2_Settings:
    """Strict python3-saml settings; cached until the connection or its certificates change."""
    certificates = tuple(c.value for c in connection.certificates)
    return _settings(
        connection.id,
        current_app.config["PORTAL_PUBLIC_URL"],
        connection.saml_idp_entity_id,
        connection.saml_idp_sso_url,
        certificates,
    )


@functools.lru_cache(maxsize=512)
def _settings(connection_id, public_url, idp_entity_id, idp_sso_url, certificates):
    base = f"{public_url}/sso/saml/{connection_id}"
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": base,
                "assertionConsumerService": {
                    "url": f"{base}/acs",
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
                },
                "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
            },
            "idp": {
                "entityId": idp_entity_id or "",
                "singleSignOnService": {
                    "url": idp_sso_url or "",
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                },
                "x509certMulti": {"signing": list(certificates)},
            },
            "security": {
                "wantAssertionsSigned": False,  # response OR assertion signed; see below
                "wantMessagesSigned": False,
                "wantNameId": True,
                "rejectDeprecatedAlgorithm": True,
                "rejectUnsolicitedResponsesWithInResponseTo": True,
                "requestedAuthnContext": False,
                "allowRepeatAttributeName": True,
                "signatureAlgorithm": SHA256_SIGNATURE,
                "digestAlgorithm": SHA256_DIGEST,
            },
        },
        sp_validation_only=True,
    )


def metadata_xml(connection: SamlConnection) -> str:
    metadata = python3_saml_settings(connection).get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else metadata


def authn_request(connection: SamlConnection, relay_state: str) -> tuple[str, str, str]:
    """The IdP redirect URL, the AuthnRequest ID and its XML."""
    auth = OneLogin_Saml2_Auth(
        _request_data(connection.id, {}), old_settings=python3_saml_settings(connection)
    )
    url = auth.login(return_to=relay_state)
    return url, auth.get_last_request_id(), auth.get_last_request_xml()


def validate(
    connection: SamlConnection, saml_response: str, request_id: str | None, parsed=None
) -> ValidatedResponse:
    """A response that passed every check, or SignInRefused with the first failure's code.

    A signature over the whole response or over the assertion is required (python3-saml
    refuses a response with neither); `request_id` None means IdP-initiated. `parsed` is
    what parse_response gave for this response, if the caller has it.
    """
    xml, root = parse_response(saml_response) if parsed is None else parsed
    saml_guard.check(root)
    response = OneLogin_Saml2_Response(python3_saml_settings(connection), saml_response)
    with saml_compiled.answers_kept(response.document):
        try:
            response.is_valid(
                _request_data(connection.id, {"SAMLResponse": saml_response}),
                request_id,
                raise_exceptions=True,
            )
        except Invalid as error:
            code = LIBRARY_CODES.get(error.code, "invalid_response")
            raise SignInRefused(code, str(error)) from None
        except Exception as error:  # the library signals malformed input in several ways
            raise SignInRefused("invalid_response", str(error)) from None
        return ValidatedResponse(
            name_id=response.get_nameid(),
            assertion_id=response.get_assertion_id(),
            attributes=response.get_attributes(),
            xml=xml.decode("utf-8", "replace"),
        )


def parse_response(saml_response: str) -> tuple[bytes, etree._Element]:
    """The response's XML and its tree, parsed safely (to find its attempt before validation)."""
    xml = saml_guard.decode(saml_response)
    return xml, saml_guard.parse(xml)


def _request_data(connection_id: str, post_data: dict) -> dict:
    # Built from the public URL, so Destination is checked against what the IdP was told.
    acs = urlsplit(sp_urls(connection_id)["acs_url"])
    return {
        "https": "on" if acs.scheme == "https" else "off",
        "http_host": acs.hostname,
        "server_port": acs.port or (443 if acs.scheme == "https" else 80),
        "script_name": acs.path,
        "get_data": {},
        "post_data": post_data,
    }


def apply_saml_clock_skew(seconds: int) -> None:
    """Accept SAML timestamps this far off our clock. python3-saml reads this class constant
    at validation time and has no per-call setting, so it holds for the whole process."""
    OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT = seconds
