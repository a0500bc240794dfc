"""Every admin page but the public ones needs a live portal session, which sets the tenant;
and a page of a section is open only to a session whose link granted one of the section's
intents (admin/intents.py). For any other session it does not exist: 404. A page in no
section and not in the shell is open to no session (tests/admin/test_section_guard.py keeps
every page in one)."""

from flask import abort, current_app, g, request, url_for

from portal.admin import bp
from portal.admin.intents import SHELL_MODULES, sections_holding
from portal.admin.session_cookie import COOKIE_NAME
from portal.services.onboarding import portal_access
from portal.web.signed_out import redirect_signed_out

PUBLIC_ENDPOINTS = {
    "admin.launch",
    "admin.session_ended",
    "admin.branding_css",
    "admin.brand_logo",
}


@bp.before_request
def require_portal_session():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    session = portal_access.session_for_cookie(request.cookies.get(COOKIE_NAME))
    if session is None:
        return redirect_signed_out(url_for("admin.session_ended"))
    g.portal_session = session
    g.organization = session.organization
    if not opens(request.endpoint, session.intents):
        abort(404)
    return None


def view_module(endpoint: str) -> str:
    """The module of portal.admin holding the endpoint's view (its section is named by it)."""
    return current_app.view_functions[endpoint].__module__.rpartition(".")[2]


def opens(endpoint: str, intents: list[str]) -> bool:
    """Whether a session granted `intents` may open the endpoint's page."""
    module = view_module(endpoint)
    if module in SHELL_MODULES:
        return True
    return any(section.intent in intents for section in sections_holding(module))
