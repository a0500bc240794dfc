"""Pages for the developer running portal, under /dashboard/ (Flask-Login users)."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from portal.dashboard import (  # noqa: E402, F401  (register on import)
    auth,
    embedding,
    events,
    organizations,
    routes,
    settings,
    webhooks,
)
