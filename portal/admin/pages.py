"""The portal's sections. Each feature's setup and management grow here as it lands."""

from flask import g, render_template

from portal.admin import bp
from portal.admin.guard import requires_intent
from portal.services import setup_progress, sso_policy


def _section(template: str, intent: str):
    return render_template(
        template, configured=setup_progress.is_configured(g.organization.id, intent)
    )


@bp.get("/sso")
@requires_intent("sso")
def sso():
    return render_template(
        "admin/sso.html",
        configured=setup_progress.is_configured(g.organization.id, "sso"),
        domain_blocker=sso_policy.activation_blocker(g.organization),
    )


@bp.get("/audit-logs")
@requires_intent("audit_logs")
def audit_logs():
    return _section("admin/audit_logs.html", "audit_logs")


@bp.get("/log-streams")
@requires_intent("log_streams")
def log_streams():
    return _section("admin/log_streams.html", "log_streams")


@bp.get("/certificates")
@requires_intent("certificate_renewal")
def certificates():
    return _section("admin/certificates.html", "certificate_renewal")
