"""Sign-ins through the SSO connection: the test sign-in, its live status, and past attempts."""

from flask import current_app, g, render_template, request

from portal.admin import bp
from portal.admin.guard import requires_intent
from portal.admin.sso import sso_page
from portal.errors import SignInError
from portal.services.sso import connection_sessions, sign_in_checks, sso_policy, sso_setup

# The status polls every 2 seconds; after this many polls (10 minutes) it stops by itself.
MAX_POLLS = 300


@bp.post("/sso/sign-in-tests")
@requires_intent("sso")
def start_sign_in_test():
    try:
        url, _ = connection_sessions.start_test(g.organization.id)
    except SignInError as refusal:
        return sso_page(refusal, 422)
    return test_launch_page(url)


def test_launch_page(idp_url: str):
    """The new tab's first page: it goes on to the IdP by navigation, which our CSP allows;
    a redirect answering the form would be refused by `form-action 'self'`."""
    response = current_app.make_response(
        render_template("admin/sso_test_launch.html", idp_url=idp_url)
    )
    response.headers["Cache-Control"] = "no-store"  # going back must not replay the attempt
    return response


@bp.get("/sso/sign-in-tests/status")
@requires_intent("sso", "certificate_renewal")
def sign_in_test_status():
    after = request.args.get("after") or None
    tries = request.args.get("tries", 0, type=int)
    test = connection_sessions.latest_test(g.organization.id, after)
    watching = request.args.get("watch") == "1" and tries < MAX_POLLS
    context = _test_context(test)
    context.update(
        after=after or "",
        tries=tries,
        polling=watching and (test is None or test.state == "started"),
        oob_state=True,  # the page's state badge follows the test's outcome
    )
    response = current_app.make_response(render_template("admin/_sso_test_status.html", **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/sso/sign-in-tests/<session_id>")
@requires_intent("sso", "certificate_renewal")
def sign_in_test_result(session_id):
    session = connection_sessions.session_of(g.organization.id, session_id)
    return render_template("admin/sso_test_result.html", **_test_context(session))


@bp.get("/sso/sessions/<session_id>")
@requires_intent("sso", "certificate_renewal")
def sso_session(session_id):
    session = connection_sessions.session_of(g.organization.id, session_id)
    return render_template(
        "admin/sso_session.html",
        request_text=connection_sessions.readable(session.request_payload),
        response_text=connection_sessions.readable(session.response_payload),
        **_test_context(session),
    )


@bp.get("/sso/sessions")
@requires_intent("sso")
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
    if request.headers.get("HX-Request"):
        body = render_template("admin/_sso_sessions.html", sign_ins=sign_ins)
    else:
        body = render_template("admin/sso_sessions.html", sign_ins=sign_ins)
    response = current_app.make_response(body)
    response.vary.add("HX-Request")
    return response


def _test_context(test) -> dict:
    connection = test.connection if test else sso_setup.connection_for(g.organization.id)
    return {
        "test": test,
        "connection": connection,
        "checks": sign_in_checks.checklist(test, connection.protocol) if test else [],
        "domain_blocker": sso_policy.activation_blocker(g.organization),
    }
