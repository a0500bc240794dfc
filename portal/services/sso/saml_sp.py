"""portal as a SAML 2.0 service provider, one per connection, on python3-saml in strict mode."""

import base64
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

import xmlsec
from flask import current_app
from lxml import etree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as Invalid
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from portal.errors import SignInRefused
from portal.services.sso import saml_compiled, saml_guard, sp_keys
from portal.services.sso.saml_connection import SamlConnection

SHA256_SIGNATURE = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256_DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"

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


def python3_saml_settings(
    connection: SamlConnection, sp_key: tuple[str, str] | None = None
) -> OneLogin_Saml2_Settings:
    """Strict python3-saml settings; cached until the connection or its certificates change.

    `sp_key` is one of portal's own key pairs, (certificate, private key): the signing pair
    for a signed AuthnRequest, or an encryption pair to open an encrypted assertion."""
    certificates = tuple(c.value for c in connection.certificates)
    return _settings(
        connection.id,
        current_app.config["PORTAL_PUBLIC_URL"],
        connection.saml_idp_entity_id,
        connection.saml_idp_sso_url,
        certificates,
        sp_key,
        bool(sp_key) and connection.saml_sign_requests,
    )


@functools.lru_cache(maxsize=512)
def _settings(
    connection_id, public_url, idp_entity_id, idp_sso_url, certificates, sp_key, sign_requests
):
    base = f"{public_url}/sso/saml/{connection_id}"
    sp_certificate, sp_private_key = sp_key or ("", "")
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
                "x509cert": sp_certificate,
                "privateKey": sp_private_key,
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
                "authnRequestsSigned": sign_requests,
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
    """The SP metadata, with every certificate of portal's key pairs (the next ones too, so
    IdPs that read the metadata trust them before they are used)."""
    metadata = python3_saml_settings(connection).get_sp_metadata()
    root = etree.fromstring(metadata if isinstance(metadata, bytes) else metadata.encode())
    descriptor = root.find(f"{{{MD}}}SPSSODescriptor")
    if connection.saml_sign_requests:
        descriptor.set("AuthnRequestsSigned", "true")
    pairs = sorted(sp_keys.key_pairs(connection.id), key=lambda p: (p.use, p.status != "active"))
    first_after_extensions = 1 if descriptor.find(f"{{{MD}}}Extensions") is not None else 0
    for offset, pair in enumerate(pairs):
        descriptor.insert(
            first_after_extensions + offset, _key_descriptor(pair.use, pair.certificate)
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def _key_descriptor(use: str, certificate_pem: str) -> etree._Element:
    key_descriptor = etree.Element(f"{{{MD}}}KeyDescriptor", use=use)
    key_info = etree.SubElement(key_descriptor, f"{{{saml_guard.DS}}}KeyInfo")
    x509_data = etree.SubElement(key_info, f"{{{saml_guard.DS}}}X509Data")
    etree.SubElement(x509_data, f"{{{saml_guard.DS}}}X509Certificate").text = "".join(
        line for line in certificate_pem.strip().splitlines() if "-----" not in line
    )
    return key_descriptor


@dataclass(frozen=True)
class IdpRequest:
    """Where the browser goes next to reach the IdP: a URL to open (HTTP-Redirect, or OIDC),
    or, for the HTTP-POST binding, a form to post there."""

    url: str
    form: dict | None = None


def authn_request(connection: SamlConnection, relay_state: str) -> tuple[IdpRequest, str, str]:
    """What takes the browser to the IdP, the AuthnRequest ID and its XML.

    Signed with the connection's active signing pair when it signs requests: on the query
    string (HTTP-Redirect) or inside the XML (HTTP-POST), RSA-SHA256 either way."""
    sp_key = _signing_key(connection) if connection.saml_sign_requests else None
    settings = python3_saml_settings(connection, sp_key)
    if connection.saml_request_binding == "post":
        return _post_request(settings, sp_key, relay_state)
    auth = OneLogin_Saml2_Auth(_request_data(connection.id, {}), old_settings=settings)
    url = auth.login(return_to=relay_state)
    return IdpRequest(url), auth.get_last_request_id(), auth.get_last_request_xml()


def _post_request(settings, sp_key, relay_state: str) -> tuple[IdpRequest, str, str]:
    request = OneLogin_Saml2_Authn_Request(settings)
    xml = request.get_xml()
    if sp_key:
        xml = OneLogin_Saml2_Utils.add_sign(
            xml,
            sp_key[1],
            sp_key[0],
            sign_algorithm=SHA256_SIGNATURE,
            digest_algorithm=SHA256_DIGEST,
        )
    xml = xml.decode() if isinstance(xml, bytes) else xml
    form = {"SAMLRequest": base64.b64encode(xml.encode()).decode(), "RelayState": relay_state}
    return IdpRequest(settings.get_idp_sso_url(), form), request.get_id(), xml


def _signing_key(connection: SamlConnection) -> tuple[str, str]:
    pair = sp_keys.active(connection.id, "signing")
    if pair is None:
        raise SignInRefused(
            "no_signing_key", "The connection signs its requests but has no signing key."
        )
    return pair.certificate, pair.private_key


def validate(
    connection: SamlConnection, saml_response: str, request_id: str | None, parsed=None
) -> ValidatedResponse:
    """A response that passed every check, or SignInRefused with the first failure's code.

    A signature over the whole response or over the assertion is required (python3-saml
    refuses a response with neither); `request_id` None means IdP-initiated. `parsed` is
    what parse_response gave for this response, if the caller has it.
    """
    xml, root = parse_response(saml_response) if parsed is None else parsed
    encrypted = saml_guard.check(root)
    if connection.saml_require_encrypted_assertions and not encrypted:
        raise SignInRefused("assertion_not_encrypted", "The assertion came unencrypted.")
    response = _response(connection, saml_response, encrypted)
    if encrypted:
        # The decrypted assertion is held to every check a plain one is, first of all these.
        saml_guard.check(response.decrypted_document)
    document = response.decrypted_document if encrypted else response.document
    with saml_compiled.answers_kept(document):
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
            xml=_readable(xml, response.decrypted_document if encrypted else None),
        )


def _response(connection: SamlConnection, saml_response: str, encrypted: bool):
    """python3-saml's response; an encrypted assertion opened with whichever of the
    connection's encryption keys it was encrypted to."""
    if not encrypted:
        return OneLogin_Saml2_Response(python3_saml_settings(connection), saml_response)
    keys = sp_keys.decryption_keys(connection.id)
    for sp_key in keys:
        opened = _opened_with(connection, saml_response, sp_key)
        if opened is not None:
            return opened
    detail = (
        "None of this connection's encryption keys opens it."
        if keys
        else "This connection has no encryption certificate."
    )
    raise SignInRefused("undecryptable_assertion", detail)


def _opened_with(connection: SamlConnection, saml_response: str, sp_key: tuple[str, str]):
    """The response with its assertion decrypted by this key, or None if the key does not fit."""
    try:
        return OneLogin_Saml2_Response(python3_saml_settings(connection, sp_key), saml_response)
    except (xmlsec.Error, Invalid, OneLogin_Saml2_Error):
        return None


def _readable(xml: bytes, decrypted) -> str:
    """What the sign-in history keeps: the response as it came, or, if its assertion was
    encrypted, with the assertion as it was decrypted (the person debugging needs it)."""
    if decrypted is None:
        return xml.decode("utf-8", "replace")
    return etree.tostring(decrypted, encoding="unicode")


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
