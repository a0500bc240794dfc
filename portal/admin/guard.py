"""Every admin page but the public ones needs a live portal session; it sets the tenant."""

import functools

from flask import abort, g, redirect, request, url_for

from portal.admin import bp
from portal.admin.session_cookie import COOKIE_NAME
from portal.services.onboarding import portal_access

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
        target = url_for("admin.session_ended")
        if request.headers.get("HX-Request"):
            # A redirect would be swapped into the fragment; tell htmx to leave the page.
            return "", 401, {"HX-Redirect": target}
        return redirect(target)
    g.portal_session = session
    g.organization = session.organization
    return None


def requires_intent(*intents: str):
    """Pages of a section the session's link did not grant do not exist for it (any of
    `intents` grants the page)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not set(intents) & set(g.portal_session.intents):
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorate
