"""The host app's side of a sign-in: send the person to /sso/authorize, let the IdP's answer
reach our ACS or callback, read the redirect back to the app, and trade its code."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from portal.models import Connection
from portal.services.account import credentials

REDIRECT_URI = "https://app.example.com/callback"


@dataclass
class SamlSetup:
    connection: Connection
    entity_id: str
    acs_url: str
    client: object
    api_key: str

    def authorize(self, state: str = "s1", **params):
        query = {
            "client_id": credentials.environment().client_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "state": state,
            "connection": self.connection.id,
            **params,
        }
        return self.client.get("/sso/authorize", query_string=query)

    def post_response(self, saml_response: str):
        return self.client.post(urlsplit(self.acs_url).path, data={"SAMLResponse": saml_response})

    def token(self, code: str):
        return self.exchange(code=code, client_secret=self.api_key)

    def exchange(self, **fields):
        """POST /sso/token with these fields (None leaves one out) beside our client id."""
        body = {
            "client_id": credentials.environment().client_id,
            "grant_type": "authorization_code",
            **fields,
        }
        return self.client.post("/sso/token", json={k: v for k, v in body.items() if v is not None})


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge, made as a host app makes them."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_params(response) -> dict:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
