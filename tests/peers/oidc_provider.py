"""A small but real OpenID Connect provider on loopback (Flask + Authlib's JOSE), for tests.

It signs RS256 ID tokens, enforces PKCE (S256) and client authentication, and serves
discovery, JWKS and userinfo. `misbehave` makes it issue the bad tokens a test needs: signed
by a key not in its JWKS, for another issuer or audience, with another nonce, or expired.
"""

import secrets
import threading
import time
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "portal-test-client"
CLIENT_SECRET = "portal-test-secret"


class OidcProvider:
    def __init__(self, user: dict):
        self.user = user
        self.key = RSAKey.generate_key(2048, parameters={"kid": "good"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "good"})
        self.misbehave: dict = {}
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        self._server.shutdown()

    def _app(self) -> Flask:
        app = Flask("oidc-test-provider")
        app.add_url_rule("/.well-known/openid-configuration", "discovery", self._discovery)
        app.add_url_rule("/authorize", "authorize", self._authorize)
        app.add_url_rule("/token", "token", self._token, methods=["POST"])
        app.add_url_rule("/userinfo", "userinfo", self._userinfo)
        app.add_url_rule("/jwks", "jwks", self._jwks)
        return app

    def _discovery(self):
        return jsonify(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            userinfo_endpoint=f"{self.issuer}/userinfo",
            jwks_uri=f"{self.issuer}/jwks",
            response_types_supported=["code"],
            code_challenge_methods_supported=["S256"],
        )

    def _jwks(self):
        return jsonify(keys=[self.key.as_dict(private=False)])

    def _authorize(self):
        """Signs the user in at once (no login page) and returns to the client."""
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("code_challenge_method") != "S256":
            return "bad request", 400
        code = secrets.token_urlsafe(16)
        self._codes[code] = dict(args)
        query = urlencode({"code": code, "state": args["state"]})
        return redirect(f"{args['redirect_uri']}?{query}")

    def _token(self):
        form = request.form
        grant = self._codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
            or create_s256_code_challenge(form.get("code_verifier", "")) != grant["code_challenge"]
        ):
            return jsonify(error="invalid_grant"), 400
        access_token = secrets.token_urlsafe(16)
        self._tokens[access_token] = self.user
        return jsonify(
            token_type="Bearer",
            access_token=access_token,
            expires_in=3600,
            id_token=self._id_token(grant["nonce"]),
        )

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        lifetime = self.misbehave.get("lifetime", 300)
        claims = {
            "iss": self.misbehave.get("issuer", self.issuer),
            "aud": self.misbehave.get("audience", CLIENT_ID),
            "sub": self.user["sub"],
            "nonce": self.misbehave.get("nonce", nonce),
            "iat": now - (600 if lifetime < 0 else 0),
            "exp": now + lifetime,
            "email": self.user["email"],
        }
        key = self.stranger_key if self.misbehave.get("wrong_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "good"}, claims, key)

    def _userinfo(self):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self._tokens.get(token)
        return (jsonify(user), 200) if user else (jsonify(error="invalid_token"), 401)
