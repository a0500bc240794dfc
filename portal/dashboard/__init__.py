"""Pages for the developer running portal, under /dashboard/ (Flask-Login users)."""

from flask import Blueprint

from portal.web.nul_refusals import refuse_nul_in_page_input

bp = Blueprint("dashboard", __name__)
bp.before_request(refuse_nul_in_page_input)

from portal.dashboard import (  # noqa: E402, F401  (register on import)
    auth,
    embedding,
    events,
    organizations,
    routes,
    settings,
    webhooks,
)
