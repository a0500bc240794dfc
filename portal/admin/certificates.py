"""Certificate renewal: add the IdP's new signing certificate, test it, retire the old one."""

from flask import current_app, g, redirect, render_template, request, url_for

from portal.admin import bp
from portal.admin.sso import field_of
from portal.admin.sso_sign_ins import test_launch_page
from portal.errors import InvalidInput, PortalError, SignInError
from portal.idp_guides import sso_guide_for
from portal.services.infra.validation import by_field
from portal.services.sso import certificate_renewal, connection_sessions, sign_in_checks, sso_setup


def certificates_page(error: PortalError | None = None, status: int = 200):
    """The IdP's certificates with their state, and the latest certificate test."""
    connection = sso_setup.connection_for(g.organization.id)
    context = {
        "connection": connection,
        "error": error.message if error else None,
        "error_field": field_of(error),
        "field_errors": by_field(error, None) if isinstance(error, InvalidInput) else {},
        "form": request.form if error else {},
    }
    if connection is not None:
        test = connection_sessions.latest_test(g.organization.id)
        context.update(
            guide=sso_guide_for(connection.connection_type),
            certificates=sso_setup.certificate_views(connection),
            test=test,
            checks=sign_in_checks.checklist(test, connection.protocol) if test else [],
            after=test.id if test and test.state != "started" else None,
        )
    page = render_template("admin/certificates.html", **context)
    return current_app.make_response((page, status))


def _done(action, *args):
    try:
        action(g.organization.id, *args)
    except PortalError as refusal:
        return certificates_page(
            refusal, 422 if isinstance(refusal, InvalidInput) else refusal.status
        )
    return redirect(url_for("admin.certificates"))


@bp.get("/certificates")
def certificates():
    return certificates_page()


@bp.post("/certificates")
def add_certificate():
    return _done(certificate_renewal.add_certificate, request.form.get("certificate", ""))


@bp.post("/certificates/refresh")
def refresh_certificates():
    return _done(certificate_renewal.refresh_from_metadata)


@bp.post("/certificates/<certificate_id>/sign-in-tests")
def test_certificate(certificate_id):
    try:
        idp_request, _ = certificate_renewal.start_test(g.organization.id, certificate_id)
    except SignInError as refusal:
        return certificates_page(refusal, 422)
    return test_launch_page(idp_request)


@bp.post("/certificates/<certificate_id>/retire")
def retire_certificate(certificate_id):
    confirmed = request.form.get("confirm") == "yes"
    return _done(certificate_renewal.retire, certificate_id, confirmed)
