"""The SCIM 2.0 server an identity provider pushes users and groups to, one per directory."""

from flask import Blueprint

bp = Blueprint("scim", __name__)

from portal.scim import auth, discovery, routes  # noqa: E402, F401  (routes register on import)
