"""Public SSO protocol endpoints: /sso/authorize, the SAML ACS and metadata, token, profile."""

from flask import Blueprint

bp = Blueprint("sso", __name__)

from portal.sso import routes  # noqa: E402, F401  (routes register on import)
