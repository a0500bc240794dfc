"""The portal's sections whose setup has not shipped yet; finished ones have their own module."""

from flask import g, render_template

from portal.admin import bp
from portal.admin.guard import requires_intent
from portal.services import setup_progress


def _section(template: str, intent: str):
    return render_template(
        template, configured=setup_progress.is_configured(g.organization.id, intent)
    )


@bp.get("/certificates")
@requires_intent("certificate_renewal")
def certificates():
    return _section("admin/certificates.html", "certificate_renewal")


@bp.get("/audit-logs")
@requires_intent("audit_logs")
def audit_logs():
    return _section("admin/audit_logs.html", "audit_logs")


@bp.get("/log-streams")
@requires_intent("log_streams")
def log_streams():
    return _section("admin/log_streams.html", "log_streams")
