"""A real SAML identity provider (pysaml2 with xmlsec1) that signs real responses for tests.

Bad responses are made by signing bad values (wrong audience, destination, key, algorithm),
not by editing XML after signing, so each test exercises the check it names.
"""

import base64
import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature

IDP_ENTITY_ID = "https://idp.example.test/saml"
IDP_SSO_URL = "https://idp.example.test/sso"


def make_key_pair(folder: Path, name: str, days_valid: int = 365) -> tuple[Path, Path, str]:
    """A self-signed RSA-2048 certificate and key on disk; returns paths and the PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days_valid))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_path.write_text(pem)
    return key_path, cert_path, pem


class SigningIdp:
    """One IdP signing key; `respond` returns a base64 SAMLResponse ready to POST."""

    def __init__(self, folder: Path, key_name: str = "idp"):
        self.key_path, self.cert_path, self.certificate = make_key_pair(folder, key_name)
        self.sp_metadata_files: list[Path] = []
        self.require_signed_requests = False
        self._server: Server | None = None

    @property
    def server(self) -> Server:
        """Built on first use, once the service providers' metadata files are known."""
        if self._server is None:
            self._server = self._build()
        return self._server

    def _build(self) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": IDP_ENTITY_ID,
                "key_file": str(self.key_path),
                "cert_file": str(self.cert_path),
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "metadata": {"local": [str(p) for p in self.sp_metadata_files]},
                "service": {
                    "idp": {
                        "want_authn_requests_signed": self.require_signed_requests,
                        "endpoints": {
                            "single_sign_on_service": [
                                (IDP_SSO_URL, BINDING_HTTP_REDIRECT),
                                (IDP_SSO_URL, BINDING_HTTP_POST),
                            ]
                        },
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    }
                },
            }
        )
        return Server(config=config)

    def trust_service_provider(
        self, *metadata_files: Path, require_signed_requests: bool = False
    ) -> None:
        """Know these SPs (their metadata XML files; signed requests are checked against the
        certificates there); the IdP is rebuilt on next use."""
        self.sp_metadata_files[:] = list(metadata_files)
        self.require_signed_requests = require_signed_requests
        self._server = None

    def request_id(self, idp_redirect_url: str) -> str:
        """Read the AuthnRequest from the redirect URL as the IdP would (its query-string
        signature checked when signed requests are required), and return its ID."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(idp_redirect_url).query).items()}
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        return request.message.id

    def posted_request_id(self, saml_request: str) -> str:
        """Read an AuthnRequest posted by the HTTP-POST binding, its signature checked
        against the SP's metadata when signed requests are required; return its ID."""
        return self.server.parse_authn_request(saml_request, BINDING_HTTP_POST).message.id

    def redirect_signature_holds(self, idp_redirect_url: str, certificate_pem: str) -> bool:
        """Whether the query-string signature of an HTTP-Redirect request verifies with
        this certificate (what an IdP requiring signed requests checks)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(idp_redirect_url).query).items()}
        body = "".join(line for line in certificate_pem.strip().splitlines() if "-----" not in line)
        return verify_redirect_signature(query, self.server.sec.sec_backend, cert=body)

    def respond(
        self,
        *,
        sp_entity_id: str,
        destination: str,
        in_response_to: str | None,
        email: str = "jane@acme.test",
        attributes: dict | None = None,
        sign_response: bool = True,
        sign_assertion: bool = True,
        sha1: bool = False,
        encrypt_to: str | None = None,
    ) -> str:
        """`encrypt_to`: a certificate (PEM) to encrypt the assertion to, as an IdP does with
        the SP encryption certificate it was given."""
        identity = attributes or {
            "mail": [email],
            "givenName": ["Jane"],
            "sn": ["Doe"],
            "groups": ["Engineering", "Admins"],
        }
        response = self.server.create_authn_response(
            identity=identity,
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            userid=email,
            authn={"class_ref": PASSWORDPROTECTEDTRANSPORT},
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            sign_alg=xmldsig.SIG_RSA_SHA1 if sha1 else xmldsig.SIG_RSA_SHA256,
            digest_alg=xmldsig.DIGEST_SHA1 if sha1 else xmldsig.DIGEST_SHA256,
            encrypt_assertion=encrypt_to is not None,
            encrypt_cert_assertion=encrypt_to,
            # pysaml2 breaks its own assertion signature when it makes the encrypted
            # assertion "self-contained", and cannot encrypt an unsigned one without that.
            encrypt_assertion_self_contained=not sign_assertion,
        )
        return base64.b64encode(str(response).encode()).decode()


def idp_answering(page, idp, acs_url, entity_id):
    """Serve the IdP's sign-on URL in the browser: it signs the user in and posts to the ACS."""

    def answer(route):
        saml_response = idp.respond(
            sp_entity_id=entity_id,
            destination=acs_url,
            in_response_to=idp.request_id(route.request.url),
        )
        body = (
            "<!doctype html><title>IdP</title>"
            f'<form method="post" action="{html.escape(acs_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        route.fulfill(status=200, content_type="text/html", body=body)

    page.context.route(f"{IDP_SSO_URL}*", answer)
