"""API key authentication for every API route but the public ones."""

from flask import g, request

from portal.api import bp
from portal.errors import Unauthorized
from portal.services.account import credentials
from portal.web.bearer import bearer_token

PUBLIC_ENDPOINTS = {"api.healthz", "api.openapi", "api.download_audit_log_export"}


@bp.before_request
def require_api_key():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    secret = bearer_token()
    if secret is None:
        raise Unauthorized("Missing API key: send it as the header 'Authorization: Bearer sk_...'.")
    key = credentials.authenticate_api_key(secret)
    if key is None:
        raise Unauthorized("The API key is invalid or has been revoked.")
    g.api_key = key
