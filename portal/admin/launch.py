"""Opening a magic link, leaving the portal, and the pages for links that cannot be opened."""

from flask import g, make_response, redirect, render_template, request, url_for

from portal.admin import bp
from portal.admin.intents import sections_for
from portal.admin.link_problems import explain
from portal.admin.session_cookie import COOKIE_NAME, clear_session_cookie, set_session_cookie
from portal.errors import LinkRefused
from portal.services.account import branding
from portal.services.onboarding import portal_access


@bp.get("/launch")
def launch():
    current = portal_access.session_for_cookie(request.cookies.get(COOKIE_NAME))
    try:
        redemption = portal_access.redeem(request.args.get("token", ""), current)
    except LinkRefused as refusal:
        return _link_problem(refusal)
    session = redemption.session
    response = redirect(url_for(sections_for(session.intents)[0].endpoint))
    if redemption.cookie_token:
        set_session_cookie(response, redemption.cookie_token)
    return response


def _link_problem(refusal: LinkRefused):
    app_name = branding.settings().display_name
    explanation = explain(refusal.reason, refusal.link, app_name)
    return_url = refusal.link.return_url if refusal.link else None
    page = render_template(
        "admin/link_problem.html", explanation=explanation, return_url=return_url
    )
    return page, explanation.status


@bp.get("/")
def home():
    return redirect(url_for(sections_for(g.portal_session.intents)[0].endpoint))


@bp.post("/sign-out")
def sign_out():
    return_url = g.portal_session.link.return_url or branding.settings().default_return_url
    portal_access.end_session(g.portal_session)
    page = render_template("admin/signed_out.html", return_url=return_url)
    response = make_response(page)
    clear_session_cookie(response)
    return response


@bp.get("/session-ended")
def session_ended():
    response = make_response(render_template("admin/session_ended.html"), 401)
    clear_session_cookie(response)
    return response
