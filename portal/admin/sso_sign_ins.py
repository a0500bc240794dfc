"""Sign-ins through the SSO connection: starting a test sign-in, and the table of past attempts
(each one's details are in sign_in_results.py, shared with the certificates section)."""

from flask import current_app, g, render_template, request

from portal.admin import bp
from portal.admin.sso import sso_page
from portal.errors import SignInError
from portal.services.sso import connection_sessions, sso_setup
from portal.services.sso.saml_sp import IdpRequest
from portal.web.idp_post import post_to_idp


@bp.post("/sso/sign-in-tests")
def start_sign_in_test():
    try:
        idp_request, _ = connection_sessions.start_test(g.organization.id)
    except SignInError as refusal:
        return sso_page(refusal, 422)
    return test_launch_page(idp_request)


def test_launch_page(idp_request: IdpRequest):
    """The new tab's first page: it goes on to the IdP by navigation, which our CSP allows;
    a redirect answering the form would be refused by `form-action 'self'`. A request sent
    by the HTTP-POST binding goes by its own form page instead."""
    if idp_request.form:
        return post_to_idp(idp_request.url, idp_request.form)
    response = current_app.make_response(
        render_template("admin/sso_test_launch.html", idp_url=idp_request.url)
    )
    response.headers["Cache-Control"] = "no-store"  # going back must not replay the attempt
    return response


@bp.get("/sso/sessions")
def sso_sessions():
    """The sign-ins table, sorted and paged on the server; HTMX swaps just the table."""
    connection = sso_setup.require_connection(g.organization.id)
    args = request.args
    sign_ins = connection_sessions.sign_ins(
        g.organization.id,
        connection.id,
        sort=args.get("sort", "time"),
        order=args.get("order", "desc"),
        page=args.get("page", 1, type=int),
    )
    if request.htmx:
        body = render_template("admin/_sso_sessions.html", sign_ins=sign_ins)
    else:
        body = render_template("admin/sso_sessions.html", sign_ins=sign_ins)
    response = current_app.make_response(body)
    response.vary.add("HX-Request")
    return response
