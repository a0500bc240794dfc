from flask import current_app, render_template

from portal.dashboard import bp
from portal.services.account import credentials
from portal.services.infra import health


@bp.get("/")
def home():
    """What this server is, and how the developer's app reaches it."""
    return render_template(
        "dashboard/home.html",
        public_url=current_app.config["PORTAL_PUBLIC_URL"],
        client_id=credentials.environment().client_id,
        health=health.check(),
    )
