"""Values every admin template needs: branding, the sections this session may open, and
where "Return to <app>" leads. Scoped to the admin blueprint: other pages do not read the
branding for it (an error page for an admin path needs none of it: templates/errors/)."""

from flask import g

from portal.admin import bp
from portal.admin.intents import sections_for
from portal.services.account import branding


@bp.context_processor
def admin_context():
    session = g.get("portal_session")
    brand = branding.settings()
    if session is None:
        return {"brand": brand}
    return {
        "brand": brand,
        "nav_sections": sections_for(session.intents),
        "return_url": session.link.return_url or brand.default_return_url,
    }
