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
