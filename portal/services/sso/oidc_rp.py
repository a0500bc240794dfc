"""portal as an OpenID Connect relying party: discovery, code flow with PKCE, state and nonce,
ID-token checks (signature against the JWKS, issuer, audience, expiry, nonce), userinfo.

Every call to the provider goes through `outbound`, so a discovery URL cannot reach into the
network portal runs in.
"""

import json
import secrets
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
)
from joserfc.jwk import KeySet

from portal.errors import OutboundError
from portal.errors import SignInRefused as Refused
from portal.services.infra import outbound

DISCOVERY_TTL_SECONDS = 600


class OidcConnection(Protocol):
    """What the relying party reads of a connection: the ORM row, or a portal test's view of
    its pending settings (`pending_idp.oidc_connection_for`)."""

    @property
    def id(self) -> str: ...

    @property
    def oidc_discovery_endpoint(self) -> str | None: ...

    @property
    def oidc_client_id(self) -> str | None: ...

    @property
    def oidc_client_secret(self) -> str | None: ...


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None


@dataclass
class Started:
    url: str
    state: str
    nonce: str
    code_verifier: str


def callback_url(connection_id: str) -> str:
    return f"{current_app.config['PORTAL_PUBLIC_URL']}/sso/oidc/{connection_id}/callback"


def discover(discovery_endpoint: str) -> Provider:
    """The provider's endpoints from its discovery document (cached for ten minutes)."""
    # Cached per app, so settings such as the outbound address rule apply to each app.
    _discovered = current_app.extensions.setdefault("oidc_discovery", {})
    cached = _discovered.get(discovery_endpoint)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    document = _get_json(discovery_endpoint, "discovery_failed")
    try:
        provider = Provider(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
            userinfo_endpoint=document.get("userinfo_endpoint"),
        )
    except (KeyError, TypeError):
        raise Refused("discovery_failed", "The discovery document lacks required fields.") from None
    _discovered[discovery_endpoint] = (time.monotonic(), provider)
    return provider


def start(connection: OidcConnection) -> Started:
    """The provider's authorization URL for a new attempt, with fresh state, nonce and PKCE."""
    provider = discover(connection.oidc_discovery_endpoint)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    query = {
        "response_type": "code",
        "client_id": connection.oidc_client_id,
        "redirect_uri": callback_url(connection.id),
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return Started(
        f"{provider.authorization_endpoint}{separator}{urlencode(query)}", state, nonce, verifier
    )


def finish(connection: OidcConnection, code: str, nonce: str, verifier: str) -> tuple[dict, str]:
    """Trade the code for tokens and return the user's claims and the raw token response."""
    provider = discover(connection.oidc_discovery_endpoint)
    tokens, raw = _token_request(connection, provider, code, verifier)
    claims = _verified_id_token(connection, provider, tokens.get("id_token"), nonce)
    if provider.userinfo_endpoint and tokens.get("access_token"):
        userinfo = _get_json(
            provider.userinfo_endpoint,
            "userinfo_failed",
            {"Authorization": f"Bearer {tokens['access_token']}"},
        )
        if userinfo.get("sub") not in (None, claims["sub"]):
            raise Refused("userinfo_mismatch", "userinfo describes another subject.")
        claims = {**userinfo, **claims}
    return claims, raw


def _token_request(connection, provider, code, verifier) -> tuple[dict, str]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url(connection.id),
        "client_id": connection.oidc_client_id,
        "code_verifier": verifier,
    }
    if connection.oidc_client_secret:
        form["client_secret"] = connection.oidc_client_secret
    try:
        response = outbound.post(
            provider.token_endpoint,
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
    except OutboundError as error:
        raise Refused("token_request_failed", str(error)) from None
    raw = response.body.decode("utf-8", "replace")
    if response.status != 200:
        raise Refused("token_request_failed", f"The token endpoint answered {response.status}.")
    try:
        return json.loads(raw), raw
    except ValueError:
        raise Refused("token_request_failed", "The token endpoint did not answer JSON.") from None


def _verified_id_token(connection, provider, id_token, nonce) -> dict:
    if not id_token:
        raise Refused("missing_id_token", "The provider sent no ID token.")
    try:
        keys = KeySet.import_key_set(_get_json(provider.jwks_uri, "jwks_failed"))
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            leeway=current_app.config["PORTAL_CLOCK_SKEW_SECONDS"],
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": connection.oidc_client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except BadSignatureError:
        raise Refused("bad_signature", "The ID token's signature matches no key.") from None
    except ExpiredTokenError:
        raise Refused("token_expired", "The ID token has expired.") from None
    except ClaimError as error:
        code = {"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "bad_nonce"}.get(
            error.claim, "invalid_id_token"
        )
        raise Refused(code, str(error)) from None
    except (JoseError, ValueError) as error:
        raise Refused("invalid_id_token", str(error)) from None
    claims = token.claims
    return dict(claims)


def _get_json(url: str, code: str, headers: dict | None = None) -> dict:
    try:
        response = outbound.get(url, {"Accept": "application/json", **(headers or {})})
    except OutboundError as error:
        raise Refused(code, str(error)) from None
    if response.status != 200:
        raise Refused(code, f"{url} answered {response.status}.")
    try:
        document = json.loads(response.body)
    except ValueError:
        raise Refused(code, f"{url} did not answer JSON.") from None
    if not isinstance(document, dict):
        raise Refused(code, f"{url} did not answer a JSON object.")
    return document
