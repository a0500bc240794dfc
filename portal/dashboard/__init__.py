"""Pages for the developer running portal."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from portal.dashboard import auth, routes  # noqa: E402, F401  (register on import)
