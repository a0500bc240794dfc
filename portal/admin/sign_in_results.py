"""A sign-in's live status, result and details: pages of the SSO section that the
certificates section shows too (testing a new IdP certificate is a test sign-in)."""

from flask import current_app, g, render_template, request

from portal.admin import bp
from portal.services.sso import connection_sessions, sign_in_checks, sso_policy, sso_setup

# The status polls every 2 seconds; after this many polls (10 minutes) it stops by itself.
MAX_POLLS = 300


@bp.get("/sso/sign-in-tests/status")
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
def sign_in_test_result(session_id):
    session = connection_sessions.session_of(g.organization.id, session_id)
    return render_template("admin/sso_test_result.html", **_test_context(session))


@bp.get("/sso/sessions/<session_id>")
def sso_session(session_id):
    session = connection_sessions.session_of(g.organization.id, session_id)
    return render_template(
        "admin/sso_session.html",
        request_text=connection_sessions.readable(session.request_payload),
        response_text=connection_sessions.readable(session.response_payload),
        **_test_context(session),
    )


def _test_context(test) -> dict:
    connection = test.connection if test else sso_setup.connection_for(g.organization.id)
    return {
        "test": test,
        "connection": connection,
        "checks": sign_in_checks.checklist(test, connection.protocol) if test else [],
        "domain_blocker": sso_policy.activation_blocker(g.organization),
    }
