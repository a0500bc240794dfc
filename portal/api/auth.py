"""API key authentication for every API route but the public ones."""

import secrets

from flask import g, request

from portal.api import bp
from portal.errors import Unauthorized
from portal.services.account import credentials

PUBLIC_ENDPOINTS = {"api.healthz", "api.openapi", "api.download_audit_log_export"}


@bp.before_request
def require_api_key():
    g.request_id = f"req_{secrets.token_hex(12)}"
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Missing API key: send it as the header 'Authorization: Bearer sk_...'.")
    key = credentials.authenticate_api_key(secret.strip())
    if key is None:
        raise Unauthorized("The API key is invalid or has been revoked.")
    g.api_key = key


@bp.after_request
def add_request_id(response):
    response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
    return response
